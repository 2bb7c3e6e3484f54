let chop_prefix s ~prefix =
  let n = String.length prefix in
  if String.length s >= n && String.sub s 0 n = prefix then
    Some (String.sub s n (String.length s - n))
  else None

type 'a tree = Leaf | Node of 'a tree * 'a * 'a tree

let rec insert x = function
  | Leaf -> Node (Leaf, x, Leaf)
  | Node (l, y, r) as t ->
      if x < y then Node (insert x l, y, r)
      else if x > y then Node (l, y, insert x r)
      else t

let rec to_list = function Leaf -> [] | Node (l, x, r) -> to_list l @ (x :: to_list r)

exception Empty_tree

let min_elt t = match to_list t with [] -> raise Empty_tree | x :: _ -> x

let greet name = Printf.printf "Hello, %s!\n" name
