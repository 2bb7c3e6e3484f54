let before_raise = 1;;
let () = raise Exit;;
let after_raise = 2;;
