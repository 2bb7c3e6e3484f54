let starts_with ~prefix s =
  String.length prefix <= String.length s && String.sub s 0 (String.length prefix) = prefix

let sorted_unique words = List.sort_uniq compare words

let matching prefix words = sorted_unique (List.filter (starts_with ~prefix) words)

(* Text after the last phrase end: a directive or a #use argument must
   start the phrase being typed. *)
let current_phrase before =
  let _, rest = Phrase_boundary.split before in
  (String.length before - String.length rest, rest)

let is_blank c = c = ' ' || c = '\t' || c = '\n' || c = '\r'

let ltrim_from s i =
  let rec go i = if i < String.length s && is_blank s.[i] then go (i + 1) else i in
  go i

(* --- file names inside #use "…" / #load "…" --------------------------- *)

let object_suffixes = [ ".cmxs"; ".cmxa"; ".cmx"; ".cma"; ".cmo" ]

(* Which entries a directive's file argument may name (directories always,
   to go down into them). *)
type wanted = Any_file | Objects | Directories_only

let file_words wanted partial =
  let dir, base =
    match String.rindex_opt partial '/' with
    | Some k -> (String.sub partial 0 (k + 1), String.sub partial (k + 1) (String.length partial - k - 1))
    | None -> ("", partial)
  in
  let entries = try Sys.readdir (if dir = "" then "." else dir) with Sys_error _ -> [||] in
  let word name =
    let is_dir = try Sys.is_directory (dir ^ name) with Sys_error _ -> false in
    if is_dir then Some (name ^ "/")
    else match wanted with
      | Any_file -> Some name
      | Objects -> if List.exists (Filename.check_suffix name) object_suffixes then Some name else None
      | Directories_only -> None
  in
  let visible name = base <> "" && base.[0] = '.' || name.[0] <> '.' in
  Array.to_list entries
  |> List.filter (fun name -> visible name && starts_with ~prefix:base name)
  |> List.filter_map word
  |> fun words -> (String.length dir, sorted_unique words)

(* The directive and where its file name starts, when the cursor is inside
   the still open string argument of a directive (#use, #load...). *)
let file_argument phrase =
  let i = ltrim_from phrase 0 in
  let n = String.length phrase in
  if i >= n || phrase.[i] <> '#' then None
  else
    let j = ref (i + 1) in
    while !j < n && (match phrase.[!j] with 'a' .. 'z' | '_' -> true | _ -> false) do incr j done;
    let name = String.sub phrase (i + 1) (!j - i - 1) in
    let k = ltrim_from phrase !j in
    if k < n && phrase.[k] = '"' && not (String.contains_from phrase (k + 1) '"') then
      Some (name, k + 1)
    else None

(* --- directives ------------------------------------------------------- *)

let directive_partial phrase =
  let i = ltrim_from phrase 0 in
  let n = String.length phrase in
  if i < n && phrase.[i] = '#'
     && String.for_all (function 'a' .. 'z' | 'A' .. 'Z' | '_' | '0' .. '9' -> true | _ -> false)
          (String.sub phrase (i + 1) (n - i - 1))
  then Some (i + 1)
  else None

(* --- names from the typing environment -------------------------------- *)

let is_path_char = function
  | 'A' .. 'Z' | 'a' .. 'z' | '0' .. '9' | '_' | '\'' | '.' -> true
  | _ -> false

let longident_of_path = function
  | [] -> None
  | first :: rest -> Some (List.fold_left (fun acc s -> Longident.Ldot (acc, s)) (Longident.Lident first) rest)

(* Interfaces on the load path not yet opened: [Str], [Unix], ... *)
let load_path_modules () =
  List.concat_map
    (fun dir ->
      List.filter_map
        (fun file ->
          if Filename.check_suffix file ".cmi" then
            let m = String.capitalize_ascii (Filename.chop_suffix file ".cmi") in
            if starts_with ~prefix:"Camlinternal" m then None
            else match String.index_opt m '_' with
              | Some k when k + 1 < String.length m && m.[k + 1] = '_' -> None
              | _ -> Some m
          else None)
        (Load_path.Dir.files dir))
    (Load_path.get ())

(* Every exception of the environment's folds is a "no candidates": a
   module path that does not exist, an unreadable interface. *)
let fold_names env qualifier ~values ~modules ~constructors ~labels =
  let safely f = try f () with _ -> [] in
  List.concat
    [ (if values then safely (fun () -> Env.fold_values (fun name _ _ acc -> name :: acc) qualifier env []) else []);
      (if modules then safely (fun () -> Env.fold_modules (fun name _ _ acc -> name :: acc) qualifier env []) else []);
      (if constructors then
         safely (fun () -> Env.fold_constructors (fun c acc -> c.Types.cstr_name :: acc) qualifier env [])
       else []);
      (if labels then safely (fun () -> Env.fold_labels (fun l acc -> l.Types.lbl_name :: acc) qualifier env [])
       else []) ]

(* Fields of the record type of value [name], when it has one. *)
let fields_of_value env name =
  try
    let _, vd = Env.find_value_by_name (Longident.Lident name) env in
    match (Ctype.expand_head env vd.Types.val_type).Types.desc with
    | Types.Tconstr (path, _, _) -> (
        match (Env.find_type path env).Types.type_kind with
        | Types.Type_record (labels, _) -> Some (List.map (fun l -> Ident.name l.Types.ld_id) labels)
        | _ -> None)
    | _ -> None
  with _ -> None

let is_upper s = s <> "" && (match s.[0] with 'A' .. 'Z' -> true | _ -> false)

let previous_non_blank s i =
  let rec go i = if i < 0 then None else if is_blank s.[i] then go (i - 1) else Some s.[i] in
  go (i - 1)

let names env before =
  let n = String.length before in
  let rec word_start i = if i > 0 && is_path_char before.[i - 1] then word_start (i - 1) else i in
  let start = word_start n in
  let word = String.sub before start (n - start) in
  match String.rindex_opt word '.' with
  | None ->
      if word = "" || (match word.[0] with '0' .. '9' | '\'' -> true | _ -> false) then (n, [])
      else if is_upper word then
        ( start,
          matching word
            (fold_names env None ~values:false ~modules:true ~constructors:true ~labels:false
            @ load_path_modules ()) )
      else
        let in_record = match previous_non_blank before start with Some ('{' | ';') -> true | _ -> false in
        (start, matching word (fold_names env None ~values:true ~modules:false ~constructors:false ~labels:in_record))
  | Some dot ->
      let partial = String.sub word (dot + 1) (String.length word - dot - 1) in
      let qualifier = String.split_on_char '.' (String.sub word 0 dot) in
      let from = start + dot + 1 in
      if List.for_all is_upper qualifier then
        let lid = longident_of_path qualifier in
        (from, matching partial (fold_names env lid ~values:true ~modules:true ~constructors:true ~labels:true))
      else
        (* [r.f] or [r.M.f]: record fields. *)
        let fields =
          match qualifier with
          | [ value ] -> fields_of_value env value
          | _ -> None
        in
        let fields =
          match fields with
          | Some fields -> fields
          | None ->
              let modules = List.filter is_upper qualifier in
              fold_names env (longident_of_path modules) ~values:false ~modules:false ~constructors:false
                ~labels:true
        in
        (from, matching partial fields)

let complete env before =
  let offset, phrase = current_phrase before in
  match file_argument phrase with
  | Some (directive, arg) -> (
      let partial = String.sub phrase arg (String.length phrase - arg) in
      let wanted =
        match directive with
        | "use" | "mod_use" -> Some Any_file
        | "load" -> Some Objects
        | "directory" | "cd" -> Some Directories_only
        | _ -> None
      in
      match wanted with
      | Some wanted ->
          let dir_length, words = file_words wanted partial in
          (offset + arg + dir_length, words)
      | None -> (String.length before, []))
  | None -> (
      match directive_partial phrase with
      | Some at ->
          let partial = String.sub phrase at (String.length phrase - at) in
          (offset + at, matching partial (Toploop.all_directive_names ()))
      | None -> names env before)
