# ocamljit-mktop (src/mktop, a C++ program built by CMake) and the embedded
# interfaces (src/cmi_bundle): ocamljit carries the stdlib's .cmi files; the
# toplevel's modules are installed as a library (lib/ocamljit, next to bin/)
# for ocamljit-mktop to link custom toplevels with.

MKTOP        := $(BUILD)/bin/ocamljit-mktop
MKTOP_LIBDIR := $(BUILD)/lib/ocamljit
MKTOP_STDLIB := $(shell ocamlfind ocamlopt -where 2>/dev/null || echo /usr/lib/ocaml)
# STDLIB_INTERFACES (mk/ocaml.mk): the stdlib's interfaces as an object linked into ocamljit.
# The engine's C++ libraries, recorded in ocamljit.cmxa.
MKTOP_CCLIBS := -cclib -locamljit_stubs -cclib -locamljit_engine $(OCAML_STATIC_CXX) -cclib -lm

$(MKTOP): engine
	@mkdir -p $(dir $@)
	cp $(CMAKE_DIR)/ocamljit-mktop $@
ALL_TARGETS += $(MKTOP)
INSTALL_PROGRAMS += ocamljit-mktop

$(STDLIB_INTERFACES): $(MKTOP)
	@mkdir -p $(dir $@)
	$(MKTOP) -pack-interfaces -o $@ $(MKTOP_STDLIB)/*.cmi \
	  $(MKTOP_STDLIB)/stdlib*.cmx $(MKTOP_STDLIB)/camlinternal*.cmx

$(BUILD)/bin/ocamljit: $(STDLIB_INTERFACES)
# The toplevel's runtime defaults (src/toplevel/runtime_defaults_stubs.cpp).
MKTOP_RUNTIME_DEFAULTS := -ccopt -Wl,-u,ocamljit_toplevel_runtime_defaults
$(BUILD)/bin/ocamljit: OCAML_ENGINE_FLAGS += $(STDLIB_INTERFACES) $(MKTOP_RUNTIME_DEFAULTS)
# A position-dependent executable starts faster (no dynamic relocations of
# the compiler's data); the JIT memory then goes above the program break
# (src/memory). ocamljit-mktop links its toplevels the same way.
$(BUILD)/bin/ocamljit: OCAML_ENGINE_FLAGS += -ccopt -no-pie

# The toplevel as a library: its modules (ocamljit.cmxa, their .cmi), the
# main module linked last, and the engine's archives.
# The compiler's toplevel interfaces are compiler-libs' own (CRC-identical):
# not installed twice, findlib would warn about every one of them.
MKTOP_UPSTREAM_CMI := $(addprefix $(OCAML_OUT)/,$(addsuffix .cmi,genprintval topcommon topeval toploop topdirs topmain))
# With the REPL (src/repl): a mktop'd toplevel edits lines as ocamljit does,
# with the same packed line editor (REPL_BUNDLE, mk/repl.mk, installed as
# ocamljit_repl_bundle.o and linked by ocamljit-mktop), loaded on a terminal only.
MKTOP_LIB_CMX := $(addprefix $(OCAML_OUT)/,$(addsuffix .cmx,$(TOPLEVEL_MODULES) repl_loader))
$(MKTOP_LIBDIR)/ocamljit.cmxa: $(MKTOP_LIB_CMX) $(OCAML_OUT)/ocamljit_main.cmx engine
	@rm -rf $(MKTOP_LIBDIR) && mkdir -p $(MKTOP_LIBDIR)
	$(OCAMLOPT) -a -o $@ $(MKTOP_LIB_CMX) $(MKTOP_CCLIBS)
	cp $(filter-out $(MKTOP_UPSTREAM_CMI),$(MKTOP_LIB_CMX:.cmx=.cmi)) $(OCAML_OUT)/ocamljit_main.cmi $(OCAML_OUT)/ocamljit_main.cmx \
	  $(OCAML_OUT)/ocamljit_main.o $(ENGINE_LIB) $(STUBS_LIB) $(MKTOP_LIBDIR)/
	cp $(REPL_BUNDLE) $(MKTOP_LIBDIR)/ocamljit_repl_bundle.o
ALL_TARGETS += $(MKTOP_LIBDIR)/ocamljit.cmxa

.PHONY: install-mktop-lib
install: install-mktop-lib
install-mktop-lib: all
	@test -n "$(PREFIX)" || { echo "PREFIX is empty" >&2; exit 2; }
	rm -rf $(PREFIX)/lib/ocamljit && mkdir -p $(PREFIX)/lib/ocamljit
	cp $(MKTOP_LIBDIR)/* $(PREFIX)/lib/ocamljit/

# End to end (tests/mktop/run.sh): from a `make install` prefix, a toplevel with
# base and zarith against ocaml + #require, runs without the installation or the
# toolchain (unshare -m: root, as in CI), bad input.
DEB_PACKAGES += libfindlib-ocaml-dev libbase-ocaml-dev libzarith-ocaml-dev util-linux tmux liblambda-term-ocaml-dev
MKTOP_TEST_PREFIX := $(abspath $(BUILD))/mktop-prefix
.PHONY: test-mktop
test-mktop: all
	$(MAKE) --no-print-directory install PREFIX=$(MKTOP_TEST_PREFIX)
	sh tests/mktop/run.sh $(MKTOP_TEST_PREFIX) $(abspath $(BUILD))/mktop-test
TEST_TARGETS += test-mktop

# `make bench` rows (bench/mktop.sh): sizes and start-up next to `ocaml`.
# `make bench-mktop` runs only these; BENCH_RUNS/BENCH_WARMUP as for `make bench`.
.PHONY: bench-mktop test-bench-mktop-smoke
bench: bench-mktop
bench-mktop: all $(BENCH_RUNNER)
	sh bench/mktop.sh -r $(BENCH_RUNS) -w $(BENCH_WARMUP) $(BUILD)

# One run so that the rows cannot silently rot: a table comes out and every
# system exits 0 (never how fast anything is).
test-bench-mktop-smoke: all $(BENCH_RUNNER)
	sh bench/mktop.sh -s $(BUILD) > $(BUILD)/bench-mktop-smoke.txt
	@for s in ocaml ocamljit mytop mytop-no-embed; do \
	  grep -Eq "^  $$s +[0-9.]+ +[0-9.]+ +[0-9.]+x +[0-9.]+x +0$$" $(BUILD)/bench-mktop-smoke.txt || \
	    { echo "bench/mktop.sh: no clean row for $$s" >&2; cat $(BUILD)/bench-mktop-smoke.txt >&2; exit 1; }; \
	done
TEST_TARGETS += test-bench-mktop-smoke
