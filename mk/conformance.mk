# Conformance harness: the OCaml testsuite's expect and tool-toplevel tests,
# and the project corpus, compared with the bytecode toplevel's outputs.
# `make test-conformance CONFORMANCE_LOADERS="external"` picks loaders
# (default: every loader the build has); CONFORMANCE_SUITES picks suites.

$(eval $(call ocaml_program,ocamljit-expect,$(TOPLEVEL_MODULES) test_header expect_runner))

CONFORMANCE_SUITES ?= expect tool-toplevel corpus
TESTSUITE_TESTS := $(UPSTREAM)/testsuite/tests

.PHONY: test-conformance test-expect test-tool-toplevel test-corpus
test-conformance: $(BUILD)/bin/ocamljit $(BUILD)/bin/ocamljit-expect $(UPSTREAM_STAMP)
	@sh tests/conformance/run.sh $(BUILD) $(TESTSUITE_TESTS) $(CONFORMANCE_SUITES)

test-expect test-tool-toplevel test-corpus: $(BUILD)/bin/ocamljit $(BUILD)/bin/ocamljit-expect $(UPSTREAM_STAMP)
	@sh tests/conformance/run.sh $(BUILD) $(TESTSUITE_TESTS) $(patsubst test-%,%,$@)

TEST_TARGETS += test-conformance
