#!/usr/bin/env bash
# fuzz.sh - build the libFuzzer targets of tests/fuzz with clang and run them.
#
#   scripts/fuzz.sh [--quick] [--seconds N] [--no-merge] [target...]
#
# Targets: gs1 csv frame mpguard dispatch (default: all, in that order).
#   --quick       about 8 s per target, nothing written back (make test)
#   --seconds N   seconds per target (default 300; 8 with --quick)
#   --no-merge    a long run does not add new inputs to the repo corpus
#
# The engine, driver and protocol libraries are built incrementally with
# clang (-fsanitize=fuzzer-no-link,address,undefined) into build-fuzz (or
# $FUZZ_BUILD); each tests/fuzz/fuzz_<target>.c is linked against them with
# -fsanitize=fuzzer.  Each run works on build-fuzz/work/<target>/: libFuzzer
# writes what it finds into corpus/ there (kept between runs) and reads a
# fresh copy of tests/fuzz/corpus/<target> and tests/fuzz/regressions/<target>
# from seed/, so the repository is never changed by a run.  A long run then
# merges (libFuzzer -merge=1) the inputs that reach new edges into
# tests/fuzz/corpus/<target>, smallest first, while the corpus stays under
# FUZZ_CORPUS_MAX_FILES files (200) and FUZZ_CORPUS_MAX_BYTES bytes (1 MB).
#
# Exit status: 0 when no target found anything; 1 on a finding (crash,
# leak, timeout, out of memory): the script stops there and prints the
# reproducer's path, to be copied to tests/fuzz/regressions/<target>/ once
# the bug is fixed; 2 on a usage or build error.
set -euo pipefail

# The whole script is one compound command, read before it runs, so editing
# this file while a long run is going does not break that run.
{
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${FUZZ_BUILD:-$ROOT/build-fuzz}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
ALL_TARGETS=(gs1 csv frame mpguard dispatch)
MAX_FILES=${FUZZ_CORPUS_MAX_FILES:-200}
MAX_BYTES=${FUZZ_CORPUS_MAX_BYTES:-1048576}
SAN_FLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"

usage() {
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

quick=0
seconds=""
merge=1
targets=()
while [ $# -gt 0 ]; do
    case "$1" in
    --quick) quick=1 ;;
    --seconds)
        [ $# -ge 2 ] || usage
        seconds=$2
        shift
        ;;
    --seconds=*) seconds=${1#--seconds=} ;;
    --no-merge) merge=0 ;;
    -h | --help) usage ;;
    -*) usage ;;
    *) targets+=("$1") ;;
    esac
    shift
done
case "$seconds" in
"") seconds=$([ $quick = 1 ] && echo 8 || echo 300) ;;
*[!0-9]* | 0) echo "fuzz: --seconds wants a positive whole number" >&2 && exit 2 ;;
esac
[ ${#targets[@]} -gt 0 ] || targets=("${ALL_TARGETS[@]}")
for t in "${targets[@]}"; do
    [ -f "$ROOT/tests/fuzz/fuzz_$t.c" ] || {
        echo "fuzz: unknown target '$t' (${ALL_TARGETS[*]})" >&2
        exit 2
    }
done

# Longest input per target: a bit past each parser's own limit where it has
# one, so the "too large" paths are reached too.
max_len() {
    case "$1" in
    gs1) echo 600 ;;     # WMS_GS1_MAX_INPUT 512
    csv) echo 10000 ;;   # WMS_CSV_FIELD_MAX 4096
    frame) echo 2048 ;;  # decoder buffers up to 515 bytes
    *) echo 4096 ;;      # mpguard, dispatch: requests are small
    esac
}

# ---- toolchain: clang with the libFuzzer runtime (scripts/deps.sh) ----
probe_dir=$(mktemp -d)
trap 'rm -rf "$probe_dir"' EXIT
can_fuzz() {
    command -v clang >/dev/null 2>&1 || return 1
    printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
        'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
        'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return d && n > 9; }' \
        >"$probe_dir/probe.c"
    clang -fsanitize=fuzzer,address,undefined "$probe_dir/probe.c" -o "$probe_dir/probe" \
        >/dev/null 2>&1
}
if ! can_fuzz; then
    echo "fuzz: clang or its libFuzzer runtime is missing: running scripts/deps.sh"
    sh "$ROOT/scripts/deps.sh" || true
    if ! can_fuzz; then
        echo "fuzz: cannot build libFuzzer programs: install clang and libclang-rt-14-dev" >&2
        exit 2
    fi
fi

mkdir -p "$BUILD"
# One fuzz build at a time per build directory (two `make test` in one tree).
if command -v flock >/dev/null 2>&1; then
    exec 9>"$BUILD/.fuzz.lock"
    flock 9
fi

# ---- the libraries, built by CMake with clang ----
# Warnings are the gcc builds' business: -Wno-error goes last on the compile
# line (after the project's -Werror), so a warning only clang gives cannot
# stop the fuzzing.
LIB_CFLAGS="-g -O1 -fsanitize=fuzzer-no-link $SAN_FLAGS"
COMPILE_RULE="<CMAKE_C_COMPILER> <DEFINES> <INCLUDES> <FLAGS> -Wno-error -o <OBJECT> -c <SOURCE>"
config_id="v1|$LIB_CFLAGS|$COMPILE_RULE"
old_id=$(cat "$BUILD/.fuzz-config" 2>/dev/null || true)
if [ ! -f "$BUILD/CMakeCache.txt" ] || [ "$old_id" != "$config_id" ]; then
    echo "fuzz: configuring $BUILD (clang, libFuzzer + ASan + UBSan)"
    rm -f "$BUILD/CMakeCache.txt"
    CC=clang cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Debug \
        -DCMAKE_C_FLAGS="$LIB_CFLAGS" -DCMAKE_C_COMPILE_OBJECT="$COMPILE_RULE" >/dev/null ||
        {
            echo "fuzz: cmake failed" >&2
            exit 2
        }
    printf '%s' "$config_id" >"$BUILD/.fuzz-config"
fi
if ! cmake --build "$BUILD" -j"$JOBS" --target wms_engine wms_drivers wms_proto \
    >"$BUILD/build.log" 2>&1; then
    cat "$BUILD/build.log" >&2
    echo "fuzz: building the libraries with clang failed" >&2
    exit 2
fi
LIBS=("$BUILD/libwms_proto.a" "$BUILD/libwms_drivers.a" "$BUILD/libwms_engine.a")
SYSLIBS=(-lsqlite3 -lsodium -lzint -lcsv -lmsgpackc -luv -lserialport -lm)
INCS=(-I"$ROOT/engine/include" -I"$ROOT/engine/src" -I"$ROOT/handheld-proto" -I"$ROOT/drivers"
    -I"$ROOT/tests/fuzz")
# shellcheck disable=SC2207
INCS+=($(pkg-config --cflags msgpack 2>/dev/null || true))

# Links fuzz_<t> when it is missing or older than its sources or libraries.
build_target() {
    local t=$1 bin="$BUILD/fuzz_$1" src="$ROOT/tests/fuzz/fuzz_$1.c"
    if [ -x "$bin" ] && [ -z "$(find "$src" "$ROOT"/tests/fuzz/*.h "${LIBS[@]}" \
        "$ROOT/engine/include" "$ROOT/engine/src" "$ROOT/handheld-proto" "$ROOT/drivers" \
        -name '*.[ch]' -newer "$bin" -o -name '*.a' -newer "$bin" 2>/dev/null | head -1)" ]; then
        return 0
    fi
    # shellcheck disable=SC2086
    if ! clang -std=gnu11 -g -O1 -Wall -Wextra -Wno-unused-parameter $SAN_FLAGS \
        -fsanitize=fuzzer "${INCS[@]}" "$src" "${LIBS[@]}" "${SYSLIBS[@]}" -o "$bin.tmp" \
        >"$BUILD/fuzz_$t.link.log" 2>&1; then
        cat "$BUILD/fuzz_$t.link.log" >&2
        echo "fuzz: building fuzz_$t failed" >&2
        exit 2
    fi
    mv "$bin.tmp" "$bin"
}

# Copies the regular files of $1 into $2 with the name prefix $3.
copy_inputs() {
    [ -d "$1" ] || return 0
    find "$1" -maxdepth 1 -type f ! -name '.*' ! -name 'README*' -print0 |
        while IFS= read -r -d '' f; do cp "$f" "$2/$3$(basename "$f")"; done
}

# Runs one target; returns 1 on a finding.
run_target() {
    local t=$1 work="$BUILD/work/$1"
    local bin="$BUILD/fuzz_$t" repo="$ROOT/tests/fuzz/corpus/$t"
    local reg="$ROOT/tests/fuzz/regressions/$t"
    mkdir -p "$work/corpus" "$work/artifacts"
    rm -rf "$work/seed"
    mkdir -p "$work/seed"
    copy_inputs "$repo" "$work/seed" ""
    copy_inputs "$reg" "$work/seed" "regression-"
    local opts=(-max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10
        -max_len="$(max_len "$t")" -artifact_prefix="$work/artifacts/" -print_final_stats=1)
    [ -f "$ROOT/tests/fuzz/$t.dict" ] && opts+=(-dict="$ROOT/tests/fuzz/$t.dict")
    rm -f "$work/artifacts/"* 2>/dev/null || true
    printf 'fuzz: %-9s %4d s ... ' "$t" "$seconds"
    local rc=0
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
        "$bin" "${opts[@]}" "$work/corpus" "$work/seed" >"$work/log" 2>&1 || rc=$?
    if [ $rc -ne 0 ]; then
        echo "FINDING (exit $rc)"
        echo "---- last lines of $work/log ----" >&2
        tail -n 60 "$work/log" >&2
        local art
        art=$(ls -t "$work/artifacts/" 2>/dev/null | head -1 || true)
        echo "----" >&2
        if [ -n "$art" ]; then
            echo "fuzz: reproducer: $work/artifacts/$art" >&2
            echo "fuzz: replay it:  $bin $work/artifacts/$art" >&2
            echo "fuzz: once fixed, copy it to tests/fuzz/regressions/$t/" \
                "(replayed by make test)" >&2
        else
            echo "fuzz: fuzz_$t failed without leaving a reproducer: see $work/log" >&2
        fi
        return 1
    fi
    local execs cov
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$work/log" | tail -1 || true)
    local n
    n=$(find "$work/corpus" -type f | wc -l)
    echo "ok (${execs:-?} runs, ${cov:-cov: ?}, $n in work corpus)"
}

# Adds the work corpus' new coverage to the repo corpus, within the caps.
merge_target() {
    local t=$1 work="$BUILD/work/$1" repo="$ROOT/tests/fuzz/corpus/$1"
    local bin="$BUILD/fuzz_$t" tmp="$work/merge"
    mkdir -p "$repo"
    rm -rf "$tmp"
    mkdir -p "$tmp"
    copy_inputs "$repo" "$tmp" ""
    # -use_counters=0: keep inputs for new edges, not for new hit counts of
    # known edges (that would take several times as many files).
    if ! "$bin" -merge=1 -use_counters=0 -max_len="$(max_len "$t")" -rss_limit_mb=2048 \
        -timeout=10 -artifact_prefix="$work/artifacts/" "$tmp" "$work/corpus" \
        >"$work/merge.log" 2>&1; then
        echo "fuzz: $t: merge failed (see $work/merge.log); corpus left as it was" >&2
        return 0
    fi
    local files bytes added=0
    files=$(find "$repo" -maxdepth 1 -type f | wc -l)
    bytes=$(find "$repo" -maxdepth 1 -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}')
    # New files, smallest first.
    while read -r size name; do
        [ -e "$repo/$name" ] && continue
        if [ "$files" -ge "$MAX_FILES" ] || [ $((bytes + size)) -gt "$MAX_BYTES" ]; then
            break
        fi
        cp "$tmp/$name" "$repo/$name"
        files=$((files + 1))
        bytes=$((bytes + size))
        added=$((added + 1))
    done < <(find "$tmp" -maxdepth 1 -type f -printf '%s %f\n' | sort -n)
    echo "fuzz: $t: $added new inputs merged into tests/fuzz/corpus/$t ($files files, $bytes bytes)"
}

for t in "${targets[@]}"; do
    build_target "$t"
done
for t in "${targets[@]}"; do
    run_target "$t" || exit 1
    if [ $quick = 0 ] && [ $merge = 1 ]; then
        merge_target "$t"
    fi
done
echo "fuzz: no findings (${targets[*]}; $seconds s each)"
exit 0
}
