/* raster_roles.c: band roles from a raster's own metadata (see tb_band_roles.h). */
#include "tb_band_roles.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gdal.h>

#include "raster_internal.h"

enum { BLUE, GREEN, RED, NIR, NROLES };

/* Role of a wavelength in micrometres, or -1. */
static int role_of_wavelength(double um)
{
    if (um >= 0.45 && um < 0.52)
        return BLUE;
    if (um >= 0.52 && um < 0.60)
        return GREEN;
    if (um >= 0.62 && um < 0.70)
        return RED;
    if (um >= 0.76 && um <= 0.90)
        return NIR;
    return -1;
}

static int wavelengths(GDALDatasetH ds, int n, int *roles)
{
    int found = 0;
    for (int b = 1; b <= n; b++) {
        GDALRasterBandH band = GDALGetRasterBand(ds, b);
        const char *w = GDALGetMetadataItem(band, "wavelength", NULL);
        if (!w || !*w)
            continue;
        const char *units = GDALGetMetadataItem(band, "wavelength_units", NULL);
        if (!units)
            units = GDALGetMetadataItem(ds, "wavelength_units", NULL);
        double v = atof(w);
        if (units && (strstr(units, "anometer") || !strcmp(units, "nm")))
            v /= 1000.0;
        else if (!units && v > 100)
            v /= 1000.0;   /* no unit: nanometres when it cannot be micrometres */
        int k = role_of_wavelength(v);
        if (k >= 0 && !roles[k]) {
            roles[k] = b;
            found = 1;
        }
    }
    return found;
}

/* Lower-cased copy of s (at most cap - 1 bytes). */
static void lower(char *dst, size_t cap, const char *s)
{
    size_t i = 0;
    for (; s[i] && i + 1 < cap; i++)
        dst[i] = (char)tolower((unsigned char)s[i]);
    dst[i] = '\0';
}

static int descriptions(GDALDatasetH ds, int n, int *roles)
{
    static const struct { const char *name; int role; } names[] = {
        {"blue", BLUE}, {"green", GREEN}, {"red", RED}, {"nir", NIR},
        {"near infrared", NIR}, {"near-infrared", NIR}, {"nearinfrared", NIR},
    };
    int found = 0;
    for (int b = 1; b <= n; b++) {
        char d[64];
        lower(d, sizeof d, GDALGetDescription(GDALGetRasterBand(ds, b)));
        for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
            if (!strcmp(d, names[k].name) && !roles[names[k].role]) {
                roles[names[k].role] = b;
                found = 1;
            }
    }
    return found;
}

/* Sentinel-2 band code (_B02 ... _B8A) in the file a VRT band reads, or -1. */
static int sentinel2_role(GDALRasterBandH band)
{
    const char *info = GDALGetMetadataItem(band, "Pixel_0_0", "LocationInfo");
    const char *file = info ? strstr(info, "<File>") : NULL;
    if (!file)
        return -1;
    const char *end = strstr(file, "</File>");
    const char *slash = file;
    for (const char *p = file; end && p < end; p++)
        if (*p == '/')
            slash = p;
    for (const char *p = slash; end && p + 3 < end; p++) {
        if (p[0] != 'B' || (p != slash && isalnum((unsigned char)p[-1])))
            continue;
        if (isalnum((unsigned char)p[3]))
            continue;
        if (!strncmp(p, "B02", 3))
            return BLUE;
        if (!strncmp(p, "B03", 3))
            return GREEN;
        if (!strncmp(p, "B04", 3))
            return RED;
        if (!strncmp(p, "B08", 3))
            return NIR;
    }
    return -1;
}

static int file_names(GDALDatasetH ds, int n, int *roles)
{
    int found = 0;
    for (int b = 1; b <= n; b++) {
        int k = sentinel2_role(GDALGetRasterBand(ds, b));
        if (k >= 0 && !roles[k]) {
            roles[k] = b;
            found = 1;
        }
    }
    return found;
}

static int colour_interpretation(GDALDatasetH ds, int n, int *roles)
{
    int found = 0, other = 0, others = 0;
    for (int b = 1; b <= n; b++) {
        GDALColorInterp c = GDALGetRasterColorInterpretation(GDALGetRasterBand(ds, b));
        int k = c == GCI_BlueBand ? BLUE : c == GCI_GreenBand ? GREEN : c == GCI_RedBand ? RED : -1;
#if defined(GDAL_VERSION_NUM) && GDAL_VERSION_NUM >= 3100000
        if (c == GCI_NIRBand)
            k = NIR;
#endif
        if (k >= 0 && !roles[k]) {
            roles[k] = b;
            found = 1;
        } else if (c == GCI_Undefined || c == GCI_GrayIndex) {
            other = b;
            others++;
        }
    }
    if (n == 4 && roles[BLUE] && roles[GREEN] && roles[RED] && !roles[NIR] && others == 1)
        roles[NIR] = other;
    return found;
}

void tb_raster_band_roles(const tb_raster *r, tb_band_roles *out, char *how, size_t cap)
{
    int roles[NROLES] = {0, 0, 0, 0};
    const int n = r->nbands;
    const char *source = "";
    if (wavelengths(r->ds, n, roles))
        source = "wavelengths";
    else if (descriptions(r->ds, n, roles))
        source = "band descriptions";
    else if (file_names(r->ds, n, roles))
        source = "band file names";
    else if (colour_interpretation(r->ds, n, roles))
        source = "colour interpretation";
    out->blue = roles[BLUE];
    out->green = roles[GREEN];
    out->red = roles[RED];
    out->nir = roles[NIR];
    snprintf(how, cap, "%s", source);
}
