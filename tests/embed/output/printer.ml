type money = Money of int
let pp_money fmt (Money n) = Format.fprintf fmt "%d.%02d EUR" (n / 100) (n mod 100)
