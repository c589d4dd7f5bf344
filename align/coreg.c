/* coreg.c: one window of phase correlation, with sub-pixel refinement.
 *
 * For a window pair (ref, mov) of side N: fill invalid pixels with the window mean,
 * remove the mean, taper with a separable Hann window, take both real-to-complex FFTs,
 * form the whitened cross-power spectrum Q = M conj(R) / (|M conj(R)| + eps), which for
 * mov(x) = ref(x - d) is the pure phase ramp exp(-2 pi i k.d / N), and whose inverse FFT
 * is a peak at d. The integer peak comes from the inverse FFT; the sub-pixel peak from
 * evaluating the same inverse DFT on a 1/upsample grid over +-1 px around it, by two
 * small matrix products on the half spectrum (the upsampled-DFT method of
 * Guizar-Sicairos, Thurman & Fienup, Opt. Lett. 33(2), 2008), then a quadratic fit on
 * the 3x3 upsampled samples around the best one. The peak value is divided by the sum
 * of |Q|, so identical windows give 1.
 *
 * The FFTW planner is not thread-safe: plans are made and destroyed under plan_lock.
 * Execution uses the new-array interface on buffers owned by the handle, which FFTW
 * documents as thread-safe. Everything else is plain serial C in a fixed order.
 */
#include "tb_coreg.h"

#include <fftw3.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>

#include "tb_error.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

static pthread_mutex_t plan_lock = PTHREAD_MUTEX_INITIALIZER;

struct tb_coreg {
    tb_coreg_options opt;
    int n;               /* window side */
    int nh;              /* n / 2 + 1: columns of the half spectrum */
    int m;               /* upsampled grid side: 2 * upsample + 1 */
    double max_shift;    /* effective limit */
    float *taper;        /* n: 1-D Hann window */
    float *in_ref, *in_mov;              /* n * n, FFT inputs */
    fftwf_complex *spec_ref, *spec_mov;  /* n * nh */
    float *corr;                         /* n * n, inverse FFT output */
    fftwf_plan forward;  /* in_ref -> spec_ref; executed on both pairs */
    fftwf_plan inverse;  /* spec_mov -> corr */
    double weight;       /* sum of |Q| over the full spectrum: the peak of a perfect match */
    /* upsampled DFT scratch: complex arrays as a block of real parts then a block of
     * imaginary parts */
    double *ex;          /* 2 * nh * m: column kernel w_k exp(2 pi i k x_j / n) */
    double *ey;          /* 2 * m * n: row kernel exp(2 pi i k y_i / n), k signed */
    double *tmp;         /* 2 * n * m: spectrum times column kernel */
    double *surface;     /* m * m: upsampled correlation surface (real) */
};

void tb_coreg_defaults(tb_coreg_options *o)
{
    o->window = 256;
    o->max_shift_px = 32.0;
    o->min_peak = 0.08;
    o->upsample = 20;
}

/* Returns TB_OK if the options are usable, else records and returns TB_ERR_USAGE. */
static int check_options(const tb_coreg_options *o)
{
    if (o->window < 16 || o->window > 4096 || (o->window & (o->window - 1)) != 0)
        return tb_error(TB_ERR_USAGE, "coreg.c: window %d is not a power of 2 in [16, 4096]",
                        o->window);
    if (!(o->max_shift_px > 0.0))
        return tb_error(TB_ERR_USAGE, "coreg.c: max_shift_px %g is not positive", o->max_shift_px);
    if (!(o->min_peak >= 0.0 && o->min_peak <= 1.0))
        return tb_error(TB_ERR_USAGE, "coreg.c: min_peak %g is not in [0, 1]", o->min_peak);
    if (o->upsample < 4 || o->upsample > 200)
        return tb_error(TB_ERR_USAGE, "coreg.c: upsample %d is not in [4, 200]", o->upsample);
    return TB_OK;
}

tb_coreg *tb_coreg_create(const tb_coreg_options *o)
{
    tb_coreg_options opt;
    if (o)
        opt = *o;
    else
        tb_coreg_defaults(&opt);
    if (check_options(&opt) != TB_OK)
        return NULL;

    tb_coreg *c = calloc(1, sizeof *c);
    if (!c) {
        tb_error(TB_ERR_NOMEM, "coreg.c: no memory for a co-registration handle");
        return NULL;
    }
    const int n = opt.window;
    const size_t nn = (size_t)n * (size_t)n;
    c->opt = opt;
    c->n = n;
    c->nh = n / 2 + 1;
    c->m = 2 * opt.upsample + 1;
    c->max_shift = fmin(opt.max_shift_px, n / 2 - 2);
    const size_t nspec = (size_t)n * (size_t)c->nh;

    c->taper = malloc((size_t)n * sizeof *c->taper);
    c->in_ref = fftwf_malloc(nn * sizeof(float));
    c->in_mov = fftwf_malloc(nn * sizeof(float));
    c->corr = fftwf_malloc(nn * sizeof(float));
    c->spec_ref = fftwf_malloc(nspec * sizeof(fftwf_complex));
    c->spec_mov = fftwf_malloc(nspec * sizeof(fftwf_complex));
    c->ex = malloc((size_t)c->nh * (size_t)c->m * 2 * sizeof(double));
    c->ey = malloc((size_t)c->m * (size_t)n * 2 * sizeof(double));
    c->tmp = malloc((size_t)n * (size_t)c->m * 2 * sizeof(double));
    c->surface = malloc((size_t)c->m * (size_t)c->m * sizeof(double));
    if (!c->taper || !c->in_ref || !c->in_mov || !c->corr || !c->spec_ref || !c->spec_mov ||
        !c->ex || !c->ey || !c->tmp || !c->surface) {
        tb_error(TB_ERR_NOMEM, "coreg.c: no memory for %dx%d window buffers", n, n);
        tb_coreg_destroy(c);
        return NULL;
    }
    /* Symmetric Hann, never exactly zero: sin^2(pi (i + 0.5) / n). */
    for (int i = 0; i < n; i++) {
        double s = sin(M_PI * (i + 0.5) / n);
        c->taper[i] = (float)(s * s);
    }

    pthread_mutex_lock(&plan_lock);
    c->forward = fftwf_plan_dft_r2c_2d(n, n, c->in_ref, c->spec_ref, FFTW_ESTIMATE);
    c->inverse = fftwf_plan_dft_c2r_2d(n, n, c->spec_mov, c->corr, FFTW_ESTIMATE);
    pthread_mutex_unlock(&plan_lock);
    if (!c->forward || !c->inverse) {
        tb_error(TB_ERR_INTERNAL, "coreg.c: FFTW could not plan a %dx%d transform", n, n);
        tb_coreg_destroy(c);
        return NULL;
    }
    return c;
}

void tb_coreg_destroy(tb_coreg *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&plan_lock);
    if (c->forward)
        fftwf_destroy_plan(c->forward);
    if (c->inverse)
        fftwf_destroy_plan(c->inverse);
    pthread_mutex_unlock(&plan_lock);
    fftwf_free(c->in_ref);
    fftwf_free(c->in_mov);
    fftwf_free(c->corr);
    fftwf_free(c->spec_ref);
    fftwf_free(c->spec_mov);
    free(c->taper);
    free(c->ex);
    free(c->ey);
    free(c->tmp);
    free(c->surface);
    free(c);
}

const tb_coreg_options *tb_coreg_get_options(const tb_coreg *c)
{
    return &c->opt;
}

/* Copies `src` into `dst` (n*n) with invalid pixels replaced by the mean of the valid
 * ones, the mean removed and the Hann taper applied. Returns 0 if the window has
 * texture, 1 if it is flat (all valid pixels equal, to float precision). */
static int prepare(const tb_coreg *c, const float *src, const uint8_t *valid, float *dst)
{
    const int n = c->n;
    const size_t nn = (size_t)n * (size_t)n;
    double sum = 0.0;
    size_t count = 0;
    for (size_t i = 0; i < nn; i++)
        if (!valid || valid[i]) {
            sum += src[i];
            count++;
        }
    const double mean = count ? sum / (double)count : 0.0;
    double ss = 0.0;
    for (size_t i = 0; i < nn; i++)
        if (!valid || valid[i]) {
            double d = src[i] - mean;
            ss += d * d;
        }
    const double var = count ? ss / (double)count : 0.0;
    if (!(var > 1e-12 * (mean * mean) + 1e-30))
        return 1;
    for (int y = 0; y < n; y++) {
        const float ty = c->taper[y];
        const size_t row = (size_t)y * (size_t)n;
        for (int x = 0; x < n; x++) {
            const size_t i = row + (size_t)x;
            const double v = (!valid || valid[i]) ? src[i] - mean : 0.0;
            dst[i] = (float)v * ty * c->taper[x];
        }
    }
    return 0;
}

/* Writes the whitened cross-power spectrum Q = M conj(R) / (|M conj(R)| + eps) into
 * spec_ref (kept for the refinement) and spec_mov (consumed by the inverse FFT), and
 * the sum of |Q| over the full spectrum into c->weight.
 * eps is the float round-off floor of the product (1e-7 of its largest magnitude):
 * bins below it hold only FFT rounding error, and are damped instead of being raised
 * to unit magnitude. On sharp imagery every bin is above it and Q is the pure phase;
 * on blurred imagery the damped bins are the outer frequencies, which is why the peak
 * is normalised by the sum of |Q| (a perfect match then gives 1) and not by n*n.
 * DC and the Nyquist row and column carry no usable shift information (DC none, the
 * Nyquist terms an ambiguous sign for non-integer shifts) and are set to zero. */
/* Weight of frequency (kx, ky): 1 up to LOW_PASS_START of Nyquist, a raised cosine
 * down to 0 at LOW_PASS_END. Real dates are rarely band-limited (hard roof edges
 * alias), and a date resampled onto the grid at a fractional offset has its high
 * frequencies delayed less than its low ones by the interpolation kernel: both bend
 * the phase at high frequencies and pull the estimate towards whole pixels (by 0.1 px
 * at an offset of 0.3 px with bilinear resampling). The low band is faithful. */
#define LOW_PASS_START 0.35
#define LOW_PASS_END 0.6
static float band_weight(int kx, int ky, int n)
{
    const double fy = (ky < n / 2 ? ky : ky - n) / (0.5 * n);
    const double fx = kx / (0.5 * n);
    const double r = sqrt(fx * fx + fy * fy);
    if (r <= LOW_PASS_START)
        return 1.0f;
    if (r >= LOW_PASS_END)
        return 0.0f;
    return (float)(0.5 * (1.0 + cos(M_PI * (r - LOW_PASS_START) / (LOW_PASS_END - LOW_PASS_START))));
}

static void cross_power(tb_coreg *c)
{
    const int n = c->n, nh = c->nh;
    const size_t nspec = (size_t)n * (size_t)nh;
    float maxmag2 = 0.0f;
    for (size_t i = 0; i < nspec; i++) {
        const float rr = c->spec_ref[i][0], ri = c->spec_ref[i][1];
        const float mr = c->spec_mov[i][0], mi = c->spec_mov[i][1];
        /* M conj(R) */
        const float qr = mr * rr + mi * ri;
        const float qi = mi * rr - mr * ri;
        c->spec_ref[i][0] = qr;
        c->spec_ref[i][1] = qi;
        const float mag2 = qr * qr + qi * qi;
        if (mag2 > maxmag2)
            maxmag2 = mag2;
    }
    const float eps = 1e-7f * sqrtf(maxmag2) + 1e-30f;
    double weight = 0.0;
    for (int ky = 0; ky < n; ky++) {
        double row = 0.0;
        for (int kx = 0; kx < nh; kx++) {
            const size_t i = (size_t)ky * (size_t)nh + (size_t)kx;
            float qr = c->spec_ref[i][0], qi = c->spec_ref[i][1];
            if (ky == 0 && kx == 0) {
                qr = qi = 0.0f;
            } else if (ky == n / 2 || kx == n / 2) {
                qr = qi = 0.0f;
            } else {
                const float mag = sqrtf(qr * qr + qi * qi);
                const float s = band_weight(kx, ky, n) / (mag + eps);
                qr *= s;
                qi *= s;
                /* |Q| = mag * s; columns 0 < kx < n/2 stand for two bins of the full
                 * spectrum */
                row += (kx == 0 ? 1.0 : 2.0) * (double)(mag * s);
            }
            c->spec_ref[i][0] = c->spec_mov[i][0] = qr;
            c->spec_ref[i][1] = c->spec_mov[i][1] = qi;
        }
        weight += row;
    }
    c->weight = weight;
}

/* Evaluates the inverse DFT of the whitened spectrum (spec_ref), divided by c->weight
 * (> 0), on the m x m grid x_j = px + (j - u) / u, y_i = py + (i - u) / u
 * (u = upsample), into c->surface[i * m + j]. Uses Hermitian symmetry: only the half
 * spectrum is summed, columns 0 < kx < n/2 counted twice, and the real part taken.
 * Two matrix products, with real and imaginary parts in separate arrays so that the
 * inner loops (over j) vectorise. */
static void upsampled_surface(tb_coreg *c, int px, int py)
{
    const int n = c->n, nh = c->nh, m = c->m, u = c->opt.upsample;
    const size_t ms = (size_t)m, ns = (size_t)n;
    const double w = 2.0 * M_PI / n;
    double *restrict ex_re = c->ex, *restrict ex_im = c->ex + (size_t)nh * ms;
    double *restrict ey_re = c->ey, *restrict ey_im = c->ey + ms * ns;
    double *restrict t_re = c->tmp, *restrict t_im = c->tmp + ns * ms;
    /* Column kernel: ex[kx][j] = twice(kx) exp(i w kx x_j). kx = n/2 is zero in Q. */
    for (int kx = 0; kx < nh; kx++) {
        const double twice = (kx == 0) ? 1.0 : 2.0;
        for (int j = 0; j < m; j++) {
            const double x = px + (double)(j - u) / u;
            /* reduce the phase before sin/cos: kx * x can reach ~n^2 / 4 */
            const double ph = w * fmod((double)kx * x, (double)n);
            ex_re[(size_t)kx * ms + (size_t)j] = twice * cos(ph);
            ex_im[(size_t)kx * ms + (size_t)j] = twice * sin(ph);
        }
    }
    /* Row kernel: ey[i][ky] = exp(i w k y_i), k the signed frequency of row ky. */
    for (int i = 0; i < m; i++) {
        const double y = py + (double)(i - u) / u;
        for (int ky = 0; ky < n; ky++) {
            const int k = ky < n / 2 ? ky : ky - n;
            const double ph = w * fmod((double)k * y, (double)n);
            ey_re[(size_t)i * ns + (size_t)ky] = cos(ph);
            ey_im[(size_t)i * ns + (size_t)ky] = sin(ph);
        }
    }
    /* tmp[ky][j] = sum_kx Q[ky][kx] ex[kx][j] */
    for (int ky = 0; ky < n; ky++) {
        double *restrict tr = t_re + (size_t)ky * ms, *restrict ti = t_im + (size_t)ky * ms;
        for (int j = 0; j < m; j++)
            tr[j] = ti[j] = 0.0;
        for (int kx = 0; kx < nh - 1; kx++) {
            const float *q = c->spec_ref[(size_t)ky * (size_t)nh + (size_t)kx];
            const double qr = q[0], qi = q[1];
            if (qr == 0.0 && qi == 0.0)
                continue;
            const double *restrict er = ex_re + (size_t)kx * ms;
            const double *restrict ei = ex_im + (size_t)kx * ms;
#pragma omp simd
            for (int j = 0; j < m; j++) {
                tr[j] += qr * er[j] - qi * ei[j];
                ti[j] += qr * ei[j] + qi * er[j];
            }
        }
    }
    /* surface[i][j] = Re sum_ky ey[i][ky] tmp[ky][j] / weight */
    const double norm = 1.0 / c->weight;
    for (int i = 0; i < m; i++) {
        double *restrict s = c->surface + (size_t)i * ms;
        for (int j = 0; j < m; j++)
            s[j] = 0.0;
        for (int ky = 0; ky < n; ky++) {
            const double er = ey_re[(size_t)i * ns + (size_t)ky];
            const double ei = ey_im[(size_t)i * ns + (size_t)ky];
            const double *restrict tr = t_re + (size_t)ky * ms;
            const double *restrict ti = t_im + (size_t)ky * ms;
#pragma omp simd
            for (int j = 0; j < m; j++)
                s[j] += er * tr[j] - ei * ti[j];
        }
        for (int j = 0; j < m; j++)
            s[j] *= norm;
    }
}

/* Vertex offset in (-0.5, 0.5) of the parabola through (-1, a), (0, b), (1, c), where b
 * is the largest; 0 when the three are collinear. */
static double parabola_vertex(double a, double b, double cc)
{
    const double den = a - 2.0 * b + cc;
    if (!(den < 0.0))
        return 0.0;
    double v = 0.5 * (a - cc) / den;
    return v > 0.5 ? 0.5 : (v < -0.5 ? -0.5 : v);
}

int tb_coreg_match(tb_coreg *c, const float *ref, const float *mov, const uint8_t *valid,
                   tb_coreg_window *w)
{
    if (!c || !ref || !mov || !w)
        return tb_error(TB_ERR_USAGE, "coreg.c: tb_coreg_match needs a handle, two windows "
                                      "and a result");
    const int n = c->n;
    const size_t nn = (size_t)n * (size_t)n;
    w->dx = w->dy = 0.0;
    w->peak = 0.0;
    w->accepted = 0;

    if (valid) {
        size_t count = 0;
        for (size_t i = 0; i < nn; i++)
            count += valid[i] != 0;
        if (2 * count < nn) {
            w->reason = TB_COREG_FEW_VALID;
            return TB_OK;
        }
    }
    if (prepare(c, ref, valid, c->in_ref) || prepare(c, mov, valid, c->in_mov)) {
        w->reason = TB_COREG_FLAT;
        return TB_OK;
    }
    fftwf_execute_dft_r2c(c->forward, c->in_ref, c->spec_ref);
    fftwf_execute_dft_r2c(c->forward, c->in_mov, c->spec_mov);
    cross_power(c);
    if (!(c->weight > 0.0)) { /* no bin above round-off: nothing to correlate */
        w->reason = TB_COREG_FLAT;
        return TB_OK;
    }
    fftwf_execute_dft_c2r(c->inverse, c->spec_mov, c->corr);

    /* Integer peak; ties go to the first in row-major order. */
    size_t best = 0;
    for (size_t i = 1; i < nn; i++)
        if (c->corr[i] > c->corr[best])
            best = i;
    int py = (int)(best / (size_t)n), px = (int)(best % (size_t)n);
    if (py >= n / 2)
        py -= n;
    if (px >= n / 2)
        px -= n;

    /* Sub-pixel: upsampled surface over +-1 px, best sample, quadratic fit around it. */
    const int m = c->m, u = c->opt.upsample;
    upsampled_surface(c, px, py);
    int bi = u, bj = u;
    for (int i = 0; i < m; i++)
        for (int j = 0; j < m; j++)
            if (c->surface[(size_t)i * (size_t)m + (size_t)j] >
                c->surface[(size_t)bi * (size_t)m + (size_t)bj]) {
                bi = i;
                bj = j;
            }
    double fx = 0.0, fy = 0.0;
    if (bi > 0 && bi < m - 1 && bj > 0 && bj < m - 1) {
        const double *s = c->surface;
        const size_t r = (size_t)bi * (size_t)m + (size_t)bj;
        fx = parabola_vertex(s[r - 1], s[r], s[r + 1]);
        fy = parabola_vertex(s[r - (size_t)m], s[r], s[r + (size_t)m]);
    }
    w->dx = px + (bj - u + fx) / u;
    w->dy = py + (bi - u + fy) / u;
    w->peak = c->surface[(size_t)bi * (size_t)m + (size_t)bj];
    if (w->peak < 0.0)
        w->peak = 0.0;

    if (w->peak < c->opt.min_peak)
        w->reason = TB_COREG_LOW_PEAK;
    else if (fabs(w->dx) > c->max_shift || fabs(w->dy) > c->max_shift)
        w->reason = TB_COREG_FAR_PEAK;
    else {
        w->reason = TB_COREG_USED;
        w->accepted = 1;
    }
    return TB_OK;
}
