# `make bench`: ocamljit side by side with the bytecode toplevel `ocaml` and a stock
# 4.13.1 `ocamlnat` built here from ocaml-source (a baseline: never installed, never shipped).
# `make test-bench-smoke` runs the runner once on tiny inputs so it cannot silently rot;
# it asserts that a table comes out, never on timings.

# time: /usr/bin/time for cross-checking peak RSS by hand; gnuplot-nox: the latency chart.
DEB_PACKAGES += time gnuplot-nox

BENCH_OUT     := $(BUILD)/bench
BENCH_RUNNER  := $(BENCH_OUT)/bench-runner
BENCH_COMPUTE := $(BENCH_OUT)/compute.exe
BENCH_RUNS    ?= 7
BENCH_WARMUP  ?= 1

# --- stock ocamlnat -------------------------------------------------------------------
# The compiler's own native toplevel, compiled in its own directory so that its Topeval
# never meets ours in $(OCAML_OUT).
OCAMLNAT_OUT := $(BUILD)/ocamlnat
OCAMLNAT     := $(OCAMLNAT_OUT)/ocamlnat
# Interfaces are compiled from the source root, as Debian compiled compiler-libs (same
# CRCs, see mk/ocaml.mk), so that this ocamlnat loads findlib_top.cmxs (the require row).
# Compilation order (each module only uses the ones before it); the second word of each
# pair is where its implementation sits under toplevel/.
OCAMLNAT_UNITS := genprintval:genprintval topcommon:topcommon topeval:native/topeval \
  trace:native/trace toploop:toploop topdirs:topdirs topmain:native/topmain
OCAMLNAT_FLAGS := -g -w -a -I $(OCAMLNAT_OUT) $(OCAML_LIBDIRS)

$(OCAMLNAT): $(UPSTREAM_STAMP)
	@rm -rf $(OCAMLNAT_OUT) && mkdir -p $(OCAMLNAT_OUT)
	@set -e; for u in $(OCAMLNAT_UNITS); do \
	  m=$${u%%:*}; impl=$${u#*:}; \
	  cp $(UPSTREAM)/toplevel/$$m.mli $(OCAMLNAT_OUT)/$$m.mli; \
	  cp $(UPSTREAM)/toplevel/$$impl.ml $(OCAMLNAT_OUT)/$$m.ml; \
	  (cd $(UPSTREAM) && $(OCAMLOPT) $(OCAMLNAT_FLAGS:$(OCAMLNAT_OUT)=$(abspath $(OCAMLNAT_OUT))) \
	    -o $(abspath $(OCAMLNAT_OUT))/$$m.cmi -c toplevel/$$m.mli); \
	  $(OCAMLOPT) $(OCAMLNAT_FLAGS) -c $(OCAMLNAT_OUT)/$$m.ml; \
	done
	cp $(UPSTREAM)/toplevel/topstart.ml $(OCAMLNAT_OUT)/topstart.ml
	$(OCAMLOPT) $(OCAMLNAT_FLAGS) -c $(OCAMLNAT_OUT)/topstart.ml
	$(OCAMLOPT) $(OCAMLNAT_FLAGS) -linkall -o $@ $(OCAML_LINK_LIBS) \
	  $(foreach u,$(OCAMLNAT_UNITS),$(OCAMLNAT_OUT)/$(firstword $(subst :, ,$(u))).cmx) \
	  $(OCAMLNAT_OUT)/topstart.cmx

.PHONY: ocamlnat
ocamlnat: $(OCAMLNAT)

# --- the runner and the ocamlopt-compiled compute program ---------------------------------
BENCH_CXXFLAGS := -std=c++20 -O2 -Wall -Wextra -Werror

$(BENCH_RUNNER): bench/runner.cpp | deps
	@mkdir -p $(BENCH_OUT)
	g++ $(BENCH_CXXFLAGS) -o $@ $<

# Compiled as a user would (default flags), the reference for the toplevels' execution speed.
$(BENCH_COMPUTE): bench/compute.ml | deps
	@mkdir -p $(BENCH_OUT)/compute-build
	cp bench/compute.ml $(BENCH_OUT)/compute-build/compute.ml
	$(OCAMLOPT) -o $@ $(BENCH_OUT)/compute-build/compute.ml

BENCH_PREREQS := all $(OCAMLNAT) $(BENCH_RUNNER) $(BENCH_COMPUTE)

.PHONY: bench test-bench-smoke
# BENCH_RUNS/BENCH_WARMUP/BENCH_COMPUTE_RUNS override the defaults (7, 1, 5);
# BENCH_CORPUS=1 adds the expect-test corpus (one run per loader, several minutes).
BENCH_COMPUTE_RUNS ?= 5
BENCH_CORPUS ?= 0
# BENCH_ROWS=startup,phrases,syscalls (say) runs only those rows (bench.sh -R); the long
# session has BENCH_LONG_PHRASES phrases (default 100000, several minutes per system).
BENCH_ROWS ?= all
BENCH_LONG_PHRASES ?= 100000
bench: $(BENCH_PREREQS)
	sh bench/bench.sh -r $(BENCH_RUNS) -w $(BENCH_WARMUP) -c $(BENCH_COMPUTE_RUNS) \
	  -R $(BENCH_ROWS) -l $(BENCH_LONG_PHRASES) \
	  $(if $(filter 1,$(BENCH_CORPUS)),-e) $(BUILD)

# One run on tiny inputs: checks that the runner, the report and the chart still work
# (a row per system with output identical to `ocaml`), never how fast anything is.
test-bench-smoke: all $(BENCH_RUNNER)
	sh bench/bench.sh -s -r 1 -w 0 $(BUILD) > $(BENCH_OUT)/smoke.txt
	sh bench/check_smoke.sh $(BENCH_OUT)/smoke.txt
TEST_TARGETS += test-bench-smoke
