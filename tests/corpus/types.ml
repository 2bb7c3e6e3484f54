(* GADTs, extensible variants, polymorphism, type definitions. *)
type _ expr =
  | Int : int -> int expr
  | Bool : bool -> bool expr
  | Add : int expr * int expr -> int expr
  | If : bool expr * 'a expr * 'a expr -> 'a expr
  | Pair : 'a expr * 'b expr -> ('a * 'b) expr;;
let rec eval : type a. a expr -> a = function
  | Int n -> n
  | Bool b -> b
  | Add (a, b) -> eval a + eval b
  | If (c, t, e) -> if eval c then eval t else eval e
  | Pair (a, b) -> (eval a, eval b);;
eval (Add (Int 1, Int 2));;
eval (If (Bool true, Pair (Int 1, Bool false), Pair (Int 2, Bool true)));;
Add (Int 1, Int 2);;
type any = Any : 'a * ('a -> string) -> any;;
let show (Any (v, f)) = f v;;
List.map show [Any (1, string_of_int); Any ("s", Fun.id)];;
Any (1, string_of_int);;
type t = ..;;
type t += Foo of int | Bar;;
[Foo 1; Bar];;
type t += Baz of string * t;;
Baz ("x", Foo 2);;
module Ext = struct type t += Inner of float end;;
Ext.Inner 1.5;;
[Ext.Inner 2.; Foo 3];;
let describe = function Foo n -> "foo " ^ string_of_int n | Bar -> "bar" | _ -> "other";;
describe (Ext.Inner 0.);;
type 'a poly_rec = Nil | Cons of 'a * ('a * 'a) poly_rec;;
let rec len : 'a. 'a poly_rec -> int = function Nil -> 0 | Cons (_, r) -> 1 + len r;;
len (Cons (1, Cons ((2, 3), Nil)));;
Cons (1, Cons ((2, 3), Nil));;
type 'a constrained = 'a list constraint 'a = int;;
([1] : int constrained);;
type priv = private int;;
module P : sig type t = private int val make : int -> t end = struct type t = int let make x = x end;;
P.make 5;;
(P.make 5 :> int);;
type abstract;;
type 'a phantom = int;;
type inline = Rec of { a : int; mutable b : string };;
let ir = Rec { a = 1; b = "b" };;
(match ir with Rec r -> r.b <- "changed");;
ir;;
type unboxed = U of int [@@unboxed];;
U 3;;
type rec_field = { f : 'a. 'a -> 'a };;
{ f = fun x -> x };;
type ('a, 'b) either = Left of 'a | Right of 'b;;
[Left 1; Right "r"];;
type nat = Z | S of nat;;
S (S Z);;
let poly_fn : 'a. 'a list -> int = List.length;;
let rec fact = function 0 -> 1 | n -> n * fact (n - 1);;
fact 20;;
type 'a weak_holder = 'a option ref;;
let weak = ref None;;
weak := Some 3;;
weak;;
let ids = List.map (fun x -> x);;
