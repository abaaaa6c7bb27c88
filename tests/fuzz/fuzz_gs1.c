/* fuzz_gs1.c - libFuzzer entry point for the GS1 parser.
 *
 *   scripts/fuzz.sh gs1      (clang + libFuzzer, see there; make fuzz)
 * CMake builds it with tests/fuzz/replay_main.c into fuzz_replay_gs1, which
 * replays tests/fuzz/corpus/gs1 and tests/fuzz/regressions/gs1 in ctest.
 * Standalone:
 *   clang -fsanitize=fuzzer,address -I engine/include -I engine/src tests/fuzz/fuzz_gs1.c \
 *         engine/src/domain/gs1.c engine/src/core/error.c -o /tmp/fuzz_gs1
 *   /tmp/fuzz_gs1 -max_total_time=60 tests/fuzz/corpus/gs1
 *
 * Parses each input with and without a substitute separator and renders
 * successful parses as JSON; checks a few invariants on the way. */
#include "domain/gs1.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts (a finding) when a parse result breaks the contract. */
static void check_result(int rc, const wms_gs1 *g, const wms_error *e)
{
    char json[8192];
    if (rc != 0) {
        if (rc != WMS_EBAD_BARCODE && rc != WMS_EBAD_CHECK_DIGIT && rc != WMS_ETOO_LARGE)
            abort();
        if (e->code != rc || e->msg[0] == '\0' || g->n_ais != 0)
            abort();
        return;
    }
    if (g->n_ais < 0 || g->n_ais > WMS_GS1_MAX_AIS || g->symbology[0] == '\0')
        abort();
    for (int i = 0; i < g->n_ais; i++) {
        if (strnlen(g->ais[i].value, sizeof(g->ais[i].value)) == sizeof(g->ais[i].value))
            abort();
    }
    int n = wms_gs1_to_json(g, json, sizeof(json));
    if (n < 0 || (size_t)n != strlen(json) || json[0] != '{' || json[n - 1] != '}')
        abort();
    /* A too-small buffer must fail cleanly, never overflow. */
    char small[16];
    int m = wms_gs1_to_json(g, small, sizeof(small));
    if (m >= 0 && (size_t)m >= sizeof(small))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact-size copy so ASan sees any read past `size`. */
    char *buf = malloc(size ? size : 1);
    if (buf == NULL)
        return 0;
    if (size > 0)
        memcpy(buf, data, size);

    wms_gs1 g;
    wms_error e;
    wms_gs1_opts plain = {0, 2025};
    wms_gs1_opts wedge = {'|', 2090};

    int rc = wms_gs1_parse(buf, size, &plain, &g, &e);
    check_result(rc, &g, &e);
    rc = wms_gs1_parse(buf, size, &wedge, &g, &e);
    check_result(rc, &g, &e);

    free(buf);
    return 0;
}
