let count = ref 0
let hello name = incr count; "hello, " ^ name
