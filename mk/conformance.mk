# Conformance harness: the OCaml testsuite's expect and tool-toplevel tests,
# and the project corpus, compared with the bytecode toplevel's outputs.

$(eval $(call ocaml_program,ocamljit-expect,$(TOPLEVEL_MODULES) test_header expect_runner))
