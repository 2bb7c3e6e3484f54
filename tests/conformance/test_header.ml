(* A small reader for ocamltest headers. The header is a comment, possibly
   holding nested comments; inside it, strings may continue over lines with
   a backslash. *)

type t = {
  actions : string list;
  flags : string list;
  variables : (string * string) list;
  includes : string list;
}

type token = Word of string | Str of string | Equal | Plus_equal | Stars

(* The text between "(* TEST" and its matching "*)". *)
let header_text contents =
  let n = String.length contents in
  let rec skip_blanks i =
    if i < n && (contents.[i] = ' ' || contents.[i] = '\n' || contents.[i] = '\t'
                 || contents.[i] = '\r')
    then skip_blanks (i + 1) else i
  in
  let start = skip_blanks 0 in
  let opening = "(* TEST" in
  let lo = String.length opening in
  if start + lo > n || String.sub contents start lo <> opening then None
  else
    let rec close i depth =
      if i + 1 >= n then None
      else if contents.[i] = '(' && contents.[i + 1] = '*' then close (i + 2) (depth + 1)
      else if contents.[i] = '*' && contents.[i + 1] = ')' then
        if depth = 0 then Some (String.sub contents (start + lo) (i - start - lo))
        else close (i + 2) (depth - 1)
      else close (i + 1) depth
    in
    close (start + lo) 0

let is_word_char = function
  | 'a' .. 'z' | 'A' .. 'Z' | '0' .. '9' | '_' | '-' | '.' | '/' | '$' | '{' | '}' -> true
  | _ -> false

let tokenize text =
  let n = String.length text in
  let rec go i acc =
    if i >= n then List.rev acc
    else
      match text.[i] with
      | ' ' | '\t' | '\n' | '\r' | '\\' -> go (i + 1) acc
      | '(' when i + 1 < n && text.[i + 1] = '*' -> go (skip_comment (i + 2) 0) acc
      | '*' ->
          let j = ref i in
          while !j < n && text.[!j] = '*' do incr j done;
          go !j (Stars :: acc)
      | '=' -> go (i + 1) (Equal :: acc)
      | '+' when i + 1 < n && text.[i + 1] = '=' -> go (i + 2) (Plus_equal :: acc)
      | '"' -> string (i + 1) (Buffer.create 16) acc
      | c when is_word_char c ->
          let j = ref i in
          while !j < n && is_word_char text.[!j] do incr j done;
          go !j (Word (String.sub text i (!j - i)) :: acc)
      | _ -> go (i + 1) acc
  and skip_comment i depth =
    if i + 1 >= n then n
    else if text.[i] = '(' && text.[i + 1] = '*' then skip_comment (i + 2) (depth + 1)
    else if text.[i] = '*' && text.[i + 1] = ')' then
      if depth = 0 then i + 2 else skip_comment (i + 2) (depth - 1)
    else skip_comment (i + 1) depth
  and string i buf acc =
    if i >= n then List.rev (Str (Buffer.contents buf) :: acc)
    else
      match text.[i] with
      | '"' -> go (i + 1) (Str (Buffer.contents buf) :: acc)
      | '\\' when i + 1 < n && text.[i + 1] = '\n' ->
          (* A continuation line: the newline and the next line's indentation
             stand for one blank. *)
          let j = ref (i + 2) in
          while !j < n && (text.[!j] = ' ' || text.[!j] = '\t') do incr j done;
          Buffer.add_char buf ' ';
          string !j buf acc
      | '\\' when i + 1 < n ->
          Buffer.add_char buf text.[i + 1];
          string (i + 2) buf acc
      | c ->
          Buffer.add_char buf c;
          string (i + 1) buf acc
  in
  go 0 []

let split_blanks s =
  String.split_on_char ' ' (String.map (function '\t' | '\n' -> ' ' | c -> c) s)
  |> List.filter (fun w -> w <> "")

let of_tokens tokens =
  let rec go tokens h =
    match tokens with
    | [] -> h
    | Word "flags" :: (Equal | Plus_equal) :: Str s :: rest ->
        go rest { h with flags = h.flags @ split_blanks s }
    | Word name :: Equal :: Str s :: rest ->
        go rest { h with variables = h.variables @ [ (name, s) ] }
    | Word name :: Plus_equal :: Str s :: rest ->
        go rest { h with variables = h.variables @ [ (name, s) ] }
    | Word "include" :: Word lib :: rest -> go rest { h with includes = h.includes @ [ lib ] }
    | Stars :: Word action :: rest -> go rest { h with actions = h.actions @ [ action ] }
    | _ :: rest -> go rest h
  in
  go tokens { actions = []; flags = []; variables = []; includes = [] }

let read_file name =
  let ic = open_in_bin name in
  Fun.protect ~finally:(fun () -> close_in ic) (fun () ->
      really_input_string ic (in_channel_length ic))

let of_file name =
  Option.map (fun text -> of_tokens (tokenize text)) (header_text (read_file name))

let has_action h name = List.mem name h.actions

let variable h name =
  List.fold_left (fun found (n, v) -> if n = name then Some v else found) None h.variables
