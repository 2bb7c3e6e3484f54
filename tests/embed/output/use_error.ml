let before_error = 1;;
let bad = 1 + "one";;
let never_defined = 2;;
