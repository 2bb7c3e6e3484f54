type outcome = Result of Obj.t | Exception of exn

type t = {
  name : string;
  writes_files : unit -> bool;
  prepare_unit : prefix:string -> unit;
  run_unit : Format.formatter -> unit_name:string -> prefix:string -> outcome;
  find_symbol : string -> Obj.t option;
  load_file : Format.formatter -> string -> (unit, load_error) result;
}

and load_error = Load_failed of string | Raised of exn

let registered : t list ref = ref []
let default_name = ref None
let chosen : t option ref = ref None

let register l = registered := !registered @ [ l ]
let names () = List.map (fun l -> l.name) !registered
let set_default name = default_name := Some name

let find name = List.find_opt (fun l -> l.name = name) !registered

let unknown name =
  Printf.sprintf "unknown loader %S (available: %s)" name
    (String.concat ", " (names ()))

let select name =
  match find name with
  | Some l -> chosen := Some l
  | None -> raise (Arg.Bad (unknown name))

let current () =
  match !chosen with
  | Some l -> l
  | None ->
      let from_env =
        match Sys.getenv_opt "OCAMLJIT_LOADER" with
        | None | Some "" -> None
        | Some name -> (
            match find name with
            | Some l -> Some l
            | None ->
                Printf.eprintf "ocamljit: OCAMLJIT_LOADER: %s\n%!" (unknown name);
                exit 2)
      in
      let l =
        match from_env with
        | Some l -> l
        | None -> (
            match Option.bind !default_name find, !registered with
            | Some l, _ -> l
            | None, l :: _ -> l
            | None, [] -> failwith "ocamljit: no loader registered")
      in
      chosen := Some l;
      l

(* OCaml symbols are caml<Unit>...; anything else is a C primitive. *)
let module_of_symbol sym =
  let n = String.length sym in
  if n > 4 && String.sub sym 0 4 = "caml" && Char.uppercase_ascii sym.[4] = sym.[4]
     && sym.[4] <> '_' then
    let parts = String.split_on_char '_' (String.sub sym 4 (n - 4)) in
    (* "Stdlib__List__map_12" splits as Stdlib; ""; List; ""; map; 12 *)
    let rec take acc = function
      | "" :: (p :: _ as rest) when p <> "" && Char.uppercase_ascii p.[0] = p.[0] ->
          take acc rest
      | p :: rest when p <> "" && Char.uppercase_ascii p.[0] = p.[0]
                       && Char.lowercase_ascii p.[0] <> p.[0] ->
          take (p :: acc) rest
      | _ -> List.rev acc
    in
    match take [] parts with [] -> None | ms -> Some (String.concat "__" ms)
  else None

(* Undefined symbols are reported as the bytecode toplevel reports them. *)
let undefined_symbol_error sym =
  match module_of_symbol sym with
  | Some m -> Symtable.Error (Symtable.Undefined_global m)
  | None -> Symtable.Error (Symtable.Unavailable_primitive sym)

