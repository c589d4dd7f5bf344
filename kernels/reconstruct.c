/* reconstruct.c: grey-level morphological reconstruction (8-connected), by dilation and
 * by erosion, and openings/closings by reconstruction with a line.
 *
 * Vincent's hybrid algorithm (IEEE TIP 2(2), 1993): raster and anti-raster scans
 * propagate values along monotone paths; pixels that could still raise a neighbour go
 * into a FIFO, which propagates the rest. Two changes for speed on textured images,
 * where a marker far below the mask (the erosion by a long line) leaves most pixels to
 * rise along winding paths: scan pairs are repeated while a pair still changes more
 * than 1/8 of the pixels (a scan costs about as much as a few hundred thousand FIFO
 * pops per megapixel), and the FIFO is seeded by one vectorised pass over all eight
 * neighbours. A per-pixel "queued" flag keeps each pixel in the FIFO at most once (a
 * pixel raised again while queued propagates its newest value when popped), so one
 * queue entry per pixel always suffices.
 *
 * Parallel and exact: the reconstruction is the unique fixpoint of "raise a pixel to
 * min(neighbour, mask)", so any order of raises that ends when none applies gives the
 * same bits. The image is cut into horizontal bands, one per thread; each band runs
 * the algorithm confined to itself, then bands read their neighbours' edge rows
 * (nobody writes during that step), raise their own edge rows and propagate inside
 * again, until a round changes nothing. The tests force other band counts
 * (reconstruct_internal.h) and compare bits.
 *
 * Written for dilation (values rise towards the mask); erosion is the same with the
 * order reversed (`dual`).
 */
#include <math.h>
#include <string.h>

#include <omp.h>

#include "reconstruct_internal.h"
#include "tb_kernels.h"

#define BAND_MIN_ROWS 64
#define MAX_BANDS 64
#define MAX_SCAN_PAIRS 16

/* Towards the propagation (dilation: max), towards the clip (dilation: min), and
 * "a is behind b" (dilation: a < b). */
static inline float up(float a, float b, int dual)
{
    return dual ? (a < b ? a : b) : (a > b ? a : b);
}

static inline float down(float a, float b, int dual)
{
    return dual ? (a > b ? a : b) : (a < b ? a : b);
}

static inline int behind(float a, float b, int dual)
{
    return dual ? a > b : a < b;
}

/* The most bands an image of `height` rows is cut into (what the scratch holds). */
static int max_bands(int height)
{
    const int n = (height + BAND_MIN_ROWS - 1) / BAND_MIN_ROWS;
    return n < 1 ? 1 : n > MAX_BANDS ? MAX_BANDS : n;
}

size_t tb_reconstruct_scratch_bytes(int width, int height)
{
    if (width < 1 || height < 1)
        return 1;
    const size_t n = (size_t)width * height;
    const size_t edges = 2 * (size_t)max_bands(height) * width * sizeof(float);
    return edges + n * sizeof(uint32_t) + n;
}

typedef struct recon {
    const float *mask;
    float *J;
    int w, h, dual, rows_per_band, nbands;
    float *edges;       /* per band two rows: scan temporaries, then edge candidates */
    uint32_t *queue;    /* band b's FIFO lives in its own pixels' slots */
    uint8_t *queued;
} recon;

/* One band's FIFO: a ring over the band's slots of `queue`. */
typedef struct fifo {
    uint32_t *buf;
    size_t cap, head, count;
} fifo;

static void band_rows(const recon *r, int b, int *r0, int *r1)
{
    *r0 = b * r->rows_per_band;
    *r1 = *r0 + r->rows_per_band < r->h ? *r0 + r->rows_per_band : r->h;
}

static fifo band_fifo(const recon *r, int r0, int r1)
{
    fifo f = {r->queue + (size_t)r0 * r->w, (size_t)(r1 - r0) * r->w, 0, 0};
    return f;
}

static inline void push(const recon *r, fifo *f, size_t p)
{
    if (r->queued[p])
        return;
    r->queued[p] = 1;
    size_t tail = f->head + f->count;
    if (tail >= f->cap)
        tail -= f->cap;
    f->buf[tail] = (uint32_t)p;
    f->count++;
}

/* J[x] = up(J[x], extreme of A[x-1 .. x+1]) : the three neighbours in an adjacent row. */
static void take_row(float *J, const float *A, int w, int dual)
{
    if (w == 1) {
        J[0] = up(J[0], A[0], dual);
        return;
    }
    J[0] = up(J[0], up(A[0], A[1], dual), dual);
#pragma omp simd
    for (int x = 1; x < w - 1; x++)
        J[x] = up(J[x], up(up(A[x - 1], A[x], dual), A[x + 1], dual), dual);
    J[w - 1] = up(J[w - 1], up(A[w - 2], A[w - 1], dual), dual);
}

/* Pops until empty, raising 8-neighbours inside rows [r0, r1). */
static void propagate(const recon *r, fifo *f, int r0, int r1)
{
    const int w = r->w, dual = r->dual;
    float *J = r->J;
    const float *M = r->mask;
    while (f->count) {
        const size_t p = f->buf[f->head];
        if (++f->head == f->cap)
            f->head = 0;
        f->count--;
        r->queued[p] = 0;
        const int x = (int)(p % (size_t)w), y = (int)(p / (size_t)w);
        const float v = J[p];
        const int ya = y > r0 ? y - 1 : y, yb = y + 1 < r1 ? y + 1 : y;
        const int xa = x > 0 ? x - 1 : x, xb = x + 1 < w ? x + 1 : x;
        for (int qy = ya; qy <= yb; qy++)
            for (int qx = xa; qx <= xb; qx++) {
                const size_t q = (size_t)qy * w + qx;
                if (behind(J[q], v, dual) && J[q] != M[q]) {
                    J[q] = down(v, M[q], dual);
                    push(r, f, q);
                }
            }
    }
}

/* One raster (forward) or anti-raster scan of rows [r0, r1): each pixel takes the
 * extreme of itself and its already-visited neighbours, clipped by the mask. `t` is a
 * row of temporaries. Returns the number of pixels that changed. */
static size_t scan(const recon *r, int r0, int r1, int forward, float *t)
{
    const int w = r->w, dual = r->dual;
    size_t changed = 0;
    for (int k = 0; k < r1 - r0; k++) {
        const int y = forward ? r0 + k : r1 - 1 - k;
        float *J = r->J + (size_t)y * w;
        const float *M = r->mask + (size_t)y * w;
        memcpy(t, J, sizeof(float) * (size_t)w);
        if (k > 0)
            take_row(t, forward ? J - w : J + w, w, dual);
        /* The row's own chain: serial. */
        float prev = dual ? INFINITY : -INFINITY;
        if (forward) {
            for (int x = 0; x < w; x++) {
                const float v = down(up(t[x], prev, dual), M[x], dual);
                changed += v != J[x];
                J[x] = prev = v;
            }
        } else {
            for (int x = w - 1; x >= 0; x--) {
                const float v = down(up(t[x], prev, dual), M[x], dual);
                changed += v != J[x];
                J[x] = prev = v;
            }
        }
    }
    return changed;
}

/* Queues every pixel of rows [r0, r1) that could raise one of its 8 neighbours inside
 * the band: some q with J(q) < J(p) and J(q) < mask(q). Row by row, vectorised:
 * low[x] = the lowest raisable value around x. `low` is a row of temporaries. */
static void seed_fifo(const recon *r, fifo *f, int r0, int r1, float *low)
{
    const int w = r->w, dual = r->dual;
    const float never = dual ? -INFINITY : INFINITY;
    for (int y = r0; y < r1; y++) {
        for (int x = 0; x < w; x++)
            low[x] = never;
        for (int qy = y > r0 ? y - 1 : y; qy <= y + 1 && qy < r1; qy++) {
            const float *J = r->J + (size_t)qy * w, *M = r->mask + (size_t)qy * w;
#pragma omp simd
            for (int x = 0; x < w; x++)
                low[x] = down(low[x], behind(J[x], M[x], dual) ? J[x] : never, dual);
        }
        /* horizontal neighbours, in place from the left: keep the old low[x - 1] */
        float left = never;
        for (int x = 0; x < w; x++) {
            const float here = low[x], right = x + 1 < w ? low[x + 1] : never;
            low[x] = down(down(left, here, dual), right, dual);
            left = here;
        }
        const float *J = r->J + (size_t)y * w;
        for (int x = 0; x < w; x++)
            if (behind(low[x], J[x], dual))
                push(r, f, (size_t)y * w + x);
    }
}

/* The hybrid algorithm on rows [r0, r1), ignoring everything outside them; `tmp` holds
 * two rows. */
static void band_hybrid(const recon *r, int r0, int r1, float *tmp)
{
    const size_t pixels = (size_t)(r1 - r0) * r->w;
    for (int pair = 0; pair < MAX_SCAN_PAIRS; pair++) {
        const size_t changed = scan(r, r0, r1, 1, tmp) + scan(r, r0, r1, 0, tmp);
        if (changed == 0)
            return;   /* a pair that changes nothing: every pixel is stable */
        if (changed < pixels / 8)
            break;
    }
    fifo f = band_fifo(r, r0, r1);
    seed_fifo(r, &f, r0, r1, tmp + r->w);
    propagate(r, &f, r0, r1);
}

/* Candidate values for row `y` from the adjacent row `ny` of another band. */
static void edge_candidates(const recon *r, int y, int ny, float *cand)
{
    const int w = r->w, dual = r->dual;
    const float *A = r->J + (size_t)ny * w, *M = r->mask + (size_t)y * w;
    const float far = dual ? INFINITY : -INFINITY;
    for (int x = 0; x < w; x++)
        cand[x] = far;
    take_row(cand, A, w, dual);
#pragma omp simd
    for (int x = 0; x < w; x++)
        cand[x] = down(cand[x], M[x], dual);
}

/* Raises row y to the candidates where they are ahead; returns whether any was. */
static int apply_candidates(const recon *r, fifo *f, int y, const float *cand)
{
    const int w = r->w, dual = r->dual;
    float *J = r->J + (size_t)y * w;
    int changed = 0;
    for (int x = 0; x < w; x++)
        if (behind(J[x], cand[x], dual)) {
            J[x] = cand[x];
            push(r, f, (size_t)y * w + x);
            changed = 1;
        }
    return changed;
}

void tb_reconstruct_bands(const float *marker, const float *mask, float *out, int width,
                          int height, void *scratch, int dual, int nbands)
{
    if (width < 1 || height < 1)
        return;
    const size_t n = (size_t)width * height;
    recon r;
    r.mask = mask;
    r.J = out;
    r.w = width;
    r.h = height;
    r.dual = dual;
    r.nbands = nbands < 1 ? 1 : nbands > max_bands(height) ? max_bands(height) : nbands;
    r.rows_per_band = (height + r.nbands - 1) / r.nbands;
    r.edges = scratch;
    r.queue = (uint32_t *)(r.edges + 2 * (size_t)r.nbands * width);
    r.queued = (uint8_t *)(r.queue + n);
    memset(r.queued, 0, n);

    const long nn = (long)n;
#pragma omp parallel for schedule(static)
    for (long i = 0; i < nn; i++)
        out[i] = down(marker[i], mask[i], dual);

    /* Bands do unequal work (the FIFO): hand them out dynamically; the result does not
     * depend on who does which. */
#pragma omp parallel for schedule(dynamic, 1)
    for (int b = 0; b < r.nbands; b++) {
        int r0, r1;
        band_rows(&r, b, &r0, &r1);
        if (r0 < r1)
            band_hybrid(&r, r0, r1, r.edges + (size_t)2 * b * width);
    }
    if (r.nbands == 1)
        return;
    for (int changed = 1; changed;) {
        changed = 0;
#pragma omp parallel for schedule(static)
        for (int b = 0; b < r.nbands; b++) {
            int r0, r1;
            band_rows(&r, b, &r0, &r1);
            if (r0 >= r1)
                continue;
            if (r0 > 0)
                edge_candidates(&r, r0, r0 - 1, r.edges + (size_t)2 * b * width);
            if (r1 < height)
                edge_candidates(&r, r1 - 1, r1, r.edges + (size_t)(2 * b + 1) * width);
        }
#pragma omp parallel for schedule(dynamic, 1) reduction(| : changed)
        for (int b = 0; b < r.nbands; b++) {
            int r0, r1;
            band_rows(&r, b, &r0, &r1);
            if (r0 >= r1)
                continue;
            fifo f = band_fifo(&r, r0, r1);
            if (r0 > 0)
                changed |= apply_candidates(&r, &f, r0, r.edges + (size_t)2 * b * width);
            if (r1 < height)
                changed |= apply_candidates(&r, &f, r1 - 1, r.edges + (size_t)(2 * b + 1) * width);
            propagate(&r, &f, r0, r1);
        }
    }
}

void tb_reconstruct_dilate(const float *marker, const float *mask, float *out, int width,
                           int height, void *scratch)
{
    tb_reconstruct_bands(marker, mask, out, width, height, scratch, 0, omp_get_max_threads());
}

void tb_reconstruct_erode(const float *marker, const float *mask, float *out, int width,
                          int height, void *scratch)
{
    tb_reconstruct_bands(marker, mask, out, width, height, scratch, 1, omp_get_max_threads());
}

size_t tb_reconstruct_line_scratch_bytes(int width, int height, int length)
{
    const size_t line = tb_line_scratch_floats(width, height, length) * sizeof(float);
    const size_t rec = tb_reconstruct_scratch_bytes(width, height);
    return line > rec ? line : rec;
}

int tb_open_by_reconstruction(const float *in, float *out, int width, int height,
                              int direction, int length, void *scratch)
{
    if (tb_gray_line_erode(in, out, width, height, direction, length, scratch) != 0)
        return -1;
    tb_reconstruct_dilate(out, in, out, width, height, scratch);
    return 0;
}

int tb_close_by_reconstruction(const float *in, float *out, int width, int height,
                               int direction, int length, void *scratch)
{
    if (tb_gray_line_dilate(in, out, width, height, direction, length, scratch) != 0)
        return -1;
    tb_reconstruct_erode(out, in, out, width, height, scratch);
    return 0;
}
