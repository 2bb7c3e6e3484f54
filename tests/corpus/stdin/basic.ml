let x = 1;;
let f y =
  y + x;;
f 2;;
print_endline "output";;
let z : int = "type error";;
x;;
