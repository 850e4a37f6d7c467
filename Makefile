# weerbaar - top-level entry points. See README.md.
#   make          release build: build/weerbaar
#   make test     install dependencies, build with ASan+UBSan and -Werror, run every test
#   make run      install dependencies, build, run the demo
#   make bench    benchmarks (bench/), results printed as ratios against baselines
#   make fuzz     build the libFuzzer targets and run each briefly
#   make fuzz-long [SECONDS=600] [RUNS=1000000] [FUZZ_JOBS=1] [TARGETS="fuzz_x ..."]
#                 the standing campaign: merges new inputs into fuzz/corpus/,
#                 saves findings as regress-* seeds, writes fuzz/STATUS.md
#   make fuzz-coverage  clang source coverage of the parsers over the corpus
#   make format   clang-format every C file;  make lint  style check
#   make install [PREFIX=/usr/local] [DESTDIR=]  release build, then cmake --install
SHELL := /bin/bash
JOBS ?= $(shell nproc)
SHARED ?= $(abspath ../shared)
FUZZ_SECONDS ?= 20
SECONDS ?= 600
RUNS ?= 1000000
FUZZ_JOBS ?= 1
TARGETS ?=
PREFIX ?= /usr/local

.PHONY: all build deps web-deps test run bench install fuzz fuzz-build fuzz-long fuzz-coverage format lint clean

all: build

deps:
	@scripts/install-deps

build:
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DWB_TESTS=OFF >/dev/null
	@cmake --build build -j $(JOBS)

# The prefix is configured too (not only given to --install), so that the
# program's fallback data directory (WB_DATADIR) names where it really is.
install:
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DWB_TESTS=OFF -DCMAKE_INSTALL_PREFIX=$(PREFIX) >/dev/null
	@cmake --build build -j $(JOBS)
	@DESTDIR=$(DESTDIR) cmake --install build --prefix $(PREFIX)

build-asan: deps
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DWB_SANITIZE=ON -DWB_TESTS=ON >/dev/null
	@cmake --build build-asan -j $(JOBS)

test: deps web-deps lint build-asan build
	@cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS)
	@if [ -x $(SHARED)/acceptance/run ]; then \
	  echo "== acceptance checks ($(SHARED)/acceptance/run)"; \
	  bash $(SHARED)/acceptance/run build-asan/weerbaar; fi

# The browser tests' npm packages (tests/web/package-lock.json: playwright-core,
# axe-core), installed again only when the lock file changed.
web-deps: deps
	@scripts/web-deps

run: deps build
	@scripts/demo

bench: deps build
	@bench/run

fuzz-build: deps
	@CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DWB_FUZZ=ON -DWB_TESTS=OFF >/dev/null
	@cmake --build build-fuzz -j $(JOBS)

fuzz: fuzz-build
	@scripts/run-fuzz build-fuzz $(FUZZ_SECONDS)

fuzz-long: fuzz-build
	@scripts/fuzz-long build-fuzz $(SECONDS) $(RUNS) $(FUZZ_JOBS) $(TARGETS)

fuzz-coverage: deps
	@scripts/fuzz-coverage build-cov

format:
	@clang-format -i $$(git ls-files '*.c' '*.h')

lint:
	@scripts/checksrc

clean:
	rm -rf build build-asan build-fuzz build-cov
