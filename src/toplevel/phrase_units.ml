type keeper = { before_compile : unit -> unit; after_compile : unit -> unit }

let global = { before_compile = ignore; after_compile = Compilenv.record_global_approx_toplevel }
let current = ref global
let before_compile () = !current.before_compile ()
let after_compile () = !current.after_compile ()
