let h x y = (x / y, x mod y, x lsl 3, x asr 2, x lsr 1, x land y, x lor y, x lxor y)
let c (a : int32) (b : int64) (n : nativeint) = Int32.add a 1l, Int64.mul b 3L, Nativeint.div n 7n
let bs x = (Int64.of_int x, Int32.to_int (Int32.logand 0xFFl (Int32.of_int x)))
let big = 0x123456789ABCDEF
let cmp a b = compare (a : int) b + (if a >= b then 1 else 0)
let () = ignore (h 7 3, c 1l 2L 3n, bs 5, big, cmp 1 2)
