let greeting = "hello from a module"
let twice x = 2 * x
type t = { field : int }
