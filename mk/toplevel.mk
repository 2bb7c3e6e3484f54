# ocamljit, the toplevel.
TOPLEVEL_MODULES := genprintval topcommon compiler_api timings loader x86_ir external_loader jit_loader loaders extension_names \
  topeval toploop topdirs topmain
# The REPL's line editor (src/repl, flags and libraries in mk/repl.mk).
REPL_MODULES := phrase_boundary env_completion line_editor
$(eval $(call ocaml_program,ocamljit,$(TOPLEVEL_MODULES) $(REPL_MODULES) ocamljit_main))
INSTALL_PROGRAMS += ocamljit
