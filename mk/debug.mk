# Debugger and profiler visibility of JIT code, and the toplevel fuzzer (issue 14):
# `make test-debug` checks gdb (GDB JIT interface), the perf jitdump, Ctrl-C,
# nested evaluation and the fuzzer's crashers; `make fuzz-toplevel FUZZ_SECONDS=N`
# fuzzes the in-process toplevel (not part of `make test`).
DEB_PACKAGES += gdb

DEBUG_OUT    := $(BUILD)/debug
JITDUMP_READ := $(DEBUG_OUT)/jitdump_read

$(JITDUMP_READ): tests/debug/jitdump_read.cpp | deps
	@mkdir -p $(DEBUG_OUT)
	g++ -std=c++20 -O1 -Wall -Wextra -Werror -o $@ $<

.PHONY: test-debug
test-debug: $(BUILD)/bin/ocamljit $(JITDUMP_READ)
	sh tests/debug/run.sh $(abspath $(BUILD)/bin/ocamljit) $(abspath $(JITDUMP_READ)) $(abspath $(DEBUG_OUT))
TEST_TARGETS += test-debug

# The fuzzer: the toplevel's modules (as ocamljit-doc links them) plus
# tests/fuzz/fuzz_toplevel.ml, compiled in its own directory.
FUZZ_TOPLEVEL_OUT := $(BUILD)/fuzz-toplevel
FUZZ_TOPLEVEL     := $(FUZZ_TOPLEVEL_OUT)/fuzz-toplevel
FUZZ_TOPLEVEL_CMX := $(addprefix $(OCAML_OUT)/,$(addsuffix .cmx,$(filter-out topmain,$(TOPLEVEL_MODULES))))
FUZZ_SECONDS ?= 60
FUZZ_SEED ?= 1

$(FUZZ_TOPLEVEL): tests/fuzz/fuzz_toplevel.mli tests/fuzz/fuzz_toplevel.ml $(FUZZ_TOPLEVEL_CMX) engine
	@mkdir -p $(FUZZ_TOPLEVEL_OUT)
	cp tests/fuzz/fuzz_toplevel.mli tests/fuzz/fuzz_toplevel.ml $(FUZZ_TOPLEVEL_OUT)/
	$(OCAMLOPT) $(OCAML_FLAGS) $(OCAML_OWN_WARNINGS) -I $(FUZZ_TOPLEVEL_OUT) -c $(FUZZ_TOPLEVEL_OUT)/fuzz_toplevel.mli
	$(OCAMLOPT) $(OCAML_FLAGS) $(OCAML_OWN_WARNINGS) -I $(FUZZ_TOPLEVEL_OUT) -c $(FUZZ_TOPLEVEL_OUT)/fuzz_toplevel.ml
	$(OCAMLOPT) $(OCAML_FLAGS) -linkall -o $@ $(OCAML_LINK_LIBS) unix.cmxa $(FUZZ_TOPLEVEL_CMX) \
	  $(FUZZ_TOPLEVEL_OUT)/fuzz_toplevel.cmx $(OCAML_ENGINE_FLAGS)

.PHONY: fuzz-toplevel
fuzz-toplevel: $(FUZZ_TOPLEVEL) $(UPSTREAM_STAMP)
	$(FUZZ_TOPLEVEL) -seconds $(FUZZ_SECONDS) -seed $(FUZZ_SEED) -out $(FUZZ_TOPLEVEL_OUT)/found \
	  -expect-tests $(UPSTREAM)/testsuite/tests tests/corpus tests/jit/corpus
