type t = { f : 'a. 'a -> 'a };;
let g r = r.f 1;;
let h (r : t) = (r.f, r.f);;
let k x = (x : < m : 'a. 'a -> 'a >)#m;;
