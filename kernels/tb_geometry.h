/* tb_geometry.h: plane geometry of change objects: convex hull and the minimum-area
 * enclosing rectangle, on plain caller-owned arrays.
 *
 * The shape features of a polygon (rectangularity, solidity) come from these: a
 * component's pixels are unit squares, so the hull of their corner points is the hull
 * of the component, with integer vertices and an exact area.
 *
 * Pure C11: no allocation, no I/O; the functions are serial (one call per object) and
 * deterministic: the hull is returned in one canonical order whatever the input order.
 */
#ifndef TB_GEOMETRY_H
#define TB_GEOMETRY_H

#include <stddef.h>
#include <stdint.h>

typedef struct tb_ipoint {
    int32_t x, y;
} tb_ipoint;

/* Convex hull of the `n` points in `pts` (Andrew's monotone chain). The points are
 * sorted in place; the hull vertices go to out[0..h) (`out` holds n + 1 points and
 * may not alias `pts`), counter-clockwise in a frame whose y axis points up (clockwise
 * on an image, where y points down), starting from the smallest (x, y); collinear and
 * repeated points are dropped. Returns h: 0 for n = 0, 1 when all points coincide, 2
 * when they lie on one line. Coordinates must lie within +-2^30. */
size_t tb_convex_hull(tb_ipoint *pts, size_t n, tb_ipoint *out);

/* Twice the signed area of the polygon pts[0..n) (shoelace; positive when
 * counter-clockwise in a y-up frame). Exact for coordinates below 2^30. */
int64_t tb_polygon_area2(const tb_ipoint *pts, size_t n);

/* Area of the smallest rectangle, at any orientation, holding the convex polygon
 * xy[0..2n) (x0, y0, x1, y1, ...; vertices in hull order, either orientation, no
 * repeated vertex), by rotating calipers: one side of the optimal rectangle lies on an
 * edge of the hull, and the extreme vertices in the directions of the edge and its
 * normal advance monotonically as the edge turns, so all n edges cost O(n). Writes
 * the angle of that side (radians, in [0, pi)) to *angle when angle is not NULL.
 * Returns 0 for n < 3. */
double tb_min_area_rect(const double *xy, size_t n, double *angle);

#endif
