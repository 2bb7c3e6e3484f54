(** The fields of a compiler-libs module's block, for the few private refs
    and tables of the compiler that the toplevel must empty or trim (Emit's
    symbol sets, Compilenv's toplevel table): they are found among these
    fields by what they hold. *)

val fields : string -> Obj.t list
(** [fields "camlEmit"]: the fields of the module block that symbol names in
    the process (dlsym), in order; [[]] when the symbol is absent or not a
    module block. *)
