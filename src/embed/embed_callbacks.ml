(* Statuses as ocamljit.h numbers them. *)
let code = function Session.Succeeded -> 0 | Session.Failed -> 1 | Session.Raised -> 2

let sessions : (int, Session.t) Hashtbl.t = Hashtbl.create 16

let find id = Hashtbl.find_opt sessions id

let init () = match Session.init () with Ok () -> "" | Error msg -> msg

let session_new () =
  match Session.create () with
  | s -> Hashtbl.replace sessions (Session.id s) s; Session.id s
  | exception Failure _ -> 0

let session_free id =
  match find id with
  | None -> ""
  | Some s -> (
      match Session.free s with
      | Ok () -> Hashtbl.remove sessions id; ""
      | Error msg -> msg)

let eval id text = match find id with None -> 1 | Some s -> code (Session.eval s text)
let output id = match find id with None -> "" | Some s -> Session.output s

(* (status, value): the value is meaningful when status = 0. *)
let typed w id text : int * Obj.t =
  match find id with
  | None -> (1, Obj.repr 0)
  | Some s -> (
      match Session.eval_as s w text with
      | Ok v -> (0, Obj.repr v)
      | Error st -> (code st, Obj.repr 0))

let () =
  Callback.register "ocamljit_init" init;
  Callback.register "ocamljit_session_new" session_new;
  Callback.register "ocamljit_session_free" session_free;
  Callback.register "ocamljit_eval" eval;
  Callback.register "ocamljit_output" output;
  Callback.register "ocamljit_eval_int" (typed Session.Int);
  Callback.register "ocamljit_eval_float" (typed Session.Float);
  Callback.register "ocamljit_eval_string" (typed Session.String)
