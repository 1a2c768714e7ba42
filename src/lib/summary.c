/* summary.c -- the department summary (部门绩效汇总表): rows collected
 * from the records of a run, made into one document that a template lays
 * out like any other form.
 *
 * The summary is the one document that spans employees, so it is built
 * from rows, not pages: each record leaves its figures here as the
 * scoring engine printed them on its own sheet (总分, 等级, 绩效奖金; the
 * ranking award when the engine computed one), and a record that failed
 * leaves its problem.  Nothing is recomputed from the data; what is added
 * is what only the department view can know:
 *
 *   - 排名: competition ranking (98, 98, 95 -> 1, 1, 3; sc_rank_awards) of
 *     the totals among the run's records of the same department, so a
 *     rater's stack shows its people's place in the department;
 *   - totals and averages, in integers (0.01 point, fen), each average
 *     rounded once, half away from zero, over the records counted;
 *   - the grade distribution: counts, percentages in 0.1% (rounded once)
 *     and the scheme's forced distribution (<grade max-share min-share>):
 *     a share is exceeded when count x 100 > share x counted, compared
 *     exactly, never on the rounded percentage.  Where the schemes of the
 *     rows disagree on a share, the strictest applies.
 *
 * A failed record is listed as an error and counted nowhere: a zero would
 * pull the average down and take a rank.
 *
 * The document (sc_summary_record) is a record whose context node is
 * <summary> instead of <employee>, under a copy of the header of the
 * group's first record (company, department, period; never another
 * employee's data):
 *
 *   <batch …><company/>…<period/>
 *     <summary title group-by group-label group department employees
 *              counted errors total-sum total-average bonus-sum
 *              bonus-average bonused>
 *       <row n id name position evaluator department total grade bonus
 *            rank ranked [award-rank award-sum award-months award]/>…
 *       <error n id name message field file line/>…
 *       <grades counted><grade name count percent [max-share exceeded]
 *              [min-share short]/>…</grades>
 *       <rank-award months total><winner id name sum rank award/>…</rank-award>
 *       <signatures><signature role="部门负责人"/><signature role="人力资源部"/></signatures>
 *     </summary></batch>
 *
 * docs/template-format.md ("The summary sheet") documents it for
 * template authors.  Memory: a row is a few short strings per record;
 * a header per group. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dl_icu.h"

typedef struct srow {
    int group, seq, ok;
    char *id, *name, *position, *evaluator, *department, *grade, *total, *bonus;
    long long total_centi, bonus_fen;
    int has_total, has_bonus;
    int rank, ranked; /* in its department; 0: not ranked */
    /* the ranking award (连续N个月综合排名), as the engine computed it */
    int award_rank, award_months, has_award;
    char *award_sum;
    long long award_fen;
    /* failed records */
    char *message, *field, *file;
    int line;
} srow;

typedef struct sgrade {
    char *name;
    long long max_share, min_share; /* hundredths of a percent */
    int has_max, has_min;
} sgrade;

typedef struct sheader {
    int group;
    xmlDocPtr doc;     /* <batch> and its header elements */
    char *file, *period, *department;
    long long date;
} sheader;

struct sc_summary {
    srow *rows;
    int n, cap;
    sgrade *grades;
    int ngrades, capgrades;
    sheader *hdr;
    int nhdr, caphdr;
    int ranks_done;
};

static char *dup0(const char *s) { return sc_strdup(s ? s : ""); }

sc_summary *sc_summary_new(void) { return sc_calloc(1, sizeof(sc_summary)); }

static void row_free(srow *r)
{
    char **f[] = {&r->id,    &r->name,  &r->position, &r->evaluator, &r->department,
                  &r->grade, &r->total, &r->bonus,    &r->award_sum, &r->message,
                  &r->field, &r->file};
    for (size_t i = 0; i < sizeof f / sizeof *f; i++)
        sc_free(*f[i]);
}

void sc_summary_free(sc_summary *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->n; i++)
        row_free(&s->rows[i]);
    sc_free(s->rows);
    for (int i = 0; i < s->ngrades; i++)
        sc_free(s->grades[i].name);
    sc_free(s->grades);
    for (int i = 0; i < s->nhdr; i++) {
        xmlFreeDoc(s->hdr[i].doc);
        sc_free(s->hdr[i].file);
        sc_free(s->hdr[i].period);
        sc_free(s->hdr[i].department);
    }
    sc_free(s->hdr);
    sc_free(s);
}

static srow *new_row(sc_summary *s, int group)
{
    if (s->n == s->cap) {
        int cap = s->cap ? s->cap * 2 : 64;
        srow *r = sc_realloc(s->rows, (size_t)cap * sizeof *r);
        if (!r)
            return NULL;
        s->rows = r;
        s->cap = cap;
    }
    srow *r = &s->rows[s->n];
    memset(r, 0, sizeof *r);
    r->group = group;
    r->seq = s->n;
    s->ranks_done = 0;
    return r;
}

/* ---- what a record leaves here ------------------------------------------ */

/* The grades of the record's scheme (/batch/scheme/grades), merged into
 * the run's list in the schemes' order, best first. */
static int take_grades(sc_summary *s, const sc_record *rec)
{
    xmlNodePtr batch = rec->employee ? rec->employee->parent : NULL;
    xmlNodePtr sch = batch ? sc_xml_child(batch, "scheme") : NULL;
    xmlNodePtr gs = sch ? sc_xml_child(sch, "grades") : NULL;
    for (xmlNodePtr g = gs ? sc_xml_child(gs, "grade") : NULL; g; g = sc_xml_next(g, "grade")) {
        const char *name = sc_xml_attr(g, "name");
        if (!name)
            continue;
        sgrade *t = NULL;
        for (int i = 0; i < s->ngrades && !t; i++)
            if (!strcmp(s->grades[i].name, name))
                t = &s->grades[i];
        if (!t) {
            if (s->ngrades == s->capgrades) {
                int cap = s->capgrades ? s->capgrades * 2 : 8;
                sgrade *v = sc_realloc(s->grades, (size_t)cap * sizeof *v);
                if (!v)
                    return 0;
                s->grades = v;
                s->capgrades = cap;
            }
            t = &s->grades[s->ngrades];
            memset(t, 0, sizeof *t);
            if (!(t->name = sc_strdup(name)))
                return 0;
            s->ngrades++;
        }
        long long v;
        const char *mx = sc_xml_attr(g, "max-share"), *mn = sc_xml_attr(g, "min-share");
        if (mx && sc_parse_fixed(mx, 2, &v) && (!t->has_max || v < t->max_share)) {
            t->max_share = v;
            t->has_max = 1;
        }
        if (mn && sc_parse_fixed(mn, 2, &v) && (!t->has_min || v > t->min_share)) {
            t->min_share = v;
            t->has_min = 1;
        }
    }
    return 1;
}

/* The header of the group's first record: <batch> with its attributes and
 * header elements, not the scheme and not the employee. */
static int take_header(sc_summary *s, int group, const sc_record *rec)
{
    for (int i = 0; i < s->nhdr; i++)
        if (s->hdr[i].group == group)
            return 1;
    if (!rec || !rec->doc)
        return 1;
    if (s->nhdr == s->caphdr) {
        int cap = s->caphdr ? s->caphdr * 2 : 8;
        sheader *h = sc_realloc(s->hdr, (size_t)cap * sizeof *h);
        if (!h)
            return 0;
        s->hdr = h;
        s->caphdr = cap;
    }
    xmlNodePtr src = xmlDocGetRootElement(rec->doc);
    xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNodePtr root = doc && src ? xmlDocCopyNode(src, doc, 2) : NULL;
    if (!root) {
        xmlFreeDoc(doc);
        return 0;
    }
    xmlDocSetRootElement(doc, root);
    for (xmlNodePtr c = src->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || c == rec->employee ||
            !strcmp((const char *)c->name, "scheme") || !strcmp((const char *)c->name, "employee") ||
            !strcmp((const char *)c->name, "ranking"))
            continue;
        xmlNodePtr d = xmlDocCopyNode(c, doc, 1);
        if (!d || !xmlAddChild(root, d)) {
            xmlFreeNode(d);
            xmlFreeDoc(doc);
            return 0;
        }
    }
    sheader *h = &s->hdr[s->nhdr];
    h->group = group;
    h->doc = doc;
    h->file = dup0(rec->file);
    h->period = dup0(rec->period);
    h->department = dup0(rec->department);
    h->date = rec->date;
    s->nhdr++;
    return h->file && h->period && h->department;
}

sc_status sc_summary_add(sc_summary *s, int group, const sc_record *rec, sc_error *err)
{
    srow *r = new_row(s, group);
    if (!r)
        return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    r->ok = 1;
    r->id = dup0(rec->id);
    r->name = dup0(rec->name);
    r->position = dup0(rec->position);
    r->evaluator = dup0(sc_record_get(rec, "evaluator"));
    r->department = dup0(rec->department);
    r->grade = dup0(rec->grade);
    r->total = dup0(rec->total);
    r->bonus = dup0(rec->bonus);
    s->n++;
    if (!r->id || !r->name || !r->position || !r->evaluator || !r->department || !r->grade ||
        !r->total || !r->bonus || !take_grades(s, rec) || !take_header(s, group, rec))
        return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    r->has_total = r->total[0] && sc_parse_fixed(r->total, 2, &r->total_centi);
    r->has_bonus = r->bonus[0] && sc_parse_fixed(r->bonus, 2, &r->bonus_fen);
    /* The engine's ranking award, where the batch holds the months it
     * needs: <ranking months sum rank award> on the employee. */
    xmlNodePtr rk = rec->employee ? sc_xml_child(rec->employee, "ranking") : NULL;
    const char *rank = rk ? sc_xml_attr(rk, "rank") : NULL;
    const char *award = rk ? sc_xml_attr(rk, "award") : NULL;
    if (rank && award && sc_parse_fixed(award, 2, &r->award_fen)) {
        const char *m = sc_xml_attr(rk, "months");
        r->award_rank = atoi(rank);
        r->award_months = m ? atoi(m) : 0;
        r->has_award = 1;
        if (!(r->award_sum = dup0(sc_xml_attr(rk, "sum"))))
            return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    }
    return SC_OK;
}

sc_status sc_summary_add_failed(sc_summary *s, int group, const sc_record *rec,
                                const char *label, const sc_error *why, sc_error *err)
{
    srow *r = new_row(s, group);
    if (!r)
        return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    s->n++;
    if (rec) {
        r->id = dup0(rec->id);
        r->name = dup0(rec->name);
    } else { /* known only by its label "id name" */
        const char *sp = label ? strchr(label, ' ') : NULL;
        r->id = sp ? sc_strndup(label, (size_t)(sp - label)) : dup0(label);
        r->name = dup0(sp ? sp + 1 : "");
    }
    r->message = dup0(why && why->message[0] ? why->message : why ? sc_strerror(why->code) : "");
    r->field = dup0(why ? why->field : "");
    r->file = dup0(why ? why->file : "");
    r->line = why ? why->line : 0;
    r->position = dup0(rec ? rec->position : "");
    r->evaluator = dup0(rec ? sc_record_get(rec, "evaluator") : "");
    r->department = dup0(rec ? rec->department : "");
    if (!r->id || !r->name || !r->message || !r->field || !r->file || !r->position ||
        !r->evaluator || !r->department || (rec && !take_header(s, group, rec)))
        return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    return SC_OK;
}

/* ---- ranks and order ----------------------------------------------------- */

/* 排名: the engine's competition ranking of the totals, per department,
 * over every counted row of the run. */
static sc_status rank_rows(sc_summary *s)
{
    if (s->ranks_done)
        return SC_OK;
    long long *sc = sc_malloc((size_t)(s->n ? s->n : 1) * sizeof *sc);
    long long *aw = sc_malloc((size_t)(s->n ? s->n : 1) * sizeof *aw);
    int *idx = sc_malloc((size_t)(s->n ? s->n : 1) * sizeof *idx);
    int *rk = sc_malloc((size_t)(s->n ? s->n : 1) * sizeof *rk);
    unsigned char *done = sc_calloc((size_t)(s->n ? s->n : 1), 1);
    sc_status st = sc && aw && idx && rk && done ? SC_OK : SC_ERR_NOMEM;
    for (int i = 0; st == SC_OK && i < s->n; i++)
        s->rows[i].rank = s->rows[i].ranked = 0;
    for (int i = 0; st == SC_OK && i < s->n; i++) {
        srow *a = &s->rows[i];
        if (done[i] || !a->ok || !a->has_total)
            continue;
        int m = 0;
        for (int j = i; j < s->n; j++) {
            srow *b = &s->rows[j];
            if (!done[j] && b->ok && b->has_total && !strcmp(a->department, b->department)) {
                idx[m] = j;
                sc[m++] = b->total_centi;
                done[j] = 1;
            }
        }
        sc_rank_awards(sc, m, NULL, 0, rk, aw);
        for (int k = 0; k < m; k++) {
            s->rows[idx[k]].rank = rk[k];
            s->rows[idx[k]].ranked = m;
        }
    }
    sc_free(sc);
    sc_free(aw);
    sc_free(idx);
    sc_free(rk);
    sc_free(done);
    s->ranks_done = st == SC_OK;
    return st;
}

/* Where a grade stands in the schemes' bands (best first); unknown
 * grades after them. */
static int grade_pos(const sc_summary *s, const char *g)
{
    for (int i = 0; i < s->ngrades; i++)
        if (!strcmp(s->grades[i].name, g))
            return i;
    return s->ngrades;
}

/* Natural order of ids: runs of digits compare as numbers (KF2 < KF10). */
static int natural_cmp(const char *a, const char *b)
{
    while (*a && *b) {
        if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
            while (*a == '0')
                a++;
            while (*b == '0')
                b++;
            size_t la = strspn(a, "0123456789"), lb = strspn(b, "0123456789");
            if (la != lb)
                return la < lb ? -1 : 1;
            int c = strncmp(a, b, la);
            if (c)
                return c;
            a += la;
            b += lb;
            continue;
        }
        if (*a != *b)
            return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
        a++;
        b++;
    }
    return *a ? 1 : *b ? -1 : 0;
}

typedef struct sorter {
    const sc_summary *s;
    int sort;
    UCollator *coll; /* names: the Chinese collation (pinyin), as Excel sorts */
} sorter;

/* The best total first; rows without one last; ties by id. */
static int total_cmp(const srow *a, const srow *b)
{
    if (a->has_total != b->has_total)
        return a->has_total ? -1 : 1;
    if (a->total_centi != b->total_centi)
        return a->total_centi > b->total_centi ? -1 : 1;
    return natural_cmp(a->id, b->id);
}

static int cmp_rows(const sorter *so, int x, int y)
{
    const srow *a = &so->s->rows[x], *b = &so->s->rows[y];
    int c = 0;
    switch (so->sort) {
    case SC_SORT_ID:
        c = natural_cmp(a->id, b->id);
        break;
    case SC_SORT_NAME:
        if (so->coll) {
            UErrorCode e = U_ZERO_ERROR;
            c = sym_ucol_strcollUTF8(so->coll, a->name, -1, b->name, -1, &e);
            if (U_FAILURE(e))
                c = strcmp(a->name, b->name);
        } else {
            c = strcmp(a->name, b->name);
        }
        if (!c)
            c = natural_cmp(a->id, b->id);
        break;
    case SC_SORT_GRADE:
        if (!a->grade[0] != !b->grade[0]) /* graded rows first */
            c = a->grade[0] ? -1 : 1;
        else
            c = grade_pos(so->s, a->grade) - grade_pos(so->s, b->grade);
        if (!c)
            c = strcmp(a->grade, b->grade);
        if (!c) /* within a grade, the best total first */
            c = total_cmp(a, b);
        break;
    case SC_SORT_TOTAL:
        c = total_cmp(a, b);
        break;
    default:
        break;
    }
    return c ? c : a->seq - b->seq;
}

/* A stable merge sort of row indices (qsort has no context argument). */
static void msort(const sorter *so, int *v, int *tmp, int n)
{
    if (n < 2)
        return;
    int h = n / 2;
    msort(so, v, tmp, h);
    msort(so, v + h, tmp, n - h);
    int i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = cmp_rows(so, v[j], v[i]) < 0 ? v[j++] : v[i++];
    while (i < h)
        tmp[k++] = v[i++];
    while (j < n)
        tmp[k++] = v[j++];
    memcpy(v, tmp, (size_t)n * sizeof *v);
}

sc_status sc_summary_order(const sc_summary *s, int group, int sort, int **out, int *n,
                           sc_error *err)
{
    *out = NULL;
    *n = 0;
    int *v = sc_malloc((size_t)(s->n ? s->n : 1) * sizeof *v);
    int *tmp = sc_malloc((size_t)(s->n ? s->n : 1) * sizeof *tmp);
    if (!v || !tmp) {
        sc_free(v);
        sc_free(tmp);
        return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    }
    int m = 0;
    for (int i = 0; i < s->n; i++)
        if (group < 0 || s->rows[i].group == group)
            v[m++] = i;
    sorter so = {s, sort, NULL};
    if (sort == SC_SORT_NAME && sc_icu_load(err) != SC_OK) {
        sc_free(v);
        sc_free(tmp);
        return err->code;
    }
    if (sort == SC_SORT_NAME) {
        UErrorCode e = U_ZERO_ERROR;
        so.coll = sym_ucol_open("zh", &e);
        if (U_FAILURE(e))
            so.coll = NULL; /* code point order, still deterministic */
    }
    if (sort != SC_SORT_DATA)
        msort(&so, v, tmp, m);
    if (so.coll)
        sym_ucol_close(so.coll);
    sc_free(tmp);
    *out = v;
    *n = m;
    return SC_OK;
}

int sc_summary_rows(const sc_summary *s) { return s ? s->n : 0; }

/* ---- the document ---------------------------------------------------------- */

static void setp(xmlNodePtr n, const char *k, const char *v, int *ok)
{
    if (*ok && !xmlSetProp(n, BAD_CAST k, BAD_CAST(v ? v : "")))
        *ok = 0;
}

static void setfix(xmlNodePtr n, const char *k, long long v, int scale, int *ok)
{
    char b[48];
    sc_format_fixed(b, sizeof b, v, scale, 0);
    setp(n, k, b, ok);
}

/* A share as the scheme wrote it: 20, 12.5. */
static void setshare(xmlNodePtr n, const char *k, long long v, int *ok)
{
    char b[48];
    sc_format_fixed(b, sizeof b, v, 2, 1);
    setp(n, k, b, ok);
}

static void setint(xmlNodePtr n, const char *k, long long v, int *ok)
{
    char b[32];
    snprintf(b, sizeof b, "%lld", v);
    setp(n, k, b, ok);
}

static xmlNodePtr add(xmlNodePtr parent, const char *name, int *ok)
{
    xmlNodePtr c = *ok ? xmlNewChild(parent, NULL, BAD_CAST name, NULL) : NULL;
    if (!c)
        *ok = 0;
    return c;
}

typedef struct gcount {
    const char *name;
    int count;
    const sgrade *g; /* its forced distribution, or NULL */
} gcount;

/* Counts per grade of the counted rows, in the schemes' order, then the
 * grades the schemes do not band, then the rows without a grade. */
static void distribution(const sc_summary *s, const int *v, int m, xmlNodePtr sum, int counted,
                         int *ok, sc_summary_note note, void *ud, const char *title)
{
    gcount *gc = sc_calloc((size_t)(s->ngrades + m + 1), sizeof *gc);
    if (!gc) {
        *ok = 0;
        return;
    }
    int ng = 0;
    for (int i = 0; i < s->ngrades; i++) {
        gc[ng].name = s->grades[i].name;
        gc[ng++].g = &s->grades[i];
    }
    for (int k = 0; k < m; k++) {
        const srow *r = &s->rows[v[k]];
        if (!r->ok)
            continue;
        int i = 0;
        while (i < ng && strcmp(gc[i].name, r->grade))
            i++;
        if (i == ng)
            gc[ng++].name = r->grade;
        gc[i].count++;
    }
    xmlNodePtr gs = add(sum, "grades", ok);
    if (gs)
        setint(gs, "counted", counted, ok);
    for (int i = 0; i < ng && *ok; i++) {
        if (!gc[i].name[0] && !gc[i].count)
            continue;
        xmlNodePtr g = add(gs, "grade", ok);
        if (!g)
            break;
        setp(g, "name", gc[i].name[0] ? gc[i].name : "（无等级）", ok);
        setint(g, "count", gc[i].count, ok);
        setfix(g, "percent", counted ? sc_div_round(gc[i].count * 1000LL, counted) : 0, 1, ok);
        const sgrade *d = gc[i].g;
        if (d && d->has_max) {
            setshare(g, "max-share", d->max_share, ok);
            /* count / counted > share%: count x 10000 > share(1/100 %) x counted */
            int over = counted && gc[i].count * 10000LL > d->max_share * counted;
            setp(g, "exceeded", over ? "true" : "false", ok);
            if (over && note) {
                char pct[32], share[32];
                sc_format_fixed(pct, sizeof pct, sc_div_round(gc[i].count * 1000LL, counted), 1, 0);
                sc_format_fixed(share, sizeof share, d->max_share, 2, 1);
                char msg[512];
                snprintf(msg, sizeof msg, "%.200s: %.64s is given to %d of %d employees (%s%%), more than "
                         "the scheme's forced distribution allows (at most %s%%)",
                         title, gc[i].name, gc[i].count, counted, pct, share);
                note(ud, msg);
            }
        }
        if (d && d->has_min) {
            setshare(g, "min-share", d->min_share, ok);
            int under = counted && gc[i].count * 10000LL < d->min_share * counted;
            setp(g, "short", under ? "true" : "false", ok);
            if (under && note) {
                char share[32], msg[400];
                sc_format_fixed(share, sizeof share, d->min_share, 2, 1);
                snprintf(msg, sizeof msg, "%.200s: %.64s is given to %d of %d employees, fewer than the "
                         "scheme's forced distribution asks (at least %s%%)",
                         title, gc[i].name, gc[i].count, counted, share);
                note(ud, msg);
            }
        }
    }
    sc_free(gc);
}

sc_status sc_summary_record(sc_summary *s, const sc_summary_view *view, sc_record **out,
                            sc_error *err)
{
    *out = NULL;
    if (rank_rows(s) != SC_OK)
        return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    int *v = NULL, m = 0;
    sc_status st = sc_summary_order(s, view->group, view->sort, &v, &m, err);
    if (st != SC_OK)
        return st;
    /* the header: the group's first record's, else the run's first */
    const sheader *h = NULL;
    for (int i = 0; i < s->nhdr && !h; i++)
        if (view->group < 0 || s->hdr[i].group == view->group)
            h = &s->hdr[i];
    if (!h && s->nhdr)
        h = &s->hdr[0];
    xmlDocPtr doc = h ? xmlCopyDoc(h->doc, 1) : xmlNewDoc(BAD_CAST "1.0");
    xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (doc && !root && (root = xmlNewNode(NULL, BAD_CAST "batch")))
        xmlDocSetRootElement(doc, root);
    int ok = root != NULL;
    xmlNodePtr sum = add(root, "summary", &ok);
    const char *dept = view->department && view->department[0] ? view->department
                       : h                                     ? h->department
                                                               : "";
    char title[512];
    int tn = view->group_label && view->group_label[0]
                 ? snprintf(title, sizeof title, "部门绩效汇总表（%s：%s）", view->group_label,
                            view->group_value ? view->group_value : "")
                 : snprintf(title, sizeof title, "部门绩效汇总表");
    if (tn < 0 || tn >= (int)sizeof title) /* a value longer than any name */
        snprintf(title, sizeof title, "部门绩效汇总表");
    if (ok) {
        setp(sum, "title", title, &ok);
        setp(sum, "department", dept, &ok);
        if (view->group_by && view->group_by[0]) {
            setp(sum, "group-by", view->group_by, &ok);
            setp(sum, "group-label", view->group_label, &ok);
            setp(sum, "group", view->group_value, &ok);
        }
    }
    /* rows, then errors; sums in integers */
    int counted = 0, errors = 0, totals = 0, bonused = 0, winners = 0, award_months = 0;
    long long tsum = 0, bsum = 0, asum = 0;
    for (int k = 0; k < m && ok; k++) {
        const srow *r = &s->rows[v[k]];
        if (!r->ok)
            continue;
        xmlNodePtr x = add(sum, "row", &ok);
        if (!x)
            break;
        setint(x, "n", ++counted, &ok);
        setp(x, "id", r->id, &ok);
        setp(x, "name", r->name, &ok);
        setp(x, "position", r->position, &ok);
        setp(x, "evaluator", r->evaluator, &ok);
        setp(x, "department", r->department, &ok);
        setp(x, "total", r->total, &ok);
        setp(x, "grade", r->grade, &ok);
        setp(x, "bonus", r->bonus, &ok);
        if (r->rank) {
            setint(x, "rank", r->rank, &ok);
            setint(x, "ranked", r->ranked, &ok);
        }
        if (r->has_total) {
            tsum += r->total_centi;
            totals++;
        }
        if (r->has_bonus) {
            bsum += r->bonus_fen;
            bonused++;
        }
        if (r->has_award) {
            setint(x, "award-rank", r->award_rank, &ok);
            setint(x, "award-months", r->award_months, &ok);
            setp(x, "award-sum", r->award_sum, &ok);
            setfix(x, "award", r->award_fen, 2, &ok);
            award_months = r->award_months;
            if (r->award_fen > 0) {
                winners++;
                asum += r->award_fen;
            }
        }
    }
    for (int k = 0; k < m && ok; k++) {
        const srow *r = &s->rows[v[k]];
        if (r->ok)
            continue;
        xmlNodePtr x = add(sum, "error", &ok);
        if (!x)
            break;
        setint(x, "n", ++errors, &ok);
        setp(x, "id", r->id, &ok);
        setp(x, "name", r->name, &ok);
        setp(x, "position", r->position, &ok);
        setp(x, "evaluator", r->evaluator, &ok);
        setp(x, "message", r->message, &ok);
        setp(x, "field", r->field, &ok);
        setp(x, "file", r->file, &ok);
        if (r->line > 0)
            setint(x, "line", r->line, &ok);
    }
    if (ok) {
        setint(sum, "employees", counted + errors, &ok);
        setint(sum, "counted", counted, &ok);
        setint(sum, "errors", errors, &ok);
        setint(sum, "totalled", totals, &ok);
        setfix(sum, "total-sum", tsum, 2, &ok);
        if (totals)
            setfix(sum, "total-average", sc_div_round(tsum, totals), 2, &ok);
        setint(sum, "bonused", bonused, &ok);
        setfix(sum, "bonus-sum", bsum, 2, &ok);
        if (bonused)
            setfix(sum, "bonus-average", sc_div_round(bsum, bonused), 2, &ok);
    }
    distribution(s, v, m, sum, counted, &ok, view->note, view->note_ud, title);
    /* the ranking award: those of the sheet the engine awarded */
    if (ok && winners) {
        xmlNodePtr ra = add(sum, "rank-award", &ok);
        if (ra) {
            setint(ra, "months", award_months, &ok);
            setint(ra, "winners", winners, &ok);
            setfix(ra, "total", asum, 2, &ok);
        }
        int *w = sc_malloc((size_t)(m ? m : 1) * sizeof *w), nw = 0;
        if (!w)
            ok = 0;
        for (int k = 0; ok && k < m; k++)
            if (s->rows[v[k]].ok && s->rows[v[k]].has_award && s->rows[v[k]].award_fen > 0)
                w[nw++] = v[k];
        /* by award rank, then the data's order */
        for (int i = 1; ok && i < nw; i++)
            for (int j = i; j > 0 && s->rows[w[j]].award_rank < s->rows[w[j - 1]].award_rank; j--) {
                int t = w[j];
                w[j] = w[j - 1];
                w[j - 1] = t;
            }
        for (int i = 0; ok && i < nw; i++) {
            const srow *r = &s->rows[w[i]];
            xmlNodePtr x = add(ra, "winner", &ok);
            if (!x)
                break;
            setp(x, "id", r->id, &ok);
            setp(x, "name", r->name, &ok);
            setp(x, "sum", r->award_sum, &ok);
            setint(x, "rank", r->award_rank, &ok);
            setfix(x, "award", r->award_fen, 2, &ok);
        }
        sc_free(w);
    }
    xmlNodePtr sigs = add(sum, "signatures", &ok);
    static const char *const roles[] = {"部门负责人", "人力资源部"};
    for (int i = 0; i < 2 && ok; i++) {
        xmlNodePtr g = add(sigs, "signature", &ok);
        if (g)
            setp(g, "role", roles[i], &ok);
    }
    sc_free(v);
    sc_record *rec = ok ? sc_calloc(1, sizeof *rec) : NULL;
    if (rec) {
        rec->doc = doc;
        rec->employee = sum;
        rec->file = dup0(h ? h->file : "");
        rec->id = dup0("");
        rec->name = dup0("");
        rec->department = dup0(dept);
        rec->position = dup0("");
        rec->period = dup0(h ? h->period : "");
        rec->email = dup0("");
        rec->superior = dup0("");
        rec->evaluator = dup0("");
        rec->label = dup0(title);
        rec->total = dup0("");
        rec->grade = dup0("");
        rec->bonus = dup0("");
        rec->date = h ? h->date : 0;
        if (rec->file && rec->id && rec->name && rec->department && rec->position &&
            rec->period && rec->email && rec->superior && rec->evaluator && rec->label &&
            rec->total && rec->grade && rec->bonus) {
            *out = rec;
            return SC_OK;
        }
        sc_record_free(rec);
        return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    }
    xmlFreeDoc(doc);
    return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
}
