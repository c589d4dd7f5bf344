/* synth_noise.h: counter-based hashing, value noise and a sequential generator for
 * the synthetic scenes.
 *
 * Every random quantity of a scene is a pure function of the seed and of integers (a
 * pixel, a lattice node, a block number), so any pixel can be computed alone, in any
 * order, on any thread. The mixing function is the splitmix64 finaliser. The helpers
 * are inline because the renderer calls them a few dozen times per pixel. Only the
 * placement of objects (single-threaded, done once) uses the sequential generator.
 */
#ifndef SYNTH_NOISE_H
#define SYNTH_NOISE_H

#include <math.h>
#include <stdint.h>

#define TB_SYNTH_PI 3.14159265358979323846

#define TB_SYNTH_K1 0x9E3779B97F4A7C15ULL
#define TB_SYNTH_K2 0xC2B2AE3D27D4EB4FULL
#define TB_SYNTH_K3 0x165667B19E3779F9ULL

/* The splitmix64 finaliser: a bijection of 64-bit words with good avalanche. */
static inline uint64_t tb_synth_mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* The hash of a key and three integers; different keys give independent streams. */
static inline uint64_t tb_synth_hash(uint64_t key, uint64_t a, uint64_t b, uint64_t c)
{
    uint64_t h = tb_synth_mix(key ^ (a * TB_SYNTH_K1));
    return tb_synth_mix(h ^ (b * TB_SYNTH_K2) ^ (c * TB_SYNTH_K3));
}

/* A key for one purpose ("layer") of one scene. */
static inline uint64_t tb_synth_key(uint64_t seed, uint64_t layer)
{
    return tb_synth_mix(seed * TB_SYNTH_K3 + tb_synth_mix(layer + TB_SYNTH_K1));
}

/* The top 53 bits of a hash as a double in [0,1). */
static inline double tb_synth_u01(uint64_t h) { return (double)(h >> 11) * 0x1.0p-53; }

/* A uniform number in [lo, hi) from the `i`-th 16-bit slice (0..3) of a hash. */
static inline float tb_synth_slice(uint64_t h, int i, float lo, float hi)
{
    return lo + (hi - lo) * (float)((h >> (16 * i)) & 0xFFFF) * (1.0f / 65536.0f);
}

/* A Gaussian-like number (mean 0, variance 1, within +-3.46) from one hash: the
 * centred sum of its four 16-bit slices (Irwin-Hall with n = 4). */
static inline float tb_synth_gauss(uint64_t h)
{
    uint32_t s = (uint32_t)(h & 0xFFFF) + (uint32_t)((h >> 16) & 0xFFFF) +
                 (uint32_t)((h >> 32) & 0xFFFF) + (uint32_t)(h >> 48);
    return ((float)s * (1.0f / 65536.0f) - 2.0f) * 1.7320508f;
}

/* The value in [-1,1) at lattice node (ix, iy). */
static inline float tb_synth_lattice(uint64_t key, int64_t ix, int64_t iy)
{
    uint64_t h = tb_synth_mix(key ^ ((uint64_t)ix * TB_SYNTH_K1) ^ ((uint64_t)iy * TB_SYNTH_K2));
    return (float)(int32_t)(uint32_t)(h >> 32) * (1.0f / 2147483648.0f);
}

/* Value noise in [-1,1]: lattice values at integer nodes, smoothstep-interpolated.
 * (x, y) are in lattice units (metres divided by the feature size). */
static inline float tb_synth_vnoise(uint64_t key, double x, double y)
{
    /* floor() without a libm call (no SSE4.1 in the baseline ISA). */
    int64_t ix = (int64_t)x, iy = (int64_t)y;
    ix -= (double)ix > x;
    iy -= (double)iy > y;
    double fx = (double)ix, fy = (double)iy;
    float tx = (float)(x - fx), ty = (float)(y - fy);
    tx = tx * tx * (3.0f - 2.0f * tx);
    ty = ty * ty * (3.0f - 2.0f * ty);
    float a = tb_synth_lattice(key, ix, iy), b = tb_synth_lattice(key, ix + 1, iy);
    float c = tb_synth_lattice(key, ix, iy + 1), d = tb_synth_lattice(key, ix + 1, iy + 1);
    return a + (b - a) * tx + (c - a) * ty + (a - b - c + d) * tx * ty;
}

/* Two octaves of value noise (feature size `scale` metres and a third of it), in
 * about [-1,1]. */
static inline float tb_synth_fbm2(uint64_t key, double x, double y, double scale)
{
    double inv = 1.0 / scale;
    return 0.7f * tb_synth_vnoise(key, x * inv, y * inv) +
           0.3f * tb_synth_vnoise(key ^ TB_SYNTH_K2, x * inv * 3.1 + 17.3, y * inv * 3.1 + 5.1);
}

/* The sequential generator used while placing objects (splitmix64). */
typedef struct tb_synth_rng {
    uint64_t state;
} tb_synth_rng;

static inline tb_synth_rng tb_synth_rng_make(uint64_t seed, uint64_t stream)
{
    tb_synth_rng r = {tb_synth_key(seed, stream)};
    return r;
}

static inline uint64_t tb_synth_rng_next(tb_synth_rng *r)
{
    r->state += TB_SYNTH_K1;
    return tb_synth_mix(r->state);
}

/* Uniform in [lo, hi). */
static inline double tb_synth_rng_uniform(tb_synth_rng *r, double lo, double hi)
{
    return lo + (hi - lo) * tb_synth_u01(tb_synth_rng_next(r));
}

/* 1 with probability p. */
static inline int tb_synth_rng_chance(tb_synth_rng *r, double p)
{
    return tb_synth_u01(tb_synth_rng_next(r)) < p;
}

#endif
