let a = [| 1.5; -2.25; nan; infinity |]
let f x y = if x < y then sqrt x else Float.round (y /. x) +. Float.of_int (truncate x)
let g (x : float) = (x *. 2.0, -. x, abs_float x, x ** 0.5)
let () = Array.iter (fun x -> Printf.printf "%g %g\n" (f x 3.0) (fst (Obj.magic (g x)))) a
