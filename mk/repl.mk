# The REPL's front door on a terminal (src/repl): line editing, history and
# completion with lambda-term, linked into ocamljit (REPL_MODULES, in mk/toplevel.mk).
DEB_PACKAGES += liblambda-term-ocaml-dev tmux

REPL_PACKAGES := lambda-term
# lwt.unix needs the system threads library (predicates mt, mt_posix).
# Shell substitutions, resolved when a recipe runs (after `deps`).
REPL_INCLUDES := $$(ocamlfind query -r -i-format -predicates native,mt,mt_posix $(REPL_PACKAGES))
REPL_ARCHIVES := $$(ocamlfind query -r -a-format -predicates native,mt,mt_posix $(REPL_PACKAGES))

$(addprefix $(OCAML_OUT)/,$(addsuffix .cmx,$(REPL_MODULES))): OCAML_FLAGS += $(REPL_INCLUDES)
OCAML_LINK_EXTRA_ocamljit := $(REPL_INCLUDES) $(REPL_ARCHIVES)

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
