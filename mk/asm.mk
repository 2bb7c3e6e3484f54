# The assembler room: its differential test on compiler output (test-only
# tool asm-diff, built by CMake with the engine).
ASM_DIFF := $(CMAKE_DIR)/tests/asm/asm-diff

.PHONY: test-asm-corpus
test-asm-corpus: engine $(UPSTREAM_STAMP)
	sh tests/asm/corpus.sh $(abspath $(UPSTREAM)) $(abspath $(BUILD))/asm-corpus $(abspath $(ASM_DIFF))

TEST_TARGETS += test-asm-corpus
