let helper_value = "from helper.ml"
let helper_fn x = x * x;;
type helper_t = H of int;;
H 3;;
