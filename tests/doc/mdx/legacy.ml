let before = 0

[@@@part "one"] ;;

let one = 1

[@@@part "two"] ;;

let two = 2
