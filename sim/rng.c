/* rng.c - xoshiro256** seeded by splitmix64 (see rng.h). */
#include "rng.h"

#include <math.h>

uint64_t sim_splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

void sim_rng_seed(sim_rng *r, uint64_t seed, uint64_t stream, uint64_t index)
{
    uint64_t x = seed;
    uint64_t a = sim_splitmix64(&x) ^ (stream * 0xD1B54A32D192ED03ULL);
    uint64_t y = a ^ sim_splitmix64(&x);
    y ^= index * 0x8CB92BA72F3D8DD7ULL;
    for (int i = 0; i < 4; i++)
        r->s[i] = sim_splitmix64(&y);
    if ((r->s[0] | r->s[1] | r->s[2] | r->s[3]) == 0)
        r->s[0] = 1;
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t sim_rng_next(sim_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double sim_rng_unit(sim_rng *r)
{
    return (double)(sim_rng_next(r) >> 11) * 0x1.0p-53;
}

int64_t sim_rng_below(sim_rng *r, int64_t n)
{
    if (n <= 0)
        return 0;
    /* Lemire's rejection keeps it unbiased. */
    uint64_t un = (uint64_t)n, x, lim = -un % un;
    do
        x = sim_rng_next(r);
    while (x < lim);
    return (int64_t)(x % un);
}

double sim_rng_exp(sim_rng *r, double mean)
{
    double u = sim_rng_unit(r);
    return -mean * log1p(-u);
}
