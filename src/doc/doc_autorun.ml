(* See doc_autorun.mli. *)

open Parsetree

type runner = {
  unit_file : string;               (* the library's interface, e.g. lwt.cmi *)
  promise : Longident.t;            (* the promise type *)
  visible_when : Longident.t;       (* a value that is there once the library is *)
  wrap : Location.t -> expression -> expression;
  mutable preload : string option;  (* loaded before the first rewrite *)
}

let lid path =
  match Longident.unflatten path with Some l -> l | None -> invalid_arg "Doc_autorun.lid"

let apply loc f arg =
  Ast_helper.Exp.apply ~loc (Ast_helper.Exp.ident ~loc (Location.mkloc (lid f) loc)) [ (Asttypes.Nolabel, arg) ]

let lwt =
  {
    unit_file = "lwt.cmi";
    promise = lid [ "Lwt"; "t" ];
    visible_when = lid [ "Lwt"; "return" ];
    wrap = (fun loc e -> apply loc [ "Lwt_main"; "run" ] e);
    preload = Some "lwt.unix";
  }

let async =
  let block = [ "Async"; "Thread_safe"; "block_on_async_exn" ] in
  {
    unit_file = "async.cmi";
    promise = lid [ "Async"; "Deferred"; "t" ];
    visible_when = lid block;
    wrap =
      (fun loc e ->
        let unit_pattern = Ast_helper.Pat.construct ~loc (Location.mkloc (Longident.Lident "()") loc) None in
        apply loc block (Ast_helper.Exp.fun_ ~loc Asttypes.Nolabel None unit_pattern e));
    preload = None;
  }

let rec head_ident = function
  | Path.Pident id -> id
  | Path.Pdot (p, _) | Path.Papply (p, _) -> head_ident p

(* Whether the library's interface is on the load path, looked up again only
   when the load path changes: looking [Lwt.return] up in the environment
   costs a search of every directory per phrase while the library is not
   there (the usual case). *)
let on_load_path =
  let paths = ref [] and found = Hashtbl.create 2 in
  fun runner ->
    let now = Load_path.get_paths () in
    if now <> !paths then begin
      paths := now;
      Hashtbl.reset found
    end;
    match Hashtbl.find_opt found runner.unit_file with
    | Some b -> b
    | None ->
        let b = match Load_path.find_uncap runner.unit_file with _ -> true | exception Not_found -> false in
        Hashtbl.replace found runner.unit_file b;
        b

(* Visible as a library's value, not as something a phrase defined. *)
let visible env runner =
  on_load_path runner &&
  match Env.find_value_by_name runner.visible_when env with
  | path, _ -> Ident.persistent (head_ident path)
  | exception _ -> false

(* The path the promise type stands for, one abbreviation expanded (the
   expressions' types are fully expanded below). *)
let promise_path env runner =
  match Env.find_type_by_name runner.promise env with
  | path, { Types.type_manifest = Some ty; _ } -> (
      match (Ctype.expand_head env ty).Types.desc with
      | Types.Tconstr (p, _, _) -> Some p
      | _ -> Some path)
  | path, _ -> Some path
  | exception Not_found -> None

let rewrite_items env runners str typed =
  let runner_of ty =
    match (Ctype.expand_head env ty).Types.desc with
    | Types.Tconstr (path, _, _) ->
        List.find_opt
          (fun r ->
            match promise_path env r with Some p -> Path.same p path | None -> false)
          runners
    | _ -> None
  in
  List.map2
    (fun item (titem : Typedtree.structure_item) ->
      match item.pstr_desc, titem.str_desc with
      | Pstr_eval (e, attrs), Typedtree.Tstr_eval (te, _) -> (
          match runner_of te.exp_type with
          | Some r -> { item with pstr_desc = Pstr_eval (r.wrap item.pstr_loc e, attrs) }
          | None -> item)
      | _ -> item)
    str typed.Typedtree.str_items

let rewrite ~require phrase =
  match phrase with
  | Ptop_def str when List.exists (fun i -> match i.pstr_desc with Pstr_eval _ -> true | _ -> false) str -> (
      let env = !Topcommon.toplevel_env in
      match List.filter (visible env) [ lwt; async ] with
      | [] -> phrase
      | runners -> (
          List.iter
            (fun r ->
              Option.iter
                (fun p ->
                  r.preload <- None;
                  ignore (require p))
                r.preload)
            runners;
          (* Typed once here to see the expressions' types, without keeping
             anything: the toplevel types the phrase again when it runs it. *)
          let env = !Topcommon.toplevel_env in
          Env.reset_cache_toplevel ();
          let snap = Btype.snapshot () in
          match
            Warnings.without_warnings (fun () ->
                let typed, _, _, env = Typemod.type_toplevel_phrase env str in
                rewrite_items env runners str typed)
          with
          | str ->
              Btype.backtrack snap;
              Ptop_def str
          | exception _ ->
              Btype.backtrack snap;
              phrase))
  | _ -> phrase
