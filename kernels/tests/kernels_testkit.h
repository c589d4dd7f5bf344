/* kernels_testkit.h: shared helpers of the kernel tests: a seeded random generator,
 * random masks and images, thread-count control, checked allocation.
 *
 * Everything here is deterministic for a given seed, so a failing case can be rerun
 * exactly; the failing seed and shape are printed by the tests themselves.
 */
#ifndef KERNELS_TESTKIT_H
#define KERNELS_TESTKIT_H

#include <stddef.h>
#include <stdint.h>

/* splitmix64: small, fast, good enough to make test inputs. */
typedef struct tk_rng {
    uint64_t state;
} tk_rng;

tk_rng tk_rng_seed(uint64_t seed);
uint64_t tk_next(tk_rng *rng);
double tk_uniform(tk_rng *rng);                 /* [0, 1) */
int tk_int(tk_rng *rng, int lo, int hi);        /* [lo, hi] inclusive */
double tk_normal(tk_rng *rng);                  /* standard normal (Box-Muller) */

/* Independent pixels, each set with probability `density`. */
void tk_mask_random(tk_rng *rng, uint8_t *mask, size_t n, double density);

/* Blobs: random filled rectangles, rings (with holes) and diagonal strokes on a
 * `width` x `height` mask, plus salt noise at `noise` density: shapes that survive
 * opening and give components with holes, diagonal joins and long spans. */
void tk_mask_blobs(tk_rng *rng, uint8_t *mask, int width, int height, int nshapes, double noise);

/* calloc that fails the test (cmocka) when memory runs out. Free with free(). */
void *tk_alloc(size_t count, size_t size);

/* Sets the OpenMP thread count to `n` with dynamic adjustment off, and fails the test
 * unless a parallel region then really runs on `n` threads. */
void tk_set_threads(int n);

/* The thread counts every invariance test compares: 1 (the reference), 2 and 3. */
#define TK_NTHREAD_COUNTS 3
extern const int tk_thread_counts[TK_NTHREAD_COUNTS];

#endif
