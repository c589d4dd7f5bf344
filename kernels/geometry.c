/* geometry.c: convex hull (monotone chain) and minimum-area rectangle (rotating
 * calipers), see tb_geometry.h. */
#include "tb_geometry.h"

#include <math.h>
#include <stdlib.h>

static int by_xy(const void *pa, const void *pb)
{
    const tb_ipoint *a = pa, *b = pb;
    if (a->x != b->x)
        return a->x < b->x ? -1 : 1;
    return (a->y > b->y) - (a->y < b->y);
}

/* Cross product of (a - o) and (b - o): > 0 for a left turn o -> a -> b. */
static int64_t cross(tb_ipoint o, tb_ipoint a, tb_ipoint b)
{
    return (int64_t)(a.x - o.x) * (b.y - o.y) - (int64_t)(a.y - o.y) * (b.x - o.x);
}

size_t tb_convex_hull(tb_ipoint *pts, size_t n, tb_ipoint *out)
{
    if (n == 0)
        return 0;
    qsort(pts, n, sizeof *pts, by_xy);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {            /* lower hull, left to right */
        while (k >= 2 && cross(out[k - 2], out[k - 1], pts[i]) <= 0)
            k--;
        out[k++] = pts[i];
    }
    for (size_t i = n - 1, lo = k + 1; i-- > 0;) {   /* upper hull, right to left */
        while (k >= lo && cross(out[k - 2], out[k - 1], pts[i]) <= 0)
            k--;
        out[k++] = pts[i];
    }
    /* The last point repeats the first; all-equal input leaves the point twice. */
    k = k > 1 ? k - 1 : k;
    if (k == 2 && out[0].x == out[1].x && out[0].y == out[1].y)
        k = 1;
    return k;
}

int64_t tb_polygon_area2(const tb_ipoint *pts, size_t n)
{
    int64_t a = 0;
    for (size_t i = 0; i < n; i++) {
        const tb_ipoint p = pts[i], q = pts[(i + 1) % n];
        a += (int64_t)p.x * q.y - (int64_t)q.x * p.y;
    }
    return a;
}

static double dot_at(const double *xy, size_t i, double ux, double uy)
{
    return xy[2 * i] * ux + xy[2 * i + 1] * uy;
}

/* Moves *idx forward (cyclically) while the next vertex lies further in the direction
 * (ux, uy) (sign +1: towards the maximum, -1: the minimum); at most n steps. On a
 * convex polygon the projections are unimodal along the vertex order, so stopping at
 * the first vertex not followed by a better one finds the extreme. */
static void advance(const double *xy, size_t n, size_t *idx, double ux, double uy, double sign)
{
    for (size_t step = 0; step < n; step++) {
        size_t next = (*idx + 1) % n;
        if (!(sign * dot_at(xy, next, ux, uy) > sign * dot_at(xy, *idx, ux, uy)))
            break;
        *idx = next;
    }
}

double tb_min_area_rect(const double *xy, size_t n, double *angle)
{
    if (angle)
        *angle = 0;
    if (n < 3)
        return 0;
    double area2 = 0;
    for (size_t i = 0; i < n; i++) {
        size_t j = (i + 1) % n;
        area2 += xy[2 * i] * xy[2 * j + 1] - xy[2 * j] * xy[2 * i + 1];
    }
    const double side = area2 >= 0 ? 1.0 : -1.0;   /* inward normal: left of a CCW edge */
    double best = INFINITY, best_angle = 0;
    size_t jmax = 0, kfar = 0, mmin = 0;
    for (size_t i = 0; i < n; i++) {
        const size_t i1 = (i + 1) % n;
        double ux = xy[2 * i1] - xy[2 * i], uy = xy[2 * i1 + 1] - xy[2 * i + 1];
        const double len = hypot(ux, uy);
        if (!(len > 0))
            continue;
        ux /= len;
        uy /= len;
        const double nx = -uy * side, ny = ux * side;
        if (i == 0) {
            for (size_t v = 1; v < n; v++) {
                if (dot_at(xy, v, ux, uy) > dot_at(xy, jmax, ux, uy))
                    jmax = v;
                if (dot_at(xy, v, nx, ny) > dot_at(xy, kfar, nx, ny))
                    kfar = v;
                if (dot_at(xy, v, ux, uy) < dot_at(xy, mmin, ux, uy))
                    mmin = v;
            }
        } else {
            advance(xy, n, &jmax, ux, uy, 1.0);
            advance(xy, n, &kfar, nx, ny, 1.0);
            advance(xy, n, &mmin, ux, uy, -1.0);
        }
        const double width = dot_at(xy, jmax, ux, uy) - dot_at(xy, mmin, ux, uy);
        const double height = dot_at(xy, kfar, nx, ny) - dot_at(xy, i, nx, ny);
        const double a = width * height;
        if (a < best) {
            best = a;
            best_angle = atan2(uy, ux);
        }
    }
    if (!isfinite(best))
        return 0;
    if (angle) {
        const double pi = 3.14159265358979323846;
        double t = fmod(best_angle, pi);
        *angle = t < 0 ? t + pi : t;
    }
    return best;
}
