(* Modules, signatures, functors, first-class modules. *)
module M = struct
  let x = 1
  type t = A | B of int
  let f = function A -> 0 | B n -> n
  exception E of string
end;;
M.x;;
M.B 3;;
M.f (M.B 7);;
module type S = sig type t val zero : t val add : t -> t -> t val show : t -> string end;;
module Int_s : S with type t = int = struct
  type t = int
  let zero = 0
  let add = ( + )
  let show = string_of_int
end;;
module Sum (X : S) = struct
  let sum l = List.fold_left X.add X.zero l
  let show_sum l = X.show (sum l)
end;;
module Si = Sum (Int_s);;
Si.sum [1; 2; 3];;
Si.show_sum [4; 5];;
module Abstract : S = Int_s;;
Abstract.zero;;
Abstract.show Abstract.zero;;
module type T = sig type t val v : t end;;
let m = (module struct type t = int let v = 42 end : T with type t = int);;
let module X = (val m) in X.v;;
let unpack (type a) (module X : T with type t = a) = X.v;;
unpack m;;
let modules = [ (module Int_s : S with type t = int) ];;
module F (A : sig val n : int end) () = struct let n2 = A.n * 2 end;;
module G = F (struct let n = 21 end) ();;
G.n2;;
module rec Even : sig val is : int -> bool end = struct
  let is n = n = 0 || Odd.is (n - 1)
end
and Odd : sig val is : int -> bool end = struct
  let is n = n <> 0 && Even.is (n - 1)
end;;
Even.is 10;;
module Inc = struct include M let y = x + 1 end;;
Inc.y;;
open M;;
x;;
module L = List;;
L.length [1; 2];;
module Map_s = Map.Make (String);;
let mp = Map_s.(empty |> add "a" 1 |> add "b" 2);;
Map_s.bindings mp;;
module type Sh = module type of M;;
#show M;;
#show S;;
#show Sum;;
#show_module_type T;;
module Strange = struct type t = int let x : t = 3 end;;
(Strange.x : Strange.t);;
module N = struct module Inner = struct let deep = "deep" end end;;
N.Inner.deep;;
let open N.Inner in deep ^ "er";;
N.Inner.(deep ^ "est");;
