/* tb_coreg.h: sub-pixel co-registration of two dates by phase correlation.
 *
 * Two dates already reprojected onto one grid are still off by a few pixels (residual
 * geolocation error). This module estimates that residual translation, in pixels, from
 * many square windows taken at the same places in both dates: each window gives one
 * shift by phase correlation (mean removed, Hann taper, whitened cross-power spectrum,
 * integer peak, then an upsampled-DFT refinement around it after Guizar-Sicairos,
 * Thurman & Fienup 2008), and a robust median over the windows gives the answer, so
 * that windows where the ground changed (new buildings) neither bias nor break it.
 *
 * Sign convention, used by every shift in this header:
 *     moving(x + dx, y + dy) matches reference(x, y)
 * i.e. (dx, dy) is how far the content moved from the reference to the moving image;
 * x grows to the right (along a row), y grows downwards (row index). If the moving
 * image is the reference moved 3 pixels to the right, dx = +3. To resample the moving
 * image onto the reference, read moving at (x + dx, y + dy) for output pixel (x, y).
 *
 * Accuracy (tests on synthetic textured 1024 x 1024 pairs, windows of 256): a window is
 * accurate to ~0.01 px when nothing changed; the median of 25 windows to ~0.03 px rms
 * with independent noise of std 25% of the texture's in each date. Windows taken
 * at the same places hold slightly different ground when the shift is large (a shift
 * of 20 px gives a ~0.01 px bias); for the best accuracy, run two passes: the second
 * with each moving window read at its origin moved by (lround(dx1), lround(dy1)) from
 * the first pass, adding that offset back to the second result (the tests do this:
 * ~0.0003 px on clean data at 20 px).
 *
 * Rules:
 *  - plain C types only; FFTW stays inside align/ (tb_align links fftw3f privately);
 *  - images are row-major float, `window * window` samples per window, no padding;
 *    masks are uint8_t, non-zero = valid;
 *  - a tb_coreg handle owns its FFTW plans and all scratch for one window size: no
 *    allocation happens after tb_coreg_create. One handle per thread: tb_coreg_match
 *    on distinct handles may run concurrently. tb_coreg_create and tb_coreg_destroy
 *    serialise their FFTW planner calls on a process-wide lock of this module; other
 *    code in the process that plans with fftw3f must not plan at the same time;
 *  - results are deterministic: plans are made with FFTW_ESTIMATE (no timing), every
 *    sum runs in a fixed order, so the same input gives bit-identical output on one
 *    machine, whatever the thread (FFTW picks its SIMD code by CPU, so the last bits may
 *    differ between machines);
 *  - the caller owns every array it passes; nothing here keeps a pointer to them.
 * Errors follow tb_error.h: the function that detects a problem records it once.
 */
#ifndef TB_COREG_H
#define TB_COREG_H

#include <stdint.h>

typedef struct tb_coreg_options {
    int window;          /* window side in pixels, a power of 2 in [16, 4096]; default 256 */
    double max_shift_px; /* windows whose peak lies further (|dx| or |dy|) are rejected;
                            default 32. The effective limit is also window/2 - 2, beyond
                            which a shift cannot be told from its wrap-around */
    double min_peak;     /* normalised phase-correlation peak (1 = perfect match) below
                            which a window has no reliable match; default 0.08. At window
                            256, unrelated textures peak at 0.02-0.05 on imagery with
                            sensor noise, up to ~0.1 on noise-free blurred imagery (the
                            outlier rejection of tb_coreg_combine catches those); true
                            matches with noise at 25% of the texture's std peak ~0.15 */
    int upsample;        /* sub-pixel refinement: the correlation surface is evaluated on a
                            1/upsample pixel grid over +-1 px around the integer peak, then
                            a quadratic fit on that grid; in [4, 200], default 20 */
} tb_coreg_options;

/* Why a window was not used (tb_coreg_window.reason). */
typedef enum tb_coreg_reason {
    TB_COREG_USED = 0,       /* accepted, and kept by tb_coreg_combine */
    TB_COREG_FEW_VALID,      /* fewer than half its pixels valid */
    TB_COREG_FLAT,           /* no texture in one of the two dates (constant window) */
    TB_COREG_LOW_PEAK,       /* correlation peak below min_peak: no reliable match */
    TB_COREG_FAR_PEAK,       /* peak further than the maximum shift */
    TB_COREG_OUTLIER         /* accepted by tb_coreg_match, rejected by tb_coreg_combine */
} tb_coreg_reason;

/* One window. The caller fills x, y (for its own bookkeeping: they are not read by
 * tb_coreg_match); tb_coreg_match fills the rest; tb_coreg_combine may clear
 * `accepted` and set reason = TB_COREG_OUTLIER. */
typedef struct tb_coreg_window {
    double x, y;           /* window centre, pixels */
    double dx, dy;         /* shift of this window (header convention); valid whenever
                              peak > 0, even if the window was rejected */
    double peak;           /* normalised correlation peak in [0, ~1] */
    int accepted;          /* 1 if the shift is usable */
    tb_coreg_reason reason;
} tb_coreg_window;

typedef struct tb_coreg_result {
    double dx, dy;             /* median of the windows kept (header convention):
                                  moving(x + dx, y + dy) matches reference(x, y) */
    double spread_x, spread_y; /* 1.4826 * MAD of the windows kept (robust std, px) */
    int windows_used;          /* windows kept after outlier rejection */
    int windows_tried;         /* n given to tb_coreg_combine */
    double median_peak;        /* median correlation peak of the windows kept */
} tb_coreg_result;

/* Fills *o with the defaults documented in tb_coreg_options. */
void tb_coreg_defaults(tb_coreg_options *o);

/* Plans and scratch for one window size. Opaque. */
typedef struct tb_coreg tb_coreg;

/* Creates a handle for the options `o` (NULL: defaults). Returns NULL with the error
 * recorded (TB_ERR_USAGE for bad options, TB_ERR_NOMEM) on failure. Thread-safe with
 * respect to other tb_coreg_create/destroy calls (see the rules above). */
tb_coreg *tb_coreg_create(const tb_coreg_options *o);

/* Frees the handle; NULL is accepted. */
void tb_coreg_destroy(tb_coreg *c);

/* The options the handle was created with (defaults filled in). */
const tb_coreg_options *tb_coreg_get_options(const tb_coreg *c);

/* Matches one window: `ref` and `mov` are window*window floats (row-major) taken at
 * the same place of the two dates; `valid` (window*window, may be NULL = all valid)
 * marks pixels valid in both dates. Invalid pixels are filled with the mean of the
 * valid ones before tapering. Fills w->dx, w->dy, w->peak, w->accepted and w->reason;
 * a rejected window is a result, not an error.
 * Returns 0, or TB_ERR_USAGE (recorded) if a pointer is NULL. */
int tb_coreg_match(tb_coreg *c, const float *ref, const float *mov, const uint8_t *valid,
                   tb_coreg_window *w);

/* Combines n windows robustly: among the accepted ones, rejects those whose dx or dy
 * lies further than max(0.5 px, 3 * 1.4826 * MAD) from the median (per axis), twice
 * (the second pass on the survivors of the first), and reports the median of the rest.
 * Rejected windows get accepted = 0 and reason = TB_COREG_OUTLIER. No allocation;
 * the cost is O(n^2), meant for up to a few thousand windows.
 * Returns 0, or -1 if fewer than 3 windows are kept: the shift cannot be estimated
 * (r then holds dx = dy = 0 and the counts). -1 is an outcome, not an error: nothing
 * is recorded with tb_error, so a caller may go on without co-registration. */
int tb_coreg_combine(tb_coreg_window *w, int n, tb_coreg_result *r);

/* Where to put windows: origins (top-left corners) of up to max_windows window x window
 * squares inside a width x height overlap, on a regular grid that spans the whole
 * overlap, with neighbours overlapping by at most half a window (fewer windows when the
 * overlap is small, coarser spacing when max_windows is small). x0 and y0 receive
 * max_windows ints at most, in row-major order (y outer, x inner).
 * Returns the count (0 if the overlap is smaller than one window or an argument is
 * not positive). */
int tb_coreg_layout(int width, int height, int window, int max_windows, int *x0, int *y0);

#endif
