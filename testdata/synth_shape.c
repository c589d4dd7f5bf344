/* synth_shape.c: footprints of buildings, structures and cars, and their shadows.
 *
 * A footprint is a rotated rectangle, or an L: the rectangle minus a notch at its
 * (+u, +v) corner (any of the four corners once rotated). Pixels belong to a
 * footprint when their centre lies inside, the rule GDAL's rasteriser follows, so the
 * truth mask is the rasterised truth polygons. A flat-roofed prism of height h casts
 * on flat ground the footprint swept along the shadow vector h * (shadow direction);
 * a point is in it when the segment from the point back towards the sun crosses the
 * footprint, tested per rectangle with the slab method.
 */
#include <math.h>

#include "synth_internal.h"

void tb_synth_shape_local(const tb_synth_shape *sh, double x, double y, double *u, double *v)
{
    double dx = x - sh->cx, dy = y - sh->cy;
    *u = dx * sh->c + dy * sh->s;
    *v = -dx * sh->s + dy * sh->c;
}

int tb_synth_shape_contains(const tb_synth_shape *sh, double x, double y)
{
    double u, v;
    tb_synth_shape_local(sh, x, y, &u, &v);
    if (fabs(u) >= sh->hu || fabs(v) >= sh->hv)
        return 0;
    return !(sh->nu > 0 && u > sh->hu - sh->nu && v > sh->hv - sh->nv);
}

/* Clips the parameter interval [*t0, *t1] to the t where p + t d lies in [lo, hi];
 * returns 0 when it becomes empty. */
static int slab(double p, double d, double lo, double hi, double *t0, double *t1)
{
    if (fabs(d) < 1e-12)
        return p >= lo && p <= hi;
    double ta = (lo - p) / d, tb = (hi - p) / d;
    if (ta > tb) {
        double t = ta;
        ta = tb;
        tb = t;
    }
    if (ta > *t0)
        *t0 = ta;
    if (tb < *t1)
        *t1 = tb;
    return *t0 <= *t1;
}

/* 1 when the segment (u, v) - t (du, dv), t in [0, 1], meets [u0, u1] x [v0, v1]. */
static int segment_meets_rect(double u, double v, double du, double dv, double u0, double u1,
                              double v0, double v1)
{
    double t0 = 0, t1 = 1;
    return slab(u, -du, u0, u1, &t0, &t1) && slab(v, -dv, v0, v1, &t0, &t1);
}

int tb_synth_shape_in_sweep(const tb_synth_shape *sh, double dx, double dy, double x, double y)
{
    double u, v;
    tb_synth_shape_local(sh, x, y, &u, &v);
    double du = dx * sh->c + dy * sh->s, dv = -dx * sh->s + dy * sh->c;
    if (sh->nu <= 0)
        return segment_meets_rect(u, v, du, dv, -sh->hu, sh->hu, -sh->hv, sh->hv);
    double a = sh->hu - sh->nu, b = sh->hv - sh->nv;
    return segment_meets_rect(u, v, du, dv, -sh->hu, a, -sh->hv, sh->hv) ||
           segment_meets_rect(u, v, du, dv, a, sh->hu, -sh->hv, b);
}

/* The outline in local coordinates; returns the vertex count. */
static int local_ring(const tb_synth_shape *sh, double uv[12])
{
    double hu = sh->hu, hv = sh->hv;
    if (sh->nu <= 0) {
        const double r[8] = {-hu, -hv, hu, -hv, hu, hv, -hu, hv};
        for (int k = 0; k < 8; k++)
            uv[k] = r[k];
        return 4;
    }
    double a = hu - sh->nu, b = hv - sh->nv;
    const double r[12] = {-hu, -hv, hu, -hv, hu, b, a, b, a, hv, -hu, hv};
    for (int k = 0; k < 12; k++)
        uv[k] = r[k];
    return 6;
}

int tb_synth_shape_ring(const tb_synth_shape *sh, double xy[12])
{
    double uv[12];
    int n = local_ring(sh, uv);
    double area2 = 0;
    for (int k = 0; k < n; k++) {
        double u = uv[2 * k], v = uv[2 * k + 1];
        xy[2 * k] = sh->cx + u * sh->c - v * sh->s;
        xy[2 * k + 1] = sh->cy + u * sh->s + v * sh->c;
    }
    for (int k = 0; k < n; k++) {
        int m = (k + 1) % n;
        area2 += xy[2 * k] * xy[2 * m + 1] - xy[2 * m] * xy[2 * k + 1];
    }
    /* y grows southwards here: counter-clockwise on the map is negative area here. */
    if (area2 > 0) {
        for (int k = 0; k < n / 2; k++) {
            int m = n - 1 - k;
            double tx = xy[2 * k], ty = xy[2 * k + 1];
            xy[2 * k] = xy[2 * m];
            xy[2 * k + 1] = xy[2 * m + 1];
            xy[2 * m] = tx;
            xy[2 * m + 1] = ty;
        }
    }
    return n;
}

void tb_synth_shape_box(const tb_synth_shape *sh, double dx, double dy, double box[4])
{
    double xy[12];
    int n = tb_synth_shape_ring(sh, xy);
    box[0] = box[1] = INFINITY;
    box[2] = box[3] = -INFINITY;
    for (int k = 0; k < n; k++) {
        for (int t = 0; t < 2; t++) {
            double x = xy[2 * k] + t * dx, y = xy[2 * k + 1] + t * dy;
            box[0] = fmin(box[0], x);
            box[1] = fmin(box[1], y);
            box[2] = fmax(box[2], x);
            box[3] = fmax(box[3], y);
        }
    }
}

double tb_synth_shape_area(const tb_synth_shape *sh)
{
    return 4 * sh->hu * sh->hv - (sh->nu > 0 ? sh->nu * sh->nv : 0);
}

double tb_synth_shape_edge_distance(const tb_synth_shape *sh, double u, double v)
{
    double d = fmin(sh->hu - fabs(u), sh->hv - fabs(v));
    if (sh->nu > 0) {
        double ex = fmax(sh->hu - sh->nu - u, 0), ey = fmax(sh->hv - sh->nv - v, 0);
        d = fmin(d, sqrt(ex * ex + ey * ey));
    }
    return d;
}
