/* scan_confidence.c: the confidence of a change polygon.
 *
 *   confidence = 1 / (1 + exp(-z)),
 *   z = bias + score x ln(mean score / threshold) + rectangularity x R + solidity x S
 *       + area x log10(area m2) + direction x C + shadow x A + explained x E + mbi x M
 *
 * with the weights of [confidence], R and S the shape ratios, C the consistency of the
 * pixel evidence, A the shadow adjacency, E the share of pixels explained by vegetation
 * or water and M the mean building-index rise towards the kind, clipped to +-4 (0
 * when the MBI is not computed). The logistic form lets the weights be fitted by logistic regression on
 * labelled polygons; each feature is near 0..1 (area and score on a log scale) so the
 * default weights read as the strength of each cue.
 */
#include <math.h>

#include "scan_internal.h"

double tb_scan_confidence(const tb_config *cfg, const tb_change_feature *f, double threshold)
{
    const double ratio = threshold > 0 && f->mean_score > 0 ? f->mean_score / threshold : 1.0;
    double z = cfg->conf_bias;
    z += cfg->conf_score * log(ratio);
    z += cfg->conf_rectangularity * f->rectangularity;
    z += cfg->conf_solidity * f->solidity;
    z += cfg->conf_area * log10(f->area_m2 > 1e-3 ? f->area_m2 : 1e-3);
    z += cfg->conf_direction * f->consistency;
    z += cfg->conf_shadow * f->shadow_adjacency;
    z += cfg->conf_explained * f->explained_share;
    if (isfinite(f->mbi_rise))   /* clipped as the pixel evidence is: a cue, not a verdict */
        z += cfg->conf_mbi * fmax(-TB_EVIDENCE_CLIP, fmin(TB_EVIDENCE_CLIP, f->mbi_rise));
    return 1.0 / (1.0 + exp(-z));
}
