/* hdr.c - HDR-style log-bucketed histograms (see hdr.h). */
#include "hdr.h"

#include <math.h>
#include <stdlib.h>

int sim_hdr_index(uint64_t v, int bits)
{
    if (v > SIM_HDR_MAX_VALUE)
        v = SIM_HDR_MAX_VALUE;
    if (v < (UINT64_C(1) << (bits + 1)))
        return (int)v;
    int e = 63 - __builtin_clzll(v); /* >= bits + 1 */
    return ((e - bits) << bits) + (int)(v >> (e - bits));
}

uint64_t sim_hdr_lower(int idx, int bits)
{
    if (idx < (2 << bits))
        return (uint64_t)idx;
    int e = (idx >> bits) - 1 + bits;
    uint64_t mant = (uint64_t)(idx & ((1 << bits) - 1)) + (UINT64_C(1) << bits);
    return mant << (e - bits);
}

uint64_t sim_hdr_width(int idx, int bits)
{
    if (idx < (2 << bits))
        return 1;
    int e = (idx >> bits) - 1 + bits;
    return UINT64_C(1) << (e - bits);
}

size_t sim_hdr_bytes(void)
{
    return sizeof(uint64_t) * (size_t)SIM_HDR_NBUCKETS(SIM_HDR_FINE_BITS);
}

int sim_hdr_init(sim_hdr *h)
{
    h->b = calloc(1, sim_hdr_bytes());
    h->count = h->max = 0;
    h->min = UINT64_MAX;
    h->sum = 0;
    return h->b ? 0 : -1;
}

void sim_hdr_free(sim_hdr *h)
{
    free(h->b);
    h->b = NULL;
}

void sim_hdr_add(sim_hdr *h, uint64_t v)
{
    h->b[sim_hdr_index(v, SIM_HDR_FINE_BITS)]++;
    h->count++;
    h->sum += (double)v;
    if (v < h->min)
        h->min = v;
    if (v > h->max)
        h->max = v;
}

/* rank (1-based) of quantile q among n values */
static uint64_t hdr__rank(uint64_t n, double q)
{
    if (!(q > 0))
        return 1;
    if (q >= 1)
        return n;
    double r = ceil(q * (double)n);
    if (r < 1)
        r = 1;
    return r >= (double)n ? n : (uint64_t)r;
}

static uint64_t hdr__mid(int idx, int bits)
{
    return sim_hdr_lower(idx, bits) + (sim_hdr_width(idx, bits) - 1) / 2;
}

uint64_t sim_hdr_quantile(const sim_hdr *h, double q)
{
    if (!h->b || h->count == 0)
        return 0;
    if (q >= 1)
        return h->max;
    uint64_t rank = hdr__rank(h->count, q), seen = 0;
    int n = SIM_HDR_NBUCKETS(SIM_HDR_FINE_BITS);
    for (int i = 0; i < n; i++) {
        seen += h->b[i];
        if (seen >= rank) {
            uint64_t v = hdr__mid(i, SIM_HDR_FINE_BITS);
            if (v < h->min)
                v = h->min;
            if (v > h->max)
                v = h->max;
            return v;
        }
    }
    return h->max;
}

uint64_t sim_hdr_quantile32(const uint32_t *b, int n, int bits, double q)
{
    uint64_t total = 0, seen = 0;
    for (int i = 0; i < n; i++)
        total += b[i];
    if (total == 0)
        return 0;
    uint64_t rank = hdr__rank(total, q);
    for (int i = 0; i < n; i++) {
        seen += b[i];
        if (seen >= rank)
            return hdr__mid(i, bits);
    }
    return 0;
}
