/*
 * rng.h - the simulator's own PRNG: xoshiro256** seeded through splitmix64.
 *
 * Never rand(): every stream is a pure function of (seed, stream, index), so
 * each virtual device draws the same sequence in every run with the same
 * seed, whatever the wall-clock interleaving of the devices.
 */
#ifndef WMS_SIM_RNG_H
#define WMS_SIM_RNG_H

#include <stdint.h>

typedef struct sim_rng {
    uint64_t s[4];
} sim_rng;

/* Streams (the "section" of a seed). */
enum {
    SIM_RNG_WORLD = 1,     /* generated data: arrivals, deliveries */
    SIM_RNG_FAULTS = 2,    /* per device: the fault schedule */
    SIM_RNG_BEHAVIOUR = 3, /* per device: timings, choices */
    SIM_RNG_CHAOS = 4,     /* server restarts */
};

/* Seeds r from (seed, stream, index) with splitmix64. */
void sim_rng_seed(sim_rng *r, uint64_t seed, uint64_t stream, uint64_t index);
/* Next 64 random bits. */
uint64_t sim_rng_next(sim_rng *r);
/* Uniform in [0, 1). */
double sim_rng_unit(sim_rng *r);
/* Uniform integer in [0, n) (n >= 1; 0 when n <= 0). */
int64_t sim_rng_below(sim_rng *r, int64_t n);
/* Exponentially distributed with the given mean (> 0). */
double sim_rng_exp(sim_rng *r, double mean);
/* splitmix64 step: advances *x and returns the next value (also a mixer). */
uint64_t sim_splitmix64(uint64_t *x);

#endif
