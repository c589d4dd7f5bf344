/* tb_band_roles.h: which bands of a raster are blue, green, red and near infrared,
 * as the raster itself describes them.
 *
 * The spectral evidence of a scan (brightness, NDVI, NDWI) needs band roles. They are
 * read, in this order, from:
 *   1. band wavelengths (the ENVI "wavelength" item with "wavelength_units", in
 *      micrometres or nanometres): blue 0.45-0.52, green 0.52-0.60, red 0.62-0.70,
 *      NIR 0.76-0.90 um;
 *   2. band descriptions naming the colour ("Red", "NIR", "Near infrared", ...);
 *   3. file names of stacked single-band files in Sentinel-2 naming (..._B02, _B03,
 *      _B04, _B08 or _B8A);
 *   4. colour interpretation (Red, Green, Blue; NIR where GDAL has it); a 4-band raster
 *      with red, green and blue declared and the fourth band undefined or grey takes
 *      the fourth as NIR (GF-2, SuperView, Planet and NAIP all ship B/G/R/NIR or
 *      R/G/B/NIR).
 * The first source that names at least one role wins.
 */
#ifndef TB_BAND_ROLES_H
#define TB_BAND_ROLES_H

#include <stddef.h>

#include "tb_raster.h"

typedef struct tb_band_roles {
    int blue, green, red, nir;   /* 1-based raster bands; 0 = unknown */
} tb_band_roles;

/* Fills *roles from what `r` declares and writes the source used ("wavelengths",
 * "band descriptions", "band file names", "colour interpretation") to `how`, or "" with
 * every role 0 when the raster says nothing. */
void tb_raster_band_roles(const tb_raster *r, tb_band_roles *roles, char *how, size_t cap);

#endif
