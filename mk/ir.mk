# Fuzzing of the IR decoder (not part of `make test`): `make fuzz-ir` builds
# the libFuzzer target and runs it for FUZZ_SECONDS on tests/fuzz/ir (seed
# corpus; new crashers land in tests/fuzz/ir/crashers, replayed by
# tests/unit/ir_decode_test.cpp).
FUZZ_SECONDS ?= 120
FUZZ_IR := $(BUILD)/fuzz/ir_decode_fuzz
FUZZ_IR_SOURCES := tests/fuzz/ir_decode_fuzz.cpp src/ir/decode.cpp src/ir/gas_printer.cpp

.PHONY: fuzz-ir
$(FUZZ_IR): $(FUZZ_IR_SOURCES) src/ir/ir.hpp src/ir/decode.hpp src/ir/gas_printer.hpp
	@mkdir -p $(dir $@)
	clang++-14 -std=c++20 -g -O1 -Wall -Wextra -Werror -Isrc \
	  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -o $@ $(FUZZ_IR_SOURCES)

fuzz-ir: $(FUZZ_IR)
	@mkdir -p $(BUILD)/fuzz/corpus tests/fuzz/ir/crashers
	$(FUZZ_IR) -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -rss_limit_mb=2048 \
	  -artifact_prefix=tests/fuzz/ir/crashers/ $(BUILD)/fuzz/corpus tests/fuzz/ir

# ocamljit-ir: print, check and benchmark IR dumps (a developer tool, not installed).
IR_TOOL := $(BUILD)/bin/ocamljit-ir
$(IR_TOOL): tests/tools/ir_tool.cpp engine
	@mkdir -p $(dir $@)
	$(CXX) -std=c++20 -O2 -Wall -Wextra -Werror -Isrc -o $@ $< $(ENGINE_LIB)
ALL_TARGETS += $(IR_TOOL)
