(** Names of exceptions and extension constructors defined by a phrase.

    A native phrase is compiled as a unit [TOP<n>], so the compiler names an
    exception [E] of phrase 33 ["TOP33.E"]. The bytecode toplevel names it
    ["E"], and the value printer looks the name up in the environment to
    print its arguments and to print extensible variants at all. Stripping
    the unit prefix makes native output match the bytecode toplevel (stock
    ocamlnat prints [Exception: TOP33.E ...] and [<extension>] instead). *)

val unprefix : unit_name:string -> Lambda.lambda -> Lambda.lambda
(** Rewrites every extension constructor created in the phrase whose name
    starts with [unit_name ^ "."]. *)
