(* OCaml 4.13.1. *)

type typed_phrase = {
  structure : Typedtree.structure;
  signature : Types.signature;
  env : Env.t;
}

let type_phrase ppf oldenv sstr =
  Typecore.reset_delayed_checks ();
  let structure, sg, names, env = Typemod.type_toplevel_phrase oldenv sstr in
  if !Clflags.dump_typedtree then Printtyped.implementation ppf structure;
  let signature = Typemod.Signature_names.simplify env names sg in
  ignore (Includemod.signatures oldenv ~mark:Mark_positive sg signature);
  Typecore.force_delayed_checks ();
  { structure; signature; env }

let translate_phrase ~unit_name str =
  let translated = Translmod.transl_store_phrases unit_name str in
  (* The compiler makes a unit reference every C primitive it declares, so
     that a linker keeps them; a phrase only needs those it calls, and
     declaring an external that the process lacks must not fail its load
     (the bytecode toplevel accepts it). *)
  Translmod.primitive_declarations := [];
  translated

(* The phrase is typed as written, so that the typer sees the `_` (warning 5
   on an ignored partial application); only its translation binds the value,
   to a name of its own, where the toplevel can read it back. *)
let bind_result (str : Typedtree.structure) =
  let open Typedtree in
  let bind item pat expr attrs =
    let id = Ident.create_local "_$" in
    let pat = { pat with pat_desc = Tpat_var (id, Location.mknoloc "_$") } in
    let vb = { vb_pat = pat; vb_expr = expr; vb_attributes = attrs; vb_loc = item.str_loc } in
    let item = { item with str_desc = Tstr_value (Asttypes.Nonrecursive, [ vb ]) } in
    Some ({ str with str_items = [ item ] }, id, expr.exp_type)
  in
  match str.str_items with
  | [ ({ str_desc = Tstr_eval (expr, attrs); _ } as item) ] ->
      let pat =
        { pat_desc = Tpat_any; pat_loc = expr.exp_loc; pat_extra = []; pat_type = expr.exp_type;
          pat_env = expr.exp_env; pat_attributes = [] }
      in
      bind item pat expr attrs
  | [ ({ str_desc =
           Tstr_value
             ( Asttypes.Nonrecursive,
               [ { vb_pat = { pat_desc = Tpat_any; _ } as pat; vb_expr; vb_attributes; _ } ] );
         _ } as item) ] ->
      bind item pat vb_expr vb_attributes
  | _ -> None

module Backend = struct
  let symbol_for_global' = Compilenv.symbol_for_global'
  let closure_symbol = Compilenv.closure_symbol
  let really_import_approx = Import_approx.really_import_approx
  let import_symbol = Import_approx.import_symbol
  let size_int = Arch.size_int
  let big_endian = Arch.big_endian
  (* One argument slot is kept for a closure's environment. *)
  let max_sensible_number_of_arguments = Proc.max_arguments_for_tailcalls - 1
end

let backend = (module Backend : Backend_intf.S)

let compile_unit ppf ~unit_name ~prefix ~need_symbol ~size code =
  (* The compiler's profile (-dprofile) keeps a record per pass and call:
     without a reset it grows with every phrase of a session. *)
  if !Clflags.profile_columns = [] then Profile.reset ();
  Embedded_interfaces.provide_implementations ();
  let program =
    { Lambda.code; main_module_block_size = size;
      module_ident = Ident.create_persistent unit_name;
      required_globals = Ident.Set.empty }
  in
  Asmgen.compile_implementation ~toplevel:need_symbol ~backend ~prefixname:prefix
    ~middle_end:Closure_middle_end.lambda_to_clambda ~ppf_dump:ppf program

let set_assembler f =
  Emitaux.binary_backend_available := true;
  X86_proc.register_internal_assembler f

let toplevel_global id =
  try Translmod.nat_toplevel_name id with Misc.Fatal_error -> raise Not_found
