# Top-level wrapper.  The two commands a newcomer needs:
#   make demo   build, create a demo warehouse, and show it working
#   make test   build and run the whole suite, plain and under ASan+UBSan
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
BUILD ?= build
ASAN_BUILD ?= build-asan

.PHONY: all deps build build-asan test test-plain test-asan demo bench fuzz fuzz-quick format format-check clean

all: build

deps:
	@sh scripts/deps.sh

$(BUILD)/Makefile: CMakeLists.txt
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

build-asan: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DWMS_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j$(JOBS)

test-plain: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

test-asan: build-asan
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j$(JOBS)

test: test-plain test-asan
	@$(MAKE) --no-print-directory fuzz-quick
	@echo "make test: all suites passed (plain, ASan+UBSan, and a short fuzz run)"

# Fuzzing (clang + libFuzzer, build-fuzz/; see scripts/fuzz.sh).  fuzz-quick:
# about 8 s per target, part of `make test`.  fuzz: FUZZ_SECONDS per target
# (default 300), then new coverage is merged into tests/fuzz/corpus/.
# FUZZ_TARGETS limits the targets (gs1 csv frame mpguard dispatch).
fuzz-quick: deps
	@bash scripts/fuzz.sh --quick $(FUZZ_TARGETS)

fuzz: deps
	@bash scripts/fuzz.sh $(if $(FUZZ_SECONDS),--seconds $(FUZZ_SECONDS)) $(FUZZ_TARGETS)

demo: build
	@sh scripts/demo.sh $(BUILD)

bench: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j$(JOBS) --target bench_wmsd bench_sqlite bench_route bench_plan bench_echo bench_restart bench_carton wmsd wmsctl
	@sh bench/run.sh $(BUILD)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

format-check:
	clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
