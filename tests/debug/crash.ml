(* A phrase that segfaults deep in a recursion: gdb's `bt` must name the
   phrase functions (camlTOP...) all the way down. *)
let rec descend n =
  if n = 0 then (Obj.magic 0 : int ref) := 1
  else begin
    descend (n - 1);
    ignore (Sys.opaque_identity n)
  end

let[@inline never] start () = descend 5; print_endline "not reached"
let () = start ()
