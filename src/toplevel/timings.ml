let file = match Sys.getenv_opt "OCAMLJIT_TIMINGS" with Some "" -> None | f -> f
let enabled = Option.is_some file

external now : unit -> (float[@unboxed]) = "ocamljit_monotonic_seconds_byte" "ocamljit_monotonic_seconds" [@@noalloc]

let phases : (string * float ref) list ref = ref []
let phrase_start = ref 0.
let pending_parse = ref 0.

let note_parse seconds = pending_parse := seconds

let add phase seconds =
  if enabled then
    match List.assoc_opt phase !phases with
    | Some r -> r := !r +. seconds
    | None -> phases := !phases @ [ (phase, ref seconds) ]

let time phase f =
  if not enabled then f ()
  else begin
    let t0 = now () in
    Fun.protect ~finally:(fun () -> add phase (now () -. t0)) f
  end

let start_phrase () =
  if enabled then begin
    phases := [ ("parse", ref !pending_parse) ];
    phrase_start := now () -. !pending_parse;
    pending_parse := 0.
  end

let current phase = match List.assoc_opt phase !phases with Some r -> !r | None -> 0.

let time_excluding phase ~excluding f =
  if not enabled then f ()
  else begin
    let t0 = now () and inner0 = current excluding in
    Fun.protect ~finally:(fun () -> add phase (now () -. t0 -. (current excluding -. inner0))) f
  end

let micros s = Printf.sprintf "%.0f" (s *. 1e6)

(* The file stays open for the whole session, flushed after each line (one
   write per phrase). A channel opened per phrase cost more than its system
   calls: the runtime counts each channel's 64 KiB buffer against the major
   GC (caml_alloc_custom_mem), which then ran a whole cycle every ~150
   phrases (368 cycles over 100 000 phrases instead of 32), each marking the
   growing heap: measured, a long session slowed down 2x. *)
let channel =
  lazy
    (match file with
     | None -> None
     | Some path -> (
         match open_out_gen [ Open_wronly; Open_creat; Open_append; Open_text ] 0o644 path with
         | oc -> at_exit (fun () -> close_out_noerr oc); Some oc
         | exception Sys_error _ -> None))

let end_phrase ~unit_name =
  match Lazy.force channel with
  | None -> ()
  | Some oc ->
      let fields =
        ("unit=" ^ unit_name)
        :: List.map (fun (k, v) -> k ^ "_us=" ^ micros !v) !phases
        @ [ "total_us=" ^ micros (now () -. !phrase_start) ]
      in
      output_string oc (String.concat "\t" fields ^ "\n");
      flush oc
