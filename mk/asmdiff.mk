# The differential test of ocamljit-opt against ocamlopt + GNU as (issue 3):
# stdlib and testsuite units, see tests/asmdiff/asmdiff.sh. Its work directory
# also holds the IR corpus (IR dumps next to ocamlopt's .s) that
# tests/unit/ir_decode_test.cpp replays, hence the unit tests depend on it.
ASMDIFF_WORK := $(BUILD)/asmdiff

.PHONY: asmdiff
asmdiff: $(BUILD)/bin/ocamljit-opt $(UPSTREAM_STAMP)
	@rm -rf $(ASMDIFF_WORK)
	OCAMLJIT_OPT=$(abspath $(BUILD)/bin/ocamljit-opt) JOBS=$(JOBS) \
	  sh tests/asmdiff/asmdiff.sh $(abspath $(ASMDIFF_WORK)) $(abspath $(UPSTREAM))

test-unit test-unit-asan: asmdiff
TEST_TARGETS += asmdiff
