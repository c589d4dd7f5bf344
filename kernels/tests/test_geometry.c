/* test_geometry.c: tb_convex_hull, tb_polygon_area2 and tb_min_area_rect.
 *
 * The hull is checked by the properties that define it (every input point inside or
 * on it, every vertex an input point, strictly convex, canonical start); the rotating
 * calipers against the naive O(n^2) scan of every hull edge and against a fine sweep
 * of orientations (none may beat it); known shapes give exact values.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kernels_testkit.h"
#include "tb_geometry.h"

static int64_t cross3(tb_ipoint o, tb_ipoint a, tb_ipoint b)
{
    return (int64_t)(a.x - o.x) * (b.y - o.y) - (int64_t)(a.y - o.y) * (b.x - o.x);
}

/* Naive reference: for every edge of the convex polygon, the bounding rectangle
 * aligned with it from a projection of every vertex. */
static double naive_min_rect(const double *xy, size_t n)
{
    double best = INFINITY;
    for (size_t i = 0; i < n; i++) {
        size_t j = (i + 1) % n;
        double ux = xy[2 * j] - xy[2 * i], uy = xy[2 * j + 1] - xy[2 * i + 1];
        double len = hypot(ux, uy);
        if (!(len > 0))
            continue;
        ux /= len;
        uy /= len;
        double lo = INFINITY, hi = -INFINITY, nlo = INFINITY, nhi = -INFINITY;
        for (size_t v = 0; v < n; v++) {
            double p = xy[2 * v] * ux + xy[2 * v + 1] * uy;
            double q = -xy[2 * v] * uy + xy[2 * v + 1] * ux;
            lo = fmin(lo, p);
            hi = fmax(hi, p);
            nlo = fmin(nlo, q);
            nhi = fmax(nhi, q);
        }
        best = fmin(best, (hi - lo) * (nhi - nlo));
    }
    return best;
}

/* Smallest bounding rectangle over `steps` orientations in [0, pi/2). */
static double sweep_min_rect(const double *xy, size_t n, int steps)
{
    double best = INFINITY;
    for (int s = 0; s < steps; s++) {
        double t = 1.5707963267948966 * s / steps, ux = cos(t), uy = sin(t);
        double lo = INFINITY, hi = -INFINITY, nlo = INFINITY, nhi = -INFINITY;
        for (size_t v = 0; v < n; v++) {
            double p = xy[2 * v] * ux + xy[2 * v + 1] * uy;
            double q = -xy[2 * v] * uy + xy[2 * v + 1] * ux;
            lo = fmin(lo, p);
            hi = fmax(hi, p);
            nlo = fmin(nlo, q);
            nhi = fmax(nhi, q);
        }
        best = fmin(best, (hi - lo) * (nhi - nlo));
    }
    return best;
}

/* The defining properties of the hull of pts[0..n) given as hull[0..h). */
static void assert_is_hull(const tb_ipoint *pts, size_t n, const tb_ipoint *hull, size_t h)
{
    assert_true(h >= 3);
    for (size_t i = 0; i < h; i++) {
        /* strictly convex, counter-clockwise (y up) */
        assert_true(cross3(hull[i], hull[(i + 1) % h], hull[(i + 2) % h]) > 0);
        int found = 0;
        for (size_t k = 0; k < n && !found; k++)
            found = pts[k].x == hull[i].x && pts[k].y == hull[i].y;
        assert_true(found);
        /* canonical start: the smallest (x, y) */
        assert_true(hull[0].x < hull[i].x || (hull[0].x == hull[i].x && hull[0].y <= hull[i].y));
    }
    for (size_t k = 0; k < n; k++)
        for (size_t i = 0; i < h; i++)
            assert_true(cross3(hull[i], hull[(i + 1) % h], pts[k]) >= 0);
}

static void test_hull_random(void **state)
{
    (void)state;
    tk_rng rng = tk_rng_seed(11);
    for (int trial = 0; trial < 400; trial++) {
        size_t n = (size_t)tk_int(&rng, 3, 300);
        int spread = tk_int(&rng, 2, 1000);
        tb_ipoint *pts = tk_alloc(n, sizeof *pts), *orig = tk_alloc(n, sizeof *orig);
        tb_ipoint *hull = tk_alloc(n + 1, sizeof *hull);
        for (size_t i = 0; i < n; i++) {
            pts[i].x = tk_int(&rng, -spread, spread);
            pts[i].y = tk_int(&rng, -spread, spread);
        }
        memcpy(orig, pts, n * sizeof *pts);
        size_t h = tb_convex_hull(pts, n, hull);
        if (h >= 3) {
            assert_is_hull(orig, n, hull, h);
            assert_true(tb_polygon_area2(hull, h) > 0);
            /* the order of the input does not matter */
            tb_ipoint *rev = tk_alloc(n, sizeof *rev), *hull2 = tk_alloc(n + 1, sizeof *hull2);
            for (size_t i = 0; i < n; i++)
                rev[i] = orig[n - 1 - i];
            assert_int_equal(tb_convex_hull(rev, n, hull2), h);
            assert_memory_equal(hull, hull2, h * sizeof *hull);
            free(rev);
            free(hull2);

            double *xy = tk_alloc(2 * h, sizeof *xy);
            for (size_t i = 0; i < h; i++) {
                xy[2 * i] = hull[i].x;
                xy[2 * i + 1] = hull[i].y;
            }
            double got = tb_min_area_rect(xy, h, NULL), want = naive_min_rect(xy, h);
            if (fabs(got - want) > 1e-9 * want) {
                print_error("trial %d: calipers %.12g, naive %.12g (n %zu, hull %zu)\n", trial, got,
                            want, n, h);
                fail();
            }
            assert_true(sweep_min_rect(xy, h, 720) >= got * (1 - 1e-12));
            assert_true(got >= (double)tb_polygon_area2(hull, h) / 2 * (1 - 1e-12));
            free(xy);
        }
        free(pts);
        free(orig);
        free(hull);
    }
}

static void test_hull_degenerate(void **state)
{
    (void)state;
    tb_ipoint out[8];
    assert_int_equal(tb_convex_hull(NULL, 0, out), 0);
    tb_ipoint same[3] = {{4, 5}, {4, 5}, {4, 5}};
    assert_int_equal(tb_convex_hull(same, 3, out), 1);
    assert_int_equal(out[0].x, 4);
    tb_ipoint line[4] = {{0, 0}, {3, 3}, {1, 1}, {2, 2}};
    assert_int_equal(tb_convex_hull(line, 4, out), 2);
    assert_int_equal(out[0].x, 0);
    assert_int_equal(out[1].x, 3);
    double two[4] = {0, 0, 1, 1};
    assert_true(tb_min_area_rect(two, 2, NULL) == 0);
}

/* Corners of the unit squares of the pixels of a w x h mask. */
static size_t pixel_corners(const uint8_t *mask, int w, int h, tb_ipoint *pts)
{
    size_t n = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            if (mask[y * w + x]) {
                const tb_ipoint c[4] = {{x, y}, {x + 1, y}, {x, y + 1}, {x + 1, y + 1}};
                memcpy(pts + n, c, sizeof c);
                n += 4;
            }
    return n;
}

static void shape_of(const uint8_t *mask, int w, int h, double *hull_area, double *rect_area)
{
    tb_ipoint *pts = tk_alloc((size_t)w * h * 4, sizeof *pts);
    tb_ipoint *hull = tk_alloc((size_t)w * h * 4 + 1, sizeof *hull);
    size_t hn = tb_convex_hull(pts, pixel_corners(mask, w, h, pts), hull);
    double *xy = tk_alloc(2 * hn, sizeof *xy);
    for (size_t i = 0; i < hn; i++) {
        xy[2 * i] = hull[i].x;
        xy[2 * i + 1] = hull[i].y;
    }
    *hull_area = (double)tb_polygon_area2(hull, hn) / 2;
    *rect_area = tb_min_area_rect(xy, hn, NULL);
    free(pts);
    free(hull);
    free(xy);
}

/* A rectangle of pixels: hull and minimum rectangle are the rectangle itself
 * (rectangularity 1, solidity 1). An L (10 x 10 minus a 5 x 5 corner, 75 px): hull
 * 87.5, minimum rectangle the 10 x 10 box (rectangularity 0.75, solidity 6/7). */
static void test_known_pixel_shapes(void **state)
{
    (void)state;
    enum { W = 12, H = 12 };
    uint8_t m[W * H];
    memset(m, 0, sizeof m);
    for (int y = 2; y < 9; y++)
        for (int x = 1; x < 11; x++)
            m[y * W + x] = 1;
    double hull, rect;
    shape_of(m, W, H, &hull, &rect);
    assert_true(hull == 70.0);
    assert_true(fabs(rect - 70.0) < 1e-9);

    memset(m, 0, sizeof m);
    for (int y = 0; y < 10; y++)
        for (int x = 0; x < 10; x++)
            m[y * W + x] = !(x >= 5 && y >= 5);
    shape_of(m, W, H, &hull, &rect);
    assert_true(hull == 87.5);
    assert_true(fabs(rect - 100.0) < 1e-9);
    assert_true(fabs(75.0 / hull - 6.0 / 7.0) < 1e-12);
}

/* A rectangle at any angle: the minimum rectangle is the rectangle, its angle found. */
static void test_rotated_rectangles(void **state)
{
    (void)state;
    for (int k = 0; k < 36; k++) {
        double t = k * 5.0 * 3.14159265358979323846 / 180, c = cos(t), s = sin(t);
        double a = 17.0, b = 6.0;
        double local[4][2] = {{0, 0}, {a, 0}, {a, b}, {0, b}};
        double xy[8];
        for (int i = 0; i < 4; i++) {
            xy[2 * i] = 100 + c * local[i][0] - s * local[i][1];
            xy[2 * i + 1] = -50 + s * local[i][0] + c * local[i][1];
        }
        double ang;
        double area = tb_min_area_rect(xy, 4, &ang);
        assert_true(fabs(area - a * b) < 1e-9);
        /* the side found is the long or the short one: t or t + pi/2, mod pi */
        double d1 = fabs(remainder(ang - t, 3.14159265358979323846));
        double d2 = fabs(remainder(ang - t - 1.5707963267948966, 3.14159265358979323846));
        assert_true(fmin(d1, d2) < 1e-9);
        /* clockwise input gives the same */
        double rev[8];
        for (int i = 0; i < 4; i++) {
            rev[2 * i] = xy[2 * (3 - i)];
            rev[2 * i + 1] = xy[2 * (3 - i) + 1];
        }
        assert_true(fabs(tb_min_area_rect(rev, 4, NULL) - a * b) < 1e-9);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hull_random),
        cmocka_unit_test(test_hull_degenerate),
        cmocka_unit_test(test_known_pixel_shapes),
        cmocka_unit_test(test_rotated_rectangles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
