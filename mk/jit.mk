# The JIT loader's end-to-end tests: phrase corpora through ocamljit with the
# JIT compared with the bytecode toplevel `ocaml` (and, for native-only
# behaviour, with the external loader), bad input, and a long session.
JIT_TEST_DIR := tests/jit
JIT_OCAMLJIT := $(BUILD)/bin/ocamljit
JIT_MANY_PHRASES ?= 10000
# Object sources to test: the in-process assembler, and GNU as (the cross-check).
JIT_OBJECT_SOURCES := internal as
export JIT_OBJECT_SOURCES

.PHONY: test-jit
test-jit: $(JIT_OCAMLJIT)
	sh $(JIT_TEST_DIR)/compare.sh ocaml $(JIT_OCAMLJIT) $(sort $(wildcard $(JIT_TEST_DIR)/corpus/*.ml))
	sh $(JIT_TEST_DIR)/compare.sh external $(JIT_OCAMLJIT) $(sort $(wildcard $(JIT_TEST_DIR)/native_corpus/*.ml))
	sh $(JIT_TEST_DIR)/load_compiled.sh $(JIT_OCAMLJIT)
	sh $(JIT_TEST_DIR)/many_phrases.sh $(JIT_OCAMLJIT) $(JIT_MANY_PHRASES)
ifneq ($(filter internal,$(JIT_OBJECT_SOURCES)),)
	sh $(JIT_TEST_DIR)/no_process.sh $(JIT_OCAMLJIT)
	sh $(JIT_TEST_DIR)/no_syscall.sh $(JIT_OCAMLJIT)
endif

TEST_TARGETS += test-jit
