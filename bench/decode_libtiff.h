/* decode_libtiff.h: decode every block of a TIFF with libtiff on `threads` threads,
 * discarding the pixels. Returns 0, or -1 (message on stderr). */
#ifndef TB_BENCH_DECODE_LIBTIFF_H
#define TB_BENCH_DECODE_LIBTIFF_H

int bench_decode_libtiff(const char *path, int threads);

#endif
