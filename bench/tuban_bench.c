/* tuban_bench.c: tuban's benchmark program, in the manner of `zstd -b`: one line per
 * case, `name size threads : best ms  median ms  Mpix/s`.
 *
 * It first measures the machine's memory bandwidth (STREAM-like copy and triad over
 * three 512 MiB arrays of doubles, OpenMP, best of 5), so that each memory-bound kernel
 * can print the share of that bandwidth it reaches. Then it times the pixel kernels of
 * kernels/tb_kernels.h on generated buffers (change score over 4 bands, threshold,
 * histograms of 256 and 65536 bins, erosion by 3x3 and 31x31 squares and their ratio,
 * opening + closing r = 1, streaming connected components of a realistic mask: smooth
 * noise thresholded at 5 % density; grey erosion of the smooth noise by 45-degree lines
 * of 3 and 31 pixels and their ratio, grey reconstruction by dilation of the 31-pixel
 * erosion under the noise; building and shadow indices (lengths 2..52 step 5) of the
 * top-left quarter of the noise, size/2 squared) for 1 and 2 threads; --kernels picks
 * some of them. Unless --no-scan, it then generates synthetic
 * 4-band UInt16 pairs with tb_synth_generate() (DEFLATE and uncompressed), times the
 * bare GDAL decode of both dates (RasterIO of all rows and bands into floats) and
 * libtiff's decode of every block of both dates on 1 and 2 threads (decode_libtiff.c:
 * the floor under any scan; each scan line prints its ratio to it at the same thread
 * count), and runs whole scans as child processes of the tuban
 * executable (fork/exec), each its own process, so that wait4()'s rusage gives that
 * scan's peak resident memory.
 *
 * Byte counts per pixel used for the bandwidth share are the minimum traffic of each
 * kernel (every input read once, every output written once); a share near 100 % means
 * the kernel runs at memory speed.
 *
 * Usage: tuban_bench [--repeat N] [--quick] [--large] [--no-scan] [--kernels LIST]
 *                    [--tuban PATH] [--workdir DIR]
 *        tuban_bench --decode BEFORE AFTER   (the decode floor alone, for scripts)
 */
#define _XOPEN_SOURCE 700   /* nftw */
#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gdal.h>

#include "tb_error.h"
#include "decode_libtiff.h"
#include "tb_kernels.h"
#include "tb_synth.h"

#ifndef TUBAN_BENCH_TUBAN
#define TUBAN_BENCH_TUBAN "tuban"
#endif

enum { BENCH_MAX_REPEAT = 1000, BENCH_NBANDS = 4 };

typedef struct bench_opts {
    int repeat_kernels, repeat_scans;   /* 0 = default */
    int quick, large, no_scan;
    const char *kernels;                /* comma-separated kernel cases to run (NULL: all) */
    const char *tuban;
    const char *workdir;                /* NULL: a temporary directory, removed at the end */
} bench_opts;

/* Times of one case, milliseconds. */
typedef struct bench_times {
    double best, median;
} bench_times;

static double g_bandwidth_gbs;   /* measured machine bandwidth, GB/s (0: unknown) */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static bench_times summarise(double *ms, int n)
{
    bench_times t;
    qsort(ms, (size_t)n, sizeof *ms, cmp_double);
    t.best = ms[0];
    t.median = (n % 2) ? ms[n / 2] : 0.5 * (ms[n / 2 - 1] + ms[n / 2]);
    return t;
}

/* Prints one case line. `pixels` is what Mpix/s counts; `bytes_per_pixel` > 0 adds
 * the achieved bandwidth and its share of the machine's (memory-bound kernels). */
static void print_case(const char *name, int size, int threads, bench_times t, double pixels,
                       double bytes_per_pixel)
{
    printf("%-22s %5d %d : %9.2f ms best %9.2f ms median %8.1f Mpix/s", name, size, threads,
           t.best, t.median, pixels / (t.best * 1e3));
    if (bytes_per_pixel > 0 && g_bandwidth_gbs > 0) {
        const double gbs = pixels * bytes_per_pixel / (t.best * 1e6);
        printf("  %6.2f GB/s = %3.0f%% of memory bandwidth", gbs, 100.0 * gbs / g_bandwidth_gbs);
    }
    printf("\n");
    fflush(stdout);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "tuban_bench: out of memory (%zu bytes)\n", n);
        exit(12);
    }
    return p;
}

/* ---- memory bandwidth ------------------------------------------------------------ */

/* STREAM-like copy (b = a) and triad (a = b + s c) over `mib` MiB per array, best of
 * `reps`, all threads; counts bytes as STREAM does (copy 16 B, triad 24 B per element).
 * Returns the better of the two, GB/s. */
static double measure_bandwidth(size_t mib, int reps)
{
    const size_t n = mib * 1024 * 1024 / sizeof(double);
    double *a = xmalloc(n * sizeof *a), *b = xmalloc(n * sizeof *b), *c = xmalloc(n * sizeof *c);
    double best_copy = 1e30, best_triad = 1e30;
    const double s = 3.0;
    const long nn = (long)n;

#pragma omp parallel for schedule(static)
    for (long i = 0; i < nn; i++) {
        a[i] = 1.0;
        b[i] = 2.0;
        c[i] = 0.5;
    }
    for (int r = 0; r < reps; r++) {
        double t0 = now_s();
#pragma omp parallel for schedule(static)
        for (long i = 0; i < nn; i++)
            b[i] = a[i];
        double t1 = now_s();
#pragma omp parallel for schedule(static)
        for (long i = 0; i < nn; i++)
            a[i] = b[i] + s * c[i];
        double t2 = now_s();
        if (t1 - t0 < best_copy)
            best_copy = t1 - t0;
        if (t2 - t1 < best_triad)
            best_triad = t2 - t1;
    }
    const double copy = 16.0 * (double)n / best_copy * 1e-9;
    const double triad = 24.0 * (double)n / best_triad * 1e-9;
    printf("%-22s %4zuMiB %d : copy %7.2f GB/s  triad %7.2f GB/s  (best of %d; the larger is "
           "the reference)\n",
           "memory-bandwidth", mib, omp_get_max_threads(), copy, triad, reps);
    fflush(stdout);
    if (a[n / 2] < 0)   /* keep the loops */
        printf("%g\n", a[n / 2]);
    free(a);
    free(b);
    free(c);
    return copy > triad ? copy : triad;
}

/* ---- generated inputs ------------------------------------------------------------ */

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static float unit_rand(uint64_t *s)
{
    return (float)(splitmix(s) >> 40) * (1.0f / 16777216.0f);
}

/* Smooth noise in [0, 1): two octaves of bilinear value noise (cells of 24 and 7 px),
 * blobs from a few to some tens of pixels across, like the change score of a scene. */
static void smooth_noise(float *out, int w, int h, uint64_t seed)
{
    static const int cells[2] = {24, 7};
    static const float amps[2] = {0.7f, 0.3f};
    memset(out, 0, (size_t)w * (size_t)h * sizeof *out);
    for (int o = 0; o < 2; o++) {
        const int cell = cells[o];
        const int gw = w / cell + 2, gh = h / cell + 2;
        float *grid = xmalloc((size_t)gw * (size_t)gh * sizeof *grid);
        uint64_t s = seed * 31 + (uint64_t)o;
        for (size_t i = 0; i < (size_t)gw * (size_t)gh; i++)
            grid[i] = unit_rand(&s);
#pragma omp parallel for schedule(static)
        for (int y = 0; y < h; y++) {
            const int gy = y / cell;
            const float fy = (float)(y % cell) / (float)cell;
            const float *g0 = grid + (size_t)gy * (size_t)gw, *g1 = g0 + gw;
            float *row = out + (size_t)y * (size_t)w;
            for (int x = 0; x < w; x++) {
                const int gx = x / cell;
                const float fx = (float)(x % cell) / (float)cell;
                const float top = g0[gx] + fx * (g0[gx + 1] - g0[gx]);
                const float bot = g1[gx] + fx * (g1[gx + 1] - g1[gx]);
                row[x] += amps[o] * (top + fy * (bot - top));
            }
        }
        free(grid);
    }
}

/* The value above which a fraction `share` of v[0..n) lies (histogram of 4096 bins
 * over [0, 1]). */
static float upper_quantile(const float *v, size_t n, double share)
{
    enum { NB = 4096 };
    uint64_t *bins = calloc(NB, sizeof *bins);
    if (!bins)
        exit(12);
    tb_histogram_add(v, NULL, n, 0.0, 1.0, bins, NB);
    const double q = tb_histogram_quantile(bins, NB, 0.0, 1.0, 1.0 - share);
    free(bins);
    return (float)q;
}

/* ---- kernel cases ---------------------------------------------------------------- */

typedef struct kernel_data {
    int size;
    size_t n;
    float *before[BENCH_NBANDS], *after[BENCH_NBANDS];
    tb_band_fit fits[BENCH_NBANDS];
    uint8_t *valid;
    float *score;        /* smooth noise in [0, 1) */
    float *score_out;    /* output of the change score */
    float t5;            /* threshold leaving 5 % of the score above */
    uint8_t *mask;       /* score > t5 */
    uint8_t *work, *out, *scratch;
    uint32_t *labels;    /* one strip of labels */
    float *marker;       /* erosion of the score by a 45-degree line of 31 px */
    float *fscratch;     /* line morphology and reconstruction scratch */
    int mbi_size;        /* size / 2: the building index's image */
    float *mbi_in, *mbi, *msi, *mbi_scratch;
} kernel_data;

enum { BENCH_LINE_LONG = 31 };

enum { BENCH_CCL_STRIP = 256 };

static void kernel_data_init(kernel_data *d, int size)
{
    memset(d, 0, sizeof *d);
    d->size = size;
    d->n = (size_t)size * (size_t)size;
    const size_t n = d->n;
    for (int b = 0; b < BENCH_NBANDS; b++) {
        d->before[b] = xmalloc(n * sizeof(float));
        d->after[b] = xmalloc(n * sizeof(float));
        d->fits[b].gain = 1.05 + 0.01 * b;
        d->fits[b].offset = 30.0 + b;
        d->fits[b].scale = 40.0;
        d->fits[b].pixels = n;
    }
    d->valid = xmalloc(n);
    d->score = xmalloc(n * sizeof(float));
    d->score_out = xmalloc(n * sizeof(float));
    d->mask = xmalloc(n);
    d->work = xmalloc(n);
    d->out = xmalloc(n);
    d->scratch = xmalloc(2 * n);
    d->labels = xmalloc((size_t)BENCH_CCL_STRIP * (size_t)size * sizeof(uint32_t));
    d->marker = xmalloc(n * sizeof(float));
    const size_t line = tb_line_scratch_floats(size, size, BENCH_LINE_LONG) * sizeof(float);
    const size_t rec = tb_reconstruct_scratch_bytes(size, size);
    d->fscratch = xmalloc(line > rec ? line : rec);

    smooth_noise(d->score, size, size, 7);
    d->t5 = upper_quantile(d->score, n, 0.05);
    const long nn = (long)n;
#pragma omp parallel for schedule(static)
    for (long i = 0; i < nn; i++) {
        const float s = d->score[i];
        for (int b = 0; b < BENCH_NBANDS; b++) {
            const float base = 800.0f + 300.0f * (float)b + 1000.0f * s;
            d->before[b][i] = base;
            d->after[b][i] = 1.05f * base + 30.0f + (s > d->t5 ? 400.0f : 0.0f);
        }
        d->valid[i] = 1;
        d->mask[i] = s > d->t5;
    }
    tb_gray_line_erode(d->score, d->marker, size, size, TB_LINE_45, BENCH_LINE_LONG, d->fscratch);

    tb_mbi_params p;
    tb_mbi_defaults(&p);
    const int m = d->mbi_size = size / 2;
    d->mbi_in = xmalloc((size_t)m * m * sizeof(float));
    d->mbi = xmalloc((size_t)m * m * sizeof(float));
    d->msi = xmalloc((size_t)m * m * sizeof(float));
    d->mbi_scratch = xmalloc(tb_mbi_scratch_floats(m, m, &p) * sizeof(float));
    for (int y = 0; y < m; y++)
        memcpy(d->mbi_in + (size_t)y * m, d->score + (size_t)y * size, (size_t)m * sizeof(float));
}

static void kernel_data_free(kernel_data *d)
{
    for (int b = 0; b < BENCH_NBANDS; b++) {
        free(d->before[b]);
        free(d->after[b]);
    }
    free(d->valid);
    free(d->score);
    free(d->score_out);
    free(d->mask);
    free(d->work);
    free(d->out);
    free(d->scratch);
    free(d->labels);
    free(d->marker);
    free(d->fscratch);
    free(d->mbi_in);
    free(d->mbi);
    free(d->msi);
    free(d->mbi_scratch);
}

typedef enum kernel_id {
    K_SCORE, K_THRESHOLD, K_HISTOGRAM, K_HISTOGRAM64K, K_ERODE3, K_ERODE31, K_OPENCLOSE, K_CCL,
    K_LINE3, K_LINE31, K_RECONSTRUCT, K_MBI, K_COUNT
} kernel_id;

static const char *const kernel_names[K_COUNT] = {
    "change-score", "threshold", "histogram", "histogram-64k", "erode-3x3", "erode-31x31",
    "open-close-r1", "ccl-push", "line45-erode-3", "line45-erode-31", "reconstruct", "building-index"};

/* Minimum memory traffic per pixel (0: not treated as memory-bound). */
static const double kernel_bytes[K_COUNT] = {
    8 * 4 + 1 + 4,   /* 4 bands x 2 dates float + valid, score out */
    4 + 1 + 1,       /* score + valid in, mask out */
    4,               /* score in (valid NULL) */
    4,
    1 + 2 + 1,       /* mask in, scratch out and in, mask out */
    1 + 2 + 1,
    4 * (1 + 2 + 1), /* four passes of erode/dilate */
    0,               /* labelling is branchy: not memory-bound */
    4 + 4,           /* image in and out (a band's prefix/suffix tables stay in cache) */
    4 + 4,
    0,               /* reconstruction: serial chains along rows, then a FIFO */
    0};

/* Runs kernel `k` once; returns milliseconds. */
static double run_kernel(kernel_data *d, kernel_id k)
{
    const int w = d->size;
    double t0 = 0, t1 = 0;
    switch (k) {
    case K_SCORE:
        t0 = now_s();
        tb_change_score((const float *const *)d->before, (const float *const *)d->after,
                        BENCH_NBANDS, d->fits, d->valid, d->n, d->score_out);
        t1 = now_s();
        break;
    case K_THRESHOLD:
        t0 = now_s();
        tb_threshold(d->score, d->valid, d->n, d->t5, d->out);
        t1 = now_s();
        break;
    case K_HISTOGRAM: {
        uint64_t bins[256] = {0};
        t0 = now_s();
        tb_histogram_add(d->score, NULL, d->n, 0.0, 1.0, bins, 256);
        t1 = now_s();
        break;
    }
    case K_HISTOGRAM64K: {   /* the bin count of the scan's sample histograms */
        static uint64_t bins[65536];
        memset(bins, 0, sizeof bins);
        t0 = now_s();
        tb_histogram_add(d->score, NULL, d->n, 0.0, 1.0, bins, 65536);
        t1 = now_s();
        break;
    }
    case K_ERODE3:
    case K_ERODE31: {
        const int r = k == K_ERODE3 ? 1 : 15;
        t0 = now_s();
        tb_erode(d->mask, d->out, w, w, r, r, d->scratch);
        t1 = now_s();
        break;
    }
    case K_OPENCLOSE:
        memcpy(d->work, d->mask, d->n);
        t0 = now_s();
        tb_open(d->work, w, w, 1, d->scratch);
        tb_close(d->work, w, w, 1, d->scratch);
        t1 = now_s();
        break;
    case K_CCL: {
        t0 = now_s();
        tb_ccl *c = tb_ccl_create(w);
        if (!c) {
            fprintf(stderr, "tuban_bench: ccl: out of memory\n");
            exit(12);
        }
        for (int y = 0; y < w; y += BENCH_CCL_STRIP) {
            const int rows = w - y < BENCH_CCL_STRIP ? w - y : BENCH_CCL_STRIP;
            const size_t off = (size_t)y * (size_t)w;
            if (tb_ccl_push(c, d->mask + off, d->score + off, rows, d->labels) != 0) {
                fprintf(stderr, "tuban_bench: ccl: out of memory\n");
                exit(12);
            }
        }
        tb_ccl_finish(c);
        t1 = now_s();
        tb_ccl_destroy(c);
        break;
    }
    case K_LINE3:
    case K_LINE31: {
        const int len = k == K_LINE3 ? 3 : BENCH_LINE_LONG;
        t0 = now_s();
        tb_gray_line_erode(d->score, d->score_out, w, w, TB_LINE_45, len, d->fscratch);
        t1 = now_s();
        break;
    }
    case K_RECONSTRUCT:
        t0 = now_s();
        tb_reconstruct_dilate(d->marker, d->score, d->score_out, w, w, d->fscratch);
        t1 = now_s();
        break;
    case K_MBI: {
        tb_mbi_params p;
        tb_mbi_defaults(&p);
        t0 = now_s();
        tb_building_index(d->mbi_in, d->mbi_size, d->mbi_size, &p, d->mbi, d->msi, d->mbi_scratch);
        t1 = now_s();
        break;
    }
    case K_COUNT:
        break;
    }
    return 1e3 * (t1 - t0);
}

/* Whether kernel case `name` is in the comma-separated `list` (NULL: every case). */
static int kernel_selected(const char *list, const char *name)
{
    if (!list)
        return 1;
    const size_t len = strlen(name);
    for (const char *p = list; *p;) {
        const char *end = strchr(p, ',');
        const size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == len && !strncmp(p, name, n))
            return 1;
        p += n + (end != NULL);
    }
    return 0;
}

static void bench_kernels(int size, int repeat, const char *only)
{
    kernel_data d;
    kernel_data_init(&d, size);
    double ms[BENCH_MAX_REPEAT];
    {
        size_t set = 0;
        for (size_t i = 0; i < d.n; i++)
            set += d.mask[i];
        tb_ccl *c = tb_ccl_create(size);
        uint32_t comps = 0;
        int ok = c != NULL;
        for (int y = 0; ok && y < size; y += BENCH_CCL_STRIP) {
            const int rows = size - y < BENCH_CCL_STRIP ? size - y : BENCH_CCL_STRIP;
            ok = tb_ccl_push(c, d.mask + (size_t)y * (size_t)size, NULL, rows, d.labels) == 0;
        }
        if (ok) {
            tb_ccl_finish(c);
            for (uint32_t l = 1; l <= tb_ccl_label_count(c); l++)
                comps += tb_ccl_root(c, l) == l;
        }
        tb_ccl_destroy(c);
        printf("# kernel inputs %dx%d: smooth noise, mask = top %.1f%% of it, %u components\n", size,
               size, 100.0 * (double)set / (double)d.n, comps);
    }
    for (int threads = 1; threads <= 2; threads++) {
        omp_set_num_threads(threads);
        bench_times erode3 = {0, 0}, erode31 = {0, 0}, line3 = {0, 0};
        for (int k = 0; k < K_COUNT; k++) {
            if (!kernel_selected(only, kernel_names[k]))
                continue;
            run_kernel(&d, (kernel_id)k);   /* warm-up: page faults, caches */
            for (int r = 0; r < repeat; r++)
                ms[r] = run_kernel(&d, (kernel_id)k);
            const bench_times t = summarise(ms, repeat);
            if (k == K_MBI)   /* MBI and MSI of the size/2 image */
                print_case(kernel_names[k], d.mbi_size, threads, t,
                           (double)d.mbi_size * (double)d.mbi_size, 0);
            else
                print_case(kernel_names[k], size, threads, t, (double)d.n, kernel_bytes[k]);
            if (k == K_ERODE3)
                erode3 = t;
            if (k == K_ERODE31 && erode3.best > 0) {
                erode31 = t;
                printf("%-22s %5d %d : 31x31 / 3x3 = %.2f (best), %.2f (median)\n", "erode-ratio",
                       size, threads, erode31.best / erode3.best, erode31.median / erode3.median);
            }
            if (k == K_LINE3)
                line3 = t;
            if (k == K_LINE31 && line3.best > 0)
                printf("%-22s %5d %d : 31 / 3 = %.2f (best), %.2f (median)\n", "line45-ratio", size,
                       threads, t.best / line3.best, t.median / line3.median);
        }
    }
    kernel_data_free(&d);
}

/* ---- decode and whole scans ------------------------------------------------------ */

/* Reads every row of every band of `path` into a float strip buffer (256 rows at a
 * time, the strip height of a scan; the files are tiled 256 x 256). Returns 0 or -1. */
static int decode_one(const char *path)
{
    GDALDatasetH ds = GDALOpen(path, GA_ReadOnly);
    if (!ds) {
        fprintf(stderr, "tuban_bench: %s: cannot open\n", path);
        return -1;
    }
    const int w = GDALGetRasterXSize(ds), h = GDALGetRasterYSize(ds);
    const int nb = GDALGetRasterCount(ds);
    const int strip = 256;
    float *buf = xmalloc((size_t)w * (size_t)strip * (size_t)nb * sizeof *buf);
    int rc = 0;
    for (int y = 0; y < h && rc == 0; y += strip) {
        const int rows = h - y < strip ? h - y : strip;
        if (GDALDatasetRasterIO(ds, GF_Read, 0, y, w, rows, buf, w, rows, GDT_Float32, nb, NULL, 0,
                                0, 0) != CE_None) {
            fprintf(stderr, "tuban_bench: %s: read failed at row %d\n", path, y);
            rc = -1;
        }
    }
    free(buf);
    GDALClose(ds);
    return rc;
}

/* Decodes both dates of a pair; milliseconds, or -1 on error. */
static double decode_pair(const char *before, const char *after)
{
    const double t0 = now_s();
    if (decode_one(before) != 0 || decode_one(after) != 0)
        return -1;
    return 1e3 * (now_s() - t0);
}

/* Runs `tuban scan` in a child process; sets *ms (wall) and *peak_mib (the child's peak
 * resident memory from wait4). Returns 0, or -1 when the scan failed. */
static int run_scan_child(const char *tuban, const char *before, const char *after,
                          const char *outdir, int threads, double *ms, double *peak_mib)
{
    char th[16];
    snprintf(th, sizeof th, "%d", threads);
    fflush(stdout);
    const double t0 = now_s();
    const pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "tuban_bench: fork: %s\n", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        execl(tuban, tuban, "scan", before, after, "-o", outdir, "-q", "--threads", th, (char *)NULL);
        fprintf(stderr, "tuban_bench: cannot run %s: %s\n", tuban, strerror(errno));
        _exit(127);
    }
    int status = 0;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    if (wait4(pid, &status, 0, &ru) < 0) {
        fprintf(stderr, "tuban_bench: wait4: %s\n", strerror(errno));
        return -1;
    }
    *ms = 1e3 * (now_s() - t0);
    *peak_mib = (double)ru.ru_maxrss / 1024.0;   /* Linux: KiB */
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "tuban_bench: %s scan %s %s failed (status %d)\n", tuban, before, after,
                WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        return -1;
    }
    return 0;
}

/* Reads the threshold from OUTDIR/summary.json ("threshold": {"value": X ...). */
static double read_threshold(const char *outdir)
{
    char path[4400], buf[65536];
    snprintf(path, sizeof path, "%s/summary.json", outdir);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    const size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    const char *p = strstr(buf, "\"threshold\"");
    if (!p || !(p = strstr(p, "\"value\":")))
        return -1;
    return strtod(p + 8, NULL);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static int bench_scans(const bench_opts *o, const char *workdir, int size, int repeat)
{
    static const char *const compress[2] = {"DEFLATE", "NONE"};
    static const char *const tag[2] = {"deflate", "none"};
    double ms[BENCH_MAX_REPEAT];
    const double pixels = (double)size * (double)size;
    for (int c = 0; c < 2; c++) {
        char pair[4096], before[4200], after[4200], outdir[4200];
        snprintf(pair, sizeof pair, "%s/pair-%d-%s", workdir, size, tag[c]);
        snprintf(before, sizeof before, "%s/before.tif", pair);
        snprintf(after, sizeof after, "%s/after.tif", pair);
        snprintf(outdir, sizeof outdir, "%s/out-%d-%s", workdir, size, tag[c]);

        tb_synth_params p;
        tb_synth_defaults(&p, size, 1);
        p.compress = compress[c];
        const double g0 = now_s();
        if (tb_synth_generate(pair, &p) != TB_OK) {
            fprintf(stderr, "tuban_bench: synth: %s\n", tb_error_message());
            return -1;
        }
        printf("# generated %s (%dx%d, 4-band UInt16, %s) in %.2f s\n", pair, size, size, compress[c],
               now_s() - g0);

        char name[64];
        snprintf(name, sizeof name, "decode-gdal-%s", tag[c]);
        if (decode_pair(before, after) < 0)   /* warm-up: page cache */
            return -1;
        for (int r = 0; r < repeat; r++)
            if ((ms[r] = decode_pair(before, after)) < 0)
                return -1;
        const bench_times dec = summarise(ms, repeat);
        print_case(name, size, 1, dec, pixels, 0);

        /* The floor: libtiff alone decoding every block of both dates. */
        bench_times raw[3];
        snprintf(name, sizeof name, "decode-libtiff-%s", tag[c]);
        for (int threads = 1; threads <= 2; threads++) {
            for (int r = 0; r < repeat; r++) {
                const double d0 = now_s();
                if (bench_decode_libtiff(before, threads) != 0 ||
                    bench_decode_libtiff(after, threads) != 0)
                    return -1;
                ms[r] = 1e3 * (now_s() - d0);
            }
            raw[threads] = summarise(ms, repeat);
            print_case(name, size, threads, raw[threads], pixels, 0);
        }

        for (int threads = 1; threads <= 2; threads++) {
            double peak = 0, mib = 0;
            for (int r = 0; r < repeat; r++) {
                if (run_scan_child(o->tuban, before, after, outdir, threads, &ms[r], &mib) != 0)
                    return -1;
                if (mib > peak)
                    peak = mib;
            }
            const bench_times t = summarise(ms, repeat);
            snprintf(name, sizeof name, "scan-%s", tag[c]);
            printf("%-22s %5d %d : %9.2f ms best %9.2f ms median %8.1f Mpix/s  peak %7.1f MiB  "
                   "scan/libtiff-decode %.2f  threshold %.3f\n",
                   name, size, threads, t.best, t.median, pixels / (t.best * 1e3), peak,
                   t.best / raw[threads].best, read_threshold(outdir));
            fflush(stdout);
        }
        nftw(pair, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
        nftw(outdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    }
    return 0;
}

/* ---- command line ---------------------------------------------------------------- */

static void usage(FILE *out)
{
    fprintf(out,
            "usage: tuban_bench [--repeat N] [--quick] [--large] [--no-scan] [--kernels LIST] "
            "[--tuban PATH] [--workdir DIR]\n"
            "       tuban_bench --decode BEFORE AFTER\n"
            "  --repeat N     timed runs per case (default 5 for kernels, 3 for scans)\n"
            "  --quick        tiny sizes (256^2 kernels, 512^2 scans), repeat 1: a smoke run\n"
            "  --large        also 8192^2\n"
            "  --no-scan      kernels only (no generated pairs, no decode, no scans)\n"
            "  --kernels LIST only these kernel cases (comma-separated names, e.g.\n"
            "                 histogram,ccl-push; their ratio lines need both cases)\n"
            "  --decode B A   only libtiff's bare decode of files B and A on all cores\n"
            "  --tuban PATH   the tuban executable for whole scans (default %s)\n"
            "  --workdir DIR  where pairs are generated (default a temporary directory)\n",
            TUBAN_BENCH_TUBAN);
}

/* --decode BEFORE AFTER: libtiff's bare decode of both files on all cores, best of
 * 3, for scripts (bench/run_peers.sh prints it as the floor under every tool). */
static int decode_only(const char *before, const char *after)
{
    const int threads = omp_get_max_threads();
    double best = -1;
    for (int r = 0; r < 3; r++) {
        const double t0 = now_s();
        if (bench_decode_libtiff(before, threads) != 0 || bench_decode_libtiff(after, threads) != 0)
            return 1;
        const double ms = 1e3 * (now_s() - t0);
        if (best < 0 || ms < best)
            best = ms;
    }
    printf("decode-libtiff %d threads: %.2f ms best of 3\n", threads, best);
    return 0;
}

static int parse_int(const char *s, int lo, int hi, int *out)
{
    char *end;
    errno = 0;
    const long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

int main(int argc, char **argv)
{
    bench_opts o;
    memset(&o, 0, sizeof o);
    o.tuban = TUBAN_BENCH_TUBAN;
    int repeat = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--quick"))
            o.quick = 1;
        else if (!strcmp(a, "--large"))
            o.large = 1;
        else if (!strcmp(a, "--no-scan"))
            o.no_scan = 1;
        else if (!strcmp(a, "--decode") && i + 2 < argc)
            return decode_only(argv[i + 1], argv[i + 2]);
        else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if ((!strcmp(a, "--repeat") || !strcmp(a, "--tuban") || !strcmp(a, "--workdir") ||
                    !strcmp(a, "--kernels")) &&
                   i + 1 < argc) {
            const char *v = argv[++i];
            if (!strcmp(a, "--kernels"))
                o.kernels = v;
            else if (!strcmp(a, "--tuban"))
                o.tuban = v;
            else if (!strcmp(a, "--workdir"))
                o.workdir = v;
            else if (parse_int(v, 1, BENCH_MAX_REPEAT, &repeat) != 0) {
                fprintf(stderr, "tuban_bench: --repeat: '%s' is not a number in 1..%d\n", v,
                        BENCH_MAX_REPEAT);
                return 2;
            }
        } else {
            fprintf(stderr, "tuban_bench: unknown option or missing value '%s'\n", a);
            usage(stderr);
            return 2;
        }
    }
    for (const char *q = o.kernels; q && *q;) {
        const char *end = strchr(q, ',');
        const size_t n = end ? (size_t)(end - q) : strlen(q);
        int known = 0;
        for (int k = 0; k < K_COUNT; k++)
            known |= strlen(kernel_names[k]) == n && !strncmp(q, kernel_names[k], n);
        if (!known) {
            fprintf(stderr, "tuban_bench: --kernels: unknown case '%.*s'\n", (int)n, q);
            return 2;
        }
        q += n + (end != NULL);
    }
    const int rk = repeat ? repeat : (o.quick ? 1 : 5);
    const int rs = repeat ? repeat : (o.quick ? 1 : 3);
    const int ksizes[2] = {o.quick ? 256 : 4096, 8192};
    const int ssizes[2] = {o.quick ? 512 : 4096, 8192};
    const int nsizes = (o.large && !o.quick) ? 2 : 1;

    printf("# tuban_bench: %d cores, repeat %d (kernels) / %d (scans); Mpix/s counts scene pixels "
           "(decode reads both dates)\n",
           omp_get_num_procs(), rk, rs);
    g_bandwidth_gbs = measure_bandwidth(o.quick ? 32 : 512, 5);

    for (int s = 0; s < nsizes; s++)
        bench_kernels(ksizes[s], rk, o.kernels);
    if (o.no_scan)
        return 0;

    GDALAllRegister();
    char tmpl[4096];
    const char *workdir = o.workdir;
    if (!workdir) {
        const char *tmp = getenv("TMPDIR");
        snprintf(tmpl, sizeof tmpl, "%s/tuban-bench-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(tmpl)) {
            fprintf(stderr, "tuban_bench: %s: cannot create: %s\n", tmpl, strerror(errno));
            return 10;
        }
        workdir = tmpl;
    } else if (mkdir(workdir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "tuban_bench: %s: cannot create: %s\n", workdir, strerror(errno));
        return 10;
    }
    int rc = 0;
    for (int s = 0; s < nsizes && rc == 0; s++)
        rc = bench_scans(&o, workdir, ssizes[s], rs);
    if (!o.workdir)
        nftw(workdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return rc == 0 ? 0 : 1;
}
