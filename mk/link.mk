# The library linker (src/link): its tests are in tests/unit (library_test,
# linker_test), run by test-unit / test-unit-asan; they link Debian's zarith
# (C stubs + the system libgmp) and compile C/C++ with gcc/g++ at test time.
DEB_PACKAGES += libzarith-ocaml-dev libgmp10 gcc g++ binutils

# Fuzzing of the archive/ELF readers, the link-group merge and the in-memory
# link (not part of `make test`): `make fuzz-elf FUZZ_SECONDS=N`. Seeds:
# tests/fuzz/elf (small real objects and archives); new crashers land in
# tests/fuzz/elf/crashers, replayed by tests/unit/elf_fuzz_regress_test.cpp.
FUZZ_ELF := $(BUILD)/fuzz/elf_fuzz
FUZZ_ELF_SOURCES := tests/fuzz/elf_fuzz.cpp src/object/object.cpp src/object/elf/reader.cpp \
  src/object/elf/archive.cpp src/link/group.cpp src/link/linker.cpp src/link/tls.cpp src/memory/memory.cpp

.PHONY: fuzz-elf
$(FUZZ_ELF): $(FUZZ_ELF_SOURCES) $(wildcard src/link/*.hpp src/object/*.hpp src/object/elf/*.hpp src/memory/*.hpp)
	@mkdir -p $(dir $@)
	clang++-14 -std=c++20 -g -O1 -Wall -Wextra -Werror -Isrc -Itests \
	  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -o $@ $(FUZZ_ELF_SOURCES)

fuzz-elf: $(FUZZ_ELF)
	@mkdir -p $(BUILD)/fuzz/elf-corpus tests/fuzz/elf/crashers
	$(FUZZ_ELF) -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -rss_limit_mb=2048 \
	  -artifact_prefix=tests/fuzz/elf/crashers/ $(BUILD)/fuzz/elf-corpus tests/fuzz/elf
