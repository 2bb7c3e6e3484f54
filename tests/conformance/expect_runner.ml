(* Native counterpart of the testsuite's expect_test tool: same setup, same
   splitting into chunks, same capture of the toplevel's formatters; the
   phrases run through ocamljit's Topeval and the selected loader. *)

type quoted = { text : string; tag : string }

type expectation = {
  payload_loc : Location.t;  (* the payload, replaced in a corrected file *)
  normal : quoted;
  principal : quoted;
}

type chunk = { phrases : Parsetree.toplevel_phrase list; expected : expectation }

(* ---------------------------------------------------------------------- *)
(* Reading the file *)

let invalid loc = Location.raise_errorf ~loc "invalid [%%%%expect payload]"

let quoted_of (e : Parsetree.expression) loc =
  match e.pexp_desc with
  | Pexp_constant (Pconst_string (text, _, Some tag)) -> { text; tag }
  | _ -> invalid loc

let expectation_of_extension ((name, payload) : Parsetree.extension) =
  match name.txt with
  | "expect" | "ocaml.expect" -> (
      let loc = name.loc in
      match payload with
      | PStr [] ->
          let empty = { text = ""; tag = "" } in
          Some { payload_loc = { loc with loc_start = loc.loc_end }; normal = empty;
                 principal = empty }
      | PStr [ { pstr_desc = Pstr_eval (e, []); _ } ] ->
          let normal, principal =
            match e.pexp_desc with
            | Pexp_tuple
                [ a; { pexp_desc = Pexp_construct ({ txt = Lident "Principal"; _ }, Some b); _ } ]
              ->
                (quoted_of a loc, quoted_of b loc)
            | _ ->
                let q = quoted_of e loc in
                (q, q)
          in
          Some { payload_loc = e.pexp_loc; normal; principal }
      | _ -> invalid loc)
  | _ -> None

(* Phrases up to each [%%expect] form a chunk; what follows the last one is
   the trailing code, whose output is expected to be empty. *)
let chunks_of phrases =
  let rec go phrases pending acc =
    match phrases with
    | [] -> (List.rev acc, List.rev pending)
    | Parsetree.Ptop_def [] :: rest -> go rest pending acc
    | (Parsetree.Ptop_def [ { pstr_desc = Pstr_extension (ext, []); _ } ] as p) :: rest -> (
        match expectation_of_extension ext with
        | Some expected -> go rest [] ({ phrases = List.rev pending; expected } :: acc)
        | None -> go rest (p :: pending) acc)
    | p :: rest -> go rest (p :: pending) acc
  in
  go phrases [] []

let parse contents =
  let lexbuf = Lexing.from_string contents in
  (* Errors print as "Line N, characters ..." of the chunk, as recorded. *)
  Location.init lexbuf "";
  Location.input_name := "";
  Location.input_lexbuf := Some lexbuf;
  Parse.use_file lexbuf

(* ---------------------------------------------------------------------- *)
(* Running a chunk *)

(* Locations in a chunk's output count lines from the chunk's first phrase. *)
let renumber_lines phrases =
  let first =
    List.find_map
      (function
        | Parsetree.Ptop_def (item :: _) -> Some item.Parsetree.pstr_loc.loc_start.pos_lnum
        | Parsetree.Ptop_def [] | Parsetree.Ptop_dir _ -> None)
      phrases
  in
  match first with
  | None -> phrases
  | Some line ->
      let shift (p : Lexing.position) = { p with pos_lnum = p.pos_lnum - line + 1 } in
      let location _ (l : Location.t) =
        { l with loc_start = shift l.loc_start; loc_end = shift l.loc_end }
      in
      let mapper = { Ast_mapper.default_mapper with location } in
      List.map
        (function
          | Parsetree.Ptop_def s -> Parsetree.Ptop_def (mapper.structure mapper s)
          | Parsetree.Ptop_dir _ as d -> d)
        phrases

let run_phrase ppf phrase =
  if !Clflags.dump_parsetree then Printast.top_phrase ppf phrase;
  if !Clflags.dump_source then Pprintast.top_phrase ppf phrase;
  Toploop.execute_phrase true ppf phrase

(* Runs phrases until one fails, as the toplevel does with a file; returns
   what the toplevel printed. *)
let run_chunk buf ppf phrases =
  Buffer.add_char buf '\n';
  let rec go = function
    | [] -> ()
    | phrase :: rest ->
        let snapshot = Btype.snapshot () in
        let ok =
          try run_phrase ppf phrase
          with exn ->
            let bt = Printexc.get_raw_backtrace () in
            (try Location.report_exception ppf exn
             with _ ->
               Format.fprintf ppf "Uncaught exception: %s\n%s\n" (Printexc.to_string exn)
                 (Printexc.raw_backtrace_to_string bt));
            Btype.backtrack snapshot;
            false
        in
        if ok then go rest
  in
  go (renumber_lines phrases);
  Format.pp_print_flush ppf ();
  let len = Buffer.length buf in
  if len > 0 && Buffer.nth buf (len - 1) <> '\n' then Buffer.add_char buf '\n';
  let out = Buffer.contents buf in
  Buffer.clear buf;
  Misc.delete_eol_spaces out

(* The toplevel prints to std_formatter, err_formatter and the warnings
   formatter: all three go to [buf] while [f] runs. *)
let capturing buf ppf f =
  let into = Format.pp_get_formatter_out_functions (Format.formatter_of_buffer buf) () in
  let formatters = [ Format.std_formatter; Format.err_formatter ] in
  List.iter (fun pp -> Format.pp_print_flush pp ()) formatters;
  let saved = List.map (fun pp -> Format.pp_get_formatter_out_functions pp ()) formatters in
  List.iter (fun pp -> Format.pp_set_formatter_out_functions pp into) formatters;
  let restore () =
    List.iter2
      (fun pp out ->
        Format.pp_print_flush pp ();
        Format.pp_set_formatter_out_functions pp out)
      formatters saved
  in
  Fun.protect ~finally:restore (fun () ->
      Misc.protect_refs [ Misc.R (Location.formatter_for_warnings, ppf) ] f)

(* ---------------------------------------------------------------------- *)
(* Comparing and correcting *)

type outcome = {
  corrections : (expectation * string) list;  (* differing blocks, with the output *)
  trailing : string;  (* output of the code after the last block *)
}

let run_file contents =
  Warnings.reset_fatal ();
  let chunks, trailing_code = chunks_of (parse contents) in
  let buf = Buffer.create 4096 in
  let ppf = Format.formatter_of_buffer buf in
  capturing buf ppf (fun () ->
      let corrections =
        List.filter_map
          (fun c ->
            let out = run_chunk buf ppf c.phrases in
            let wanted = if !Clflags.principal then c.expected.principal else c.expected.normal in
            if out = wanted.text then None else Some (c.expected, out))
          chunks
      in
      let trailing = if trailing_code = [] then "" else run_chunk buf ppf trailing_code in
      { corrections; trailing })

let write_corrected file contents outcome =
  let oc = open_out_bin file in
  let quoted q = Printf.fprintf oc "{%s|%s|%s}" q.tag q.text q.tag in
  let upto =
    List.fold_left
      (fun from (e, out) ->
        let start = e.payload_loc.loc_start.pos_cnum in
        output_string oc (String.sub contents from (start - from));
        let e =
          if !Clflags.principal then { e with principal = { e.principal with text = out } }
          else { e with normal = { e.normal with text = out } }
        in
        quoted e.normal;
        if e.normal.text <> e.principal.text then begin
          output_string oc ", Principal";
          quoted e.principal
        end;
        e.payload_loc.loc_end.pos_cnum)
      0 outcome.corrections
  in
  output_string oc (String.sub contents upto (String.length contents - upto));
  if outcome.trailing <> "" then Printf.fprintf oc "\n[%%%%expect{|%s|}]\n" outcome.trailing;
  close_out oc

(* ---------------------------------------------------------------------- *)
(* The TEST header *)

let is_expect_test file =
  match Test_header.of_file file with
  | Some h -> Test_header.has_action h "expect"
  | None -> false
  | exception Sys_error _ -> false

(* A header predicate that this configuration does not satisfy, if any. *)
let unsatisfied_predicate (h : Test_header.t) =
  List.find_opt
    (fun a ->
      match a with
      | "flat-float-array" -> not Config.flat_float_array
      | "no-flat-float-array" -> Config.flat_float_array
      | _ -> false)
    h.actions

(* The testsuite points -I at the compiler's source directories, where a
   built tree keeps its .cmi files; installed compiler-libs hold the same. *)
let substitute_flag flag =
  let prefix = "${ocamlsrcdir}/" in
  let lp = String.length prefix in
  if String.length flag >= lp && String.sub flag 0 lp = prefix then "+compiler-libs" else flag

let rec list_tests dir =
  let entries = try Sys.readdir dir with Sys_error _ -> [||] in
  Array.sort compare entries;
  Array.iter
    (fun e ->
      let path = Filename.concat dir e in
      if Sys.is_directory path then list_tests path
      else if Filename.check_suffix e ".ml" && is_expect_test path then print_endline path)
    entries

(* ---------------------------------------------------------------------- *)
(* Command line *)

(* For the shell drivers: one "name: words" line per field. *)
let print_header file =
  (match Test_header.of_file file with
   | None -> ()
   | Some h ->
       Printf.printf "actions: %s\nflags: %s\nincludes: %s\n" (String.concat " " h.actions)
         (String.concat " " (List.map substitute_flag h.flags)) (String.concat " " h.includes));
  exit 0

let corrected_file = ref ""
let input_file = ref ""
let list_dirs = ref []

let anonymous f = if !input_file = "" then input_file := f

module Options = Main_args.Make_opttop_options (struct
  include Main_args.Default.Opttopmain
  let _stdin () = ()
  let _args = Arg.read_arg
  let _args0 = Arg.read_arg0
  let anonymous = anonymous
end)

let own_options () =
  [
    ("-corrected", Arg.Set_string corrected_file, "<file>  Where to write the corrected test");
    ("-list", Arg.String (fun d -> list_dirs := d :: !list_dirs),
     "<dir>  Print the expect tests under <dir>");
    ("-loader", Arg.String Loader.select, "<name>  The ocamljit loader to run phrases with");
    ("-header", Arg.String print_header,
     "<file>  Print the actions, flags and included libraries of a TEST header");
    ("-list-loaders", Arg.Unit (fun () -> List.iter print_endline (Loader.names ()); exit 0),
     " Print the names of the loaders this build has");
  ]

let usage = "Usage: ocamljit-expect [options] FILE\nOptions are:"

let read_file name =
  let ic = open_in_bin name in
  Fun.protect ~finally:(fun () -> close_in ic) (fun () ->
      Misc.normalise_eol (really_input_string ic (in_channel_length ic)))

let run_test file =
  let header = Test_header.of_file file in
  match Option.bind header unsatisfied_predicate with
  | Some p ->
      Printf.printf "not applicable: requires %s\n" p;
      3
  | None ->
      let flags = match header with Some h -> h.flags | None -> [] in
      let argv = Array.of_list ("ocamljit-expect" :: List.map substitute_flag flags) in
      (try
         Arg.parse_argv ~current:(ref 0) argv Options.list
           (fun a -> raise (Arg.Bad ("unexpected argument in TEST flags: " ^ a)))
           usage
       with Arg.Bad msg | Arg.Help msg ->
         (* The first line names the flag; the rest is the usage text. *)
         let first = List.hd (String.split_on_char '\n' msg) in
         Printf.printf "TEST flags not accepted by the native toplevel: %s\n" first;
         exit 2);
      Clflags.error_size := 0;
      Toploop.override_sys_argv [| file |];
      (* OCAMLRUNPARAM=b must not change the output. *)
      Printexc.record_backtrace false;
      Compmisc.init_path ();
      Toploop.initialize_toplevel_env ();
      Sys.interactive := false;
      let contents = read_file file in
      let outcome = run_file contents in
      if outcome.corrections = [] && outcome.trailing = "" then 0
      else begin
        if !corrected_file <> "" then write_corrected !corrected_file contents outcome;
        1
      end

let main () =
  Loaders.register_all ();
  Clflags.native_code := true;
  Clflags.color := Some Misc.Color.Never;
  match Arg.parse (Arg.align (own_options () @ Options.list)) anonymous usage with
  | () when !list_dirs <> [] -> List.iter list_tests (List.rev !list_dirs); 0
  | () when !input_file = "" -> prerr_endline "ocamljit-expect: no input file"; 2
  | () -> run_test !input_file
  | exception exn -> Location.report_exception Format.err_formatter exn; 2

let () = exit (main ())
