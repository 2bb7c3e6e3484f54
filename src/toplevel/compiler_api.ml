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
  (* The typer saves every typed node for a .cmt file, which a toplevel never
     writes: without this, they stay reachable for the whole session. *)
  Cmt_format.clear ();
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

(* Compilenv.reset forgets every .cmx it has read, and the toplevel resets
   before each phrase: each phrase would find, read and unmarshal stdlib.cmx
   (and every other unit it uses) again, a dozen system calls per unit. The
   infos of the units earlier phrases read are kept here and given back after
   each reset; a change of the load path (#directory) forgets them. *)
let cmx_cache : (string, Cmx_format.unit_infos) Hashtbl.t = Hashtbl.create 16
let cmx_cache_paths = ref []

let remember_cmx_read_by_last_unit () =
  List.iter
    (fun (modname, crc) ->
      if Option.is_some crc && not (Hashtbl.mem cmx_cache modname) then
        match Compilenv.read_unit_info (Load_path.find_uncap (modname ^ ".cmx")) with
        | ui, _ when ui.Cmx_format.ui_name = modname -> Hashtbl.replace cmx_cache modname ui
        | _ -> ()
        | exception (Not_found | Compilenv.Error _ | Sys_error _) -> ())
    (Compilenv.current_unit_infos ()).Cmx_format.ui_imports_cmx

let reset_unit unit_name =
  remember_cmx_read_by_last_unit ();
  Compilenv.reset ?packname:None unit_name;
  let paths = Load_path.get_paths () in
  if paths <> !cmx_cache_paths then begin
    Hashtbl.reset cmx_cache;
    cmx_cache_paths := paths
  end;
  Hashtbl.iter (fun _ ui -> Compilenv.cache_unit_info ui) cmx_cache

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

(* The backend passes of one function, in the order and with the calls of
   Asmgen.compile_fundecl, without its Profile.record wrappers: each wrapper
   reads the CPU time (two getrusage calls) before and after its pass, some
   fifty system calls per phrase that nobody reads unless -dprofile is given. *)
module Fast_backend = struct
  let rec regalloc round fd =
    if round > 50 then
      Misc.fatal_error (fd.Mach.fun_name ^ ": function too complex, cannot complete register allocation");
    let num_stack_slots =
      if !Clflags.use_linscan then begin
        Interval.build_intervals fd;
        Linscan.allocate_registers ()
      end else begin
        Interf.build_graph fd;
        Coloring.allocate_registers ()
      end
    in
    let fd, redo = Reload.fundecl fd num_stack_slots in
    if redo then begin
      Reg.reinit ();
      Liveness.fundecl fd;
      regalloc (round + 1) fd
    end else fd

  let live fd = Liveness.fundecl fd; fd

  let compile_fundecl ~funcnames (fd_cmm : Cmm.fundecl) =
    Proc.init ();
    Reg.reset ();
    let fd = Selection.fundecl ~future_funcnames:funcnames fd_cmm in
    let fd = Polling.instrument_fundecl ~future_funcnames:funcnames fd in
    let fd = Comballoc.fundecl fd in
    let fd = CSE.fundecl fd in
    let fd = Deadcode.fundecl (live fd) in
    let fd = live (Spill.fundecl fd) in
    let fd = live (Split.fundecl fd) in
    let fd = regalloc 1 fd in
    let lin = Scheduling.fundecl (Linearize.fundecl fd) in
    try Emit.fundecl lin
    with Emitaux.Error e -> raise (Asmgen.Error (Asmgen.Asm_generation (lin.Linear.fun_name, e)))

  module SSet = Misc.Stdlib.String.Set

  let compile_phrases phrases =
    let name_of = function Cmm.Cfunction fd -> Some fd.Cmm.fun_name | Cmm.Cdata _ -> None in
    let funcnames = ref (SSet.of_list (List.filter_map name_of phrases)) in
    List.iter
      (function
        | Cmm.Cfunction fd ->
            compile_fundecl ~funcnames:!funcnames fd;
            funcnames := SSet.remove fd.Cmm.fun_name !funcnames
        | Cmm.Cdata dl -> Emit.data dl)
      phrases

  (* Asmgen.end_gen_implementation, for a toplevel unit. *)
  let compile ~need_symbol ~prefix clambda =
    Emit.begin_assembly ();
    compile_phrases (Cmmgen.compunit clambda);
    (* One at a time, as Asmgen.compile_genfuns does. *)
    List.iter
      (function
        | Cmm.Cfunction { Cmm.fun_name; _ } as phrase when need_symbol fun_name -> compile_phrases [ phrase ]
        | _ -> ())
      (Cmm_helpers.generic_functions true [ Compilenv.current_unit_infos () ]);
    compile_phrases
      [ Cmm_helpers.reference_symbols
          (List.filter_map
             (fun prim ->
               if Primitive.native_name_is_external prim then Some (Primitive.native_name prim)
               else None)
             !Translmod.primitive_declarations) ];
    Emit.end_assembly ();
    (* Hands the assembly program to the registered assembler, as
       Asmgen.compile_unit does after emission. *)
    if Proc.assemble_file (prefix ^ Config.ext_asm) (prefix ^ Config.ext_obj) <> 0 then
      raise (Asmgen.Error (Asmgen.Assembler_error (prefix ^ Config.ext_asm)))

  (* Only the plain case: the in-process assembler, no file, no dump, no
     profile, no stop or save after a pass. Anything else goes through
     Asmgen, which knows all of them. *)
  let applies () =
    let open Clflags in
    !Emitaux.binary_backend_available && (not !keep_asm_file) && !profile_columns = []
    && !stop_after = None && (not (should_save_ir_after Compiler_pass.Scheduling))
    && (not !cmm_invariants)
    && List.for_all (fun flag -> not !flag)
         [ dump_cmm; dump_selection; dump_combine; dump_cse; dump_live; dump_spill; dump_split;
           dump_interf; dump_prefer; dump_regalloc; dump_reload; dump_linear; dump_scheduling;
           dump_interval ]
end

(* Emit (4.13.1, amd64) adds every symbol a unit defines, and every symbol
   it uses, to two sets that only its win64 port reads and empties: in a
   toplevel they grow by a few names per phrase for the whole session (a
   fifth of the compiler state a long session keeps). The sets are private
   refs of Emit's module block: after a unit is emitted, they are the refs to
   well-formed string sets holding the unit's module symbol (defined by the
   unit, and used by its table of GC roots). They are recognised once and
   emptied after each unit; if they are not found, nothing is emptied. *)

let rec is_string_set depth (o : Obj.t) =
  if Obj.is_int o then (Obj.obj o : int) = 0
  else
    depth < 64 && Obj.tag o = 0 && Obj.size o = 4
    && Obj.is_int (Obj.field o 3)
    && Obj.is_block (Obj.field o 1) && Obj.tag (Obj.field o 1) = Obj.string_tag
    && is_string_set (depth + 1) (Obj.field o 0)
    && is_string_set (depth + 1) (Obj.field o 2)

let emit_symbol_sets : Misc.Stdlib.String.Set.t ref list option ref = ref None

let find_emit_symbol_sets () =
  let module_symbol = Compilenv.make_symbol None in
  let holds_module_symbol f =
    Obj.is_block f && Obj.tag f = 0 && Obj.size f = 1
    && is_string_set 0 (Obj.field f 0)
    && Misc.Stdlib.String.Set.mem module_symbol (Obj.obj (Obj.field f 0))
  in
  List.filter_map
    (fun f -> if holds_module_symbol f then Some (Obj.obj f) else None)
    (Module_block.fields "camlEmit")

(* Searched again after a unit where none was found (one that failed before
   Emit ran holds nothing to recognise them by). *)
let forget_emitted_symbols () =
  let sets =
    match !emit_symbol_sets with
    | Some sets -> sets
    | None ->
        let sets = find_emit_symbol_sets () in
        if sets <> [] then emit_symbol_sets := Some sets;
        sets
  in
  List.iter (fun set -> set := Misc.Stdlib.String.Set.empty) sets

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
  (* Emptied whether the unit compiled or not: a failed unit may have emitted some symbols. *)
  Fun.protect ~finally:forget_emitted_symbols @@ fun () ->
  if Fast_backend.applies () then begin
    Emitaux.create_asm_file := false;
    let clambda =
      Closure_middle_end.lambda_to_clambda ~backend ~prefixname:prefix ~ppf_dump:ppf program
    in
    Fast_backend.compile ~need_symbol ~prefix clambda
  end else
    Asmgen.compile_implementation ~toplevel:need_symbol ~backend ~prefixname:prefix
      ~middle_end:Closure_middle_end.lambda_to_clambda ~ppf_dump:ppf program

let set_assembler f =
  Emitaux.binary_backend_available := true;
  X86_proc.register_internal_assembler f

let toplevel_global id =
  try Translmod.nat_toplevel_name id with Misc.Fatal_error -> raise Not_found

(* The toplevel process's GC: a phrase's compilation and the code it runs
   allocate much short-lived data; with the runtime's default 256 Ki-word
   minor heap, much of it is promoted and the major GC then marks the
   compiler's large long-lived state again and again (allocation-heavy
   phrase code ran 1.5x slower than the same code in an ocamlopt program).
   A 1 Mi-word (8 MiB) minor heap lets it die young. OCAMLRUNPARAM's or
   CAMLRUNPARAM's own s= wins. Its pages are touched for the first time
   over the first fifty phrases: 2 MiB pages where the kernel offers them
   (src/toplevel/minor_heap_stubs.cpp) save most of those page faults. *)
let minor_heap_words = 1 lsl 20

external advise_minor_heap_huge : unit -> unit = "ocamljit_advise_minor_heap_huge"

let configure_gc () =
  let sets_minor_heap var =
    match Sys.getenv_opt var with
    | None -> false
    | Some params ->
        List.exists
          (fun p -> String.length p >= 2 && p.[0] = 's' && p.[1] = '=')
          (String.split_on_char ',' params)
  in
  if not (sets_minor_heap "OCAMLRUNPARAM" || sets_minor_heap "CAMLRUNPARAM") then
    Gc.set { (Gc.get ()) with Gc.minor_heap_size = minor_heap_words };
  advise_minor_heap_huge ()
