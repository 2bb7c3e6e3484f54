# The differential test of ocamljit-opt against ocamlopt + GNU as (issue 3):
# stdlib and testsuite units, see tests/asmdiff/asmdiff.sh. Its work directory
# also holds the IR corpus (IR dumps next to ocamlopt's .s) that
# tests/unit/ir_decode_test.cpp replays, hence the unit tests depend on it;
# `constructors/` adds a program with every X86_ast constructor, printed by
# the compiler's X86_gas (tests/ir/ir_constructors.ml).
ASMDIFF_WORK := $(BUILD)/asmdiff
IR_CONSTRUCTORS := $(BUILD)/tests/ir_constructors
IR_CONSTRUCTORS_DIR := $(BUILD)/tests/ir_constructors.d

$(IR_CONSTRUCTORS): tests/ir/ir_constructors.mli tests/ir/ir_constructors.ml $(OCAML_OUT)/x86_ir.cmx
	@mkdir -p $(IR_CONSTRUCTORS_DIR)
	$(OCAMLOPT) $(OCAML_OWN_WARNINGS) -I +compiler-libs -I $(OCAML_OUT) -I $(IR_CONSTRUCTORS_DIR) \
	  -o $(IR_CONSTRUCTORS_DIR)/ir_constructors.cmi -c tests/ir/ir_constructors.mli
	$(OCAMLOPT) $(OCAML_OWN_WARNINGS) -I +compiler-libs -I $(OCAML_OUT) -I $(IR_CONSTRUCTORS_DIR) \
	  -o $(IR_CONSTRUCTORS_DIR)/ir_constructors.cmx -c tests/ir/ir_constructors.ml
	$(OCAMLOPT) -I +compiler-libs -o $@ ocamlcommon.cmxa ocamloptcomp.cmxa \
	  $(OCAML_OUT)/x86_ir.cmx $(IR_CONSTRUCTORS_DIR)/ir_constructors.cmx

.PHONY: asmdiff
asmdiff: $(BUILD)/bin/ocamljit-opt $(IR_CONSTRUCTORS) $(UPSTREAM_STAMP)
	@rm -rf $(ASMDIFF_WORK) && mkdir -p $(ASMDIFF_WORK)
	$(IR_CONSTRUCTORS) $(ASMDIFF_WORK)/constructors
	OCAMLJIT_OPT=$(abspath $(BUILD)/bin/ocamljit-opt) JOBS=$(JOBS) \
	  sh tests/asmdiff/asmdiff.sh $(abspath $(ASMDIFF_WORK)) $(abspath $(UPSTREAM))

test-unit test-unit-asan: asmdiff
TEST_TARGETS += asmdiff
