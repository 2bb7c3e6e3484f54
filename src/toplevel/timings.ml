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

let end_phrase ~unit_name =
  match file with
  | None -> ()
  | Some path ->
      let fields =
        ("unit=" ^ unit_name)
        :: List.map (fun (k, v) -> k ^ "_us=" ^ micros !v) !phases
        @ [ "total_us=" ^ micros (now () -. !phrase_start) ]
      in
      let oc = open_out_gen [ Open_wronly; Open_creat; Open_append; Open_text ] 0o644 path in
      output_string oc (String.concat "\t" fields ^ "\n");
      close_out oc
