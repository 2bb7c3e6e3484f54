let warn fmt = Printf.ksprintf (fun s -> prerr_string ("ocamljit: " ^ s ^ "\n"); flush stderr) fmt

(* ---- history ---------------------------------------------------------- *)

let max_entries = 1000
let max_bytes = 1 lsl 20

let history_file () =
  match Sys.getenv_opt "OCAMLJIT_HISTORY" with
  | Some "" -> None
  | Some file -> Some file
  | None -> (
      match Sys.getenv_opt "HOME" with
      | None | Some "" -> None
      | Some home -> Some (Filename.concat home ".ocamljit-history"))

type session = {
  term : LTerm.t;
  history : LTerm_history.t;
  mutable file : string option;  (* None: not saved (disabled, or failed once) *)
}

let describe = function
  | Unix.Unix_error (e, _, _) -> Unix.error_message e
  | Sys_error s -> s
  | e -> Printexc.to_string e

let load_history history file =
  let log line msg = warn "%s, line %d: %s" file line msg in
  match Lwt_main.run (LTerm_history.load history ~log file) with
  | () -> Some file
  | exception e ->
      warn "history not used: %s: %s" file (describe e);
      None

(* Ctrl-C while the file is rewritten would truncate it: the interrupt waits
   until the file is written, then interrupts the phrase as usual. *)
let without_interrupts f =
  let mask = Thread.sigmask Unix.SIG_BLOCK [ Sys.sigint ] in
  Fun.protect ~finally:(fun () -> ignore (Thread.sigmask Unix.SIG_SETMASK mask)) f

let remember session text =
  LTerm_history.add session.history (Zed_string.of_utf8 text);
  match session.file with
  | None -> ()
  | Some file -> (
      (* Saved at once (it appends): a killed session keeps its phrases. *)
      try without_interrupts (fun () -> Lwt_main.run (LTerm_history.save session.history file))
      with e ->
        warn "history not saved: %s: %s" file (describe e);
        session.file <- None)

(* ---- reading one submission ------------------------------------------- *)

class phrase_reader term history = object (self)
  inherit LTerm_read_line.read_line ~history () as engine
  inherit [Zed_string.t] LTerm_read_line.term term as super

  (* The candidates' bar (or Ctrl-R's search) only while there are candidates. *)
  method! show_box = React.S.value self#completion_words <> [] || React.S.value self#message <> None

  method! completion =
    let before = Zed_string.to_utf8 (Zed_rope.to_string self#input_prev) in
    (* A completion that fails offers nothing; it never ends the session. *)
    let start, words =
      try Env_completion.complete !Toploop.toplevel_env before with _ -> (String.length before, [])
    in
    let start = Zed_string.length (Zed_string.of_utf8 (String.sub before 0 start)) in
    self#set_completion start (List.map (fun w -> (Zed_string.of_utf8 w, Zed_string.empty ())) words)

  (* lambda-term recomputes the candidates after an edit, asynchronously:
     a Tab typed right after the text (or pasted with it) must not use
     stale ones. *)
  method! complete =
    self#completion;
    engine#complete

  (* Enter submits only a text ending with ";;" outside comments and
     literals; otherwise it opens a new line of the same phrase. *)
  method! private exec ?keys actions =
    match actions with
    | LTerm_read_line.Accept :: rest
      when React.S.value self#mode = LTerm_read_line.Edition
           && not (Phrase_boundary.is_complete (Zed_string.to_utf8 (Zed_rope.to_string (Zed_edit.text self#edit))))
      ->
        Zed_edit.newline self#context;
        self#exec ?keys rest
    | _ -> super#exec ?keys actions
end

let flush_output () =
  Format.pp_print_flush Format.std_formatter ();
  Format.pp_print_flush Format.err_formatter ();
  flush stdout;
  flush stderr

(* The edited text, or None at Ctrl-D on an empty input. Ctrl-C raises
   Sys.Break, which the toplevel reports as for a running phrase. *)
let read_text session prompt =
  flush_output ();
  let reader = new phrase_reader session.term (LTerm_history.contents session.history) in
  reader#set_prompt (React.S.const (LTerm_text.of_utf8 prompt));
  let result = try Ok (Lwt_main.run reader#run) with e -> Error e in
  (* lambda-term's last drawing must be out before the toplevel writes. *)
  (try Lwt_main.run (LTerm.flush session.term) with _ -> ());
  match result with
  | Ok text -> Some (Zed_string.to_utf8 text)
  | Error LTerm_read_line.Interrupt ->
      print_newline ();
      None
  | Error e -> raise e

(* ---- serving the toplevel's lexer ------------------------------------- *)

(* A submission may hold several phrases ("1;; 2;;"): they are handed to
   the lexer one at a time, since the toplevel discards what its buffer
   holds beyond the phrase it parsed. *)
type feed = { mutable current : string; mutable served : int; mutable queued : string list }

let feed = { current = ""; served = 0; queued = [] }

let start_next text =
  feed.current <- text;
  feed.served <- 0

(* Ctrl-C while a phrase runs also cancels the phrases queued after it: the
   toplevel's own Sys.Break handler is replaced by one that says so. *)
let interrupted = ref false

let watch_interrupts () =
  Sys.set_signal Sys.sigint
    (Sys.Signal_handle
       (fun _ ->
         interrupted := true;
         raise Sys.Break))

let serve buffer len =
  let n = min len (String.length feed.current - feed.served) in
  Bytes.blit_string feed.current feed.served buffer 0 n;
  (match !Location.input_phrase_buffer with
   | Some phrase -> Buffer.add_string phrase (String.sub feed.current feed.served n)
   | None -> ());
  feed.served <- feed.served + n;
  (n, false)

(* The toplevel asks with prompt "# " at the start of each phrase (prompts
   are on: -noprompt never reaches the editor) and with a continuation
   prompt when the phrase needs more text. *)
let read session prompt buffer len =
  (* Without a lexbuf, errors quote the phrase (from the phrase buffer) as
     off a terminal, instead of moving the cursor up to reprint it in place:
     the editor's layout (and several phrases per submission) would make
     that reprint overwrite the wrong lines. *)
  Location.input_lexbuf := None;
  if prompt = "# " then start_next "";
  if !interrupted then begin
    interrupted := false;
    feed.queued <- []
  end;
  if feed.served >= String.length feed.current then begin
    match feed.queued with
    | next :: rest ->
        feed.queued <- rest;
        start_next next
    | [] -> (
        match read_text session prompt with
        | None -> start_next ""
        | Some text ->
            let first, rest =
              match Phrase_boundary.split text with
              | first :: rest, _ -> (first ^ "\n", List.map (fun p -> p ^ "\n") rest)
              | [], _ -> (text ^ "\n", [])
            in
            (* A Ctrl-C held back by [remember] surfaces here, before the
               phrases are queued: the whole submission is cancelled. *)
            remember session text;
            feed.queued <- rest;
            start_next first)
  end;
  if feed.current = "" then (0, true) else serve buffer len

(* Readline's Ctrl-W (lambda-term's cuts the marked region). *)
let bind_keys () =
  let ctrl c = { LTerm_key.control = true; meta = false; shift = false; code = LTerm_key.Char (CamomileLibrary.UChar.of_char c) } in
  LTerm_read_line.bind [ ctrl 'w' ] [ LTerm_read_line.Edit (LTerm_edit.Zed Zed_edit.Kill_prev_word) ]

let open_session () =
  bind_keys ();
  match Lwt_main.run (Lazy.force LTerm.stdout) with
  | term ->
      let history = LTerm_history.create ~max_entries ~max_size:max_bytes [] in
      let file = Option.bind (history_file ()) (load_history history) in
      watch_interrupts ();
      (* Lwt's default for a failed background task is to exit the program. *)
      Lwt.async_exception_hook := (fun e -> warn "line editor: %s" (describe e));
      Some { term; history; file }
  | exception e ->
      warn "no line editing: %s" (describe e);
      None

let take_over () =
  match open_session () with
  | Some session -> Toploop.read_interactive_input := read session
  | None -> ()

let () = Repl_loader.register_editor take_over
