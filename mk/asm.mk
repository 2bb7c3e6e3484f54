# The assembler room: its differential test on compiler output (test-only
# tool asm-diff, built by CMake with the engine).
ASM_DIFF := $(CMAKE_DIR)/tests/asm/asm-diff

.PHONY: test-asm-corpus
test-asm-corpus: engine $(UPSTREAM_STAMP)
	sh tests/asm/corpus.sh $(abspath $(UPSTREAM)) $(abspath $(BUILD))/asm-corpus $(abspath $(ASM_DIFF))

TEST_TARGETS += test-asm-corpus

# Fuzzing of the assembler and ELF writer (not part of `make test`):
# `make fuzz-asm` runs the libFuzzer target for FUZZ_ASM_SECONDS; crashers
# land in tests/fuzz/asm-crashers (replayed by tests/unit/asm_fuzz_regress_test.cpp).
FUZZ_ASM_SECONDS ?= 120
FUZZ_ASM := $(BUILD)/fuzz/asm_fuzz
FUZZ_ASM_SOURCES := tests/fuzz/asm_fuzz.cpp src/asm/assembler.cpp src/asm/encoder.cpp src/asm/eh_frame.cpp \
  src/object/elf/writer.cpp src/object/object.cpp

.PHONY: fuzz-asm
$(FUZZ_ASM): $(FUZZ_ASM_SOURCES) $(wildcard src/asm/*.hpp) src/ir/ir.hpp src/object/object.hpp
	@mkdir -p $(dir $@)
	clang++-14 -std=c++20 -g -O1 -Wall -Wextra -Werror -Isrc \
	  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -o $@ $(filter %.cpp,$^)

fuzz-asm: $(FUZZ_ASM)
	@mkdir -p $(BUILD)/fuzz/asm-corpus tests/fuzz/asm-crashers
	$(FUZZ_ASM) -max_total_time=$(FUZZ_ASM_SECONDS) -max_len=4096 -rss_limit_mb=2048 \
	  -artifact_prefix=tests/fuzz/asm-crashers/ $(BUILD)/fuzz/asm-corpus
