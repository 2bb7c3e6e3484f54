# ocamljit, the toplevel.
TOPLEVEL_MODULES := genprintval topcommon compiler_api timings loader x86_ir external_loader jit_loader loaders extension_names phrase_units \
  topeval toploop topdirs topmain
$(eval $(call ocaml_program,ocamljit,$(TOPLEVEL_MODULES) ocamljit_main))
INSTALL_PROGRAMS += ocamljit
