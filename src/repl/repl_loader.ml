let enabled = ref true

let option =
  ( "-no-readline",
    Arg.Clear enabled,
    " Read phrases without line editing, history or completion (as when not on a terminal)" )

external on_terminals : unit -> bool = "ocamljit_repl_on_terminals"

(* The bundle's bytes (a ustar archive) where the executable holds them,
   empty when none is linked in. *)
external bundle : unit -> Library_loader.file_bytes = "ocamljit_repl_bundle"

let on_a_terminal () =
  !enabled && (not !Clflags.noprompt) && on_terminals ()
  && match Sys.getenv_opt "TERM" with None | Some ("" | "dumb") -> false | Some _ -> true

let warn fmt = Printf.ksprintf (fun s -> prerr_string ("ocamljit: " ^ s ^ "\n"); flush stderr) fmt

let editor = ref None
let register_editor take_over = editor := Some take_over

exception Unusable of string

let unusable fmt = Printf.ksprintf (fun s -> raise (Unusable s)) fmt

(* ---- the bundle: a ustar archive of the libraries' .cmxa, .a and C stub
   archives, and "load-order", the .cmxa files to load, one a line. ------ *)

let block = 512

let octal s =
  match int_of_string_opt ("0o" ^ String.trim (String.map (fun c -> if c = '\000' then ' ' else c) s)) with
  | Some n when n >= 0 -> n
  | _ -> unusable "damaged bundle (size field %S)" s

let c_string s = match String.index_opt s '\000' with Some i -> String.sub s 0 i | None -> s

(* (name, contents) of each regular file, in archive order: views into
   [archive], not copies. *)
let files archive =
  let size = Bigarray.Array1.dim archive in
  let sub pos len = String.init len (fun i -> Bigarray.Array1.get archive (pos + i)) in
  let rec go pos acc =
    if pos + block > size then List.rev acc
    else
      let name = c_string (sub pos 100) in
      if name = "" then List.rev acc (* the end-of-archive blocks *)
      else
        let length = octal (sub (pos + 124) 12) in
        let data = pos + block in
        if data + length > size then unusable "damaged bundle (%s is truncated)" name;
        let next = data + ((length + block - 1) / block * block) in
        match Bigarray.Array1.get archive (pos + 156) with
        | '0' | '\000' -> go next ((name, Bigarray.Array1.sub archive data length) :: acc)
        | _ -> go next acc
  in
  go 0 []

(* Each library is linked from the bundle's bytes in place: nothing is
   written to disk. *)
let load_libraries () =
  let files = files (bundle ()) in
  if files = [] then unusable "the line editor is not in this executable";
  let order =
    match List.assoc_opt "load-order" files with
    | Some text ->
        let text = String.init (Bigarray.Array1.dim text) (Bigarray.Array1.get text) in
        List.filter (( <> ) "") (String.split_on_char '\n' text)
    | None -> unusable "damaged bundle (no load-order)"
  in
  List.iter
    (fun cmxa ->
      match Library_loader.load_from_memory ~files cmxa with
      | Ok () -> ()
      | Error (Loader.Load_failed msg) -> unusable "%s: %s" cmxa msg
      | Error (Loader.Raised exn) -> unusable "%s: %s" cmxa (Printexc.to_string exn))
    order

let start_editor () =
  match
    if !editor = None then load_libraries ();
    !editor
  with
  | Some take_over -> take_over ()
  | None -> warn "no line editing: the line editor did not register"
  | exception Unusable msg -> warn "no line editing: %s" msg
  | exception Sys_error msg -> warn "no line editing: %s" msg
  | exception Sys.Break -> warn "no line editing: interrupted while loading it"

let install () =
  Clflags.add_arguments __LOC__ [ option ];
  let plain = !Toploop.read_interactive_input in
  let decided = ref false in
  Toploop.read_interactive_input :=
    fun prompt buffer len ->
      (* Decided once: from now on reads go to the plain reader or the editor. *)
      if not !decided then begin
        decided := true;
        Toploop.read_interactive_input := plain;
        if on_a_terminal () then start_editor ()
      end;
      !Toploop.read_interactive_input prompt buffer len
