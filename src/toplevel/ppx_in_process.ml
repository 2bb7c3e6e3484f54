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

(* Plugin packages topfind asked for, in order; loaded at the first phrase
   that needs them. *)
let plugins_requested : string list ref = ref []

let plugin_package opt =
  match String.index_opt opt ':' with
  | Some i when String.sub opt 0 i = "package" -> Some (String.sub opt (i + 1) (String.length opt - i - 1))
  | _ -> None

let setup session =
  let ok = function Ok () -> () | Error msg -> raise (Setup_failed msg) in
  List.iter
    (fun p ->
      if not (List.mem p !plugins_loaded) then begin
        ok (session.run (load_plugin_phrase p));
        plugins_loaded := p :: !plugins_loaded
      end)
    !plugins_requested;
  if !rewriter = None then
    session.forget (fun () ->
        ok (session.run install_rewriter_phrases);
        match session.value rewriter_name with
        | Some f -> rewriter := Some (Obj.obj f)
        | None -> raise (Setup_failed "ppxlib's driver is not reachable"))

(* Derivers act on attributes and extension nodes only: a phrase with
   neither goes through unchanged, and the rewriters are loaded at the first
   phrase that has one (a #require costs nothing until then). *)
let has_attribute_or_extension str =
  let found = ref false in
  let open Ast_iterator in
  let it =
    { default_iterator with
      attribute = (fun _ _ -> found := true);
      extension = (fun _ _ -> found := true) }
  in
  it.structure it str;
  !found

(* ppx_deriving run as a process on one phrase, told its plugins as topfind
   tells it. *)
let run_executable cmd str =
  let plugins =
    match !plugins_requested with
    | [] -> []
    | ps ->
        let opts = String.concat ", " (List.map (Printf.sprintf "%S") (List.map (( ^ ) "package:") ps)) in
        Parse.implementation (Lexing.from_string (Printf.sprintf "[@@@findlib.ppxopt (\"ppx_deriving\", %s)]" opts))
  in
  let saved = !Clflags.all_ppx in
  Clflags.all_ppx := [ cmd ];
  Fun.protect ~finally:(fun () -> Clflags.all_ppx := saved) (fun () ->
      Pparse.apply_rewriters_str ~restore:true ~tool_name:"ocaml" (plugins @ str))

(* The in-process route failed: run the driver as a process from now on,
   this phrase included. *)
let fall_back cmd msg str =
  (* The toplevel's error formatter: an embedding session's output gets it. *)
  Format.eprintf "ocamljit: ppx_deriving in-process: %s; running %s as a process@."
    (String.trim msg) cmd;
  deriving_command := None;
  let str = run_executable cmd str in
  !original_ppx cmd;
  str

let busy = ref false

let rewrite session (str : Parsetree.structure) =
  match !deriving_command with
  | None -> str
  | Some _ when !busy -> str
  | Some cmd -> (
      let options = List.concat (List.filter_map deriving_options str) in
      let rest = List.filter (fun item -> deriving_options item = None) str in
      let packages = List.filter_map plugin_package options in
      List.iter
        (fun p -> if not (List.mem p !plugins_requested) then plugins_requested := !plugins_requested @ [ p ])
        packages;
      if List.length packages <> List.length options then
        fall_back cmd "a plugin option that is not a findlib package" str
      else if not (has_attribute_or_extension rest) then rest
      else if !plugins_requested = [] then
        (* The driver with no plugin (a #ppx typed by hand): it does what
           its executable does, so let the executable do it. *)
        run_executable cmd rest
      else begin
        busy := true;
        match Fun.protect ~finally:(fun () -> busy := false) (fun () -> setup session) with
        | exception Setup_failed msg -> fall_back cmd msg rest
        | () -> ( match !rewriter with Some f -> f rest | None -> rest)
      end)
