external find_symbol : string -> Obj.t option = "ocamljit_jit_find_symbol"

(* A String.Set.t: Empty (the immediate 0) or Node {l; v; r; h}. *)
let rec is_string_set depth v =
  if Obj.is_int v then (Obj.obj v : int) = 0
  else
    depth < 64 && Obj.tag v = 0 && Obj.size v = 4
    && Obj.is_int (Obj.field v 3)
    && (let s = Obj.field v 1 in Obj.is_block s && Obj.tag s = Obj.string_tag)
    && is_string_set (depth + 1) (Obj.field v 0)
    && is_string_set (depth + 1) (Obj.field v 2)

let is_set_ref r =
  Obj.is_block r && Obj.tag r = 0 && Obj.size r = 1
  && (let c = Obj.field r 0 in Obj.is_block c && is_string_set 0 c)

let cells : Obj.t list option ref = ref None

let locate () =
  match find_symbol "camlEmit" with
  | None -> []
  | Some block when Obj.is_int block -> []
  | Some block ->
      List.filter is_set_ref (List.init (Obj.size block) (Obj.field block))

let forget () =
  let found =
    match !cells with
    | Some cs -> cs
    | None ->
        let cs = locate () in
        (* Before any phrase the sets are empty and cannot be told apart: look again later. *)
        if cs <> [] then cells := Some cs;
        cs
  in
  List.iter (fun r -> Obj.set_field r 0 (Obj.repr 0)) found
