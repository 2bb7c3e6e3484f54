(* Phrase functions calling C primitives: a breakpoint in the primitive
   must show the phrase frames that called it in gdb's `bt`. *)
let rec outer n =
  if n = 0 then begin
    (* Bytes.blit calls caml_blit_bytes directly ([@@noalloc]); the length
       4242 makes the call recognisable among the toplevel's own blits. *)
    let src = Bytes.make 5000 'a' and dst = Bytes.create 5000 in
    Bytes.blit src 0 dst 0 4242;
    Bytes.length dst
  end
  else outer (n - 1) + 1

let[@inline never] go () = outer 3 + 1  (* not a tail call: go keeps its frame *)
let () = Printf.printf "%d\n" (go ())

(* Gc.compact goes through caml_c_call (it may allocate). *)
let compact_here () = Gc.compact (); 7
let () = Printf.printf "%d\n" (compact_here ())
