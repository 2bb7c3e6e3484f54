let x = 1;;
#quit;;
let y = 2;;
