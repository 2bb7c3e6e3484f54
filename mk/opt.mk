# ocamljit-opt: ocamlopt with the in-process assembler (src/opt, src/ir, src/asm).
$(eval $(call ocaml_program,ocamljit-opt,x86_ir ir_dump internal_assembler ocamljit_opt))
INSTALL_PROGRAMS += ocamljit-opt
