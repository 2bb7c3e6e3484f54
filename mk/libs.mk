# Libraries in the toplevel (issue 9): toplevel interfaces CRC-identical to
# Debian's compiler-libs, a library corpus through topfind compared with the
# bytecode toplevel `ocaml` (also through the external loader, with the toolchain hidden and under
# strace), the ppx executable route (OCAMLJIT_PPX=process), failed loads,
# and ocamljit-doc with packages.
LIBS_TEST_DIR := tests/libs
LIBS_OCAMLJIT := $(BUILD)/bin/ocamljit
DEB_PACKAGES += libfindlib-ocaml-dev libbase-ocaml-dev libstdio-ocaml-dev libzarith-ocaml-dev \
  libre-ocaml-dev libsexplib0-ocaml-dev libppx-deriving-ocaml-dev libppx-sexp-conv-ocaml-dev \
  liblwt-ocaml-dev util-linux

.PHONY: test-libs
test-libs: $(LIBS_OCAMLJIT) $(BUILD)/bin/ocamljit-doc
	sh $(LIBS_TEST_DIR)/crc.sh $(OCAML_OUT)
	sh $(LIBS_TEST_DIR)/compare.sh $(LIBS_OCAMLJIT) $(sort $(wildcard $(LIBS_TEST_DIR)/corpus/*.ml)) \
	  $(LIBS_TEST_DIR)/ocamlinit/session.ml
	OCAMLJIT_PPX=process sh $(LIBS_TEST_DIR)/compare.sh $(LIBS_OCAMLJIT) $(wildcard $(LIBS_TEST_DIR)/corpus/*ppx*.ml)
	@echo "libs: the same corpus through the external loader (as + ld + dlopen, as stock ocamlnat):"
	OCAMLJIT_LOADER=external sh $(LIBS_TEST_DIR)/compare.sh $(LIBS_OCAMLJIT) $(sort $(wildcard $(LIBS_TEST_DIR)/corpus/*.ml)) \
	  $(LIBS_TEST_DIR)/ocamlinit/session.ml
	sh $(LIBS_TEST_DIR)/failures.sh $(LIBS_OCAMLJIT)
	sh $(LIBS_TEST_DIR)/doc.sh $(BUILD)/bin/ocamljit-doc
	sh $(LIBS_TEST_DIR)/no_toolchain.sh $(LIBS_OCAMLJIT) $(sort $(wildcard $(LIBS_TEST_DIR)/corpus/*.ml))

TEST_TARGETS += test-libs
