(* See topfind_on_demand.mli. *)

let topfind_loaded = ref false

(* Topfind prints its banner and "...: loaded" lines when it is loaded with
   Sys.interactive set (a real toploop); a document shows neither. *)
let load_topfind ppf =
  if not !topfind_loaded then begin
    let interactive = !Sys.interactive in
    Sys.interactive := false;
    let ok =
      Fun.protect ~finally:(fun () -> Sys.interactive := interactive)
        (fun () -> Toploop.use_silently ppf "topfind")
    in
    topfind_loaded := ok
  end;
  !topfind_loaded

let is_ours = ref (fun _ -> false)

let require ppf packages =
  if not (load_topfind ppf) then begin
    Format.fprintf ppf "Cannot load findlib's toplevel support (topfind).@.";
    false
  end
  else
    match Toploop.get_directive "require" with
    | Some (Toploop.Directive_string f as d) when not (!is_ours d) -> (
        (* Topfind reports an unknown package itself ("No such package"). *)
        match f packages with
        | () -> true
        | exception exn ->
            Location.report_exception ppf exn;
            false)
    | _ ->
        Format.fprintf ppf "topfind did not define #require.@.";
        false

let install () =
  if Toploop.get_directive "require" = None then begin
    let directive = Toploop.Directive_string (fun p -> ignore (require Format.std_formatter p)) in
    is_ours := ( == ) directive;
    Toploop.add_directive "require" directive
      { Toploop.section = "Loading code"; doc = "Load findlib packages (findlib's toplevel support is loaded first)." }
  end
