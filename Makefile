# weerbaar - top-level entry points. See README.md.
#   make          release build: build/weerbaar
#   make test     install dependencies, build with ASan+UBSan and -Werror, run every test
#   make run      install dependencies, build, run the demo
#   make bench    benchmarks (bench/), results printed as ratios against baselines
#   make fuzz     build the libFuzzer targets and run each briefly
#   make format   clang-format every C file;  make lint  style check
SHELL := /bin/bash
JOBS ?= $(shell nproc)
SHARED ?= $(abspath ../shared)
FUZZ_SECONDS ?= 20

.PHONY: all build deps test run bench fuzz format lint clean

all: build

deps:
	@scripts/install-deps

build:
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DWB_TESTS=OFF >/dev/null
	@cmake --build build -j $(JOBS)

build-asan: deps
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DWB_SANITIZE=ON -DWB_TESTS=ON >/dev/null
	@cmake --build build-asan -j $(JOBS)

test: deps lint build-asan build
	@cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS)
	@if [ -x $(SHARED)/acceptance/run ]; then \
	  echo "== acceptance checks ($(SHARED)/acceptance/run)"; \
	  bash $(SHARED)/acceptance/run build-asan/weerbaar; fi

run: deps build
	@scripts/demo

bench: deps build
	@bench/run

fuzz: deps
	@CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DWB_FUZZ=ON -DWB_TESTS=OFF >/dev/null
	@cmake --build build-fuzz -j $(JOBS)
	@scripts/run-fuzz build-fuzz $(FUZZ_SECONDS)

format:
	@clang-format -i $$(git ls-files '*.c' '*.h')

lint:
	@scripts/checksrc

clean:
	rm -rf build build-asan build-fuzz
