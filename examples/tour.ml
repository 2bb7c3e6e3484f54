(* A tour of ocamljit: every phrase below is compiled to native code and run. *)

let greeting = "Hello from native code";;
print_endline greeting;;

(* Functions and recursion. *)
let rec fib n = if n < 2 then n else fib (n - 1) + fib (n - 2);;
fib 30;;

(* Data structures. *)
type shape = Circle of float | Rect of { w : float; h : float };;
let area = function Circle r -> Float.pi *. r *. r | Rect { w; h } -> w *. h;;
List.map area [ Circle 1.0; Rect { w = 2.; h = 3. } ];;

(* Modules and functors. *)
module type SHOW = sig type t val show : t -> string end;;
module Pair (A : SHOW) (B : SHOW) = struct
  let show (a, b) = "(" ^ A.show a ^ ", " ^ B.show b ^ ")"
end;;
module P = Pair (struct type t = int let show = string_of_int end) (struct type t = bool let show = string_of_bool end);;
P.show (1, true);;

(* Exceptions defined in an earlier phrase print by their own name. *)
exception My_error of string * int;;
raise (My_error ("boom", 42));;

(* Extensible variants print their constructors. *)
type event = ..;;
type event += Click of int * int | Key of char;;
[ Click (10, 20); Key 'q' ];;

(* Objects and polymorphic variants. *)
let counter = object val mutable n = 0 method incr = n <- n + 1; n end;;
counter#incr, counter#incr;;
let classify = function `Small n when n < 10 -> "small" | `Small _ -> "big" | `Other -> "other";;

(* Errors are reported and the session goes on. *)
let oops = 1 + "two";;
1 / 0;;
let rec loop n = 1 + loop n;;
loop 0;;

(* Native speed: a tight float loop. *)
let sum_sqrt n = let s = ref 0. in for i = 1 to n do s := !s +. sqrt (float i) done; !s;;
sum_sqrt 10_000_000;;
Sys.backend_type;;
