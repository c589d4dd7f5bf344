/* tb_evidence.h: evidence chips, the before/after pictures a case carries.
 *
 * A chip is an 8-bit RGB PNG of one raster around one polygon: the polygon's bounding
 * box grown by a margin on each side and made square, in a transverse Mercator centred
 * on the polygon (CGCS2000 ellipsoid, metres: areas and angles look right whatever the
 * raster's CRS), resampled bilinearly by GDAL's warper to size x size pixels. Bands for
 * a natural-colour view: the Red/Green/Blue colour interpretations when the raster sets
 * all three; else 3 bands are R,G,B and 4 or more are B,G,R,NIR (tuban synth, OSCD:
 * bands 3,2,1 shown as R,G,B); 1 or 2 bands are grey (band 1). Each band is stretched
 * linearly between its 2nd and 98th percentile over the chip's valid pixels to 0..255;
 * pixels outside the raster or without data are black. The polygon's outline is drawn
 * on top, 2 px wide, yellow (255,255,0).
 *
 * The PNG is written under a temporary name beside `png_path` and renamed, so a reader
 * never sees half a file; missing parent directories are created.
 *
 * Errors (one-line message naming the file): TB_ERR_INPUT_MISSING (the raster does not
 * exist), TB_ERR_INPUT_FORMAT (not a raster, no CRS or geotransform, bad polygon WKT),
 * TB_ERR_CRS (no transformation between the raster's CRS and the chip's),
 * TB_ERR_OUTPUT (the PNG or its directory cannot be written), TB_ERR_NOMEM.
 */
#ifndef TB_EVIDENCE_H
#define TB_EVIDENCE_H

#include "tb_error.h"
#include "tb_raster.h"

#define TB_EVIDENCE_MARGIN_M 20.0 /* default margin around the polygon, metres */
#define TB_EVIDENCE_SIZE_PX 256   /* default chip side, pixels */

/* Writes the chip of the raster at `raster_path` (file, directory or comma list, as
 * tb_raster_open understands it) around `polygon_wkt_4490` (WKT Polygon or
 * MultiPolygon, EPSG:4490, lon/lat order) to `png_path`. `margin_m` < 0 (or NaN) means
 * TB_EVIDENCE_MARGIN_M, `size_px` <= 0 means TB_EVIDENCE_SIZE_PX (at most 4096). */
tb_status tb_evidence_chip(const char *raster_path, const char *polygon_wkt_4490, double margin_m,
                           int size_px, const char *png_path);

/* The same from an open raster (the caller keeps ownership; a merge opens each date
 * once for all its chips). */
tb_status tb_evidence_chip_raster(tb_raster *r, const char *polygon_wkt_4490, double margin_m,
                                  int size_px, const char *png_path);

#endif
