(* Phrases using Base and Zarith with no #require: the toplevel was built
   with ocamljit-mktop -package base,zarith. *)
Base.List.length [1;2;3];;
Z.to_string (Z.pow (Z.of_int 2) 100);;
let squares n = Base.List.init n ~f:(fun i -> i * i);;
squares 6;;
let sum_big xs = Base.List.fold xs ~init:Z.zero ~f:(fun acc x -> Z.add acc (Z.of_int x));;
Z.to_string (sum_big (squares 1000));;
let rec fact n = if n <= 1 then Z.one else Z.mul (Z.of_int n) (fact (n - 1));;
Z.to_string (fact 40);;
Base.String.concat ~sep:"-" (Base.List.map [1;2;3] ~f:Base.Int.to_string);;
Base.Int.max 3 7, Base.Option.value ~default:0 None;;
let q = Q.make (Z.of_int 6) (Z.of_int 8) in Q.to_string q;;
Z.probab_prime (Z.of_string "170141183460469231731687303715884105727") 25;;
module M = Base.Map.M (Base.String);;
let m = Base.Map.of_alist_exn (module Base.String) ["a", 1; "b", 2] in Base.Map.find m "b";;
Base.List.length "not a list";;
Z.of_string "12x";;
