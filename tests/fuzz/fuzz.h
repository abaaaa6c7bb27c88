/* fuzz.h - the libFuzzer entry point every tests/fuzz/fuzz_*.c defines.
 *
 * Declared here so the targets compile with -Wmissing-prototypes, both with
 * clang -fsanitize=fuzzer (scripts/fuzz.sh) and with gcc into the replay
 * programs of the test suite (replay_main.c, see CMakeLists.txt). */
#ifndef WMS_TESTS_FUZZ_H
#define WMS_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Runs one input; returns 0 (libFuzzer's convention).  A broken invariant
 * abort()s: that is the finding. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
