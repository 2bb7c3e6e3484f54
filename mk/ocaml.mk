# OCaml glue: every .ml/.mli of the OCaml rooms, plus the compiler's shared
# toplevel modules extracted from the ocaml-source tarball, compiled into one
# flat directory $(OCAML_OUT). Programs are declared by the rooms' fragments.

OCAML_OUT     := $(BUILD)/ocaml
UPSTREAM_ROOT := $(BUILD)/ocaml-src
UPSTREAM      := $(UPSTREAM_ROOT)/ocaml-4.13.1
UPSTREAM_STAMP := $(UPSTREAM_ROOT)/.extracted

# The compiler's own modules we compile (never committed; see DESIGN.md).
UPSTREAM_TOPLEVEL := genprintval.mli genprintval.ml topcommon.mli topcommon.ml \
  topeval.mli toploop.mli toploop.ml topdirs.mli topdirs.ml topmain.mli
UPSTREAM_FILES := $(addprefix $(UPSTREAM)/toplevel/,$(UPSTREAM_TOPLEVEL))

# Rooms with OCaml code (each room's sources sit directly in its directory).
# Module names must be unique across rooms: they share one output directory.
OCAML_ROOMS := src/ir src/toplevel src/doc src/opt src/cli tests/conformance src/repl src/embed tests/embed
OCAML_OWN   := $(wildcard $(addsuffix /*.mli,$(OCAML_ROOMS)) $(addsuffix /*.ml,$(OCAML_ROOMS)))

OCAMLOPT   := ocamlopt.opt
OCAML_LIBDIRS := -I +compiler-libs -I +dynlink
OCAML_FLAGS := -g -I $(OCAML_OUT) $(OCAML_LIBDIRS)
OCAML_OWN_WARNINGS := -w +a-4-9-40-41-42-44-45-70 -warn-error +a
OCAML_LINK_LIBS := ocamlcommon.cmxa ocamloptcomp.cmxa ocamlbytecomp.cmxa
# The stdlib's interfaces as an object (built by mk/mktop.mk), linked into ocamljit and the
# embedding libraries; defined here because rules of several mk files name it as a prerequisite.
STDLIB_INTERFACES := $(BUILD)/cmi_bundle/stdlib_interfaces.o
# The C++ engine, linked into every OCaml program. libstdc++ and libgcc are linked statically:
# loading and relocating libstdc++.so cost ~0.7 ms of every start-up (AMD EPYC, perf stat).
OCAML_STATIC_CXX := -cclib -l:libstdc++.a -ccopt -static-libgcc
OCAML_ENGINE_FLAGS := -cclib -L$(CMAKE_DIR) -cclib -locamljit_stubs -cclib -locamljit_engine \
  $(OCAML_STATIC_CXX) -cclib -lm

$(UPSTREAM_STAMP): | deps
	@rm -rf $(UPSTREAM_ROOT) && mkdir -p $(UPSTREAM_ROOT)
	tar -xf $(OCAML_SRC_TAR) -C $(UPSTREAM_ROOT) ocaml-4.13.1/ocaml_4.13.1.orig.tar.gz
	tar -xzf $(UPSTREAM_ROOT)/ocaml-4.13.1/ocaml_4.13.1.orig.tar.gz -C $(UPSTREAM_ROOT)
	rm -f $(UPSTREAM_ROOT)/ocaml-4.13.1/ocaml_4.13.1.orig.tar.gz
	@touch $@
$(UPSTREAM_FILES): $(UPSTREAM_STAMP)

vpath %.ml  $(OCAML_ROOMS) $(UPSTREAM)/toplevel
vpath %.mli $(OCAML_ROOMS) $(UPSTREAM)/toplevel

# Upstream sources are compiled as upstream does, without our warning set.
ocaml_warnings = $(if $(filter $(UPSTREAM)/%,$<),-w -a,$(OCAML_OWN_WARNINGS))

$(OCAML_OUT)/%.cmi: %.mli | $(OCAML_OUT)
	$(OCAMLOPT) $(OCAML_FLAGS) $(ocaml_warnings) -c -o $@ $<
$(OCAML_OUT)/%.cmx: %.ml | $(OCAML_OUT)
	$(OCAMLOPT) $(OCAML_FLAGS) $(ocaml_warnings) -c -o $@ $<
$(OCAML_OUT):
	@mkdir -p $@

# The toplevel's interfaces are compiled exactly as Debian compiled them: from
# the source root, named toplevel/X.mli. That path is recorded in the
# interface's locations, hence in its CRC, which must equal the CRC of
# /usr/lib/ocaml/compiler-libs/X.cmi so that libraries compiled against
# compiler-libs (findlib_top, ppx drivers) link (tests/libs/crc.sh checks it).
UPSTREAM_CMIS := $(addprefix $(OCAML_OUT)/,$(patsubst %.mli,%.cmi,$(filter %.mli,$(UPSTREAM_TOPLEVEL))))
# They also depend on this file: a build dir made by an older recipe (other
# flags or paths, hence another CRC) is rebuilt, not kept.
$(UPSTREAM_CMIS): $(OCAML_OUT)/%.cmi: $(UPSTREAM)/toplevel/%.mli mk/ocaml.mk | $(OCAML_OUT)
	cd $(UPSTREAM) && $(OCAMLOPT) -I $(abspath $(OCAML_OUT)) $(OCAML_LIBDIRS) -w -a -c \
	  -o $(abspath $@) toplevel/$*.mli

$(OCAML_OUT)/.depend: $(OCAML_OWN) $(UPSTREAM_STAMP) mk/ocamldep.sh | $(OCAML_OUT)
	@sh mk/ocamldep.sh $(OCAML_OUT) $(OCAML_OWN) $(UPSTREAM_FILES) > $@.tmp && mv $@.tmp $@
ifneq ($(filter-out clean deps,$(MAKECMDGOALS)),)
include $(OCAML_OUT)/.depend
else ifeq ($(MAKECMDGOALS),)
include $(OCAML_OUT)/.depend
endif

# $(call ocaml_program,NAME,MODULES): $(BUILD)/bin/NAME linked from MODULES, in order
# (after the libraries in OCAML_LINK_EXTRA_NAME, if a room sets it).
define ocaml_program
$(BUILD)/bin/$(1): $(addprefix $(OCAML_OUT)/,$(addsuffix .cmx,$(2))) engine
	@mkdir -p $(BUILD)/bin
	$(OCAMLOPT) $(OCAML_FLAGS) -linkall -o $$@ $(OCAML_LINK_LIBS) $$(OCAML_LINK_EXTRA_$(1)) \
	  $(addprefix $(OCAML_OUT)/,$(addsuffix .cmx,$(2))) $$(OCAML_ENGINE_FLAGS)
ALL_TARGETS += $(BUILD)/bin/$(1)
endef
