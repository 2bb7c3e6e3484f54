# ocamljit-doc: verified toplevel snippets in documentation.
# The toplevel's modules (mk/toplevel.mk is read before the rooms' files).
DOC_TOPLEVEL_MODULES := $(filter-out topmain,$(TOPLEVEL_MODULES))
DOC_MODULES := $(DOC_TOPLEVEL_MODULES) doc_autorun doc_eval ocamljit_doc_main
$(eval $(call ocaml_program,ocamljit-doc,$(DOC_MODULES)))
INSTALL_PROGRAMS += ocamljit-doc
# Installed under mdx's name too (NAME=PROGRAM: a symbolic link), so that
# dune's (mdx) stanza and `ocaml-mdx test` rules run it unchanged.
INSTALL_ALIASES += ocaml-mdx=ocamljit-doc

# Documents checked against the bytecode toplevel, check/--output/--promote,
# a library loaded with --load, bad input, mdx's conventions and command line,
# dune's (mdx) stanza running the installed `ocaml-mdx` (tests/doc/run.sh).
DEB_PACKAGES += patch ocaml-dune liblwt-ocaml-dev
.PHONY: test-doc
test-doc: $(BUILD)/bin/ocamljit-doc
	rm -rf $(BUILD)/doc-prefix
	$(MAKE) --no-print-directory install PREFIX=$(abspath $(BUILD))/doc-prefix > /dev/null
	sh tests/doc/run.sh $(BUILD)/bin/ocamljit-doc $(BUILD)/doc-prefix/bin/ocaml-mdx
TEST_TARGETS += test-doc

# No process spawned besides the tool itself (acceptance of issue 6): the
# default loader is the in-process JIT. Shell blocks run through `sh -c`, as
# mdx runs them (stale.md has one, whose command is a shell builtin): those
# are the only other programs allowed.
.PHONY: test-doc-noexec
test-doc-noexec: $(BUILD)/bin/ocamljit-doc
	strace -f -e trace=execve -o $(BUILD)/doc-strace.log \
	  $(BUILD)/bin/ocamljit-doc --output /dev/null tests/doc/docs/stale.md
	@grep 'execve(' $(BUILD)/doc-strace.log | grep ' = 0$$' | grep -v '\["sh", "-c", ' > $(BUILD)/doc-execs.log || true
	@n=$$(wc -l < $(BUILD)/doc-execs.log); test "$$n" = 1 || \
	  { echo "ocamljit-doc ran $$((n - 1)) other program(s):" >&2; cat $(BUILD)/doc-execs.log >&2; exit 1; }
	@grep -q '\["sh", "-c", ' $(BUILD)/doc-strace.log || { echo "the shell block did not run" >&2; exit 1; }
TEST_TARGETS += test-doc-noexec

# The project's toplevel corpus as documents, against ocaml (tests/doc/corpus.sh).
.PHONY: test-doc-corpus
test-doc-corpus: $(BUILD)/bin/ocamljit-doc
	sh tests/doc/corpus.sh $(BUILD)/bin/ocamljit-doc
TEST_TARGETS += test-doc-corpus
