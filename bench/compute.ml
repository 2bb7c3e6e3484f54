(* The compute-heavy workload of `make bench`: the same file is fed to every toplevel and
   compiled by ocamlopt, so the toplevels' execution speed can be compared with ocamlopt's.
   Only the last phrase does the work; it times itself (Sys.time, CPU seconds) and reports
   on stderr as "BENCH exec_ms=...", so compilation of the phrases is not counted there. *)

let rec fib n = if n < 2 then n else fib (n - 1) + fib (n - 2);;

(* Float arrays: unboxed float stores and loads in a loop nest. *)
let float_work n rounds =
  let a = Array.init n (fun i -> float_of_int i) in
  for _ = 1 to rounds do
    for i = 1 to n - 1 do
      a.(i) <- (a.(i) *. 0.999) +. (a.(i - 1) *. 0.001) +. 0.5
    done
  done;
  Array.fold_left ( +. ) 0. a;;

(* Lists: allocation, closures and folds. *)
let list_work n rounds =
  let acc = ref 0 in
  for r = 1 to rounds do
    let l = List.init n (fun i -> i + r) in
    let l = List.rev_map (fun x -> (x * 7) mod 1013) l in
    let l = List.filter (fun x -> x land 1 = 0) l in
    acc := !acc + List.fold_left ( + ) 0 l
  done;
  !acc;;

(* Strings: Buffer, concatenation, conversions. *)
let string_work n =
  let b = Buffer.create 16 in
  for i = 1 to n do
    Buffer.add_string b (string_of_int i);
    if i mod 10 = 0 then Buffer.add_string b (String.concat "," [ "a"; "b"; string_of_int i ])
  done;
  let s = Buffer.contents b in
  let count = ref 0 in
  String.iter (fun c -> if c = ',' then incr count) s;
  String.length s + !count;;

(* Hash tables: polymorphic hashing, resizing, lookups. *)
let hashtbl_work n =
  let h = Hashtbl.create 16 in
  for i = 1 to n do
    Hashtbl.replace h (i * 7919 mod 1_000_003) i
  done;
  let hits = ref 0 in
  for i = 1 to n do
    match Hashtbl.find_opt h i with Some _ -> incr hits | None -> ()
  done;
  Hashtbl.length h + !hits;;

let work () =
  let f = fib 34 in
  let fl = float_work 100_000 400 in
  let li = list_work 100_000 20 in
  let st = string_work 500_000 in
  let ht = hashtbl_work 300_000 in
  f + int_of_float fl + li + st + ht;;

let () =
  let t0 = Sys.time () in
  let r = work () in
  let t1 = Sys.time () in
  Printf.eprintf "BENCH exec_ms=%.1f\n%!" ((t1 -. t0) *. 1000.);
  Printf.printf "result: %d\n" r;;
