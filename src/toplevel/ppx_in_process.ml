(* See ppx_in_process.mli. The rewriters are reached through toplevel
   phrases: our executable is not linked with findlib or ppxlib, the session
   has them once topfind and the rewriter libraries are loaded. *)

type session = {
  run : string -> (unit, string) result;
  value : string -> Obj.t option;
  forget : (unit -> unit) -> unit;
}

let original_ppx = ref (fun cmd -> Clflags.all_ppx := cmd :: !Clflags.all_ppx)

(* The ppx_deriving command we took over, while its plugins run here. *)
let deriving_command : string option ref = ref None
let plugins_loaded : string list ref = ref []
let rewriter : (Parsetree.structure -> Parsetree.structure) option ref = ref None

(* OCAMLJIT_PPX=process keeps every rewriter in a process, as in ocaml. *)
let in_process_allowed () = Sys.getenv_opt "OCAMLJIT_PPX" <> Some "process"

let is_deriving_driver cmd =
  match String.split_on_char ' ' (String.trim cmd) with
  | [ exe ] -> Filename.basename exe = "ppx_deriving"
  | _ -> false

let installed = ref false

let install () =
  if not !installed then begin
    installed := true;
    (match Topcommon.get_directive "ppx" with
     | Some (Topcommon.Directive_string f) -> original_ppx := f
     | _ -> ());
    let info =
      match Topcommon.get_directive_info "ppx" with
      | Some info -> info
      | None -> { Topcommon.section = "Compiler options"; doc = "Run a ppx rewriter on every phrase." }
    in
    Topcommon.add_directive "ppx"
      (Topcommon.Directive_string
         (fun cmd ->
           if is_deriving_driver cmd && in_process_allowed () then deriving_command := Some cmd
           else !original_ppx cmd))
      info
  end

(* [@@@findlib.ppxopt ("ppx_deriving", "package:P", ...)]: topfind's way of
   passing ppx_deriving its plugins. *)
let deriving_options (item : Parsetree.structure_item) =
  let open Parsetree in
  let string e =
    match e.pexp_desc with Pexp_constant (Pconst_string (s, _, _)) -> Some s | _ -> None
  in
  match item.pstr_desc with
  | Pstr_attribute
      { attr_name = { txt = "findlib.ppxopt"; _ };
        attr_payload = PStr [ { pstr_desc = Pstr_eval ({ pexp_desc = Pexp_tuple (driver :: opts); _ }, _); _ } ];
        _ }
    when string driver = Some "ppx_deriving" ->
      Some (List.filter_map string opts)
  | _ -> None

(* Loads the libraries of package [p] for the "ppx_driver" predicate (the
   rewriter itself and ppxlib), in memory like any #require. *)
let load_plugin_phrase p =
  Printf.sprintf
    {|let () =
  let preds = "ppx_driver" :: !Topfind.predicates in
  List.iter
    (fun pkg ->
      let dir = Findlib.package_directory pkg in
      let archives = try Findlib.package_property preds pkg "archive" with Not_found -> "" in
      List.iter
        (fun a ->
          if not (Topeval.load_file false Format.err_formatter (Findlib.resolve_path ~base:dir a))
          then failwith ("cannot load " ^ a))
        (Fl_split.in_words archives))
    (Findlib.package_deep_ancestors preds [ %S ]);;
|}
    p

let rewriter_name = "ocamljit_ppxlib_rewrite__"

(* ppxlib's driver on the compiler's parse tree: the conversions are those
   of ppx_deriving's own driver; the parse tree types of ppxlib's
   "current OCaml" are the compiler's (Obj.magic bridges their names). *)
let install_rewriter_phrases =
  let dirs = [ "ppxlib"; "ppxlib.ast"; "ppxlib.astlib"; "ppxlib.stdppx"; "ppxlib.traverse_builtins";
               "ocaml-compiler-libs.common"; "ocaml-compiler-libs.shadow" ] in
  let each f = String.concat "" (List.map f dirs) in
  each (Printf.sprintf "Topdirs.dir_directory (Findlib.package_directory %S);;\n")
  ^ "Topdirs.dir_directory \"+compiler-libs\";;\n"
  ^ Printf.sprintf
      {|let %s : Parsetree.structure -> Parsetree.structure = fun s ->
  let module S = Ppxlib_ast.Selected_ast in
  Obj.magic (S.to_ocaml S.Type.Structure (Ppxlib.Driver.map_structure (S.of_ocaml S.Type.Structure (Obj.magic s))));;
|}
      rewriter_name

exception Setup_failed of string

let setup session options =
  let ok = function Ok () -> () | Error msg -> raise (Setup_failed msg) in
  List.iter
    (fun opt ->
      match String.index_opt opt ':' with
      | Some i when String.sub opt 0 i = "package" ->
          let p = String.sub opt (i + 1) (String.length opt - i - 1) in
          if not (List.mem p !plugins_loaded) then begin
            ok (session.run (load_plugin_phrase p));
            plugins_loaded := p :: !plugins_loaded
          end
      | _ -> raise (Setup_failed ("plugin option " ^ opt ^ " is not a findlib package")))
    options;
  if !rewriter = None && !plugins_loaded <> [] then
    session.forget (fun () ->
        ok (session.run install_rewriter_phrases);
        match session.value rewriter_name with
        | Some f -> rewriter := Some (Obj.obj f)
        | None -> raise (Setup_failed "ppxlib's driver is not reachable"))

(* The in-process route failed: run the driver as a process from now on,
   this phrase included. *)
let fall_back cmd msg str =
  Printf.eprintf "ocamljit: ppx_deriving in-process: %s; running %s as a process\n%!"
    (String.trim msg) cmd;
  deriving_command := None;
  !original_ppx cmd;
  Pparse.apply_rewriters_str ~restore:true ~tool_name:"ocaml" str

let busy = ref false

let rewrite session (str : Parsetree.structure) =
  match !deriving_command with
  | None -> str
  | Some _ when !busy -> str
  | Some cmd -> (
      let options = List.concat (List.filter_map deriving_options str) in
      let str = List.filter (fun item -> deriving_options item = None) str in
      busy := true;
      match Fun.protect ~finally:(fun () -> busy := false) (fun () -> setup session options) with
      | exception Setup_failed msg -> fall_back cmd msg str
      | () -> (
          match !rewriter with
          | Some f -> if str = [] then str else f str
          | None when str = [] -> str
          | None ->
              (* The driver with no plugin yet (a #ppx typed by hand): it does
                 what its executable does, so let the executable do it. *)
              let saved = !Clflags.all_ppx in
              Clflags.all_ppx := [ cmd ];
              Fun.protect ~finally:(fun () -> Clflags.all_ppx := saved) (fun () ->
                  Pparse.apply_rewriters_str ~restore:true ~tool_name:"ocaml" str)))
