/* scan_prefetch.h: reading strips ahead of the computation, on a thread of its own.
 *
 * A pass that walks the scene in strips hands the reading of strip s to a reader
 * thread, which fills one of two slots (s & 1) while the pass computes the strip in
 * the other: decoding overlaps the kernels, and the reader takes the cores the
 * pass's serial steps (labelling joins, writes) leave idle. Strips are read in order,
 * each exactly once, into slot s & 1 after the pass has released strip s - 2, so what
 * a pass computes does not depend on whether the reader runs ahead.
 *
 * With `threaded` 0 (a one-thread scan) nothing runs ahead: tb_prefetch_wait reads
 * the strip itself.
 */
#ifndef TB_SCAN_PREFETCH_H
#define TB_SCAN_PREFETCH_H

#include "tb_error.h"

/* Reads strip `strip` into slot `slot` (0 or 1); returns TB_OK or a recorded error. */
typedef tb_status (*tb_prefetch_read_fn)(void *arg, int strip, int slot);

typedef struct tb_prefetch tb_prefetch;

/* Starts reading strips 0 .. nstrips - 1. */
tb_status tb_prefetch_start(int nstrips, int threaded, tb_prefetch_read_fn read, void *arg,
                            tb_prefetch **out);
/* Waits until strip s (the next in order) is in slot s & 1; its reading's status, the
 * error re-recorded on the calling thread. */
tb_status tb_prefetch_wait(tb_prefetch *p, int s);
/* The pass is done with strip s: its slot may take strip s + 2. */
void tb_prefetch_release(tb_prefetch *p, int s);
/* Stops the reader (after an error too) and frees everything; NULL-safe. */
void tb_prefetch_finish(tb_prefetch *p);

#endif
