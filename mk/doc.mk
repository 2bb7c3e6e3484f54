# ocamljit-doc: verified toplevel snippets in documentation.
# The toplevel's modules (mk/toplevel.mk is read before the rooms' files).
DOC_TOPLEVEL_MODULES := $(filter-out topmain,$(TOPLEVEL_MODULES))
DOC_MODULES := $(DOC_TOPLEVEL_MODULES) doc_eval ocamljit_doc_main
$(eval $(call ocaml_program,ocamljit-doc,$(DOC_MODULES)))
INSTALL_PROGRAMS += ocamljit-doc

# Documents checked against the bytecode toplevel, check/--output/--promote,
# a library loaded with --load, bad input (tests/doc/run.sh).
DEB_PACKAGES += patch ocaml-dune
.PHONY: test-doc
test-doc: $(BUILD)/bin/ocamljit-doc
	sh tests/doc/run.sh $(BUILD)/bin/ocamljit-doc
TEST_TARGETS += test-doc

# No process spawned besides the tool itself (acceptance of issue 6). Needs the
# in-process JIT loader: the external loader runs `as` and `gcc` per phrase.
# To be added to TEST_TARGETS once the JIT is the default loader.
.PHONY: test-doc-noexec
test-doc-noexec: $(BUILD)/bin/ocamljit-doc
	strace -f -e trace=execve -o $(BUILD)/doc-strace.log \
	  $(BUILD)/bin/ocamljit-doc --output /dev/null tests/doc/docs/stale.md
	@n=$$(grep -c 'execve(' $(BUILD)/doc-strace.log); test "$$n" = 1 || \
	  { echo "ocamljit-doc ran $$((n - 1)) other program(s):" >&2; grep 'execve(' $(BUILD)/doc-strace.log >&2; exit 1; }
