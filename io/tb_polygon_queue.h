/* tb_polygon_queue.h (io-internal): a polygon sink run on a thread of its own.
 *
 * The polygonizer hands components over one at a time from a single thread; writing
 * them (GeoJSON text, GeoPackage rows) costs a third as much again. The queue takes
 * each component from the polygonizer and passes it on, in the same order, to the real
 * sink on a second thread, so the two overlap.
 */
#ifndef TB_POLYGON_QUEUE_H
#define TB_POLYGON_QUEUE_H

#include <stddef.h>

#include "tb_polygonize.h"

typedef struct tb_polygon_queue tb_polygon_queue;

/* Starts a thread that passes queued components to sink(arg, ...) in queue order;
 * at most `depth` (>= 1) components wait at a time. */
tb_status tb_polygon_queue_start(tb_polygon_sink sink, void *arg, size_t depth,
                                 tb_polygon_queue **out);

/* A tb_polygon_sink (arg: the queue): queues the component, waiting while the queue is
 * full. Once the sink has failed, destroys `geom` and returns the sink's error. */
tb_status tb_polygon_queue_put(void *queue, uint32_t label, OGRGeometryH geom);

/* Waits until the sink has had every queued component, ends the thread and frees the
 * queue. Returns the sink's first error (raised again on the calling thread), or
 * TB_OK. Components queued after that error are destroyed unseen. */
tb_status tb_polygon_queue_finish(tb_polygon_queue *q);

#endif
