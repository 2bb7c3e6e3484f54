(* A small scanner rather than the compiler's Lexer: the Lexer keeps global
   state (comment and string buffers) and is suspended inside the toplevel's
   own refill when the REPL reads a line, so it must not be re-entered. *)

let is_ident_char = function
  | 'A' .. 'Z' | 'a' .. 'z' | '0' .. '9' | '_' | '\'' -> true
  | _ -> false

exception Unterminated

(* Index just after the string literal whose opening quote is at [i]. *)
let skip_string s i =
  let n = String.length s in
  let rec go j =
    if j >= n then raise Unterminated
    else match s.[j] with
      | '"' -> j + 1
      | '\\' -> go (j + 2)
      | _ -> go (j + 1)
  in
  go (i + 1)

(* [{id|...|id}] and [{%ext id|...|id}]: the delimiter's id when [i] opens
   one, with the index just after its opening [|]. *)
let quoted_string_opening s i =
  let n = String.length s in
  let rec skip_while p j = if j < n && p s.[j] then skip_while p (j + 1) else j in
  let j = i + 1 in
  let j =
    if j < n && s.[j] = '%' then
      let k = skip_while (fun c -> is_ident_char c || c = '.') (j + 1) in
      skip_while (fun c -> c = ' ' || c = '\t' || c = '\n') k
    else j
  in
  let k = skip_while (function 'a' .. 'z' | '_' -> true | _ -> false) j in
  if k < n && s.[k] = '|' then Some (String.sub s j (k - j), k + 1) else None

let skip_quoted_string s (id, start) =
  let close = "|" ^ id ^ "}" in
  let n = String.length s and m = String.length close in
  let rec go j =
    if j + m > n then raise Unterminated
    else if String.sub s j m = close then j + m
    else go (j + 1)
  in
  go start

(* Index just after a character literal at [i], or [i + 1] when the quote
   is a type variable's or part of an identifier. *)
let skip_quote s i =
  let n = String.length s in
  if i > 0 && is_ident_char s.[i - 1] then i + 1
  else if i + 1 < n && s.[i + 1] = '\\' then
    let rec close j = if j >= n || j > i + 6 then i + 1 else if s.[j] = '\'' then j + 1 else close (j + 1) in
    close (i + 3)
  else if i + 2 < n && s.[i + 2] = '\'' then i + 3
  else i + 1

(* Offsets just after each [;;] outside comments and literals, in order;
   [Unterminated] when the text ends inside a comment or literal. *)
let phrase_ends s =
  let n = String.length s in
  let rec go i depth ends =
    if i >= n then if depth > 0 then raise Unterminated else List.rev ends
    else
      let next = if i + 1 < n then s.[i + 1] else '\000' in
      match s.[i] with
      | '(' when next = '*' -> go (i + 2) (depth + 1) ends
      | '*' when next = ')' && depth > 0 -> go (i + 2) (depth - 1) ends
      | '"' -> go (skip_string s i) depth ends
      | '{' -> (
          match quoted_string_opening s i with
          | Some opening -> go (skip_quoted_string s opening) depth ends
          | None -> go (i + 1) depth ends)
      | '\'' -> go (skip_quote s i) depth ends
      | ';' when next = ';' && depth = 0 -> go (i + 2) depth ((i + 2) :: ends)
      | _ -> go (i + 1) depth ends
  in
  go 0 0 []

let split s =
  let rec cut start = function
    | [] -> ([], String.sub s start (String.length s - start))
    | e :: rest ->
        let phrases, tail = cut e rest in
        (String.sub s start (e - start) :: phrases, tail)
  in
  match phrase_ends s with
  | ends -> cut 0 ends
  | exception Unterminated -> ([], s)

let is_blank s = String.for_all (function ' ' | '\t' | '\n' | '\r' -> true | _ -> false) s

let is_complete s =
  match split s with
  | [], _ -> false
  | _ :: _, rest -> is_blank rest
