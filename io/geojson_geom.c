/* geojson_geom.c: GeoJSON text of MultiPolygons, as OGR writes it (tb_geojson_geom.h).
 *
 * OGR writes a coordinate with COORDINATE_PRECISION=p (1..9) as printf's "%.pf" with
 * trailing zeros cut back to one decimal, after a heuristic ("intelliround") that, on
 * numbers longer than ten characters, cuts runs of 0s or 9s before the last digit and
 * rounds numbers of eight or more decimals whose decimals start with 00 or 99; above
 * 1e50 it switches to "%.18g". Coordinates where those rules could apply are formatted
 * by OGR itself, one at a time, so the text is OGR's in every case; test_geojson_geom
 * compares the two on random geometries.
 *
 * The digits come from one integer: |v| * 10^p rounded. When that product is below
 * 2^40 its rounding error is under 2^-13, so unless it lies within 2^-12 of a half
 * the rounded integer is the one printf's exact decimal expansion would give.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_conv.h>

#include "tb_geojson_geom.h"

static const double pow10_tab[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};

/* "%.pf" of v into out (at least 80 bytes); returns its length. */
static int fixed(char *out, double v, int p)
{
    const double x = fabs(v) * pow10_tab[p];
    const double r = nearbyint(x);
    if (!(x < 1099511627776.0) || fabs(x - r) > 0.5 - 1.0 / 4096)   /* 2^40; near a half */
        return snprintf(out, 80, "%.*f", p, v);
    uint64_t n = (uint64_t)r;
    char digits[24];
    int nd = 0;
    for (int k = 0; k < p; k++, n /= 10)   /* the decimals, last first */
        digits[nd++] = (char)('0' + n % 10);
    digits[nd++] = '.';
    do {
        digits[nd++] = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    int len = 0;
    if (signbit(v))
        out[len++] = '-';
    while (nd)
        out[len++] = digits[--nd];
    out[len] = '\0';
    return len;
}

int tb_geojson_coordinate(char *out, double v, int p)
{
    if (p < 1 || p > 9 || !isfinite(v) || fabs(v) > 1e50)
        return -1;
    int len = fixed(out, v, p);
    if (len > 10) {   /* where intelliround may cut or round */
        const char *e = out + len - 6, *dot = strchr(out, '.');
        if (!strncmp(e, "00000", 5) || !strncmp(e, "99999", 5))
            return -1;
        if (dot < out + len - 8 && (!strncmp(dot + 1, "00", 2) || !strncmp(dot + 1, "99", 2)))
            return -1;
    }
    while (out[len - 1] == '0' && out[len - 2] != '.')
        len--;
    out[len] = '\0';
    return len;
}

/* OGR's own text of coordinate v (through a point geometry `pt`, created on first
 * use) into out (80 bytes); returns its length, or -1 when it cannot be had. */
static int ogr_coordinate(char *out, double v, int p, OGRGeometryH *pt)
{
    if (!*pt && !(*pt = OGR_G_CreateGeometry(wkbPoint)))
        return -1;
    OGR_G_SetPoint_2D(*pt, 0, v, 0);
    char prec[32];
    snprintf(prec, sizeof prec, "COORDINATE_PRECISION=%d", p);
    char *opts[] = {prec, NULL};
    char *s = OGR_G_ExportToJsonEx(*pt, opts);
    const char *a = s ? strstr(s, "[ ") : NULL;
    const char *b = a ? strchr(a, ',') : NULL;
    int len = -1;
    if (b && b - (a + 2) < 80) {
        len = (int)(b - (a + 2));
        memcpy(out, a + 2, (size_t)len);
        out[len] = '\0';
    }
    CPLFree(s);
    return len;
}

static int reserve(tb_text *t, size_t more)
{
    if (t->len + more + 1 <= t->cap)
        return 0;
    size_t cap = t->cap ? t->cap : 4096;
    while (cap < t->len + more + 1)
        cap *= 2;
    char *s = realloc(t->s, cap);
    if (!s)
        return -1;
    t->s = s;
    t->cap = cap;
    return 0;
}

static void put(tb_text *t, const char *s, size_t n)   /* space reserved */
{
    memcpy(t->s + t->len, s, n);
    t->len += n;
}

#define PUT(t, lit) put((t), (lit), sizeof(lit) - 1)

/* A MultiPolygon of non-empty 2D polygons with non-empty rings: 1; otherwise 0. */
static int plain_multipolygon(OGRGeometryH g)
{
    if (OGR_G_GetGeometryType(g) != wkbMultiPolygon || OGR_G_Is3D(g) || OGR_G_IsMeasured(g))
        return 0;
    const int np = OGR_G_GetGeometryCount(g);
    if (np < 1)
        return 0;
    for (int i = 0; i < np; i++) {
        OGRGeometryH poly = OGR_G_GetGeometryRef(g, i);
        const int nr = OGR_G_GetGeometryCount(poly);
        if (wkbFlatten(OGR_G_GetGeometryType(poly)) != wkbPolygon || nr < 1)
            return 0;
        for (int j = 0; j < nr; j++)
            if (OGR_G_GetPointCount(OGR_G_GetGeometryRef(poly, j)) < 1)
                return 0;
    }
    return 1;
}

/* The text written here; 1 when OGR must write it all, -1 out of memory. */
static int write_fast(tb_text *t, OGRGeometryH g, int p, OGRGeometryH *pt)
{
    char num[2][80];
    if (reserve(t, 64))
        return -1;
    PUT(t, "{ \"type\": \"MultiPolygon\", \"coordinates\": [ ");
    const int np = OGR_G_GetGeometryCount(g);
    for (int i = 0; i < np; i++) {
        OGRGeometryH poly = OGR_G_GetGeometryRef(g, i);
        const int nr = OGR_G_GetGeometryCount(poly);
        if (reserve(t, 8))
            return -1;
        if (i)
            PUT(t, ", ");
        PUT(t, "[ ");
        for (int j = 0; j < nr; j++) {
            OGRGeometryH ring = OGR_G_GetGeometryRef(poly, j);
            const int n = OGR_G_GetPointCount(ring);
            if (reserve(t, 8))
                return -1;
            if (j)
                PUT(t, ", ");
            PUT(t, "[ ");
            for (int k = 0; k < n; k++) {
                const double x = OGR_G_GetX(ring, k), y = OGR_G_GetY(ring, k);
                int lx = tb_geojson_coordinate(num[0], x, p);
                int ly = tb_geojson_coordinate(num[1], y, p);
                if (lx < 0)
                    lx = ogr_coordinate(num[0], x, p, pt);
                if (ly < 0)
                    ly = ogr_coordinate(num[1], y, p, pt);
                if (lx < 0 || ly < 0)
                    return 1;
                if (reserve(t, (size_t)lx + (size_t)ly + 16))
                    return -1;
                if (k)
                    PUT(t, ", ");
                PUT(t, "[ ");
                put(t, num[0], (size_t)lx);
                PUT(t, ", ");
                put(t, num[1], (size_t)ly);
                PUT(t, " ]");
            }
            PUT(t, " ]");
        }
        PUT(t, " ]");
    }
    if (reserve(t, 8))
        return -1;
    PUT(t, " ] }");
    t->s[t->len] = '\0';
    return 0;
}

int tb_geojson_geometry(tb_text *t, OGRGeometryH g, int decimals)
{
    t->len = 0;
    if (decimals >= 1 && decimals <= 9 && plain_multipolygon(g)) {
        OGRGeometryH pt = NULL;
        const int r = write_fast(t, g, decimals, &pt);
        OGR_G_DestroyGeometry(pt);
        if (r <= 0)
            return r;
        t->len = 0;
    }
    char prec[32];
    snprintf(prec, sizeof prec, "COORDINATE_PRECISION=%d", decimals);
    char *opts[] = {prec, NULL};
    char *s = OGR_G_ExportToJsonEx(g, opts);
    const char *text = s ? s : "null";
    const size_t n = strlen(text);
    if (reserve(t, n)) {
        CPLFree(s);
        return -1;
    }
    put(t, text, n);
    t->s[t->len] = '\0';
    CPLFree(s);
    return 0;
}

void tb_text_free(tb_text *t)
{
    free(t->s);
    t->s = NULL;
    t->len = t->cap = 0;
}
