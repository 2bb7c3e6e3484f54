let twice n = Greet.hello n ^ " / " ^ Greet.hello n
exception Bad of int
let check n = if n < 0 then raise (Bad n) else n
