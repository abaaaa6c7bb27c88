/*
 * hdr.h - HDR-style log-bucketed histograms of non-negative integers
 * (latencies in nanoseconds) for the simulator's reports.
 *
 * Bucketing with S sub-bucket bits: values below 2^(S+1) have a bucket each;
 * above, every power of two [2^e, 2^(e+1)) is split into 2^S buckets of
 * width 2^(e-S), so a bucket is never wider than 1/2^S of its lower bound
 * (S = 7: 0.79 %).  Values above 2^(SIM_HDR_MAX_EXP+1) - 1 are clamped into
 * the last bucket (the exact maximum is kept separately).  Pure functions,
 * no I/O; sim_hdr owns its bucket array.
 */
#ifndef WMS_SIM_HDR_H
#define WMS_SIM_HDR_H

#include <stddef.h>
#include <stdint.h>

#define SIM_HDR_MAX_EXP 42 /* 2^43 ns: about 2.4 hours */
#define SIM_HDR_FINE_BITS 7
#define SIM_HDR_COARSE_BITS 3
/* buckets for S sub-bucket bits */
#define SIM_HDR_NBUCKETS(S) ((SIM_HDR_MAX_EXP - (S) + 2) << (S))
#define SIM_HDR_MAX_VALUE ((UINT64_C(1) << (SIM_HDR_MAX_EXP + 1)) - 1)

typedef struct sim_hdr {
    uint64_t *b; /* SIM_HDR_NBUCKETS(SIM_HDR_FINE_BITS) counts */
    uint64_t count, min, max;
    double sum; /* of the (unclamped) values */
} sim_hdr;

/* Bucket of value v (clamped to SIM_HDR_MAX_VALUE) with `bits` sub-bucket bits. */
int sim_hdr_index(uint64_t v, int bits);
/* Lowest value and width of bucket `idx`. */
uint64_t sim_hdr_lower(int idx, int bits);
uint64_t sim_hdr_width(int idx, int bits);

/* Allocates the buckets (fine resolution): 0 or -1 on no memory. */
int sim_hdr_init(sim_hdr *h);
void sim_hdr_free(sim_hdr *h);
size_t sim_hdr_bytes(void); /* bytes sim_hdr_init allocates */
void sim_hdr_add(sim_hdr *h, uint64_t v);

/* Value of nearest rank ceil(q * count) (q clamped to [0, 1], rank >= 1):
 * the middle of its bucket, kept within [min, max]; q = 1 gives the exact
 * maximum.  0 for an empty histogram. */
uint64_t sim_hdr_quantile(const sim_hdr *h, double q);

/* The same over a coarse bucket array (n counts with `bits` sub-bucket bits,
 * e.g. a time-series bucket); 0 when all counts are 0. */
uint64_t sim_hdr_quantile32(const uint32_t *b, int n, int bits, double q);

#endif
