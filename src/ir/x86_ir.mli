(** The IR: OCaml 4.13.1's [X86_ast.asm_program] as a compact, versioned byte
    string for the C++ engine (decoder: [src/ir/decode.hpp]; format:
    [src/ir/FORMAT.md]). *)

(** The four bytes every IR starts with. *)
val magic : string

(** The format version, the byte after [magic]. *)
val version : int

(** [serialise program] is the IR of [program].
    @raise Invalid_argument for a value the format cannot carry (an [XMM]/[ST]
    register above 15, a scale other than 0, 1, 2, 4, 8), which the amd64
    backend never emits. *)
val serialise : X86_ast.asm_program -> string
