/* coreg_combine.c: where to put co-registration windows, and how to combine their
 * shifts into one robust estimate.
 *
 * No FFTW and no allocation here: the layout is arithmetic on the overlap size, and the
 * robust statistics (median, MAD) are computed by selection over the window array in
 * O(n^2) without reordering it, so the caller's window order is kept and the result
 * does not depend on any sort's tie handling.
 */
#include "tb_coreg.h"

#include <math.h>
#include <stddef.h>

/* Which value of a window a statistic is taken over. */
typedef enum field { FIELD_DX, FIELD_DY, FIELD_PEAK, FIELD_ABSDEV_X, FIELD_ABSDEV_Y } field;

/* The value `f` of window `w`; the absolute deviations are taken from `cx`, `cy`. */
static double value(const tb_coreg_window *w, field f, double cx, double cy)
{
    switch (f) {
    case FIELD_DX: return w->dx;
    case FIELD_DY: return w->dy;
    case FIELD_PEAK: return w->peak;
    case FIELD_ABSDEV_X: return fabs(w->dx - cx);
    case FIELD_ABSDEV_Y: return fabs(w->dy - cy);
    }
    return 0.0;
}

/* The k-th smallest (0-based) value of `f` among the accepted windows, by counting:
 * the value v such that fewer than k+1 values are below v and at least k+1 are <= v. */
static double kth_accepted(const tb_coreg_window *w, int n, int k, field f, double cx,
                           double cy)
{
    for (int i = 0; i < n; i++) {
        if (!w[i].accepted)
            continue;
        const double v = value(&w[i], f, cx, cy);
        int below = 0, equal = 0;
        for (int j = 0; j < n; j++) {
            if (!w[j].accepted)
                continue;
            const double o = value(&w[j], f, cx, cy);
            below += o < v;
            equal += o == v;
        }
        if (below <= k && k < below + equal)
            return v;
    }
    return 0.0; /* not reached when 0 <= k < count of accepted windows */
}

/* Median of `f` over the `count` accepted windows (mean of the two middle values when
 * count is even); count must be positive. */
static double median_accepted(const tb_coreg_window *w, int n, int count, field f, double cx,
                              double cy)
{
    const double a = kth_accepted(w, n, (count - 1) / 2, f, cx, cy);
    if (count % 2)
        return a;
    return 0.5 * (a + kth_accepted(w, n, count / 2, f, cx, cy));
}

static int count_accepted(const tb_coreg_window *w, int n)
{
    int count = 0;
    for (int i = 0; i < n; i++)
        count += w[i].accepted != 0;
    return count;
}

int tb_coreg_combine(tb_coreg_window *w, int n, tb_coreg_result *r)
{
    r->dx = r->dy = 0.0;
    r->spread_x = r->spread_y = 0.0;
    r->windows_used = 0;
    r->windows_tried = n > 0 ? n : 0;
    r->median_peak = 0.0;
    if (!w || n <= 0)
        return -1;

    int count = count_accepted(w, n);
    for (int pass = 0; pass < 2 && count >= 3; pass++) {
        const double mx = median_accepted(w, n, count, FIELD_DX, 0, 0);
        const double my = median_accepted(w, n, count, FIELD_DY, 0, 0);
        const double madx = median_accepted(w, n, count, FIELD_ABSDEV_X, mx, my);
        const double mady = median_accepted(w, n, count, FIELD_ABSDEV_Y, mx, my);
        const double tx = fmax(0.5, 3.0 * 1.4826 * madx);
        const double ty = fmax(0.5, 3.0 * 1.4826 * mady);
        for (int i = 0; i < n; i++)
            if (w[i].accepted && (fabs(w[i].dx - mx) > tx || fabs(w[i].dy - my) > ty)) {
                w[i].accepted = 0;
                w[i].reason = TB_COREG_OUTLIER;
            }
        count = count_accepted(w, n);
    }
    r->windows_used = count;
    if (count < 3)
        return -1;
    r->dx = median_accepted(w, n, count, FIELD_DX, 0, 0);
    r->dy = median_accepted(w, n, count, FIELD_DY, 0, 0);
    r->spread_x = 1.4826 * median_accepted(w, n, count, FIELD_ABSDEV_X, r->dx, r->dy);
    r->spread_y = 1.4826 * median_accepted(w, n, count, FIELD_ABSDEV_Y, r->dx, r->dy);
    r->median_peak = median_accepted(w, n, count, FIELD_PEAK, 0, 0);
    return 0;
}

/* Windows along one axis of `size` pixels when at most half a window may overlap. */
static int axis_max(int size, int window)
{
    const int half = window / 2 > 0 ? window / 2 : 1;
    return 1 + (size - window) / half;
}

/* Origin of window i of `count` spread evenly over [0, size - window]; a single window
 * is centred. */
static int axis_origin(int i, int count, int size, int window)
{
    if (count == 1)
        return (size - window) / 2;
    return (int)(((long long)i * (size - window) + (count - 1) / 2) / (count - 1));
}

int tb_coreg_layout(int width, int height, int window, int max_windows, int *x0, int *y0)
{
    if (width <= 0 || height <= 0 || window <= 0 || max_windows <= 0 || width < window ||
        height < window || !x0 || !y0)
        return 0;
    int nx = axis_max(width, window), ny = axis_max(height, window);
    /* Drop a column or a row, from the denser axis, until the grid fits. */
    while ((long long)nx * ny > max_windows) {
        if (nx >= ny)
            nx--;
        else
            ny--;
    }
    int k = 0;
    for (int j = 0; j < ny; j++)
        for (int i = 0; i < nx; i++) {
            x0[k] = axis_origin(i, nx, width, window);
            y0[k] = axis_origin(j, ny, height, window);
            k++;
        }
    return k;
}
