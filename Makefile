# The two commands a user needs: `make demo` and `make test`. Everything goes through CMake presets.
# `make` builds the binary only (preset demo: no tests, no benchmarks, only the packages that
# needs); `make test` configures the whole tree (preset dev) in the same build directory.
PRESET ?= dev
BUILD_DIR := build
JOBS ?= $(shell nproc)
PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: all bin build deps deps-demo configure demo test install deb clean format check-format \
        asan tsan

all: bin
	@echo "shmlab is built: ./$(BUILD_DIR)/shmlab"
	@echo "Try next:"
	@echo "  ./$(BUILD_DIR)/shmlab run                     the seed demo: 3 workers x 5 increments, lost updates"
	@echo "  ./$(BUILD_DIR)/shmlab run --strategy mutex    the same work under a fix"
	@echo "  ./$(BUILD_DIR)/shmlab --help                  every command, with examples"
	@echo "  make test | make install PREFIX=~/.local | make deb"

deps-demo:
	@bash scripts/install-deps.sh demo

deps:
	@bash scripts/install-deps.sh test

# The binary alone. A build directory that `make test` configured keeps its configuration.
bin: deps-demo
	@[ -f $(BUILD_DIR)/CMakeCache.txt ] || cmake --preset demo >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target shmlab

configure: deps
	@cmake --preset $(PRESET) >/dev/null

build: configure
	@cmake --build --preset $(PRESET) -j $(JOBS)

# The seed demo: its race is the point, so exit 3 (lost updates) is success here.
demo: bin
	@./$(BUILD_DIR)/shmlab run; rc=$$?; if [ $$rc -ne 0 ] && [ $$rc -ne 3 ]; then exit $$rc; fi

test: build
	@ctest --preset $(PRESET) -j $(JOBS)

# The binary (stripped), a man page per command, bash and zsh completion, the docs.
install: bin
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target shmlab_dist
	@DESTDIR="$(DESTDIR)" cmake --install $(BUILD_DIR) --prefix "$(PREFIX)" --strip >/dev/null
	@echo "Installed $(DESTDIR)$(PREFIX)/bin/shmlab (man shmlab, completion: README \"Install\")"

# A Debian package of the same files, prefix /usr, Depends from dpkg-shlibdeps.
# The package carries the Boost peer: install its headers first, and configure again so that a build
# directory `make demo` set up without them finds them.
deb:
	@bash scripts/install-deps.sh deb
	@[ ! -f $(BUILD_DIR)/CMakeCache.txt ] || cmake -S . -B $(BUILD_DIR) >/dev/null
	@$(MAKE) --no-print-directory bin
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target shmlab_dist
	@cd $(BUILD_DIR) && cpack -G DEB -B packages >/dev/null
	@ls $(BUILD_DIR)/packages/*.deb

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
