# ocamljit — top-level build. `make` builds everything, `make run` runs the tour,
# `make test` runs every test suite, `make install PREFIX=DIR` installs the programs.
# Each room adds its own rules in mk/*.mk; this file only wires them together.

BUILD   ?= _build
PREFIX  ?= /usr/local
JOBS    ?= $(shell nproc 2>/dev/null || echo 2)
OCAML_SRC_TAR := /usr/src/ocaml-source-4.13.1.tar

# Debian packages the build and the tests need (installed by mk/ensure-deps.sh).
DEB_PACKAGES := ocaml-nox ocaml-compiler-libs ocaml-findlib ocaml-source \
                cmake g++ make libgtest-dev binutils strace

.PHONY: all deps engine run test install clean
all: deps engine

# Rooms append to these.
ALL_TARGETS  :=
TEST_TARGETS :=
INSTALL_PROGRAMS :=

# Checked on every run (a dpkg query, ~50 ms); rooms may append to DEB_PACKAGES.
deps:
	@mkdir -p $(BUILD)
	@sh mk/ensure-deps.sh $(DEB_PACKAGES)

include mk/engine.mk mk/ocaml.mk mk/toplevel.mk
include $(filter-out mk/engine.mk mk/ocaml.mk mk/toplevel.mk,$(sort $(wildcard mk/*.mk)))

all: $(ALL_TARGETS)

run: all
	$(BUILD)/bin/ocamljit -noprompt -noinit < examples/tour.ml

test: all $(TEST_TARGETS)
	@echo "make test: all suites passed"

install: all
	@test -n "$(PREFIX)" || { echo "PREFIX is empty" >&2; exit 2; }
	mkdir -p $(PREFIX)/bin
	for p in $(INSTALL_PROGRAMS); do install -m 755 $(BUILD)/bin/$$p $(PREFIX)/bin/$$p; done
	for a in $(INSTALL_ALIASES); do ln -sf $${a#*=} $(PREFIX)/bin/$${a%%=*}; done

clean:
	rm -rf $(BUILD)
