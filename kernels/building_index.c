/* building_index.c: morphological building index (MBI) and shadow index (MSI),
 * Huang & Zhang (PE&RS 77(7), 2011; IEEE JSTARS 5(1), 2012).
 *
 * The index is the mean differential morphological profile of the white top-hat by
 * reconstruction over four directions and a range of line lengths. The lines are
 * nested (tb_kernels.h), so openings by reconstruction only shrink as the line grows
 * and every DMP term is a non-negative difference of successive top-hats: the sum
 * over lengths telescopes to WTH(longest) - WTH(shortest) = OBR(shortest) -
 * OBR(longest). Two openings by reconstruction per direction give the exact index
 * (up to float rounding of the sum) whatever the number of lengths; the tests check it
 * against the full profile.
 */
#include "tb_kernels.h"

static const int directions[4] = {TB_LINE_0, TB_LINE_45, TB_LINE_90, TB_LINE_135};

void tb_mbi_defaults(tb_mbi_params *p)
{
    p->len_min = 2;
    p->len_max = 52;
    p->len_step = 5;
}

/* Number of lengths (>= 2), or -1 for invalid parameters. */
static int length_count(const tb_mbi_params *p)
{
    if (!p || p->len_min < 1 || p->len_step < 1 || p->len_max - p->len_step < p->len_min)
        return -1;
    return (p->len_max - p->len_min) / p->len_step + 1;
}

int tb_mbi_halo(const tb_mbi_params *p)
{
    const int n = length_count(p);
    return n < 0 ? -1 : p->len_min + (n - 1) * p->len_step;
}

size_t tb_mbi_scratch_floats(int width, int height, const tb_mbi_params *p)
{
    const int longest = tb_mbi_halo(p);
    if (longest < 0 || width < 1 || height < 1)
        return 0;
    const size_t n = (size_t)width * height;
    const size_t work = tb_reconstruct_line_scratch_bytes(width, height, longest);
    return 2 * n + (work + sizeof(float) - 1) / sizeof(float);
}

/* index = sum over directions of (hi - lo) / count, where lo/hi are the openings
 * (bright) or closings (dark) by reconstruction at the two extreme lengths. */
static void one_index(const float *b, int w, int h, int shortest, int longest, int count,
                      int dark, float *index, float *a, float *c, void *work)
{
    const long n = (long)w * h;
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; i++)
        index[i] = 0.0f;
    for (int d = 0; d < 4; d++) {
        /* a >= c everywhere: the shorter line's opening, the longer line's closing. */
        if (dark) {
            tb_close_by_reconstruction(b, a, w, h, directions[d], longest, work);
            tb_close_by_reconstruction(b, c, w, h, directions[d], shortest, work);
        } else {
            tb_open_by_reconstruction(b, a, w, h, directions[d], shortest, work);
            tb_open_by_reconstruction(b, c, w, h, directions[d], longest, work);
        }
#pragma omp parallel for schedule(static)
        for (long i = 0; i < n; i++)
            index[i] += a[i] - c[i];
    }
    const float terms = (float)(4 * (count - 1));
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; i++)
        index[i] /= terms;
}

int tb_building_index(const float *brightness, int width, int height, const tb_mbi_params *p,
                      float *mbi, float *msi, float *scratch)
{
    const int count = length_count(p);
    if (count < 0)
        return -1;
    if (width < 1 || height < 1)
        return 0;
    const int longest = p->len_min + (count - 1) * p->len_step;
    const size_t n = (size_t)width * height;
    float *a = scratch, *c = scratch + n;
    void *work = scratch + 2 * n;
    one_index(brightness, width, height, p->len_min, longest, count, 0, mbi, a, c, work);
    if (msi)
        one_index(brightness, width, height, p->len_min, longest, count, 1, msi, a, c, work);
    return 0;
}
