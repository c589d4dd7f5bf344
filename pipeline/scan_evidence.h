/* scan_evidence.h (pipeline-internal): the direction of a change and what explains it.
 *
 * Every valid pixel of pass 2 gets a signed structure evidence e: positive when a
 * structure appears (new), negative when one vanishes (removed). e is the weighted sum
 * of the brightness rise (max of the visible bands, before normalised to after, in
 * units of its spread on unchanged pixels), the NDVI loss (units of 0.1) and, when
 * enabled, the rise of the morphological building index; each term is clipped to
 * +-TB_EVIDENCE_CLIP. A shadow that appears (+) or vanishes (-) replaces those terms
 * (only where a NIR band tells shadow from vegetation): a new building's shadow
 * darkens, which the brightness alone would read as a removal.
 * A pixel is shadow (dark) in a date when the maximum of its visible bands and NIR is
 * below evidence.shadow_ratio x that maximum's median over the after-date: vegetation,
 * dark in the visible, is bright in the NIR.
 * A pixel whose change is explained by vegetation or water (vegetated or water in the
 * after-date, or in the before-date when e < 0; vegetation not when a shadow came or
 * went, which explains the change by itself) carries no evidence (e = 0).
 *
 * The shadow flags are computed for every pixel of a strip; the evidence only for the
 * labelled pixels (and, with evidence.mask_explained, for the candidates above the
 * low threshold, before the mask is cut). The sums per component are kept in a table
 * indexed by the labeller's provisional labels (filled after each strip is labelled) and merged into the components' roots
 * once labelling ends; they are fixed-point integers, so the merged sums do not depend
 * on the order of the merge (strip height, threads). A component is `new` when its sum
 * of e is >= 0, else `removed`.
 *
 * With evidence.mbi, the morphological building index (MBI) and shadow index (MSI) of
 * both dates' brightness are computed per strip (kernels/ tb_building_index; the strip
 * halo grows by the longest line): the MBI rise, times the number of profile steps
 * (a building's MBI is about its contrast over that number) in units of the
 * brightness spread,
 * joins e with evidence.mbi_weight and is summed for the polygon's mbi_rise, and an
 * MSI above evidence.msi_min brightness spreads marks shadow too. The reconstruction
 * inside the index is confined to the strip and its halo, so with the MBI on, results
 * may differ slightly with the strip height (the kernel's tests measure the seams).
 *
 * Per-pixel flags (shadow in either date) are spilled to a scratch raster for the
 * shape pass (scan_shape.c). The functions are declared in scan_internal.h.
 */
#ifndef TB_SCAN_EVIDENCE_H
#define TB_SCAN_EVIDENCE_H

#include <stddef.h>
#include <stdint.h>

#include "tb_error.h"
#include "tb_kernels.h"
#include "tb_raster.h"
#include "tb_scan.h"

#define TB_EVIDENCE_CLIP 4.0f
#define TB_EVIDENCE_ONE 1024     /* fixed-point units per unit of evidence */

/* Per-pixel flags (the scratch raster's values). */
enum {
    TB_EV_DARK_AFTER = 1,        /* shadow (dark) in the after-date */
    TB_EV_DARK_BEFORE = 2,       /* shadow in the before-date */
    TB_EV_VEGETATION = 4,        /* change explained by vegetation */
    TB_EV_WATER = 8,             /* change explained by water */
};

/* Sums over the pixels of one provisional label (then of one component). */
typedef struct tb_evidence_sums {
    int64_t dir;                 /* sum of e, TB_EVIDENCE_ONE per unit */
    int64_t abs_dir;             /* sum of |e| */
    int64_t mbi_rise;            /* sum of MBI after - before, TB_EVIDENCE_ONE per brightness spread */
    uint64_t vegetation, water;  /* pixels explained by each */
    uint64_t dark_after, dark_before;
} tb_evidence_sums;

typedef struct tb_scan_evidence {
    /* Band roles as indices into the scan's band list (0-based); -1 = none. */
    int blue, green, red, nir;
    int visible[TB_SCAN_MAX_BANDS];  /* bands whose maximum is the brightness */
    int nvisible;
    /* pass 1 */
    double bright_scale;         /* robust spread of the brightness difference (after units) */
    double bright_median;        /* median brightness of the after-date */
    double dark_median;          /* median of max(brightness, NIR) of the after-date */
    /* pass 2: buffers over a strip's extended rows */
    float *e, *mb;               /* scratch: the maxima of the after and before dates */
    uint8_t *flags;
    size_t cap;
    const float *const *before, *const *after;   /* the current strip's planes */
    /* building index (evidence.mbi) */
    int mbi_on;
    tb_mbi_params mbi;            /* lengths in pixels */
    float *mbi_buf;               /* brightness, MBI and MSI of both dates, then scratch */
    float *bright[2], *mbi_of[2], *msi_of[2];   /* [0] before (normalised), [1] after */
    float *mbi_scratch;
    int mbi_steps;                /* N - 1: steps of the profile */
    float mbi_unit;               /* MBI to brightness spreads of contrast: (N - 1) / spread */
    /* per provisional label (index 0 unused), then per root after resolve */
    tb_evidence_sums *sums;      /* vhr_rgb: per provisional label (change vector: the
                                  * labeller's payload, see tb_scan_evidence_merge) */
    uint32_t nsums, capsums;
    tb_raster_writer *flags_out;
    char flags_path[1100];
} tb_scan_evidence;

#endif
