/* test_components.c: the streaming labeller (tb_ccl_*) against a breadth-first flood
 * fill and the row-by-row scan's provisional labels, fed in strips of any height, and
 * across thread counts.
 *
 * Scores are multiples of 1/8 below 64, so every sum of them is exact in double and
 * statistics can be compared bit for bit whatever order they were added in; the
 * thread test also uses scores whose sums round.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kernels_testkit.h"
#include "naive_reference.h"
#include "tb_kernels.h"

/* The labeller's output for one image: provisional labels and their roots. */
typedef struct ccl_run {
    uint32_t *labels;   /* width * height provisional labels */
    tb_ccl *ccl;        /* finished */
} ccl_run;

/* Pushes the image in strips whose heights cycle through `steps` (0-terminated;
 * {0} alone means one push of the whole image), then finishes. */
static ccl_run run_ccl(const uint8_t *mask, const float *score, int w, int h, const int *steps)
{
    ccl_run run;
    run.labels = tk_alloc((size_t)w * h, sizeof *run.labels);
    run.ccl = tb_ccl_create(w);
    assert_non_null(run.ccl);
    int y = 0, k = 0;
    while (y < h) {
        int rows = steps[k] ? steps[k] : h;
        if (rows > h - y)
            rows = h - y;
        const size_t off = (size_t)y * w;
        assert_int_equal(tb_ccl_push(run.ccl, mask + off, score ? score + off : NULL, rows,
                                     run.labels + off), 0);
        y += rows;
        k = steps[k] && steps[k + 1] ? k + 1 : 0;
    }
    tb_ccl_finish(run.ccl);
    return run;
}

static void free_run(ccl_run *run)
{
    free(run->labels);
    tb_ccl_destroy(run->ccl);
}

static void random_scores(tk_rng *rng, float *score, size_t n)
{
    for (size_t i = 0; i < n; i++)
        score[i] = (float)tk_int(rng, 0, 511) / 8.0f;
}

/* Field by field, bytes compared (floats too); `what` names the case on failure. */
static void assert_component_equal(const tb_component *got, const tb_component *want,
                                   const char *what, uint32_t id)
{
#define SAME(field)                                                                        \
    do {                                                                                   \
        if (memcmp(&got->field, &want->field, sizeof got->field) != 0) {                   \
            print_error("%s: component %u: " #field " differs: got %.17g want %.17g\n",    \
                        what, id, (double)got->field, (double)want->field);                \
            fail();                                                                        \
        }                                                                                  \
    } while (0)
    SAME(pixels);
    SAME(sum_score);
    SAME(max_score);
    SAME(sum_x);
    SAME(sum_y);
    SAME(min_x);
    SAME(min_y);
    SAME(max_x);
    SAME(max_y);
    SAME(edges_h);
    SAME(edges_v);
#undef SAME
}

/* Provisional labels are the row-by-row scan's, whatever the blocks and threads. */
static void assert_scan_labels(const uint8_t *mask, int w, int h, const ccl_run *run,
                               const char *what)
{
    const size_t n = (size_t)w * h;
    uint32_t *scan = tk_alloc(n, sizeof *scan);
    assert_int_equal(ref_provisional_labels(mask, w, h, scan), tb_ccl_label_count(run->ccl));
    if (memcmp(scan, run->labels, n * sizeof *scan) != 0) {
        print_error("%s: provisional labels differ from the row-by-row scan's\n", what);
        fail();
    }
    free(scan);
}

/* The labeller's partition equals the flood fill's (labels mapped both ways), each
 * root is the provisional label of its component's first pixel, and every root's
 * statistics equal the ones counted directly from the pixels. */
static void check_against_reference(const uint8_t *mask, const float *score, int w, int h,
                                    const ccl_run *run, const char *what)
{
    const size_t n = (size_t)w * h;
    uint32_t *comp = tk_alloc(n, sizeof *comp);
    const uint32_t count = ref_label(mask, w, h, comp);
    tb_component *want = tk_alloc((size_t)count + 1, sizeof *want);
    size_t *first = tk_alloc((size_t)count + 1, sizeof *first);
    ref_component_stats(mask, score, w, h, comp, count, want, first);

    const uint32_t nlabels = tb_ccl_label_count(run->ccl);
    assert_scan_labels(mask, w, h, run, what);
    uint32_t *comp_of_root = tk_alloc((size_t)nlabels + 1, sizeof *comp_of_root);
    uint32_t *root_of_comp = tk_alloc((size_t)count + 1, sizeof *root_of_comp);
    for (size_t i = 0; i < n; i++) {
        const uint32_t l = run->labels[i];
        if (!mask[i]) {
            if (l != 0) {
                print_error("%s: background pixel %zu has label %u\n", what, i, l);
                fail();
            }
            continue;
        }
        assert_true(l >= 1 && l <= nlabels);
        const uint32_t root = tb_ccl_root(run->ccl, l);
        assert_true(root >= 1 && root <= l);   /* the first label of its component */
        assert_int_equal(tb_ccl_root(run->ccl, root), root);
        if (!comp_of_root[root])
            comp_of_root[root] = comp[i];
        if (!root_of_comp[comp[i]])
            root_of_comp[comp[i]] = root;
        if (comp_of_root[root] != comp[i] || root_of_comp[comp[i]] != root) {
            print_error("%s: pixel x=%zu y=%zu: root %u / flood-fill component %u do not "
                        "map one to one\n", what, i % (size_t)w, i / (size_t)w, root, comp[i]);
            fail();
        }
    }
    for (uint32_t c = 1; c <= count; c++) {
        const uint32_t root = root_of_comp[c];
        assert_int_equal(root, run->labels[first[c]]);
        const tb_component *got = tb_ccl_component(run->ccl, root);
        assert_non_null(got);
        assert_component_equal(got, &want[c], what, c);
    }
    /* Every issued label belongs to some component: no orphan roots. */
    uint32_t roots = 0;
    for (uint32_t l = 1; l <= nlabels; l++)
        roots += tb_ccl_root(run->ccl, l) == l;
    assert_int_equal(roots, count);
    assert_int_equal(tb_ccl_root(run->ccl, 0), 0);
    assert_int_equal(tb_ccl_root(run->ccl, nlabels + 1), 0);
    assert_null(tb_ccl_component(run->ccl, 0));

    free(comp);
    free(want);
    free(first);
    free(comp_of_root);
    free(root_of_comp);
}

static const int whole[] = {0};

static void test_ccl_matches_flood_fill(void **state)
{
    (void)state;
    static const struct {
        int w, h;
    } shapes[] = {{1, 1}, {1, 37}, {37, 1}, {2, 2}, {13, 9}, {31, 27}, {64, 5}, {5, 64},
                  {101, 77}, {1003, 21}};
    static const double densities[] = {0.1, 0.5, 0.9};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        const int w = shapes[s].w, h = shapes[s].h;
        const size_t n = (size_t)w * h;
        uint8_t *mask = tk_alloc(n, 1);
        float *score = tk_alloc(n, sizeof *score);
        for (int input = 0; input < 5; input++) {
            tk_rng rng = tk_rng_seed(5000 + 10 * s + input);
            if (input < 3)
                tk_mask_random(&rng, mask, n, densities[input]);
            else
                tk_mask_blobs(&rng, mask, w, h, 8, 0.05);
            if (input == 4)   /* any non-zero byte is set */
                for (size_t i = 0; i < n; i++)
                    mask[i] = mask[i] ? (uint8_t)tk_int(&rng, 1, 255) : 0;
            random_scores(&rng, score, n);
            for (int with_score = 0; with_score < 2; with_score++) {
                char what[96];
                snprintf(what, sizeof what, "%dx%d input %d%s", w, h, input,
                         with_score ? "" : " no score");
                const float *sc = with_score ? score : NULL;
                ccl_run run = run_ccl(mask, sc, w, h, whole);
                check_against_reference(mask, sc, w, h, &run, what);
                free_run(&run);
            }
        }
        free(mask);
        free(score);
    }
}

/* Shapes where the labeller must merge late: a comb whose teeth join only on the last
 * row, a staircase of diagonal steps, a ring with a hole, and isolated
 * pixels in numbers well past the tables' first allocation. */
static void test_ccl_merges_and_growth(void **state)
{
    (void)state;
    const int w = 203, h = 151;
    const size_t n = (size_t)w * h;
    uint8_t *mask = tk_alloc(n, 1);
    for (int fixture = 0; fixture < 4; fixture++) {
        memset(mask, 0, n);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                uint8_t v = 0;
                switch (fixture) {
                case 0: v = (uint8_t)(x % 2 == 0 || y == h - 1); break;            /* comb */
                case 1: v = (uint8_t)((x + y) % 7 == 0 || (x - y + 700) % 9 == 0); break;
                case 2: v = (uint8_t)(x > 10 && x < w - 10 && y > 10 && y < h - 10 &&
                                      !(x > 20 && x < w - 20 && y > 20 && y < h - 20));
                    break;                                                        /* ring */
                default: v = (uint8_t)(x % 2 == 0 && y % 2 == 0); break;           /* dots */
                }
                mask[(size_t)y * w + x] = v;
            }
        char what[64];
        snprintf(what, sizeof what, "fixture %d", fixture);
        ccl_run run = run_ccl(mask, NULL, w, h, whole);
        check_against_reference(mask, NULL, w, h, &run, what);
        if (fixture == 0)   /* the comb is one component rooted at its first tooth */
            assert_int_equal(tb_ccl_root(run.ccl, run.labels[(size_t)(h - 1) * w + 1]), 1);
        if (fixture == 3)
            assert_true(tb_ccl_label_count(run.ccl) > 5000);
        free_run(&run);
    }
    free(mask);
}

/* Perimeter edges on fixtures small enough to count by hand. */
static void test_ccl_edges_by_hand(void **state)
{
    (void)state;
    static const struct {
        int w, h;
        const char *rows;
        uint64_t edges_h, edges_v;
    } cases[] = {
        {1, 1, "#", 2, 2},
        {3, 3, "....#....", 2, 2},
        {3, 3, "###"
               "#.#"
               "###", 8, 8},                       /* outer 12 edges + hole 4 */
        {2, 2, "#."
               ".#", 4, 4},                        /* diagonal: one component */
        {4, 2, "####"
               "####", 8, 4},                      /* the whole image */
        {5, 1, "##.##", 8, 4},                     /* two components, counted once each */
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const int w = cases[c].w, h = cases[c].h;
        uint8_t mask[64];
        for (int i = 0; i < w * h; i++)
            mask[i] = cases[c].rows[i] == '#';
        ccl_run run = run_ccl(mask, NULL, w, h, whole);
        uint64_t eh = 0, ev = 0;
        for (uint32_t l = 1; l <= tb_ccl_label_count(run.ccl); l++)
            if (tb_ccl_root(run.ccl, l) == l) {
                const tb_component *s = tb_ccl_component(run.ccl, l);
                if (c == 5) {   /* each of the two runs alone: 2 horizontal, 2 vertical */
                    assert_int_equal(s->edges_h, 2 * 2);
                    assert_int_equal(s->edges_v, 2);
                }
                eh += s->edges_h;
                ev += s->edges_v;
            }
        if (eh != cases[c].edges_h || ev != cases[c].edges_v) {
            print_error("case %zu: edges h=%llu v=%llu, want h=%llu v=%llu\n", c,
                        (unsigned long long)eh, (unsigned long long)ev,
                        (unsigned long long)cases[c].edges_h,
                        (unsigned long long)cases[c].edges_v);
            fail();
        }
        check_against_reference(mask, NULL, w, h, &run, "edges by hand");
        free_run(&run);
    }
}

/* Same labels, same roots, same statistics byte for byte, whatever the strip heights. */
static void assert_runs_identical(const ccl_run *a, const ccl_run *b, int w, int h,
                                  const char *what)
{
    const size_t n = (size_t)w * h;
    assert_int_equal(tb_ccl_label_count(a->ccl), tb_ccl_label_count(b->ccl));
    if (memcmp(a->labels, b->labels, n * sizeof *a->labels) != 0) {
        print_error("%s: provisional labels differ\n", what);
        fail();
    }
    for (uint32_t l = 1; l <= tb_ccl_label_count(a->ccl); l++) {
        const uint32_t root = tb_ccl_root(a->ccl, l);
        assert_int_equal(root, tb_ccl_root(b->ccl, l));
        if (root == l)
            assert_component_equal(tb_ccl_component(b->ccl, l), tb_ccl_component(a->ccl, l),
                                   what, l);
    }
}

static void test_ccl_strip_invariance(void **state)
{
    (void)state;
    static const int steps_1[] = {1, 0}, steps_7[] = {7, 0}, steps_64[] = {64, 0};
    static const int steps_mixed[] = {3, 1, 10, 2, 64, 5, 0};
    static const int *const plans[] = {steps_1, steps_7, steps_64, steps_mixed};
    static const struct {
        int w, h;
    } shapes[] = {{1, 70}, {70, 1}, {57, 130}, {300, 200}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        const int w = shapes[s].w, h = shapes[s].h;
        const size_t n = (size_t)w * h;
        uint8_t *mask = tk_alloc(n, 1);
        float *score = tk_alloc(n, sizeof *score);
        for (int input = 0; input < 3; input++) {
            tk_rng rng = tk_rng_seed(6000 + 10 * s + input);
            if (input < 2)
                tk_mask_random(&rng, mask, n, input == 0 ? 0.5 : 0.9);
            else
                tk_mask_blobs(&rng, mask, w, h, 25, 0.1);
            random_scores(&rng, score, n);
            ccl_run ref = run_ccl(mask, score, w, h, whole);
            check_against_reference(mask, score, w, h, &ref, "whole image");
            for (size_t p = 0; p < sizeof plans / sizeof plans[0]; p++) {
                char what[96];
                snprintf(what, sizeof what, "%dx%d input %d strip plan %zu", w, h, input, p);
                ccl_run run = run_ccl(mask, score, w, h, plans[p]);
                assert_runs_identical(&ref, &run, w, h, what);
                free_run(&run);
            }
            free_run(&ref);
        }
        free(mask);
        free(score);
    }
}

/* Blocks of a push are labelled in parallel: labels, roots and statistics are the
 * same bit for bit at any thread count, also with scores whose sums round (the
 * blocks, and so the order of additions, depend on the push only), and for pushes
 * of one row up to the whole image. */
static void test_ccl_thread_invariance(void **state)
{
    (void)state;
    const int w = 700, h = 300;
    const size_t n = (size_t)w * h;
    uint8_t *mask = tk_alloc(n, 1);
    float *score = tk_alloc(n, sizeof *score);
    static const int steps_1[] = {1, 0}, steps_16[] = {16, 0}, steps_mixed[] = {5, 33, 100, 0};
    static const int *const plans[] = {steps_1, steps_16, steps_mixed, whole};
    for (int input = 0; input < 2; input++) {
        tk_rng rng = tk_rng_seed(7000 + input);
        if (input == 0)
            tk_mask_blobs(&rng, mask, w, h, 60, 0.4);
        else
            tk_mask_random(&rng, mask, n, 0.6);
        for (size_t i = 0; i < n; i++)
            score[i] = (float)(tk_uniform(&rng) * 1000.0 / 7.0);
        for (size_t p = 0; p < sizeof plans / sizeof plans[0]; p++) {
            tk_set_threads(1);
            ccl_run ref = run_ccl(mask, score, w, h, plans[p]);
            char what[64];
            snprintf(what, sizeof what, "input %d plan %zu, 1 thread", input, p);
            assert_scan_labels(mask, w, h, &ref, what);
            for (int t = 1; t < TK_NTHREAD_COUNTS; t++) {
                tk_set_threads(tk_thread_counts[t]);
                ccl_run run = run_ccl(mask, score, w, h, plans[p]);
                snprintf(what, sizeof what, "input %d plan %zu, %d threads", input, p,
                         tk_thread_counts[t]);
                assert_runs_identical(&ref, &run, w, h, what);
                free_run(&run);
            }
            free_run(&ref);
        }
    }
    tk_set_threads(1);
    free(mask);
    free(score);
}

/* A caller's payload per provisional label: the pixels and x sum of the label, and
 * checks that merges come in increasing label order into the root's. */
typedef struct test_payload {
    uint32_t label, last;   /* the label; the last label merged into it */
    uint64_t pixels;
    int64_t sum_x;
} test_payload;

static int merge_order_ok = 1;

static void merge_payload(void *into, const void *from)
{
    test_payload *d = into;
    const test_payload *s = from;
    if (!(d->label < s->label && d->last < s->label))
        merge_order_ok = 0;
    d->last = s->label;
    d->pixels += s->pixels;
    d->sum_x += s->sum_x;
}

/* Pushes like run_ccl with a payload (and a spill file when `spill`), filling the
 * payload of every labelled pixel after each push; after each push checks the live
 * and retired counts against `ref` (a finished run of the same image): a component is
 * retired once a push starts below the row after its last. */
static ccl_run run_payload(const uint8_t *mask, int w, int h, const int *steps, FILE *spill,
                           const ccl_run *ref)
{
    ccl_run run;
    run.labels = tk_alloc((size_t)w * h, sizeof *run.labels);
    run.ccl = tb_ccl_create_with(w, sizeof(test_payload), merge_payload);
    assert_non_null(run.ccl);
    if (spill)
        assert_int_equal(tb_ccl_spill(run.ccl, spill), 0);
    int y = 0, k = 0;
    while (y < h) {
        int rows = steps[k] ? steps[k] : h;
        if (rows > h - y)
            rows = h - y;
        const size_t off = (size_t)y * w;
        assert_int_equal(tb_ccl_push(run.ccl, mask + off, NULL, rows, run.labels + off), 0);
        for (size_t i = off; i < off + (size_t)rows * w; i++) {
            const uint32_t l = run.labels[i];
            if (!l)
                continue;
            test_payload *p = tb_ccl_payload(run.ccl, l);
            assert_non_null(p);
            p->label = l;
            p->pixels++;
            p->sum_x += (int64_t)(i % (size_t)w);
        }
        uint64_t retired = 0;
        uint32_t live = 0;
        for (uint32_t l = 1; l <= tb_ccl_label_count(run.ccl); l++) {
            const uint32_t root = tb_ccl_root(ref->ccl, l);
            const int done = tb_ccl_component(ref->ccl, root)->max_y < y - 1;
            retired += done && root == l;
            live += !done;
        }
        assert_int_equal(tb_ccl_retired(run.ccl), retired);
        assert_int_equal(tb_ccl_live_labels(run.ccl), live);
        y += rows;
        k = steps[k] && steps[k + 1] ? k + 1 : 0;
    }
    assert_int_equal(tb_ccl_finish(run.ccl), 0);
    assert_int_equal(tb_ccl_live_labels(run.ccl), 0);
    return run;
}

/* Records are kept only for live components, retired as soon as complete; the
 * payload of each component is the sum of its labels' merged in label order; with or
 * without a spill file, labels, roots and statistics equal the plain run's. */
static void test_ccl_retires_complete_components(void **state)
{
    (void)state;
    static const int steps_1[] = {1, 0}, steps_mixed[] = {3, 1, 7, 2, 0};
    static const int *const plans[] = {steps_1, steps_mixed, whole};
    const int w = 150, h = 120;
    const size_t n = (size_t)w * h;
    uint8_t *mask = tk_alloc(n, 1);
    for (int input = 0; input < 2; input++) {
        tk_rng rng = tk_rng_seed(8000 + input);
        if (input == 0)
            tk_mask_blobs(&rng, mask, w, h, 40, 0.2);
        else
            tk_mask_random(&rng, mask, n, 0.45);
        ccl_run ref = run_ccl(mask, NULL, w, h, whole);
        uint32_t roots = 0;
        for (uint32_t l = 1; l <= tb_ccl_label_count(ref.ccl); l++)
            roots += tb_ccl_root(ref.ccl, l) == l;
        for (size_t p = 0; p < sizeof plans / sizeof plans[0]; p++) {
            for (int spilled = 0; spilled < 2; spilled++) {
                char what[64];
                snprintf(what, sizeof what, "input %d plan %zu%s", input, p,
                         spilled ? " spilled" : "");
                FILE *f = spilled ? tmpfile() : NULL;
                assert_true(!spilled || f);
                merge_order_ok = 1;
                ccl_run run = run_payload(mask, w, h, plans[p], f, &ref);
                assert_true(merge_order_ok);
                assert_int_equal(tb_ccl_retired(run.ccl), roots);
                assert_runs_identical(&ref, &run, w, h, what);
                for (uint32_t l = 1; l <= tb_ccl_label_count(run.ccl); l++) {
                    const test_payload *pl = tb_ccl_payload(run.ccl, l);
                    if (tb_ccl_root(run.ccl, l) != l) {
                        assert_null(pl);
                        continue;
                    }
                    const tb_component *c = tb_ccl_component(run.ccl, l);
                    assert_non_null(pl);
                    assert_int_equal(pl->label, l);
                    assert_int_equal(pl->pixels, c->pixels);
                    assert_true(2.0 * (double)pl->sum_x + (double)pl->pixels == 2.0 * c->sum_x);
                }
                free_run(&run);
            }
        }
        free_run(&ref);
    }
    free(mask);
}

/* A spill file that cannot be written: the push that retires a component says so. */
static void test_ccl_spill_write_error(void **state)
{
    (void)state;
    const int w = 20;
    uint8_t rows[3 * 20] = {0};
    rows[5] = 1;   /* a dot in row 0: complete once row 2 is pushed */
    uint32_t labels[3 * 20];
    tb_ccl *c = tb_ccl_create(w);
    FILE *f = fopen("/dev/null", "rb");   /* read-only: writes fail */
    assert_non_null(c);
    assert_non_null(f);
    assert_int_equal(tb_ccl_spill(c, f), 0);
    assert_int_equal(tb_ccl_spill(c, f), -1);   /* one spill file */
    assert_int_equal(tb_ccl_push(c, rows, NULL, 1, labels), 0);
    assert_int_equal(tb_ccl_push(c, rows + w, NULL, 1, labels + w), 0);
    assert_int_equal(tb_ccl_push(c, rows + 2 * w, NULL, 1, labels + 2 * w), -2);
    tb_ccl_destroy(c);
    assert_null(tb_ccl_create_with(w, 8, NULL));   /* a payload needs a merge */
}

static void test_ccl_destroy_null(void **state)
{
    (void)state;
    tb_ccl_destroy(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ccl_matches_flood_fill),
        cmocka_unit_test(test_ccl_merges_and_growth),
        cmocka_unit_test(test_ccl_edges_by_hand),
        cmocka_unit_test(test_ccl_strip_invariance),
        cmocka_unit_test(test_ccl_thread_invariance),
        cmocka_unit_test(test_ccl_retires_complete_components),
        cmocka_unit_test(test_ccl_spill_write_error),
        cmocka_unit_test(test_ccl_destroy_null),
    };
    return cmocka_run_group_tests_name("kernels_components", tests, NULL, NULL);
}
