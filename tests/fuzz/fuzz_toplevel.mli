(* Fuzzing of the in-process toplevel: phrases mutated from a corpus run
   through ocamljit's Toploop in worker processes; a worker that dies
   (signal, fatal exception) leaves its last phrase as a crasher. *)

(* Command line: see [usage] in the implementation; exits with 0 when no
   crash was found, 1 otherwise. *)
val main : unit -> int
