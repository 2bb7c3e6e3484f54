# The C++ engine: a CMake project (release build + ASan/UBSan build of the unit tests).

CMAKE_DIR      := $(BUILD)/cmake
CMAKE_ASAN_DIR := $(BUILD)/cmake-asan
ENGINE_LIB     := $(CMAKE_DIR)/libocamljit_engine.a
STUBS_LIB      := $(CMAKE_DIR)/libocamljit_stubs.a

.PHONY: engine engine-asan test-unit test-unit-asan
engine: deps
	@cmake -S . -B $(CMAKE_DIR) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(CMAKE_DIR) -j $(JOBS)

engine-asan: deps
	@cmake -S . -B $(CMAKE_ASAN_DIR) -DCMAKE_BUILD_TYPE=Debug -DOCAMLJIT_SANITIZE=ON >/dev/null
	@cmake --build $(CMAKE_ASAN_DIR) -j $(JOBS)

test-unit: engine
	cd $(CMAKE_DIR) && ctest --output-on-failure -j $(JOBS)

test-unit-asan: engine-asan
	cd $(CMAKE_ASAN_DIR) && ctest --output-on-failure -j $(JOBS)

TEST_TARGETS += test-unit test-unit-asan
