(* Fuzzing of the in-process toplevel (issue 14).

   The parent process loads the seed phrases, then forks workers. A worker
   initialises the toplevel with the JIT loader and runs mutated phrases
   one after another, as the interactive loop does (parse, execute, report
   errors, go on); before each phrase it sends the phrase to the parent
   through a pipe, after it an end mark. A worker that dies before the end
   mark (killed by a signal, or exiting because an exception escaped the
   loop) leaves the phrase that killed it: the parent saves it as a
   crasher. A phrase that runs longer than the time limit is a hang (4.13
   native code without allocation cannot be interrupted): saved apart,
   not a crash. Phrases touching [Obj], [exit], files or processes are
   not run: they break the toplevel by design. *)

(* ---------------------------------------------------------------------- *)
(* Seeds *)

let read_file name =
  let ic = open_in_bin name in
  Fun.protect ~finally:(fun () -> close_in ic) (fun () -> really_input_string ic (in_channel_length ic))

let contains s sub =
  let n = String.length s and m = String.length sub in
  let rec matches i k = k = m || (s.[i + k] = sub.[k] && matches i (k + 1)) in
  let rec at i = i + m <= n && (matches i 0 || at (i + 1)) in
  at 0

let find_from s i sub =
  let n = String.length s and m = String.length sub in
  let rec matches j k = k = m || (s.[j + k] = sub.[k] && matches j (k + 1)) in
  let rec at j = if j + m > n then None else if matches j 0 then Some j else at (j + 1) in
  at i

(* Drops [%%expect ...] blocks: they hold expected output, not code. A
   block with a quoted string ({|...|} or {tag|...|tag}) ends at the
   closing "|...}" followed by "]"; an empty one at the first "]". *)
let rec strip_expect text =
  match find_from text 0 "[%%expect" with
  | None -> text
  | Some i ->
      let after = i + 9 in
      let close_bracket = Option.value ~default:(String.length text - 1) (find_from text after "]") in
      let stop =
        match find_from text after "{" with
        | Some b when b < close_bracket -> (
            match find_from text b "|" with
            | Some bar ->
                let tag = String.sub text (b + 1) (bar - b - 1) in
                let closing = "|" ^ tag ^ "}" in
                (match find_from text (bar + 1) closing with
                 | Some c -> (match find_from text (c + String.length closing) "]" with Some r -> r | None -> String.length text - 1)
                 | None -> String.length text - 1)
            | None -> close_bracket)
        | _ -> close_bracket
      in
      String.sub text 0 i ^ ";;\n" ^ strip_expect (String.sub text (stop + 1) (String.length text - stop - 1))

(* Phrases of a seed file: split on ";;", comments and blanks trimmed. *)
let phrases_of_file name =
  let text = strip_expect (read_file name) in
  let rec split acc start i =
    if i + 1 >= String.length text then List.rev (String.sub text start (String.length text - start) :: acc)
    else if text.[i] = ';' && text.[i + 1] = ';' then split (String.sub text start (i - start) :: acc) (i + 2) (i + 2)
    else split acc start (i + 1)
  in
  split [] 0 0 |> List.map String.trim |> List.filter (fun p -> p <> "")

let rec seed_files path =
  if Sys.is_directory path then
    Sys.readdir path |> Array.to_list |> List.sort compare
    |> List.concat_map (fun e -> seed_files (Filename.concat path e))
  else if Filename.check_suffix path ".ml" then [ path ]
  else []

(* What a phrase must not touch: it would end or damage the session on purpose. *)
let forbidden =
  [ "Obj."; "Obj "; "exit"; "#quit"; "Unix"; "Sys.command"; "Sys.remove"; "Sys.rename"; "Sys.chdir";
    "#cd"; "open_out"; "#directory"; "#load"; "#use"; "#mod_use"; "#install_printer"; "Marshal";
    "caml_"; "external"; "Printexc.set_uncaught"; "at_exit"; "Sys.set_signal"; "Sys.signal";
    "Stdlib.do_at_exit"; "Gc.set"; "#remove_directory"; "Thread"; "Domain"; "Random.self_init";
    "Filename.temp"; "read_line"; "input_line"; "stdin"; "Scanf"; "Lazy.force_val"; "unsafe" ]

let allowed p = not (List.exists (contains p) forbidden)

(* ---------------------------------------------------------------------- *)
(* Mutations *)

let pick rng a = a.(Random.State.int rng (Array.length a))

(* Tokens, roughly: identifiers/numbers, single punctuation, blanks. *)
let tokens s =
  let n = String.length s in
  let is_word c = match c with 'a' .. 'z' | 'A' .. 'Z' | '0' .. '9' | '_' | '\'' | '.' -> true | _ -> false in
  let rec go acc i =
    if i >= n then List.rev acc
    else
      let j = ref (i + 1) in
      if is_word s.[i] then while !j < n && is_word s.[!j] do incr j done
      else if s.[i] = ' ' || s.[i] = '\n' then while !j < n && (s.[!j] = ' ' || s.[!j] = '\n') do incr j done;
      go (String.sub s i (!j - i) :: acc) !j
  in
  Array.of_list (go [] 0)

let huge_literals =
  [| "999999999999999999999999999999"; "4611686018427387904"; "-4611686018427387905"; "0x7fffffffffffffffff";
     "1e999999"; "0x1p99999"; "'\\999'"; "max_int"; "min_int"; "(-0.)"; "nan"; "0b" ^ String.make 200 '1';
     "\"" ^ String.make 100_000 'x' ^ "\"";
     "[" ^ String.concat ";" (List.init 20_000 string_of_int) ^ "]";
     "[|" ^ String.concat ";" (List.init 20_000 (fun i -> string_of_int i ^ ".5")) ^ "|]";
     "(" ^ String.concat "," (List.init 3_000 string_of_int) ^ ")";
     "{|" ^ String.make 50_000 'q' ^ "|}" |]

let nest rng body =
  (* Deep enough to overflow the compiler's stack now and then (about
     20000 levels with an 8 MiB stack), not so often that it is all we test. *)
  let depth = pick rng [| 10; 100; 1_000; 3_000; 10_000; 30_000 |] in
  let openers, closer =
    pick rng
      [| ("(", ")"); ("[", "]"); ("begin ", " end"); ("(fun x -> ", ")"); ("[|", "|]"); ("Some (", ")");
         ("let x = 1 in (", ")"); ("(1 + ", ")"); ("(if true then ", " else 0)"); ("{contents = ", "}");
         ("(lazy ", ")"); ("struct let x = ", " end") |]
  in
  let b = Buffer.create (depth * (String.length openers + String.length closer) + String.length body) in
  for _ = 1 to depth do Buffer.add_string b openers done;
  Buffer.add_string b body;
  for _ = 1 to depth do Buffer.add_string b closer done;
  Buffer.contents b

let mutate rng (seeds : string array) =
  let p = pick rng seeds in
  let toks = tokens p in
  let n = Array.length toks in
  let concat a = String.concat "" (Array.to_list a) in
  match Random.State.int rng 12 with
  | 0 -> (* truncated phrase *) String.sub p 0 (Random.State.int rng (String.length p + 1))
  | 1 when n >= 2 ->
      (* swapped tokens *)
      let i = Random.State.int rng n and j = Random.State.int rng n in
      let t = toks.(i) in
      toks.(i) <- toks.(j);
      toks.(j) <- t;
      concat toks
  | 2 when n >= 1 -> (* deleted token *) toks.(Random.State.int rng n) <- ""; concat toks
  | 3 when n >= 1 ->
      (* a token from another phrase *)
      let other = tokens (pick rng seeds) in
      if Array.length other > 0 then toks.(Random.State.int rng n) <- pick rng other;
      concat toks
  | 4 when Random.State.int rng 3 = 0 ->
      (* deep nesting *) if Random.State.bool rng then nest rng "0" else "let _ = " ^ nest rng "()"
  | 5 when n >= 1 ->
      (* huge literal in place of a token *)
      toks.(Random.State.int rng n) <- pick rng huge_literals;
      concat toks
  | 6 -> (* spliced phrases *)
      let q = pick rng seeds in
      String.sub p 0 (Random.State.int rng (String.length p + 1))
      ^ String.sub q (Random.State.int rng (String.length q + 1)) 0
      ^ (let k = Random.State.int rng (String.length q + 1) in String.sub q k (String.length q - k))
  | 7 -> (* two phrases in one input *) p ^ ";;\n" ^ pick rng seeds
  | 8 when n >= 1 ->
      (* a token repeated *)
      let i = Random.State.int rng n in
      toks.(i) <- String.concat "" (List.init (1 + Random.State.int rng 8) (fun _ -> toks.(i)));
      concat toks
  | 9 -> (* a directive with a mutated argument *)
      pick rng [| "#show "; "#print_depth "; "#print_length "; "#warnings "; "#rectypes"; "#labels ";
                  "#principal "; "#show_type "; "#show_module "; "#trace "; "#untrace_all" |]
      ^ (if n >= 1 then toks.(Random.State.int rng n) else "")
  | _ -> (* unchanged: keeps the session's state realistic *) p

(* ---------------------------------------------------------------------- *)
(* Worker *)

exception Escaped of exn

(* One input as the interactive loop runs it (Toploop.loop): phrase by
   phrase; errors are reported and the session goes on. An exception that
   the loop's handler itself lets through would end the real toplevel. *)
let run_input ppf text =
  (* Every input ends its last phrase, as a user's ";;" would. *)
  let lb = Lexing.from_string (text ^ "\n;;\n") in
  Location.init lb "//toplevel//";
  Location.input_name := "//toplevel//";
  Location.input_lexbuf := Some lb;
  let rec go () =
    let snap = Btype.snapshot () in
    let continue =
      try
        Location.reset ();
        Warnings.reset_fatal ();
        let phr = !Toploop.parse_toplevel_phrase lb in
        let phr = Toploop.preprocess_phrase ppf phr in
        Env.reset_cache_toplevel ();
        ignore (Toploop.execute_phrase true ppf phr);
        true
      with
      | End_of_file -> false
      | Sys.Break -> Format.fprintf ppf "Interrupted.@."; Btype.backtrack snap; false
      | x ->
          (try Location.report_exception ppf x with y -> raise (Escaped y));
          Btype.backtrack snap;
          (* After a syntax error the loop drops the rest of the input. *)
          (match x with Syntaxerr.Error _ | Lexer.Error _ -> false | _ -> true)
    in
    if continue then go ()
  in
  go ()

let send fd s =
  let b = Bytes.unsafe_of_string s in
  let rec go off = if off < Bytes.length b then go (off + Unix.write fd b off (Bytes.length b - off)) in
  go 0

let init_toplevel () =
  Loaders.register_all ();
  Clflags.native_code := true;
  Clflags.debug := true;
  Clflags.color := Some Misc.Color.Never;
  Compmisc.init_path ();
  Toploop.initialize_toplevel_env ();
  let ppf = Format.std_formatter in
  Location.formatter_for_warnings := ppf;
  ppf

let worker ~seeds ~seed ~batch fd =
  (* The phrases' own output and the toplevel's go nowhere. *)
  let null = Unix.openfile "/dev/null" [ Unix.O_WRONLY ] 0 in
  Unix.dup2 null Unix.stdout;
  Unix.dup2 null Unix.stderr;
  let ppf = init_toplevel () in
  let rng = Random.State.make [| seed |] in
  for _ = 1 to batch do
    let p = mutate rng seeds in
    if allowed p then begin
      send fd (Printf.sprintf "S %d\n%s" (String.length p) p);
      (try run_input ppf p
       with Escaped e ->
         send fd ("X " ^ String.escaped (Printexc.to_string e) ^ "\n");
         Unix._exit 3);
      Format.pp_print_flush ppf ();
      send fd "E\n"
    end
  done;
  Unix._exit 0

(* ---------------------------------------------------------------------- *)
(* Parent *)

type stats = { mutable executions : int; mutable crashes : int; mutable hangs : int; mutable workers : int }

let save dir kind n text header =
  let name = Filename.concat dir (Printf.sprintf "%s-%03d.ml" kind n) in
  let oc = open_out_bin name in
  Printf.fprintf oc "(* %s *)\n%s\n" header text;
  close_out oc;
  name

let describe = function
  | Unix.WEXITED c -> Printf.sprintf "exit %d" c
  | Unix.WSIGNALED s -> Printf.sprintf "signal %d" s
  | Unix.WSTOPPED s -> Printf.sprintf "stopped %d" s

(* Complete messages at the front of [pending]: ("S", phrase), ("E", ""),
   ("X", exception); the rest stays pending. *)
let take_message pending =
  let s = Buffer.contents pending in
  match String.index_opt s '\n' with
  | None -> None
  | Some nl ->
      let line = String.sub s 0 nl in
      let consume k msg =
        Buffer.clear pending;
        Buffer.add_string pending (String.sub s k (String.length s - k));
        Some msg
      in
      if line = "E" then consume (nl + 1) ("E", "")
      else if String.length line > 2 && line.[0] = 'X' then consume (nl + 1) ("X", String.sub line 2 (nl - 2))
      else if String.length line > 2 && line.[0] = 'S' then
        let len = int_of_string (String.sub line 2 (nl - 2)) in
        if String.length s - nl - 1 < len then None else consume (nl + 1 + len) ("S", String.sub s (nl + 1) len)
      else failwith ("fuzz_toplevel: bad message from a worker: " ^ line)

let verbose = ref false

(* Reads the worker's messages until it ends, dies, hangs or time is up.
   Own buffering: select must not wait for bytes a channel already read. *)
let supervise ~deadline ~hang_seconds ~out st pid fd =
  let pending = Buffer.create 4096 and chunk = Bytes.create 65536 in
  let current = ref None and escaped = ref None in
  let rec loop () =
    match take_message pending with
    | Some ("S", text) -> current := Some text; loop ()
    | Some ("E", _) ->
        if !verbose then
          Printf.printf "ran %d bytes: %S\n%!"
            (String.length (Option.value ~default:"" !current))
            (let t = Option.value ~default:"" !current in String.sub t 0 (min 60 (String.length t)));
        st.executions <- st.executions + 1; current := None; loop ()
    | Some (_, e) -> escaped := Some e; loop ()
    | None -> (
        let now = Unix.gettimeofday () in
        if now >= deadline then `Time_up
        else
          match Unix.select [ fd ] [] [] (min hang_seconds (deadline -. now)) with
          | [], _, _ -> if Unix.gettimeofday () >= deadline then `Time_up else `Hang
          | _ ->
              let n = Unix.read fd chunk 0 (Bytes.length chunk) in
              if n = 0 then `Ended else (Buffer.add_subbytes pending chunk 0 n; loop ()))
  in
  let outcome = loop () in
  (match outcome with `Hang | `Time_up -> (try Unix.kill pid Sys.sigkill with Unix.Unix_error _ -> ()) | `Ended -> ());
  let _, status = Unix.waitpid [] pid in
  Unix.close fd;
  match outcome, !current with
  | `Ended, Some text ->
      st.crashes <- st.crashes + 1;
      let why = match !escaped with Some e -> "exception escaped the loop: " ^ e | None -> describe status in
      let f = save out "crash" st.crashes text why in
      Printf.printf "crash (%s): %s\n%!" why f
  | `Hang, Some text ->
      st.hangs <- st.hangs + 1;
      ignore (save out "hang" st.hangs text (Printf.sprintf "ran over %.0f s" hang_seconds))
  | `Ended, None when status <> Unix.WEXITED 0 ->
      st.crashes <- st.crashes + 1;
      Printf.printf "worker died between phrases (%s)\n%!" (describe status)
  | _ -> ()

let seconds = ref 60.
let seed = ref 1
let out = ref "_build/fuzz/toplevel"
let hang_seconds = ref 10.
let batch = ref 300
let corpus = ref []
let expect_dirs = ref []
let replay = ref []
let sample = ref 0

let usage =
  "Usage: fuzz-toplevel [options] CORPUS...\n\
   Runs phrases mutated from the .ml files under CORPUS through the in-process toplevel.\nOptions:"

let main () =
  Arg.parse
    [ ("-seconds", Arg.Set_float seconds, "<s>  How long to fuzz (default 60)");
      ("-seed", Arg.Set_int seed, "<n>  First worker's random seed (default 1)");
      ("-out", Arg.Set_string out, "<dir>  Where crashers and hangs go");
      ("-hang", Arg.Set_float hang_seconds, "<s>  Time limit of one phrase (default 10)");
      ("-batch", Arg.Set_int batch, "<n>  Phrases per worker process (default 300)");
      ("-replay", Arg.String (fun f -> replay := f :: !replay),
       "<file>  Run <file> as one input in this process, output to stdout (no fuzzing)");
      ("-sample", Arg.Set_int sample, "<n>  Print the first 80 bytes of <n> mutated phrases (no fuzzing)");
      ("-v", Arg.Set verbose, " Print every phrase run (its first 60 bytes)");
      ("-expect-tests", Arg.String (fun d -> expect_dirs := d :: !expect_dirs),
       "<dir>  Also take the expect tests (files with [%%expect]) under <dir>") ]
    (fun f -> corpus := f :: !corpus)
    usage;
  if !replay <> [] then begin
    let ppf = init_toplevel () in
    List.iter
      (fun f ->
        (try run_input ppf (read_file f)
         with Escaped e -> Format.fprintf ppf "Exception escaped the toplevel loop: %s@." (Printexc.to_string e));
        Format.pp_print_flush ppf ())
      (List.rev !replay);
    0
  end
  else
  let seeds =
    let expect_files =
      List.rev !expect_dirs |> List.concat_map seed_files
      |> List.filter (fun f -> contains (read_file f) "[%%expect")
    in
    (List.rev !corpus |> List.concat_map seed_files) @ expect_files |> List.concat_map phrases_of_file
    |> List.filter allowed |> Array.of_list
  in
  if Array.length seeds = 0 then (prerr_endline "fuzz-toplevel: no seed phrases"; 2)
  else begin
    if !sample > 0 then begin
      let rng = Random.State.make [| !seed |] in
      for _ = 1 to !sample do
        let p = mutate rng seeds in
        Printf.printf "%s %d %S\n" (if allowed p then "run " else "skip") (String.length p)
          (String.sub p 0 (min 80 (String.length p)))
      done;
      exit 0
    end;
    (try Unix.mkdir !out 0o755 with Unix.Unix_error (Unix.EEXIST, _, _) -> ());
    let st = { executions = 0; crashes = 0; hangs = 0; workers = 0 } in
    let deadline = Unix.gettimeofday () +. !seconds in
    while Unix.gettimeofday () < deadline do
      let r, w = Unix.pipe ~cloexec:true () in
      let worker_seed = !seed + st.workers in
      st.workers <- st.workers + 1;
      match Unix.fork () with
      | 0 -> Unix.close r; worker ~seeds ~seed:worker_seed ~batch:!batch w
      | pid ->
          Unix.close w;
          supervise ~deadline ~hang_seconds:!hang_seconds ~out:!out st pid r
    done;
    Printf.printf "fuzz-toplevel: %d seed phrases, %.0f s, %d workers, %d executions, %d crashes, %d hangs (%s)\n"
      (Array.length seeds) !seconds st.workers st.executions st.crashes st.hangs !out;
    if st.crashes = 0 then 0 else 1
  end

let () = exit (main ())
