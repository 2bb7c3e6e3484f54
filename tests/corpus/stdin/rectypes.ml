let rec omega x = x x;;
type 'a t = 'a t list;;
let f (x : 'a list as 'a) = x;;
