# OCaml as an extension language (issue 12): libocamljit (C API ocamljit.h,
# C++ wrapper ocamljit.hpp) with the toplevel's OCaml code linked in, the
# OCaml API Ocamljit_eval (findlib package ocamljit.eval), their tests and the
# example host. Everything drives the same toplevel session (src/toplevel/session.ml).

# pkg-config: the acceptance test builds hosts with `pkg-config --cflags --libs ocamljit`.
DEB_PACKAGES += pkgconf

EMBED_OUT     := $(BUILD)/embed
EMBED_LIB     := $(EMBED_OUT)/libocamljit.a
EMBED_INCLUDE := src/embed/include
EMBED_OCAML_MODULES := $(TOPLEVEL_MODULES) toplevel_names session ocamljit_eval
EMBED_CMX     := $(addprefix $(OCAML_OUT)/,$(addsuffix .cmx,$(EMBED_OCAML_MODULES)))
EMBED_CXXFLAGS := -std=c++20 -O2 -Wall -Wextra -Werror -I $(EMBED_INCLUDE) -I $(shell ocamlfind ocamlc -where)
# What a host links besides the library (also written into ocamljit.pc):
# -Wl,-E exports the host's symbols (the OCaml runtime and stdlib) to the JIT linker.
EMBED_HOST_LIBS := -Wl,-E -lstdc++ -lm -ldl -lpthread

# The toplevel's OCaml code, the OCaml runtime (its PIC variant, for the
# shared library) and the stdlib in one object.
$(EMBED_OUT)/ocamljit_ocaml.o: $(EMBED_CMX) $(OCAML_OUT)/embed_callbacks.cmx mk/embed.mk
	@mkdir -p $(EMBED_OUT)
	$(OCAMLOPT) $(OCAML_FLAGS) -linkall -runtime-variant _pic -output-complete-obj -o $@ \
	  $(OCAML_LINK_LIBS) $(EMBED_CMX) $(OCAML_OUT)/embed_callbacks.cmx

# One relocatable object: OCaml side + C API + the C++ engine members it uses;
# archived as the static library, linked as the shared one.
# The stdlib's interfaces (mk/mktop.mk) come along: hosts need no /usr/lib/ocaml.
$(EMBED_OUT)/ocamljit_all.o: $(EMBED_OUT)/ocamljit_ocaml.o $(STDLIB_INTERFACES) engine
	ld -r -o $@.tmp $(EMBED_OUT)/ocamljit_ocaml.o $(STDLIB_INTERFACES) \
	  --whole-archive $(CMAKE_DIR)/libocamljit_embed.a --no-whole-archive \
	  --start-group $(STUBS_LIB) $(ENGINE_LIB) --end-group
	cmp -s $@.tmp $@ && rm $@.tmp || mv $@.tmp $@
$(EMBED_LIB): $(EMBED_OUT)/ocamljit_all.o
	rm -f $@ && ar rcs $@ $<
# JIT code is placed near the executable; it reaches the runtime in this
# library, wherever it is mapped, through the linker's GOT slots and PLT stubs.
EMBED_SO := $(EMBED_OUT)/libocamljit.so
$(EMBED_SO): $(EMBED_OUT)/ocamljit_all.o
	g++ -shared -o $@ $< -lm -ldl -lpthread
ALL_TARGETS += $(EMBED_SO)

# The OCaml API as a library for ocamlfind (the engine's C++ comes as two .a). The stdlib's
# interfaces come as a third: the bundle is found through a weak reference, which does not pull
# an archive member, hence -u; OCaml hosts then run without /usr/lib/ocaml too.
EMBED_INTERFACES_LIB := $(EMBED_OUT)/libocamljit_interfaces.a
$(EMBED_INTERFACES_LIB): $(STDLIB_INTERFACES)
	@mkdir -p $(EMBED_OUT)
	rm -f $@ && ar rcs $@ $<
$(EMBED_OUT)/ocamljit_eval.cmxa: $(EMBED_CMX) $(EMBED_INTERFACES_LIB) mk/embed.mk
	@mkdir -p $(EMBED_OUT)
	$(OCAMLOPT) -a -linkall -o $@ $(EMBED_CMX) \
	  -ccopt -Wl,-u,ocamljit_cmi_bundle -cclib -locamljit_interfaces \
	  -cclib -locamljit_stubs -cclib -locamljit_engine -cclib -lstdc++ -cclib -lm

ALL_TARGETS += $(EMBED_LIB) $(EMBED_OUT)/ocamljit_eval.cmxa

# --- install ---------------------------------------------------------------------------
.PHONY: install-embed
install: install-embed
install-embed: $(EMBED_LIB) $(EMBED_SO) $(EMBED_OUT)/ocamljit_eval.cmxa
	@test -n "$(PREFIX)" || { echo "PREFIX is empty" >&2; exit 2; }
	mkdir -p $(PREFIX)/lib/pkgconfig $(PREFIX)/include/ocamljit $(PREFIX)/lib/ocaml/ocamljit
	install -m 644 $(EMBED_LIB) $(PREFIX)/lib/libocamljit.a
	install -m 755 $(EMBED_SO) $(PREFIX)/lib/libocamljit.so
	install -m 644 $(EMBED_INCLUDE)/ocamljit/ocamljit.h $(EMBED_INCLUDE)/ocamljit/ocamljit.hpp \
	  $(PREFIX)/include/ocamljit/
	sed -e 's|@PREFIX@|$(abspath $(PREFIX))|g' -e 's|@OCAML_WHERE@|$(shell ocamlfind ocamlc -where)|g' \
	  -e 's|@LIBS@|$(EMBED_HOST_LIBS)|g' src/embed/ocamljit.pc.in > $(PREFIX)/lib/pkgconfig/ocamljit.pc
	install -m 644 src/embed/META $(EMBED_OUT)/ocamljit_eval.cmxa $(EMBED_OUT)/ocamljit_eval.a \
	  $(EMBED_CMX) $(OCAML_OUT)/session.cmi $(OCAML_OUT)/ocamljit_eval.cmi src/embed/ocamljit_eval.mli \
	  $(STUBS_LIB) $(ENGINE_LIB) $(EMBED_INTERFACES_LIB) $(PREFIX)/lib/ocaml/ocamljit/

# --- tests -----------------------------------------------------------------------------
EMBED_GTEST := $(EMBED_OUT)/embed_test
$(EMBED_GTEST): tests/embed/embed_test.cpp $(EMBED_LIB)
	g++ $(EMBED_CXXFLAGS) -o $@ $< $(EMBED_LIB) -lgtest_main -lgtest $(EMBED_HOST_LIBS)

# The same tests against the shared library.
EMBED_GTEST_SO := $(EMBED_OUT)/embed_test_so
$(EMBED_GTEST_SO): tests/embed/embed_test.cpp $(EMBED_SO)
	g++ $(EMBED_CXXFLAGS) -o $@ $< -L$(EMBED_OUT) -Wl,-rpath,$(abspath $(EMBED_OUT)) -locamljit \
	  -lgtest_main -lgtest -lpthread

# A C host whose stdout/stderr are files: sessions' outputs against bytecode `ocaml`.
EMBED_OUTPUT_HOST := $(EMBED_OUT)/output_host
$(EMBED_OUTPUT_HOST): tests/embed/output_host.c $(EMBED_LIB)
	gcc -std=c11 -O2 -Wall -Wextra -Werror -I $(EMBED_INCLUDE) -o $@ $< $(EMBED_LIB) $(EMBED_HOST_LIBS)

$(eval $(call ocaml_program,ocamljit-eval-test,$(EMBED_OCAML_MODULES) eval_test))
$(eval $(call ocaml_program,ocamljit-seam-test,$(EMBED_OCAML_MODULES) seam_test))
OCAML_STDLIB := $(shell ocamlfind ocamlc -where)

EMBED_PREFIX := $(abspath $(EMBED_OUT)/prefix)
EMBED_EXAMPLE := $(EMBED_OUT)/rules_host

.PHONY: test-embed
test-embed: $(EMBED_GTEST) $(EMBED_GTEST_SO) $(BUILD)/bin/ocamljit-eval-test $(BUILD)/bin/ocamljit-seam-test \
  $(EMBED_OUTPUT_HOST)
	cd tests/embed && $(abspath $(EMBED_GTEST))
	cd tests/embed && $(abspath $(EMBED_GTEST_SO)) --gtest_brief=1
	cd tests/embed && $(abspath $(BUILD)/bin/ocamljit-eval-test)
	sh tests/embed/output.sh $(abspath $(EMBED_OUTPUT_HOST)) $(abspath $(EMBED_OUT)/output)
	sh tests/embed/nested.sh $(BUILD)/bin/ocamljit
	OCAMLLIB=/nonexistent $(BUILD)/bin/ocamljit-seam-test $(OCAML_STDLIB)
	rm -rf $(EMBED_PREFIX) && $(MAKE) --no-print-directory install-embed PREFIX=$(EMBED_PREFIX) >/dev/null
	sh tests/embed/installed.sh $(EMBED_PREFIX) $(abspath $(EMBED_OUT))
TEST_TARGETS += test-embed

# --- bench rows ------------------------------------------------------------------------
# `make bench-embed` (also run by `make bench`): the embedding API's round trips.
EMBED_BENCH := $(EMBED_OUT)/embed_bench
EMBED_BENCH_RUNS ?= 200
# EMBED_BENCH_CYCLES=100000 adds the RSS growth of that many new/eval/free cycles (minutes).
EMBED_BENCH_CYCLES ?= 0
$(EMBED_BENCH): bench/embed_bench.cpp $(EMBED_LIB)
	g++ $(EMBED_CXXFLAGS) -o $@ $< $(EMBED_LIB) $(EMBED_HOST_LIBS)
.PHONY: bench-embed
bench-embed: $(EMBED_BENCH)
	@grep -m1 'model name' /proc/cpuinfo | sed 's/^.*: /embed: CPU /'
	$(EMBED_BENCH) $(EMBED_BENCH_RUNS) $(EMBED_BENCH_CYCLES)
bench: bench-embed
