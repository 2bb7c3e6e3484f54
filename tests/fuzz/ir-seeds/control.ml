let rec loop acc i = if i = 0 then acc else loop (acc + i) (i - 1)
let sw = function 0 -> "a" | 1 -> "b" | 2 -> "c" | 3 -> "d" | 4 -> "e" | 5 -> "f" | _ -> "z"
let str = function "alpha" -> 1 | "beta" -> 2 | "gamma" -> 3 | _ -> 0
let apply f g x = f (g x) (g (g x))
let curry a b c d e = a + b + c + d + e
let part = curry 1 2
let () = for i = 0 to 3 do ignore (sw i, str "beta", apply ( + ) succ i, part 3 4 5) done
let () = let r = ref 0 in while !r < 10 do incr r done; assert (!r = 10)
