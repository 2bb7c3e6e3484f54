(* No mapping of the process is ever writable and executable, also after
   phrases were loaded (the JIT writes code, then seals it). *)
let wx_mappings () =
  let ic = open_in "/proc/self/maps" in
  let rec count n =
    match input_line ic with
    | line ->
        let perms = List.nth (String.split_on_char ' ' line) 1 in
        count (if String.contains perms 'w' && String.contains perms 'x' then n + 1 else n)
    | exception End_of_file -> close_in ic; n
  in
  count 0;;
let f1 x = x + 1;;
let f2 x = f1 x * 2;;
wx_mappings ();;
let many = List.init 50 (fun i -> fun x -> x + i);;
List.fold_left (fun acc f -> f acc) 0 many;;
wx_mappings ();;
