/* tb_eval_dataset.h: `tuban eval --dataset DIR`: scan and score every tile of a
 * labelled dataset folder.
 *
 * Two layouts are recognised (../shared/data):
 *   flat      DIR/A/<tile>, DIR/B/<tile>, DIR/label/<tile> (LEVIR-CD): entries match by
 *             name, or by name without its extension (A/t1.png, label/t1.tif); an entry
 *             may be a file or a directory of single-band files (stacked by the scan);
 *   per-city  DIR/<city>/A, DIR/<city>/B, DIR/<city>/label/<city>-cm.tif (OSCD).
 * Each tile is scanned with tb_scan_run into WORKDIR/<tile>, its changes_mask.tif is
 * compared with the label by tb_eval_run (pixels; objects = 8-connected components),
 * and the counts are pooled by summing. A label on another grid than the scan's
 * (OSCD hongkong) is warped onto it with nearest neighbour, using the before-image's
 * georeferencing when the label has none (io/tb_eval_label_grid.h).
 *
 * Ownership: a tb_eval_dataset_result owns its tile array (tb_eval_dataset_free).
 */
#ifndef TB_EVAL_DATASET_H
#define TB_EVAL_DATASET_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tb_config.h"
#include "tb_eval.h"

typedef struct tb_eval_dataset_tile {
    char name[256];
    tb_eval_result res;         /* pixel and object metrics of this tile */
    uint32_t polygons;          /* polygons the scan wrote */
    int label_warped;           /* 1: the label was resampled onto the scan grid */
} tb_eval_dataset_tile;

typedef struct tb_eval_dataset_result {
    char dir[1024];
    const char *layout;         /* "flat" or "per-city" (static string) */
    int ntiles;
    tb_eval_dataset_tile *tiles;   /* owned */
    tb_eval_result pooled;      /* counts summed over tiles, scores from the sums */
    uint64_t polygons;
    double f1_min, f1_median, f1_max;   /* spread of the per-tile pixel F1 */
} tb_eval_dataset_result;

/* Scans and scores every tile of `dir` with `cfg` (the scan) and `opt` (the
 * comparison; opt->pred_values is ignored: the mask values of cfg->eval_kinds are used,
 * 1 new and 2 removed), writing
 * the scans under `workdir` (must exist). `log` (may be NULL) gets one line per tile
 * as it finishes. The function returns TB_OK with *out filled (free it with
 * tb_eval_dataset_free), or the status of the first error: TB_ERR_INPUT_MISSING when
 * `dir` has neither layout or a tile lacks its B or label, else the scan's or the
 * evaluation's error, prefixed by nothing (the message names the file). */
tb_status tb_eval_dataset_run(const char *dir, const tb_config *cfg, const tb_eval_options *opt,
                              const char *workdir, FILE *log, tb_eval_dataset_result *out);

void tb_eval_dataset_free(tb_eval_dataset_result *r);   /* NULL is fine */

/* Table (one line per tile, the pooled line, the F1 spread) and JSON of a result. */
void tb_eval_dataset_print_table(FILE *out, const tb_eval_dataset_result *r);
void tb_eval_dataset_print_json(FILE *out, const tb_eval_dataset_result *r);

/* Creates a fresh directory $TMPDIR/tuban-eval-XXXXXX (TMPDIR unset: /tmp) and writes
 * its path to dst. TB_ERR_OUTPUT when it cannot. */
tb_status tb_eval_dataset_tempdir(char *dst, size_t cap);

/* Creates the directory `path` unless it exists. TB_ERR_OUTPUT when it cannot. */
tb_status tb_eval_dataset_mkdir(const char *path);

/* Removes `path` and everything under it (symbolic links are not followed).
 * The function returns 0 on success, 1 when something could not be removed. */
int tb_eval_dataset_rmtree(const char *path);

#endif
