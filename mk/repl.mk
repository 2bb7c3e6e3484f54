# The REPL's front door on a terminal (src/repl): line editing, history and
# completion with lambda-term (REPL_MODULES, in mk/toplevel.mk). ocamljit does
# not link them: they and their libraries are packed into it (REPL_BUNDLE) and
# linked in memory on a terminal (src/repl/repl_loader.ml); so are those of
# ocamljit-mktop's toplevels (the bundle is installed in lib/ocamljit, mk/mktop.mk).
DEB_PACKAGES += liblambda-term-ocaml-dev tmux

REPL_PACKAGES := lambda-term
# lwt.unix needs the system threads library (predicates mt, mt_posix).
# Shell substitutions, resolved when a recipe runs (after `deps`).
REPL_INCLUDES := $$(ocamlfind query -r -i-format -predicates native,mt,mt_posix $(REPL_PACKAGES))
REPL_ARCHIVES := $$(ocamlfind query -r -a-format -predicates native,mt,mt_posix $(REPL_PACKAGES))

$(addprefix $(OCAML_OUT)/,$(addsuffix .cmx,$(REPL_MODULES))): OCAML_FLAGS += $(REPL_INCLUDES)

REPL_BUNDLE_DIR := $(BUILD)/repl
REPL_CMXA := $(REPL_BUNDLE_DIR)/ocamljit_repl.cmxa
REPL_BUNDLE := $(REPL_BUNDLE_DIR)/repl_bundle.o
$(REPL_CMXA): $(addprefix $(OCAML_OUT)/,$(addsuffix .cmx,$(REPL_MODULES)))
	@mkdir -p $(@D)
	$(OCAMLOPT) -a -o $@ $^
$(REPL_BUNDLE): $(REPL_CMXA) mk/repl_bundle.sh mk/repl.mk
	sh mk/repl_bundle.sh $@ $$(ocamlfind ocamlopt -where) $(REPL_ARCHIVES) $(REPL_CMXA)
$(BUILD)/bin/ocamljit: $(REPL_BUNDLE)
$(BUILD)/bin/ocamljit: OCAML_ENGINE_FLAGS += $(REPL_BUNDLE)
$(MKTOP_LIBDIR)/ocamljit.cmxa: $(REPL_BUNDLE)

REPL_TEST_DIR := $(BUILD)/tests/repl
$(REPL_TEST_DIR)/phrase_boundary_test: tests/repl/phrase_boundary_test.mli tests/repl/phrase_boundary_test.ml \
    $(OCAML_OUT)/phrase_boundary.cmx
	@mkdir -p $(REPL_TEST_DIR)
	cp tests/repl/phrase_boundary_test.mli tests/repl/phrase_boundary_test.ml $(REPL_TEST_DIR)/
	$(OCAMLOPT) -I $(OCAML_OUT) $(OCAML_OWN_WARNINGS) -c $(REPL_TEST_DIR)/phrase_boundary_test.mli
	$(OCAMLOPT) -I $(OCAML_OUT) -I $(REPL_TEST_DIR) $(OCAML_OWN_WARNINGS) -o $@ $(OCAML_OUT)/phrase_boundary.cmx \
	  $(REPL_TEST_DIR)/phrase_boundary_test.ml

.PHONY: test-repl
test-repl: $(BUILD)/bin/ocamljit $(REPL_TEST_DIR)/phrase_boundary_test
	$(REPL_TEST_DIR)/phrase_boundary_test
	sh tests/repl/run.sh $(BUILD)/bin/ocamljit
TEST_TARGETS += test-repl
