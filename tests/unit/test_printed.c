/* test_printed.c -- every number a sheet prints comes from its record or
 * its template, over every example.
 *
 * Each example batch is read (so the scoring engine has written its
 * figures into each record) and bound to its form; every number in every
 * bound paragraph, cell and chart label must be a number of the record's
 * document (data, or what the engine computed) or of the template's own
 * text (100%, 1、 …), compared as decimals (95 = 95.00).  A figure a
 * template computes from others (14.00 × 100 / 15 = 93.33 where the
 * engine's figure is 93.35) is in neither, so it fails here even where
 * template.c's lexical check cannot see it (arithmetic on `.`).  And each
 * figure sc_record_figures reports (what `scorecard check` lists) must be
 * printed on the sheet. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "internal.h"

#include <dirent.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SRC SC_SOURCE_DIR

typedef struct numset {
    char **v;
    int n, cap;
} numset;

/* "095.500" -> "95.5", "01" -> "1", "0.50" -> "0.5" */
static void normalise(const char *s, size_t n, char *out, size_t cap)
{
    while (n > 1 && s[0] == '0' && s[1] != '.')
        s++, n--;
    const char *dot = memchr(s, '.', n);
    if (dot) {
        while (n > 0 && s[n - 1] == '0')
            n--;
        if (n > 0 && s[n - 1] == '.')
            n--;
    }
    if (n >= cap)
        n = cap - 1;
    memcpy(out, s, n);
    out[n] = '\0';
}

/* Call fn for each number (digits, maybe .digits) in text. */
static void each_number(const char *t, void (*fn)(void *, const char *), void *ud)
{
    for (const char *p = t; *p;) {
        if (*p < '0' || *p > '9') {
            p++;
            continue;
        }
        const char *s = p;
        while (*p >= '0' && *p <= '9')
            p++;
        if (*p == '.' && p[1] >= '0' && p[1] <= '9')
            for (p++; *p >= '0' && *p <= '9'; p++)
                ;
        char buf[64];
        normalise(s, (size_t)(p - s), buf, sizeof buf);
        fn(ud, buf);
    }
}

static void add_num(void *ud, const char *s)
{
    numset *ns = ud;
    if (ns->n == ns->cap) {
        ns->cap = ns->cap ? ns->cap * 2 : 256;
        ns->v = realloc(ns->v, (size_t)ns->cap * sizeof *ns->v);
        assert_non_null(ns->v);
    }
    ns->v[ns->n++] = strdup(s);
}

static int has_num(const numset *ns, const char *s)
{
    for (int i = 0; i < ns->n; i++)
        if (!strcmp(ns->v[i], s))
            return 1;
    return 0;
}

static void numset_free(numset *ns)
{
    for (int i = 0; i < ns->n; i++)
        free(ns->v[i]);
    free(ns->v);
    memset(ns, 0, sizeof *ns);
}

typedef struct walk {
    const numset *allowed;
    const char *where;     /* example: employee */
    int bad;
    sc_buf text;           /* every printed string, for the figures */
} walk;

static walk *cur;

static void check_num(void *ud, const char *s)
{
    walk *w = ud;
    if (!has_num(w->allowed, s)) {
        print_error("%s: prints %s, which is neither in the record nor in the template\n",
                    w->where, s);
        w->bad++;
    }
}

static void printed(walk *w, const char *t)
{
    if (!t)
        return;
    each_number(t, check_num, w);
    sc_buf_puts(&w->text, t);
    sc_buf_puts(&w->text, "\n");
}

static void walk_blocks(walk *w, const sc_block *b, int n)
{
    for (int i = 0; i < n; i++) {
        printed(w, b[i].text);
        for (int r = 0; r < b[i].nrows; r++)
            for (int c = 0; c < b[i].rows[r].ncells; c++)
                printed(w, b[i].rows[r].cells[c].text);
        walk_blocks(w, b[i].children, b[i].nchildren);
        if (b[i].chart) {
            const sc_chart *ch = b[i].chart;
            for (int k = 0; k < ch->n; k++) {
                printed(w, ch->labels[k]);
                for (int s = 0; s < ch->nseries; s++)
                    printed(w, ch->series[s].texts[k]);
            }
        }
    }
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    sc_buf b = {0};
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        sc_buf_append(&b, chunk, n);
    fclose(f);
    return b.data;
}

/* One example batch: every record bound to its form and walked. */
static int check_batch(const char *data)
{
    sc_error err;
    sc_reader *r = NULL;
    assert_int_equal(sc_reader_open(&r, data, NULL, NULL, &err), SC_OK);
    int bad = 0, records = 0;
    sc_record *rec;
    while (sc_reader_next(r, &rec, &err) == SC_OK) {
        const char *name = sc_record_get(rec, "template");
        if (!name[0])
            name = sc_reader_template(r);
        char tpath[1024];
        assert_int_equal(sc_template_find(tpath, sizeof tpath, name, NULL, data, NULL, &err), SC_OK);
        sc_template *t = NULL;
        assert_int_equal(sc_template_load(&t, tpath, NULL, NULL, &err), SC_OK);

        numset allowed = {0};
        xmlChar *dump = NULL;
        int len = 0;
        xmlDocDumpMemoryEnc(rec->doc, &dump, &len, "UTF-8");
        each_number((const char *)dump, add_num, &allowed);
        xmlFree(dump);
        char *tsrc = slurp(tpath);
        each_number(tsrc, add_num, &allowed);
        free(tsrc);

        sc_arena *a = sc_arena_new();
        sc_bound *b = NULL;
        if (sc_bind(t, rec, a, &b, &err) != SC_OK)
            fail_msg("%s %s: %s", data, rec->label, err.message);
        char where[512];
        snprintf(where, sizeof where, "%s: %s", strrchr(data, '/') + 1, rec->label);
        walk w = {&allowed, where, 0, {0}};
        cur = &w;
        walk_blocks(&w, b->header, b->nheader);
        walk_blocks(&w, b->body, b->nbody);
        walk_blocks(&w, b->footer, b->nfooter);

        /* what check lists is on the sheet */
        sc_figure *fig = NULL;
        int nfig = 0;
        assert_int_equal(sc_record_figures(t, rec, &fig, &nfig, &err), SC_OK);
        for (int i = 0; i < nfig; i++)
            if (fig[i].value[0] && !strstr(w.text.data, fig[i].value)) {
                print_error("%s: figure %s (%s) = %s is not printed\n", where, fig[i].key,
                            fig[i].label, fig[i].value);
                w.bad++;
            }
        sc_free(fig);
        bad += w.bad;
        records++;
        sc_buf_free(&w.text);
        sc_arena_free(a);
        numset_free(&allowed);
        sc_template_free(t);
        sc_record_free(rec);
    }
    sc_reader_free(r);
    assert_true(records > 0);
    return bad;
}

static void every_example(void **state)
{
    (void)state;
    const char *dir = getenv("SC_SOURCE_DIR");
    if (!dir || !dir[0])
        dir = SRC;
    char edir[1024];
    snprintf(edir, sizeof edir, "%s/examples", dir);
    DIR *d = opendir(edir);
    assert_non_null(d);
    int bad = 0, batches = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 4, ".xml"))
            continue;
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", edir, e->d_name);
        bad += check_batch(path);
        batches++;
    }
    closedir(d);
    assert_true(batches >= 10);
    assert_int_equal(bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(every_example)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
