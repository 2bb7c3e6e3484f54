(* Objects and classes. *)
let o = object
  val mutable n = 0
  method incr = n <- n + 1
  method get = n
end;;
o#incr;;
o#get;;
o;;
class point x_init = object (self)
  val mutable x = x_init
  method x = x
  method move d = x <- x + d
  method to_string = "point " ^ string_of_int self#x
end;;
let p = new point 3;;
p#move 4;;
p#to_string;;
class colored_point x (c : string) = object
  inherit point x as super
  method color = c
  method! to_string = super#to_string ^ " colored " ^ c
end;;
let cp = new colored_point 1 "red";;
cp#to_string;;
(cp :> point)#to_string;;
class virtual shape = object (self)
  method virtual area : float
  method describe = Printf.sprintf "area %.2f" self#area
end;;
class square s = object inherit shape method area = s *. s end;;
(new square 2.)#describe;;
class ['a] stack = object
  val mutable items : 'a list = []
  method push x = items <- x :: items
  method pop = match items with [] -> None | x :: r -> items <- r; Some x
end;;
let s = new stack;;
s#push 1;;
s#pop;;
s;;
let f (x : < get : int; .. >) = x#get;;
f o;;
class type counter = object method get : int method incr : unit end;;
let c : counter = (o :> counter);;
let copy = Oo.copy o;;
copy#incr;;
(copy#get, o#get);;
let obj_with_private = object (self)
  method private secret = 42
  method reveal = self#secret
end;;
obj_with_private#reveal;;
[o; copy];;
let immediate = object method hello = "hi" end;;
immediate#hello;;
