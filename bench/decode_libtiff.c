/* decode_libtiff.c: the floor under a scan: decoding every block of a GeoTIFF with
 * libtiff and nothing else (no conversion, no copy into rows), one TIFF handle and one
 * buffer per thread, blocks shared out dynamically. The target "a scan within
 * 1.5x of the time libtiff needs just to decode both inputs" is measured against it.
 */
#include <omp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <tiffio.h>

#include "decode_libtiff.h"

#define MAX_THREADS 64

static void quiet(const char *module, const char *fmt, va_list ap)
{
    (void)module;
    (void)fmt;
    (void)ap;
}

int bench_decode_libtiff(const char *path, int threads)
{
    if (threads < 1 || threads > MAX_THREADS)
        return -1;
    TIFFSetWarningHandler(quiet);
    TIFF *tif[MAX_THREADS] = {0};
    int rc = 0;
    for (int t = 0; t < threads && rc == 0; t++)
        if (!(tif[t] = TIFFOpen(path, "r")))
            rc = -1;
    if (rc != 0) {
        fprintf(stderr, "tuban_bench: %s: libtiff cannot open it\n", path);
        for (int t = 0; t < threads; t++)
            if (tif[t])
                TIFFClose(tif[t]);
        return -1;
    }
    const int tiled = TIFFIsTiled(tif[0]);
    const long nblocks = tiled ? (long)TIFFNumberOfTiles(tif[0]) : (long)TIFFNumberOfStrips(tif[0]);
    const tmsize_t bytes = tiled ? TIFFTileSize(tif[0]) : TIFFStripSize(tif[0]);
    int failed = 0;
#pragma omp parallel num_threads(threads) reduction(| : failed)
    {
        TIFF *my = tif[omp_get_thread_num()];
        void *buf = malloc((size_t)bytes);
        failed |= buf == NULL;
#pragma omp for schedule(dynamic, 1)
        for (long b = 0; b < nblocks; b++) {
            if (!buf)
                continue;
            const tmsize_t got = tiled ? TIFFReadEncodedTile(my, (uint32_t)b, buf, bytes)
                                       : TIFFReadEncodedStrip(my, (uint32_t)b, buf, bytes);
            failed |= got < 0;
        }
        free(buf);
    }
    for (int t = 0; t < threads; t++)
        TIFFClose(tif[t]);
    if (failed)
        fprintf(stderr, "tuban_bench: %s: a block failed to decode\n", path);
    return failed ? -1 : 0;
}
