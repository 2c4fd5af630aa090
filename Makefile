# The two commands a user needs: `make demo` and `make test`. Everything goes through CMake presets.
PRESET ?= dev
BUILD_DIR := build
JOBS ?= $(shell nproc)

.PHONY: all build deps configure demo test clean format check-format asan tsan

all: build

deps:
	@bash scripts/install-deps.sh

configure: deps
	@cmake --preset $(PRESET) >/dev/null

build: configure
	@cmake --build --preset $(PRESET) -j $(JOBS)

# The seed demo: its race is the point, so exit 3 (lost updates) is success here.
demo: build
	@./$(BUILD_DIR)/shmlab run; rc=$$?; if [ $$rc -ne 0 ] && [ $$rc -ne 3 ]; then exit $$rc; fi

test: build
	@ctest --preset $(PRESET) -j $(JOBS)

asan:
	@$(MAKE) --no-print-directory test PRESET=asan BUILD_DIR=build-asan

tsan:
	@$(MAKE) --no-print-directory test PRESET=tsan BUILD_DIR=build-tsan

format:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

check-format:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format --dry-run --Werror

clean:
	@rm -rf build build-asan build-tsan build-release
