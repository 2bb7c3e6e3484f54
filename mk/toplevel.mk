# ocamljit, the toplevel.
TOPLEVEL_MODULES := genprintval topcommon embedded_interfaces module_block compiler_api timings loader x86_ir ir_dump library_loader external_loader jit_loader loaders extension_names ppx_in_process phrase_units \
  initial_load_path topeval toploop topdirs topfind_on_demand topmain
# The REPL's line editor (src/repl, flags and libraries in mk/repl.mk): not
# linked into ocamljit but packed into it, and loaded by repl_loader on a terminal.
REPL_MODULES := phrase_boundary env_completion line_editor
$(eval $(call ocaml_program,ocamljit,$(TOPLEVEL_MODULES) repl_loader ocamljit_main))
INSTALL_PROGRAMS += ocamljit

# Topeval and Topmain are ours, their interfaces upstream's: our .ml must be
# checked against the upstream .cmi (whose CRC stays Debian's, see
# mk/ocaml.mk), not write an interface inferred from itself. 4.13's ocamlopt
# has no -cmi-file; it uses the existing .cmi when a .mli sits beside the
# .ml, so compile through links that put them side by side.
TOPLEVEL_BESIDE_MLI := $(OCAML_OUT)/beside-upstream-mli
$(TOPLEVEL_BESIDE_MLI)/%.ml: src/toplevel/%.ml $(UPSTREAM_STAMP)
	@mkdir -p $(@D)
	ln -sf $(abspath $<) $@
	ln -sf $(abspath $(UPSTREAM)/toplevel/$*.mli) $(@D)/$*.mli
$(OCAML_OUT)/topeval.cmx $(OCAML_OUT)/topmain.cmx: $(OCAML_OUT)/%.cmx: $(TOPLEVEL_BESIDE_MLI)/%.ml $(OCAML_OUT)/%.cmi
	$(OCAMLOPT) $(OCAML_FLAGS) $(OCAML_OWN_WARNINGS) -c -o $@ $<

# #load of a .cmxs through the system's dynamic loader and the runtime's
# natdynlink primitives (External_loader), under both loaders.
.PHONY: test-shared-objects
test-shared-objects: $(BUILD)/bin/ocamljit
	sh tests/toplevel/shared_objects.sh $(BUILD)/bin/ocamljit
TEST_TARGETS += test-shared-objects

# What a long session keeps alive per phrase (live heap words, counted inside
# the session), against a bound and the bytecode toplevel.
.PHONY: test-retention
test-retention: $(BUILD)/bin/ocamljit
	sh tests/toplevel/retention.sh $(BUILD)/bin/ocamljit
TEST_TARGETS += test-retention
