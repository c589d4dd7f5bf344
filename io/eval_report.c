/* eval_report.c: scores from counts, and the two reports of an evaluation: an aligned
 * table for people and one JSON object for machines.
 *
 * Conventions for empty denominators (the same for pixels and objects):
 * precision = tp / (tp + fp), recall = tp / (tp + fn), F1 = 2 tp / (2 tp + fp + fn),
 * IoU = tp / (tp + fp + fn); a ratio whose denominator is 0 is 0 — except when there
 * is nothing at all (no truth and no prediction: tp = fp = fn = 0): then the map is
 * exactly right and precision = recall = F1 = IoU = 1.
 *
 * JSON: {"pixel": {tp, fp, fn, tn, precision, recall, f1, iou},
 *        "object": {pred, truth, matched, precision, recall, f1, iou_threshold,
 *                   min_area_m2}}
 * on one line; a section that is not available is left out. Counts are integers,
 * ratios are printed with 10 significant digits (so 1 prints as 1).
 */
#include "tb_eval.h"

#include <inttypes.h>

void tb_eval_scores(double tp, double fp, double fn, double *precision, double *recall,
                    double *f1, double *iou)
{
    double p, r, f, j;
    if (tp == 0.0 && fp == 0.0 && fn == 0.0) {
        p = r = f = j = 1.0;    /* no truth and no prediction: exactly right */
    } else {
        p = tp + fp > 0.0 ? tp / (tp + fp) : 0.0;
        r = tp + fn > 0.0 ? tp / (tp + fn) : 0.0;
        f = 2.0 * tp / (2.0 * tp + fp + fn);    /* > 0: not all zero */
        j = tp / (tp + fp + fn);
    }
    if (precision)
        *precision = p;
    if (recall)
        *recall = r;
    if (f1)
        *f1 = f;
    if (iou)
        *iou = j;
}

void tb_eval_print_table(FILE *out, const tb_eval_result *res)
{
    const char *dash = "-";
    char pix[8][32], obj[8][32];
    /* Rows: precision, recall, F1, IoU, TP, FP, FN, TN. */
    for (int i = 0; i < 8; i++) {
        snprintf(pix[i], sizeof pix[i], "%s", dash);
        snprintf(obj[i], sizeof obj[i], "%s", dash);
    }
    if (res->have_pixel) {
        snprintf(pix[0], sizeof pix[0], "%.4f", res->precision);
        snprintf(pix[1], sizeof pix[1], "%.4f", res->recall);
        snprintf(pix[2], sizeof pix[2], "%.4f", res->f1);
        snprintf(pix[3], sizeof pix[3], "%.4f", res->iou);
        snprintf(pix[4], sizeof pix[4], "%" PRIu64, res->tp);
        snprintf(pix[5], sizeof pix[5], "%" PRIu64, res->fp);
        snprintf(pix[6], sizeof pix[6], "%" PRIu64, res->fn);
        snprintf(pix[7], sizeof pix[7], "%" PRIu64, res->tn);
    }
    if (res->have_object) {
        snprintf(obj[0], sizeof obj[0], "%.4f", res->obj_precision);
        snprintf(obj[1], sizeof obj[1], "%.4f", res->obj_recall);
        snprintf(obj[2], sizeof obj[2], "%.4f", res->obj_f1);
        snprintf(obj[4], sizeof obj[4], "%ld", res->matched);
        snprintf(obj[5], sizeof obj[5], "%ld", res->pred_objects - res->matched);
        snprintf(obj[6], sizeof obj[6], "%ld", res->truth_objects - res->matched);
    }
    static const char *names[8] = {"precision", "recall", "F1", "IoU", "TP", "FP", "FN", "TN"};
    fprintf(out, "%-10s %14s %14s\n", "", "pixels", "objects");
    for (int i = 0; i < 8; i++)
        fprintf(out, "%-10s %14s %14s\n", names[i], pix[i], obj[i]);
    if (res->have_object)
        fprintf(out,
                "objects: %ld predicted, %ld true, %ld matched at IoU >= %g; "
                "ignored below %g m2: %ld predicted, %ld true\n",
                res->pred_objects, res->truth_objects, res->matched, res->iou_threshold,
                res->min_area_m2, res->pred_ignored, res->truth_ignored);
}

void tb_eval_print_json(FILE *out, const tb_eval_result *res)
{
    const char *sep = "";
    fputc('{', out);
    if (res->have_pixel) {
        fprintf(out,
                "\"pixel\": {\"tp\": %" PRIu64 ", \"fp\": %" PRIu64 ", \"fn\": %" PRIu64
                ", \"tn\": %" PRIu64 ", \"precision\": %.10g, \"recall\": %.10g, "
                "\"f1\": %.10g, \"iou\": %.10g}",
                res->tp, res->fp, res->fn, res->tn, res->precision, res->recall, res->f1,
                res->iou);
        sep = ", ";
    }
    if (res->have_object)
        fprintf(out,
                "%s\"object\": {\"pred\": %ld, \"truth\": %ld, \"matched\": %ld, "
                "\"precision\": %.10g, \"recall\": %.10g, \"f1\": %.10g, "
                "\"iou_threshold\": %.10g, \"min_area_m2\": %.10g}",
                sep, res->pred_objects, res->truth_objects, res->matched, res->obj_precision,
                res->obj_recall, res->obj_f1, res->iou_threshold, res->min_area_m2);
    fputs("}\n", out);
}
