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
 * printed on the sheet.
 *
 * And every number of a KPI's rule comes from the scheme that scores it:
 * each example is read a second time with every number of every KPI rule
 * of its schemes altered (85 -> 85.37, 1.5 -> 1.63, max-count 2 -> 4 ...),
 * and each KPI's row must print the altered numbers of its rule and none
 * of the old ones -- a rule text typed in the data or in a template would
 * keep the old (every_example_altered); likewise the grade bands (优秀≥90)
 * and the 特别表现 range (±5) wherever a sheet prints them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "internal.h"

#include <dirent.h>
#include <libxml/parser.h>
#include <sys/stat.h>
#include <unistd.h>
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

/* ---- the rules follow the scheme ------------------------------------------ */

/* A rule's numbers and how the altered scheme changes them (units of
 * 1/10000): the new values stay valid for the rule (a level or base not
 * above the weight, a cap not below it, max-count an integer) and are
 * unlike any other number of the sheet. */
typedef struct alt_attr {
    const char *name;
    long long delta;
} alt_attr;

static const alt_attr alt_kpi[] = {
    {"target", 3700},      {"cap", 3700},          {"base", -1300},
    {"step-below", 2500},  {"points-below", 1300}, {"step-above", 2500},
    {"points-above", 1300}, {"zero-below", 3700},  {"zero-above", 3700},
    {"otherwise", 1300},   {"per", 1300},          {"points", 1300},
    {"max-count", 20000},  {"min", -1300},         {"max", 1300}};
static const alt_attr alt_item[] = {{"points", 1300}, {"reverse", 1300}};
static const alt_attr alt_level[] = {{"points", -1300}};

static int alt_skip(const alt_attr *a, long long v)
{
    return a->delta < 0 && v <= 0; /* a level or base of 0 stays 0 */
}

static void alter_attrs(xmlNodePtr n, const alt_attr *list, size_t nlist, int dir)
{
    for (size_t i = 0; i < nlist; i++) {
        xmlChar *v = xmlGetProp(n, (const xmlChar *)list[i].name);
        long long u;
        if (v && sc_parse_fixed((const char *)v, 4, &u) && !alt_skip(&list[i], u)) {
            char b[64];
            sc_format_fixed(b, sizeof b, u + dir * list[i].delta, 4, 1);
            xmlSetProp(n, (const xmlChar *)list[i].name, (const xmlChar *)b);
        }
        xmlFree(v);
    }
}

/* Every KPI rule of a <scheme> element altered (dir 1) or restored (-1). */
static void alter_rule(xmlNodePtr k, int dir)
{
    alter_attrs(k, alt_kpi, sizeof alt_kpi / sizeof *alt_kpi, dir);
    for (xmlNodePtr c = k->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (!strcmp((const char *)c->name, "level"))
            alter_attrs(c, alt_level, 1, dir);
        else
            alter_attrs(c, alt_item, 2, dir);
    }
}

/* The sheet's wording of the scheme beyond its KPIs: the grade bands
 * (+0.37 each: still falling) and the 特别表现 range (widened by 1.37 on
 * either side: the data's adjustments still lie within). */
static const alt_attr alt_grade[] = {{"min", 3700}};
static const alt_attr alt_adjust[] = {{"min", -13700}, {"max", 13700}};

/* The bonus rules a note prints (注：考核得分达到100分…每超额1个百分点上浮2%;
 * 计提比例4%, 扣发600元, 80% + 20%), each with the unit the note puts after
 * it.  fixed + kpi stay 100; base-ratio is left: the data's bases are
 * checked against it. */
typedef struct alt_note {
    const char *elem, *name, *unit, *unit2;
    long long delta;
} alt_note;

static const alt_note alt_notes[] = {
    {"bonus", "threshold", "\xe5\x88\x86", NULL, 3700},                  /* 分 */
    {"bonus", "per", "\xe4\xb8\xaa", "\xe5\x80\x8b", 3700},            /* 个 個 */
    {"bonus", "rise", "%", NULL, 3700},
    {"quarter-bonus", "rate", "%", NULL, 3700},
    {"quarter-bonus", "withhold", "\xe5\x85\x83", NULL, 370000},         /* 元 */
    {"quarter-bonus", "fixed", "%", NULL, 13700},
    {"quarter-bonus", "kpi", "%", NULL, -13700}};

static void alter_notes(xmlNodePtr e)
{
    for (size_t i = 0; i < sizeof alt_notes / sizeof *alt_notes; i++) {
        if (strcmp((const char *)e->name, alt_notes[i].elem))
            continue;
        xmlChar *v = xmlGetProp(e, (const xmlChar *)alt_notes[i].name);
        long long u;
        char b[64];
        if (v && sc_parse_fixed((const char *)v, 4, &u)) {
            sc_format_fixed(b, sizeof b, u + alt_notes[i].delta, 4, 1);
            xmlSetProp(e, (const xmlChar *)alt_notes[i].name, (const xmlChar *)b);
        }
        xmlFree(v);
    }
}

static void alter_scheme(xmlNodePtr scheme)
{
    for (xmlNodePtr k = scheme->children; k; k = k->next) {
        if (k->type != XML_ELEMENT_NODE)
            continue;
        if (!strcmp((const char *)k->name, "kpi"))
            alter_rule(k, 1);
        else if (!strcmp((const char *)k->name, "adjustments"))
            for (size_t i = 0; i < 2; i++) { /* alter_attrs would skip min <= 0 */
                xmlChar *v = xmlGetProp(k, (const xmlChar *)alt_adjust[i].name);
                long long u;
                char b[64];
                if (v && sc_parse_fixed((const char *)v, 4, &u)) {
                    sc_format_fixed(b, sizeof b, u + alt_adjust[i].delta, 4, 1);
                    xmlSetProp(k, (const xmlChar *)alt_adjust[i].name, (const xmlChar *)b);
                }
                xmlFree(v);
            }
        else if (!strcmp((const char *)k->name, "grades")) {
            for (xmlNodePtr g = k->children; g; g = g->next)
                if (g->type == XML_ELEMENT_NODE)
                    alter_attrs(g, alt_grade, 1, 1);
        } else {
            alter_notes(k);
        }
    }
}

static xmlNodePtr elem_child(xmlNodePtr p, const char *name)
{
    for (xmlNodePtr c = p ? p->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, name))
            return c;
    return NULL;
}

static void unlink_free(xmlNodePtr n)
{
    if (n) {
        xmlUnlinkNode(n);
        xmlFreeNode(n);
    }
}

/* Copy scheme file `rel` (relative to the data file's folder) altered
 * into the same place under tmp; the altered document is returned (the
 * caller frees it). */
static xmlDocPtr alter_scheme_file(const char *datadir, const char *tmp, const char *rel)
{
    char from[2048], to[2048];
    snprintf(from, sizeof from, "%s/%s", datadir, rel);
    snprintf(to, sizeof to, "%s/%s", tmp, rel);
    for (char *sl = strchr(to + strlen(tmp) + 1, '/'); sl; sl = strchr(sl + 1, '/')) {
        *sl = '\0';
        mkdir(to, 0700);
        *sl = '/';
    }
    xmlDocPtr d = xmlReadFile(from, NULL, XML_PARSE_NONET);
    assert_non_null(d);
    alter_scheme(xmlDocGetRootElement(d));
    assert_true(xmlSaveFileEnc(to, d, "UTF-8") > 0);
    return d;
}

/* 1 if the scheme computes KPI id's score (a rule other than given). */
static int computed_by(xmlNodePtr scheme, const xmlChar *id)
{
    for (xmlNodePtr k = scheme ? scheme->children : NULL; k && id; k = k->next) {
        if (k->type != XML_ELEMENT_NODE || strcmp((const char *)k->name, "kpi"))
            continue;
        xmlChar *kid = xmlGetProp(k, (const xmlChar *)"id");
        xmlChar *type = xmlGetProp(k, (const xmlChar *)"type");
        int hit = kid && xmlStrEqual(kid, id), given = type && xmlStrEqual(type, (const xmlChar *)"given");
        xmlFree(kid);
        xmlFree(type);
        if (hit)
            return !given;
    }
    return 0;
}

/* Every <kpi> under n (a full sheet's kpis/category/kpi, or a compact
 * one's kpis/kpi): a score its scheme computes goes. */
static void drop_computed_scores(xmlNodePtr n, xmlNodePtr scheme)
{
    for (xmlNodePtr k = n ? n->children : NULL; k; k = k->next) {
        if (k->type != XML_ELEMENT_NODE)
            continue;
        if (strcmp((const char *)k->name, "kpi")) {
            drop_computed_scores(k, scheme);
            continue;
        }
        xmlChar *id = xmlGetProp(k, (const xmlChar *)"id");
        if (computed_by(scheme, id))
            unlink_free(elem_child(k, "score"));
        xmlFree(id);
    }
}

/* The data file with its schemes altered, and without the figures the
 * engine computes (a given score, total, grade, amount would now
 * differ): written as tmp/NAME.  The ranking table goes too (its totals
 * are the old ones). */
static void write_altered(const char *data, const char *tmp, char *out, size_t nout)
{
    xmlDocPtr d = xmlReadFile(data, NULL, XML_PARSE_NONET);
    assert_non_null(d);
    char datadir[2048];
    snprintf(datadir, sizeof datadir, "%s", data);
    *strrchr(datadir, '/') = '\0';
    xmlNodePtr batch = xmlDocGetRootElement(d);
    xmlChar *sf = xmlGetProp(batch, (const xmlChar *)"scheme");
    xmlDocPtr bdoc = sf ? alter_scheme_file(datadir, tmp, (const char *)sf) : NULL;
    xmlFree(sf);
    xmlNodePtr bscheme = bdoc ? xmlDocGetRootElement(bdoc) : elem_child(batch, "scheme");
    if (!bdoc && bscheme)
        alter_scheme(bscheme);
    unlink_free(elem_child(batch, "ranking"));
    xmlChar *pm = xmlGetProp(elem_child(batch, "period"), (const xmlChar *)"month");
    for (xmlNodePtr e = batch->children; e; e = e->next) {
        if (e->type != XML_ELEMENT_NODE || strcmp((const char *)e->name, "employee"))
            continue;
        xmlChar *es = xmlGetProp(e, (const xmlChar *)"scheme");
        xmlDocPtr edoc = es ? alter_scheme_file(datadir, tmp, (const char *)es) : NULL;
        xmlFree(es);
        unlink_free(elem_child(e, "total"));
        unlink_free(elem_child(e, "grade"));
        xmlNodePtr bn = elem_child(e, "bonus");
        if (bn)
            xmlUnsetProp(bn, (const xmlChar *)"amount");
        /* a month sheet's own month is written by the engine */
        for (xmlNodePtr m = bn ? bn->children : NULL; m && pm; m = m->next) {
            xmlChar *n = m->type == XML_ELEMENT_NODE ? xmlGetProp(m, (const xmlChar *)"n") : NULL;
            if (n && xmlStrEqual(n, pm)) {
                xmlUnsetProp(m, (const xmlChar *)"amount");
                xmlUnsetProp(m, (const xmlChar *)"score");
            }
            xmlFree(n);
        }
        xmlNodePtr qs = elem_child(e, "quarters");
        for (xmlNodePtr q = qs ? qs->children : NULL; q; q = q->next)
            if (q->type == XML_ELEMENT_NODE)
                xmlUnsetProp(q, (const xmlChar *)"amount");
        drop_computed_scores(elem_child(e, "kpis"), edoc ? xmlDocGetRootElement(edoc) : bscheme);
        xmlFreeDoc(edoc);
    }
    xmlFree(pm);
    xmlFreeDoc(bdoc);
    snprintf(out, nout, "%s/%s", tmp, strrchr(data, '/') + 1);
    assert_true(xmlSaveFileEnc(out, d, "UTF-8") > 0);
    xmlFreeDoc(d);
}

typedef struct numlist {
    char v[256][32];
    int n;
} numlist;

/* The numbers of text t, leaving out item numbers (1. 2、 at the start of
 * a line: a list's, not a rule's). */
static void row_numbers(const char *t, numlist *nl)
{
    for (const char *p = t; *p;) {
        if (*p < '0' || *p > '9') {
            p++;
            continue;
        }
        const char *st = p;
        while (*p >= '0' && *p <= '9')
            p++;
        int item = (st == t || st[-1] == '\n') &&
                   (*p == '.' || !strncmp(p, "\xe3\x80\x81", 3)) && !(p[1] >= '0' && p[1] <= '9');
        if (*p == '.' && p[1] >= '0' && p[1] <= '9')
            for (p++; *p >= '0' && *p <= '9'; p++)
                ;
        if (item || nl->n == 256)
            continue;
        normalise(st, (size_t)(p - st), nl->v[nl->n], sizeof nl->v[0]);
        nl->n++;
    }
}

static int in_list(const numlist *nl, const char *v)
{
    for (int i = 0; i < nl->n; i++)
        if (!strcmp(nl->v[i], v))
            return 1;
    return 0;
}

static int all_digits(const char *t)
{
    if (!t || !*t)
        return 0;
    for (; *t; t++)
        if (*t < '0' || *t > '9')
            return 0;
    return 1;
}

/* The text of the bound rows that print KPI `indicator`: a cell that is
 * the indicator, or starts with it and a colon.  *words: the same without
 * cells that hold a whole number alone (序号: the row's, not the rule's). */
static void rows_of(const sc_block *b, int n, const char *ind, sc_buf *out, sc_buf *words)
{
    size_t il = strlen(ind);
    for (int i = 0; i < n; i++) {
        for (int r = 0; r < b[i].nrows; r++) {
            const sc_row *row = &b[i].rows[r];
            int hit = 0;
            for (int c = 0; c < row->ncells && !hit; c++) {
                const char *t = row->cells[c].text;
                hit = t && (!strcmp(t, ind) ||
                            (!strncmp(t, ind, il) && !strncmp(t + il, "\xef\xbc\x9a", 3)));
            }
            for (int c = 0; hit && c < row->ncells; c++) {
                const char *t = row->cells[c].text ? row->cells[c].text : "";
                sc_buf_puts(out, t);
                sc_buf_puts(out, "\n");
                sc_buf_puts(words, all_digits(t) ? "" : t);
                sc_buf_puts(words, "\n");
            }
        }
        rows_of(b[i].children, b[i].nchildren, ind, out, words);
    }
}

static void num_of(long long units, char *out, size_t n)
{
    char b[64];
    sc_format_fixed(b, sizeof b, units, 4, 1);
    normalise(b, strlen(b), out, n);
}

/* One number of a rule: printed altered (or in its derived form), never
 * as the old one.  Returns the problems found. */
static void derived_of(const char *what, long long a, int completion, char *out, size_t n)
{
    out[0] = '\0';
    /* a count limit may be printed as the first count that zeroes (N次以上),
     * a threshold on the completion rate as the distance from 100% */
    if (!strcmp(what, "max-count"))
        num_of(a + 10000, out, n);
    if (completion && !strncmp(what, "zero-", 5))
        num_of(a > 100 * 10000 ? a - 100 * 10000 : 100 * 10000 - a, out, n);
}

/* Collect a rule's altered number (and its derived form) into alts. */
static void note_alt(const char *what, const char *alt, long long delta, int completion,
                     numlist *alts)
{
    long long a;
    alt_attr at = {what, delta};
    if (!alt || !sc_parse_fixed(alt, 4, &a) || alt_skip(&at, a - delta) || alts->n > 250)
        return;
    num_of(a, alts->v[alts->n++], sizeof alts->v[0]);
    derived_of(what, a, completion, alts->v[alts->n], sizeof alts->v[0]);
    if (alts->v[alts->n][0])
        alts->n++;
}

static int check_param(const char *where, const char *what, const char *alt, long long delta,
                       int completion, const numlist *row, const numlist *wrow,
                       const numlist *own, const numlist *alts)
{
    long long a;
    if (!alt || !sc_parse_fixed(alt, 4, &a))
        return 0;
    alt_attr at = {what, delta};
    long long o = a - delta;
    if (alt_skip(&at, o) || delta == 0)
        return 0;
    char an[64], on[64], derived[64], oderived[64];
    num_of(a, an, sizeof an);
    num_of(o, on, sizeof on);
    derived_of(what, a, completion, derived, sizeof derived);
    derived_of(what, o, completion, oderived, sizeof oderived);
    int bad = 0;
    if (!in_list(row, an) && !(derived[0] && in_list(row, derived))) {
        print_error("%s: %s is %s in the altered scheme, but its row does not print it\n",
                    where, what, an);
        bad++;
    }
    /* an old number is printed unless it is also one of the KPI's own
     * (its results, weight, working) or another altered number of the rule */
    const char *olds[2] = {on, oderived};
    for (int i = 0; i < 2; i++)
        if (olds[i][0] && strcmp(olds[i], "0") /* 记为0分, 0次: not a rule's */ &&
            in_list(wrow, olds[i]) && !in_list(own, olds[i]) &&
            !in_list(alts, olds[i])) {
            print_error("%s: its row prints %s, the rule's old %s, not the scheme's %s\n",
                        where, olds[i], what, an);
            bad++;
        }
    return bad;
}

static void sheet_text(const sc_block *b, int n, sc_buf *out)
{
    for (int i = 0; i < n; i++) {
        if (b[i].text) {
            sc_buf_puts(out, b[i].text);
            sc_buf_puts(out, "\n");
        }
        for (int r = 0; r < b[i].nrows; r++)
            for (int c = 0; c < b[i].rows[r].ncells; c++) {
                sc_buf_puts(out, b[i].rows[r].cells[c].text ? b[i].rows[r].cells[c].text : "");
                sc_buf_puts(out, "\n");
            }
        sheet_text(b[i].children, b[i].nchildren, out);
    }
}

/* text holds pre followed by the number num as a whole (not 90 of 90.37). */
static int has_number_after(const char *text, const char *pre, const char *num)
{
    size_t pl = strlen(pre), nl = strlen(num);
    for (const char *p = strstr(text, pre); p; p = strstr(p + 1, pre)) {
        const char *q = p + pl;
        if (!strncmp(q, num, nl) && !(q[nl] >= '0' && q[nl] <= '9') &&
            !(q[nl] == '.' && q[nl + 1] >= '0' && q[nl + 1] <= '9'))
            return 1;
    }
    return 0;
}

/* The grade bands (优秀≥90) and the 特别表现 range (±5, -3～4) a sheet
 * prints are the altered scheme's, never the old ones. */
static int check_scheme_words(const char *where, xmlNodePtr scheme, const char *text)
{
    int bad = 0;
    char an[64], on[64];
    long long u;
    for (xmlNodePtr g = elem_child(elem_child(scheme, "grades"), "grade"); g; g = g->next) {
        xmlChar *name = xmlGetProp(g, (const xmlChar *)"name");
        xmlChar *min = xmlGetProp(g, (const xmlChar *)"min");
        char pre[256];
        if (name && min && sc_parse_fixed((const char *)min, 4, &u)) {
            snprintf(pre, sizeof pre, "%s\xe2\x89\xa5", (const char *)name); /* 优秀≥ */
            num_of(u, an, sizeof an);
            num_of(u - alt_grade[0].delta, on, sizeof on);
            if (strstr(text, pre) && !has_number_after(text, pre, an)) {
                print_error("%s: prints %s but not the altered band %s%s\n", where, pre, pre, an);
                bad++;
            }
            if (has_number_after(text, pre, on)) {
                print_error("%s: prints %s%s, the old band, not %s%s\n", where, pre, on, pre, an);
                bad++;
            }
        }
        xmlFree(name);
        xmlFree(min);
    }
    xmlNodePtr adj = elem_child(scheme, "adjustments");
    xmlChar *mx = adj ? xmlGetProp(adj, (const xmlChar *)"max") : NULL;
    xmlChar *mn = adj ? xmlGetProp(adj, (const xmlChar *)"min") : NULL;
    long long a, b;
    if (mx && mn && sc_parse_fixed((const char *)mx, 4, &a) && sc_parse_fixed((const char *)mn, 4, &b)) {
        char omax[64], omin[64], oldr[160];
        num_of(a - alt_adjust[1].delta, omax, sizeof omax);
        num_of(b - alt_adjust[0].delta, omin, sizeof omin);
        snprintf(oldr, sizeof oldr, "%s\xef\xbd\x9e%s", omin, omax); /* -5～5 */
        if (has_number_after(text, "\xc2\xb1", omax) || strstr(text, oldr)) {
            print_error("%s: prints the old 特别表现 range (±%s or %s)\n", where, omax, oldr);
            bad++;
        }
    }
    xmlFree(mx);
    xmlFree(mn);
    return bad;
}

/* The sheet's running text (notes, remarks), not its table cells. */
static void sheet_notes(const sc_block *b, int n, sc_buf *out)
{
    for (int i = 0; i < n; i++) {
        if (b[i].text) {
            sc_buf_puts(out, b[i].text);
            sc_buf_puts(out, "\n");
        }
        sheet_notes(b[i].children, b[i].nchildren, out);
    }
}

/* text prints the number num as a whole (90 but not 190 or 90.5; 600.00
 * counts as 600) followed by unit. */
static int prints_with_unit(const char *text, const char *num, const char *unit)
{
    size_t nl = strlen(num);
    for (const char *p = strstr(text, num); p; p = strstr(p + 1, num)) {
        if (p > text && ((p[-1] >= '0' && p[-1] <= '9') || p[-1] == '.'))
            continue;
        const char *q = p + nl;
        if (*q == '.') {
            const char *z = q + 1;
            while (*z == '0')
                z++;
            if (z > q + 1)
                q = z;
        }
        if (unit && !strncmp(q, unit, strlen(unit)))
            return 1;
    }
    return 0;
}

/* The bonus rules of a sheet's notes are the altered scheme's: an old one
 * printed is an error; printed[i] counts the sheets that print the new
 * alt_notes[i], so that a test over templates that print none cannot pass. */
static int check_scheme_notes(const char *where, xmlNodePtr scheme, const char *notes,
                              int *printed)
{
    int bad = 0;
    for (xmlNodePtr e = scheme ? scheme->children : NULL; e; e = e->next) {
        if (e->type != XML_ELEMENT_NODE)
            continue;
        for (size_t i = 0; i < sizeof alt_notes / sizeof *alt_notes; i++) {
            const alt_note *an = &alt_notes[i];
            xmlChar *v = strcmp((const char *)e->name, an->elem)
                             ? NULL
                             : xmlGetProp(e, (const xmlChar *)an->name);
            long long u;
            if (v && sc_parse_fixed((const char *)v, 4, &u)) {
                char nn[64], on[64];
                num_of(u, nn, sizeof nn);
                num_of(u - an->delta, on, sizeof on);
                if (prints_with_unit(notes, nn, an->unit) ||
                    prints_with_unit(notes, nn, an->unit2))
                    printed[i]++;
                if (prints_with_unit(notes, on, an->unit) ||
                    prints_with_unit(notes, on, an->unit2)) {
                    print_error("%s: its notes print %s%s, the old %s/@%s, not the scheme's %s\n",
                                where, on, an->unit, an->elem, an->name, nn);
                    bad++;
                }
            }
            xmlFree(v);
        }
    }
    return bad;
}

static void count_problem(void *ud, const sc_error *e)
{
    int *n = ud;
    print_error("altered: %s: %s [%s %s]\n", e->file, e->message, e->employee, e->field);
    (*n)++;
}

/* The numbers of a KPI that are its own (results, weight, score, the
 * working), not its rule's: the kpi element without rule and scheme-rule,
 * and without the target's text unless the sheet gives its own target
 * (target/@value: then the text is the sheet's, 季度目标50万元). */
static void own_numbers(xmlNodePtr k, numlist *own)
{
    xmlNodePtr c = xmlCopyNode(k, 1);
    unlink_free(elem_child(c, "rule"));
    unlink_free(elem_child(c, "scheme-rule"));
    xmlNodePtr t = elem_child(c, "target");
    if (t && !xmlHasProp(t, (const xmlChar *)"value"))
        xmlNodeSetContent(t, NULL);
    xmlBufferPtr b = xmlBufferCreate();
    xmlNodeDump(b, k->doc, c, 0, 0);
    /* and its category's name and weight (业绩指标（50%） in the row) */
    xmlChar *cw = xmlGetProp(k->parent, (const xmlChar *)"weight");
    if (cw) {
        xmlBufferAdd(b, (const xmlChar *)" ", 1);
        xmlBufferCat(b, cw);
    }
    xmlFree(cw);
    row_numbers((const char *)xmlBufferContent(b), own);
    xmlBufferFree(b);
    xmlFreeNode(c);
}

static int check_altered(const char *data, int *rows, int *printed)
{
    char tmp[] = "/tmp/sc_printed_XXXXXX", path[2048];
    assert_non_null(mkdtemp(tmp));
    write_altered(data, tmp, path, sizeof path);
    sc_error err;
    sc_reader *r = NULL;
    int problems = 0, bad = 0, checked = 0;
    assert_int_equal(sc_reader_open(&r, path, count_problem, &problems, &err), SC_OK);
    sc_record *rec;
    sc_status st;
    while ((st = sc_reader_next(r, &rec, &err)) != SC_END) {
        if (st != SC_OK) {
            if (st != SC_ERR_DATA && st != SC_ERR_SCHEMA)
                break;
            continue;
        }
        const char *name = sc_record_get(rec, "template");
        if (!name[0])
            name = sc_reader_template(r);
        char tpath[1024];
        assert_int_equal(sc_template_find(tpath, sizeof tpath, name, NULL, data, NULL, &err),
                         SC_OK);
        sc_template *t = NULL;
        assert_int_equal(sc_template_load(&t, tpath, NULL, NULL, &err), SC_OK);
        sc_arena *a = sc_arena_new();
        sc_bound *b = NULL;
        if (sc_bind(t, rec, a, &b, &err) != SC_OK)
            fail_msg("altered %s %s: %s", data, rec->label, err.message);
        char swhere[512];
        snprintf(swhere, sizeof swhere, "%s: %s", strrchr(data, '/') + 1, rec->label);
        sc_buf all = {0};
        sheet_text(b->header, b->nheader, &all);
        sheet_text(b->body, b->nbody, &all);
        xmlNodePtr scheme = elem_child(rec->employee->parent, "scheme");
        if (scheme && all.data)
            bad += check_scheme_words(swhere, scheme, all.data);
        sc_buf_free(&all);
        sheet_notes(b->body, b->nbody, &all);
        if (scheme && all.data)
            bad += check_scheme_notes(swhere, scheme, all.data, printed);
        sc_buf_free(&all);
        xmlNodePtr kpis = elem_child(rec->employee, "kpis");
        for (xmlNodePtr c = kpis ? kpis->children : NULL; c; c = c->next)
            for (xmlNodePtr k = c->children; k; k = k->next) {
                xmlNodePtr sr = elem_child(k, "scheme-rule");
                if (!sr)
                    continue;
                xmlChar *ind = xmlNodeGetContent(elem_child(k, "indicator"));
                xmlChar *id = xmlGetProp(k, (const xmlChar *)"id");
                sc_buf rowtext = {0}, words = {0};
                rows_of(b->body, b->nbody, (const char *)ind, &rowtext, &words);
                numlist row = {0}, wrow = {0}, own = {0};
                row_numbers(rowtext.data ? rowtext.data : "", &row);
                row_numbers(words.data ? words.data : "", &wrow);
                own_numbers(k, &own);
                char where[512];
                snprintf(where, sizeof where, "%s: %s: KPI %s (%s)", strrchr(data, '/') + 1,
                         rec->label, (const char *)id, (const char *)ind);
                xmlChar *basis = xmlGetProp(sr, (const xmlChar *)"basis");
                int completion = basis && !strcmp((const char *)basis, "completion");
                xmlFree(basis);
                int has_target = elem_child(k, "target") &&
                                 xmlHasProp(elem_child(k, "target"), (const xmlChar *)"value");
                int before = bad;
                numlist alts = {0};
                for (int pass = 0; pass < 2; pass++) {
                    for (size_t i = 0; i < sizeof alt_kpi / sizeof *alt_kpi; i++) {
                        if (!strcmp(alt_kpi[i].name, "target") && has_target)
                            continue; /* the sheet's own target */
                        xmlChar *v = xmlGetProp(sr, (const xmlChar *)alt_kpi[i].name);
                        if (pass == 0)
                            note_alt(alt_kpi[i].name, (const char *)v, alt_kpi[i].delta,
                                     completion, &alts);
                        else
                            bad += check_param(where, alt_kpi[i].name, (const char *)v,
                                               alt_kpi[i].delta, completion, &row, &wrow,
                                               &own, &alts);
                        xmlFree(v);
                    }
                    for (xmlNodePtr it = sr->children; it; it = it->next) {
                        if (it->type != XML_ELEMENT_NODE)
                            continue;
                        int lv = !strcmp((const char *)it->name, "level");
                        const alt_attr *list = lv ? alt_level : alt_item;
                        for (int j = 0; j < (lv ? 1 : 2); j++) {
                            xmlChar *v = xmlGetProp(it, (const xmlChar *)list[j].name);
                            xmlChar *key = xmlGetProp(it, (const xmlChar *)(lv ? "id" : "kind"));
                            char what[256];
                            snprintf(what, sizeof what, "%s %s's %s", lv ? "level" : "kind",
                                     (const char *)key, list[j].name);
                            if (pass == 0)
                                note_alt(what, (const char *)v, list[j].delta, 0, &alts);
                            else
                                bad += check_param(where, what, (const char *)v, list[j].delta,
                                                   0, &row, &wrow, &own, &alts);
                            xmlFree(key);
                            xmlFree(v);
                        }
                    }
                }
                if (bad > before && rowtext.data)
                    print_error("  the row: %s\n", rowtext.data);
                if (!rowtext.data) {
                    print_error("%s: no row of the sheet prints this KPI\n", where);
                    bad++;
                }
                checked++;
                sc_buf_free(&rowtext);
                sc_buf_free(&words);
                xmlFree(ind);
                xmlFree(id);
            }
        sc_arena_free(a);
        sc_template_free(t);
        sc_record_free(rec);
    }
    sc_reader_free(r);
    char cmd[2100];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    assert_int_equal(system(cmd), 0);
    *rows += checked;
    return bad + problems;
}

static void every_example_altered(void **state)
{
    (void)state;
    int rows = 0;
    const char *dir = getenv("SC_SOURCE_DIR");
    if (!dir || !dir[0])
        dir = SRC;
    char edir[1024];
    snprintf(edir, sizeof edir, "%s/examples", dir);
    DIR *d = opendir(edir);
    assert_non_null(d);
    int bad = 0, batches = 0;
    int printed[sizeof alt_notes / sizeof *alt_notes] = {0};
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 4, ".xml"))
            continue;
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", edir, e->d_name);
        bad += check_altered(path, &rows, printed);
        batches++;
    }
    closedir(d);
    assert_true(batches >= 10);
    print_message("altered schemes: %d KPI rows of %d examples checked\n", rows, batches);
    assert_true(rows > 300); /* every example's rule rows, not a few */
    for (size_t i = 0; i < sizeof alt_notes / sizeof *alt_notes; i++)
        if (!printed[i]) {
            print_error("no example's notes print the altered %s/@%s\n", alt_notes[i].elem,
                        alt_notes[i].name);
            bad++;
        }
    assert_int_equal(bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(every_example),
                                       cmocka_unit_test(every_example_altered)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
