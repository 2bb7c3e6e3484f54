let rec f n = 1 + f n
let () = print_int (f 0)
