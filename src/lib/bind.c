/* bind.c -- template + one record -> sc_bound (paragraphs, tables, groups).
 *
 * The template was parsed, validated and compiled once (template.c); here
 * we only evaluate compiled XPath expressions against the record's small
 * document, with one xmlXPathContext per call, and copy the strings into
 * the record's arena.  Nothing is measured or positioned: that is layout.
 *
 * Tables are the subtle part:
 *   - <rows select> makes one row per node; its cells see that node as the
 *     context node and <row-number/> as its 1-based index.
 *   - merge="true" cells of <rows> merge runs of equal text into one cell
 *     with rowspan (HTML semantics: the following rows omit the cell).
 *     Merging is hierarchical: a merge cell continues a run only if every
 *     merge cell to its left in the same row also continues, so a column
 *     never merges across the boundary of a merged column before it.
 *   - after a table is bound, its rows are checked with an occupancy grid:
 *     every row must fill exactly the declared columns, counting colspans
 *     and the columns covered by rowspans from above; a mismatch is a
 *     template error naming the row's line (it can depend on the data, e.g.
 *     an <if> that removes a row a rowspan reaches into).
 *
 * Figures: every number the sheet prints comes from the record (data or
 * what the scoring engine wrote); the binder computes none.  The bonus
 * table prints the engine's amounts, and template.c has refused
 * arithmetic on the engine's figures in printed expressions.  One
 * quantity takes one format on a form: the binder notes the text each
 * printed number node got, and a node printed twice with two texts
 * (102.00 in 最终得分, 102 in the bonus table) is a template error naming
 * both lines.  The template's <figures> are evaluated once per record;
 * those named total, grade and bonus must be the engine's (sc_record_get),
 * so what `check` lists is what the sheet prints and what the engine
 * computed.
 */
#include "internal.h"

#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A printed number: the node it came from, its text, the template line. */
typedef struct printed {
    const void *node;
    const char *text;
    int line;
} printed;

typedef struct binder {
    const sc_template *t;
    const sc_record *rec;
    sc_arena *a;
    sc_error *err;
    xmlXPathContextPtr xp;
    char xperr[256];
    const char *tfile;  /* template file name, for block->field */
    printed *seen;      /* open addressing by node, cap a power of 2 */
    int nseen, capseen;
    struct {               /* per template line and name: decimals of the engine's figures */
        int line, decimals;
        const xmlChar *name;
    } sites[256];
    int nsites;
    const char **fig_text; /* per template figure: its text (NULL: not yet) */
    xmlNodePtr *fig_node;  /* and the node it came from, or NULL */
    int testing;        /* evaluating a test, not a select */
    sc_selects sel;     /* what the selects gave */
} binder;

/* A growable array in the arena (old copies are left behind: cheap). */
typedef struct vec {
    void *v;
    int n, cap;
    size_t size;
} vec;

static void *vec_push(binder *B, vec *x)
{
    if (x->n == x->cap) {
        int cap = x->cap ? x->cap * 2 : 8;
        void *v = sc_arena_alloc(B->a, (size_t)cap * x->size);
        if (!v)
            return NULL;
        if (x->n)
            memcpy(v, x->v, (size_t)x->n * x->size);
        x->v = v;
        x->cap = cap;
    }
    void *p = (char *)x->v + (size_t)x->n++ * x->size;
    memset(p, 0, x->size);
    return p;
}

static sc_status nomem(binder *B)
{
    return sc_error_set(B->err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
}

/* A template error at `line`, naming the record. */
static sc_status terr(binder *B, sc_status code, int line, const char *fmt,
                      ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sc_error_set(B->err, code, B->t->path, line, 0, "%s", msg);
    if (B->err && B->rec->label)
        snprintf(B->err->employee, sizeof B->err->employee, "%s",
                 B->rec->label);
    return code;
}

/* A data error at the data node n, naming the record and the field. */
static sc_status derr(binder *B, xmlNodePtr n, const char *field,
                      const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sc_error_set(B->err, SC_ERR_DATA, B->rec->file,
                 n ? (int)xmlGetLineNo(n) : B->rec->line, 0, "%s: %s",
                 B->rec->label ? B->rec->label : "", msg);
    if (B->err) {
        snprintf(B->err->employee, sizeof B->err->employee, "%s",
                 B->rec->label ? B->rec->label : "");
        snprintf(B->err->field, sizeof B->err->field, "%s", field);
    }
    return SC_ERR_DATA;
}

static void xpath_error(void *ud, xmlErrorPtr xe)
{
    binder *B = ud;
    if (xe && xe->message && !B->xperr[0]) {
        snprintf(B->xperr, sizeof B->xperr, "%s", xe->message);
        size_t n = strlen(B->xperr);
        while (n && B->xperr[n - 1] == '\n')
            B->xperr[--n] = '\0';
    }
}

/* A select gave o: note whether it gave something, so that the batch can
 * say which selects gave nothing for any of its records (a misspelt
 * path prints an empty cell on every sheet, and nothing else shows it).
 * i: the expression's index in the template (nexprs: not one of them). */
static void note_select(binder *B, size_t i, xmlXPathObjectPtr o)
{
    if (!B->sel.evaluated || i == B->t->nexprs)
        return;
    B->sel.evaluated[i] = 1;
    int got = o->type == XPATH_NODESET   ? o->nodesetval && o->nodesetval->nodeNr > 0
              : o->type == XPATH_STRING  ? o->stringval && o->stringval[0]
              : o->type == XPATH_NUMBER  ? !isnan(o->floatval)
                                         : 1;
    if (got)
        B->sel.matched[i] = 1;
}

/* ---- plain paths, without the XPath machine ---------------------------------
 *
 * Most of a template's expressions are plain paths -- name, weight,
 * raters/rater, bonus/@amount, /batch/company -- which libxml2 runs
 * through its general evaluator at some 4,000 instructions each.  Such a
 * path (an optional leading '/', names separated by '/', the last one
 * possibly an attribute's @name; no prefix, space, predicate or axis) is
 * followed here: the node set libxml2 gives, in the same order.  Each step
 * takes, node by node, the children (or attributes) of nodes already in
 * document order, so the result is in document order with no duplicate;
 * a name without prefix matches only nodes in no namespace, and only
 * elements (and the document) have children and attributes on XPath's
 * axes.  Anything else is left to libxml2. */

#define MAX_STEPS 16

typedef struct path_step {
    const char *name;
    size_t len;
} path_step;

static int name_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int name_char(char c)
{
    return name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

/* src as steps; 0 if it is not a plain path. */
static int plain_path(const char *src, path_step *step, int *nstep, int *absolute,
                      int *attr)
{
    const char *p = src;
    *nstep = 0;
    *attr = 0;
    *absolute = *p == '/';
    p += *absolute;
    for (;;) {
        if (*nstep == MAX_STEPS || *attr)
            return 0;
        int at = *p == '@';
        p += at;
        if (!name_start(*p))
            return 0;
        const char *start = p;
        while (name_char(*p))
            p++;
        step[(*nstep)++] = (path_step){start, (size_t)(p - start)};
        *attr = at;
        if (!*p)
            return 1;
        if (*p++ != '/')
            return 0;
    }
}

static int step_is(const path_step *s, const xmlChar *name)
{
    return !strncmp((const char *)name, s->name, s->len) && !name[s->len];
}

static int follow(xmlNodeSetPtr set, xmlNodePtr n, const path_step *step, int nstep, int attr)
{
    if (nstep == 0)
        return xmlXPathNodeSetAddUnique(set, n) == 0;
    if (n->type != XML_ELEMENT_NODE && n->type != XML_DOCUMENT_NODE)
        return 1; /* no children, no attributes */
    if (nstep == 1 && attr) {
        for (xmlAttrPtr a = n->type == XML_ELEMENT_NODE ? n->properties : NULL; a; a = a->next)
            if (!a->ns && step_is(step, a->name) &&
                xmlXPathNodeSetAddUnique(set, (xmlNodePtr)a) != 0)
                return 0;
        return 1;
    }
    for (xmlNodePtr c = n->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && !c->ns && step_is(step, c->name) &&
            !follow(set, c, step + 1, nstep - 1, attr))
            return 0;
    return 1;
}

xmlXPathObjectPtr sc_bind_plain_path(const char *src, xmlNodePtr node)
{
    path_step step[MAX_STEPS];
    int nstep, absolute, attr;
    if (!src || !plain_path(src, step, &nstep, &absolute, &attr) || !node || !node->doc)
        return NULL;
    xmlXPathObjectPtr o = xmlXPathNewNodeSet(NULL);
    if (o && !follow(o->nodesetval, absolute ? (xmlNodePtr)node->doc : node, step, nstep,
                     attr)) {
        xmlXPathFreeObject(o);
        return NULL; /* out of memory: libxml2 will say so */
    }
    return o;
}

/* libxml2 2.9 evaluates a union under [1] or [last()] with an "optimizer"
 * that swaps the union's two operands in the compiled expression itself
 * (xmlXPathCompSwap), which every worker shares: a worker reading it
 * mid-swap evaluated one operand twice, and (department |
 * /batch/department)[last()] gave nothing -- a sheet without its 部门, one
 * run in ten with 8 workers.  libxml2 2.14 removed the swap; until then
 * expressions with a union are evaluated one at a time. */
static pthread_mutex_t union_lock = PTHREAD_MUTEX_INITIALIZER;

/* Evaluate a compiled expression with node as context node and
 * position()/last() = pos/size.  NULL (and err set) on failure. */
static xmlXPathObjectPtr eval(binder *B, const sc_tnode *tn, void *expr,
                              xmlNodePtr node, int pos, int size)
{
    B->xperr[0] = '\0';
    size_t i = 0;
    while (i < B->t->nexprs && B->t->exprs[i] != expr)
        i++;
    xmlXPathObjectPtr o =
        i < B->t->nexprs ? sc_bind_plain_path(B->t->exprinfo[i].src, node) : NULL;
    if (!o) {
        int serial = i == B->t->nexprs || B->t->exprinfo[i].union_op;
        B->xp->node = node;
        B->xp->proximityPosition = pos;
        B->xp->contextSize = size;
        if (serial)
            pthread_mutex_lock(&union_lock);
        o = xmlXPathCompiledEval(expr, B->xp);
        if (serial)
            pthread_mutex_unlock(&union_lock);
    }
    if (!o)
        terr(B, SC_ERR_XPATH, tn->line, "cannot evaluate \"%s\": %s",
             tn->src ? tn->src : "expression",
             B->xperr[0] ? B->xperr : "XPath evaluation failed");
    else if (!B->testing)
        note_select(B, i, o);
    return o;
}

/* ---- one quantity, one format ---------------------------------------------- */

static int numeric_text(const char *s, size_t n)
{
    size_t i = 0, digits = 0;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        i++;
    for (; i < n; i++) {
        if (s[i] >= '0' && s[i] <= '9')
            digits++;
        else if (s[i] != '.')
            return 0;
    }
    return digits > 0;
}

static size_t hash_ptr(const void *p)
{
    uintptr_t x = (uintptr_t)p;
    x ^= x >> 17;
    x *= 0xed5ad4bbU;
    x ^= x >> 11;
    return (size_t)x;
}

static sc_status nomem(binder *B);
static sc_status terr(binder *B, sc_status code, int line, const char *fmt, ...);

/* The name of a data node for a message: total, @amount (on bonus). */
static const char *node_name(binder *B, const xmlNode *n)
{
    if (n->type == XML_ATTRIBUTE_NODE && n->parent)
        return sc_arena_printf(B->a, "%s/@%s", (const char *)n->parent->name,
                               (const char *)n->name);
    if (n->type == XML_TEXT_NODE && n->parent)
        return (const char *)n->parent->name;
    return (const char *)n->name;
}

/* A number of the scheme's copy in the record (/batch/scheme,
 * kpi/scheme-rule): a rule's parameter, printed as the scheme declares it
 * (levels of 5, 3.5 and 0 points), not a figure the engine computed. */
static int in_scheme(const xmlNode *n)
{
    for (; n; n = n->parent)
        if (n->type == XML_ELEMENT_NODE &&
            (xmlStrEqual(n->name, (const xmlChar *)"scheme-rule") ||
             xmlStrEqual(n->name, (const xmlChar *)"scheme")))
            return 1;
    return 0;
}

/* One printing site (a template line, one name) prints the engine's
 * figures with one number of decimals: 15, 13.5 and 9.38 in one 得分 column are three
 * formats of one quantity. */
static sc_status note_site(binder *B, const xmlNode *node, const char *text, size_t len,
                           int line)
{
    const xmlNode *named = node->type == XML_TEXT_NODE ? node->parent : node;
    if (!named || !named->name || in_scheme(named) ||
        !sc_score_computed_name((const char *)named->name, strlen((const char *)named->name),
                                named->type == XML_ATTRIBUTE_NODE))
        return SC_OK;
    const char *dot = memchr(text, '.', len);
    int decimals = dot ? (int)(len - (size_t)(dot - text) - 1) : 0;
    for (int i = 0; i < B->nsites; i++)
        if (B->sites[i].line == line && xmlStrEqual(B->sites[i].name, named->name)) {
            if (B->sites[i].decimals == decimals)
                return SC_OK;
            return terr(B, SC_ERR_TEMPLATE, line,
                        "this prints the engine's figures (%s) with %d and with %d decimals "
                        "(\"%.*s\"): give it format= (or print a <figure>) so that one "
                        "quantity has one format", node_name(B, node), B->sites[i].decimals,
                        decimals, (int)len, text);
        }
    if (B->nsites < (int)(sizeof B->sites / sizeof *B->sites)) {
        B->sites[B->nsites].line = line;
        B->sites[B->nsites].name = named->name;
        B->sites[B->nsites++].decimals = decimals;
    }
    return SC_OK;
}

/* Note that `node` was printed as text[0..len) at template line `line`; a
 * number printed before with another text is a template error. */
static sc_status note_printed(binder *B, const xmlNode *node, const char *text, size_t len,
                              int line)
{
    if (!node || !numeric_text(text, len))
        return SC_OK;
    sc_status st = note_site(B, node, text, len, line);
    if (st != SC_OK)
        return st;
    if (2 * (B->nseen + 1) > B->capseen) {
        int cap = B->capseen ? B->capseen * 2 : 64;
        printed *t = sc_arena_alloc(B->a, (size_t)cap * sizeof *t);
        if (!t)
            return nomem(B);
        for (int i = 0; i < B->capseen; i++) {
            if (!B->seen[i].node)
                continue;
            size_t h = hash_ptr(B->seen[i].node) & (size_t)(cap - 1);
            while (t[h].node)
                h = (h + 1) & (size_t)(cap - 1);
            t[h] = B->seen[i];
        }
        B->seen = t;
        B->capseen = cap;
    }
    size_t h = hash_ptr(node) & (size_t)(B->capseen - 1);
    while (B->seen[h].node && B->seen[h].node != node)
        h = (h + 1) & (size_t)(B->capseen - 1);
    printed *e = &B->seen[h];
    if (!e->node) {
        e->node = node;
        e->text = sc_arena_strndup(B->a, text, len);
        e->line = line;
        B->nseen++;
        return e->text ? SC_OK : nomem(B);
    }
    if (strlen(e->text) == len && !memcmp(e->text, text, len))
        return SC_OK;
    return terr(B, SC_ERR_TEMPLATE, line,
                "%s is printed here as \"%.*s\" but at line %d as \"%s\": one quantity "
                "takes one format on a form; declare it once (<figures>, or the same "
                "format= everywhere)", node_name(B, node), (int)len, text, e->line, e->text);
}

/* The first node of a node-set result, or NULL. */
static const xmlNode *first_node(xmlXPathObjectPtr o)
{
    return o && o->type == XPATH_NODESET && o->nodesetval && o->nodesetval->nodeNr > 0
               ? o->nodesetval->nodeTab[0]
               : NULL;
}

/* ---- values to text ----------------------------------------------------- */

static void trim(const char **s, size_t *n)
{
    while (*n && strchr(" \t\r\n", (*s)[0]))
        (*s)++, (*n)--;
    while (*n && strchr(" \t\r\n", (*s)[*n - 1]))
        (*n)--;
}

/* "2026-11-03" in the date pattern fmt (NULL: yyyy年MM月dd日, the
 * template loader has checked the pattern): yyyy the year, MM/M the month
 * with/without its leading zero, dd/d the day, the rest as written.
 * Anything that is not a YYYY-MM-DD date is printed unchanged. */
static void append_date(sc_buf *b, const char *s, size_t n, const char *fmt)
{
    int ok = n == 10 && s[4] == '-' && s[7] == '-';
    for (int i = 0; ok && i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            ok = 0;
    if (!ok) {
        sc_buf_append(b, s, n);
        return;
    }
    for (const char *p = fmt ? fmt : "yyyy年MM月dd日"; *p;) {
        if (!strncmp(p, "yyyy", 4)) {
            sc_buf_append(b, s, 4);
            p += 4;
        } else if (*p == 'M' || *p == 'd') {
            const char *two = *p == 'M' ? s + 5 : s + 8;
            int pad = p[1] == *p;
            if (pad || two[0] != '0')
                sc_buf_append(b, two, 2);
            else
                sc_buf_append(b, two + 1, 1);
            p += pad ? 2 : 1;
        } else {
            sc_buf_append(b, p, 1);
            p++;
        }
    }
}

static void append_number(sc_buf *b, double v, int decimals)
{
    char tmp[64];
    if (isnan(v) || isinf(v))
        return; /* no value: an empty cell, not "NaN" */
    if (decimals >= 0) {
        sc_format_decimal(tmp, sizeof tmp, v, decimals);
    } else if (v == floor(v) && fabs(v) < 1e15) {
        snprintf(tmp, sizeof tmp, "%.0f", v);
    } else {
        sc_format_decimal(tmp, sizeof tmp, v, 6);
        size_t n = strlen(tmp);
        while (n && tmp[n - 1] == '0')
            tmp[--n] = '\0';
        if (n && tmp[n - 1] == '.')
            tmp[--n] = '\0';
    }
    sc_buf_puts(b, tmp);
}

/* Append a string value: numbers in it are reformatted if decimals >= 0,
 * dates if decimals == -2; otherwise it goes in verbatim (trimmed). */
static void append_string(sc_buf *b, const char *s, int decimals, const char *datefmt)
{
    size_t n = strlen(s);
    trim(&s, &n);
    if (decimals == -2) {
        append_date(b, s, n, datefmt);
        return;
    }
    if (decimals >= 0 && n > 0 && n < 60) {
        char tmp[64];
        memcpy(tmp, s, n);
        tmp[n] = '\0';
        char *end;
        errno = 0;
        double v = strtod(tmp, &end);
        if (end == tmp + n && !errno && (tmp[0] == '-' || tmp[0] == '+' ||
                                         tmp[0] == '.' ||
                                         (tmp[0] >= '0' && tmp[0] <= '9'))) {
            append_number(b, v, decimals);
            return;
        }
    }
    sc_buf_append(b, s, n);
}

static void append_obj(sc_buf *b, xmlXPathObjectPtr o, int decimals, const char *datefmt)
{
    switch (o->type) {
    case XPATH_BOOLEAN:
        sc_buf_puts(b, o->boolval ? "是" : "否");
        break;
    case XPATH_NUMBER:
        append_number(b, o->floatval, decimals);
        break;
    case XPATH_STRING:
        append_string(b, o->stringval ? (const char *)o->stringval : "",
                      decimals, datefmt);
        break;
    default: {
        xmlChar *s = xmlXPathCastToString(o);
        append_string(b, s ? (const char *)s : "", decimals, datefmt);
        xmlFree(s);
    }
    }
}

static sc_status figure_text(binder *B, const sc_tfigure *f, const char **text,
                             xmlNodePtr *from);

/* Evaluate expr (or the figure) and append its text; a number is noted
 * with the node it came from (one quantity, one format). */
static sc_status append_value(binder *B, sc_buf *b, const sc_tnode *tn,
                              xmlNodePtr node, int pos, int size)
{
    if (tn->figure) {
        const char *text;
        xmlNodePtr from;
        sc_status st = figure_text(B, tn->figure, &text, &from);
        if (st != SC_OK)
            return st;
        sc_buf_puts(b, text);
        return note_printed(B, from, text, strlen(text), tn->line);
    }
    xmlXPathObjectPtr o = eval(B, tn, tn->expr, node, pos, size);
    if (!o)
        return SC_ERR_XPATH;
    size_t before = b->len;
    append_obj(b, o, tn->decimals, tn->datefmt);
    sc_status st = note_printed(B, first_node(o), b->data ? b->data + before : "",
                                b->len - before, tn->line);
    xmlXPathFreeObject(o);
    return st;
}

static int eval_bool(binder *B, const sc_tnode *tn, void *expr,
                     xmlNodePtr node, int pos, int size, int *res)
{
    B->testing = 1;
    xmlXPathObjectPtr o = eval(B, tn, expr, node, pos, size);
    B->testing = 0;
    if (!o)
        return -1;
    *res = xmlXPathCastToBoolean(o);
    xmlXPathFreeObject(o);
    return 0;
}

/* Nodes selected by expr, copied (the object is freed). */
static sc_status eval_nodes(binder *B, const sc_tnode *tn, void *expr,
                            xmlNodePtr node, int pos, int size,
                            xmlNodePtr **nodes, int *n)
{
    *nodes = NULL;
    *n = 0;
    xmlXPathObjectPtr o = eval(B, tn, expr, node, pos, size);
    if (!o)
        return SC_ERR_XPATH;
    if (o->type != XPATH_NODESET) {
        xmlXPathFreeObject(o);
        return terr(B, SC_ERR_XPATH, tn->line,
                    "\"%s\" must select nodes (it gives a %s)", tn->src,
                    o->type == XPATH_NUMBER ? "number"
                    : o->type == XPATH_STRING ? "string" : "boolean");
    }
    int k = o->nodesetval ? o->nodesetval->nodeNr : 0;
    if (k > 0) {
        *nodes = sc_arena_alloc(B->a, (size_t)k * sizeof **nodes);
        if (!*nodes) {
            xmlXPathFreeObject(o);
            return nomem(B);
        }
        memcpy(*nodes, o->nodesetval->nodeTab, (size_t)k * sizeof **nodes);
    }
    *n = k;
    xmlXPathFreeObject(o);
    return SC_OK;
}

/* Inline content appended to b.  An inline <if> adds its content when its
 * test is true; an inline <for-each> adds it once per selected node, with
 * that node as the context (position()/last() its index and count). */
static sc_status append_inline(binder *B, sc_buf *b, const sc_tnode *first,
                               xmlNodePtr node, int pos, int size)
{
    sc_status st = SC_OK;
    for (const sc_tnode *t = first; t && st == SC_OK; t = t->next) {
        switch (t->kind) {
        case SC_T_LITERAL: sc_buf_puts(b, t->text); break;
        case SC_T_VALUE: st = append_value(B, b, t, node, pos, size); break;
        case SC_T_BR: sc_buf_puts(b, "\n"); break;
        case SC_T_PAGE_NUMBER: sc_buf_puts(b, SC_PH_PAGE); break;
        case SC_T_PAGE_COUNT: sc_buf_puts(b, SC_PH_PAGES); break;
        case SC_T_ROW_NUMBER: sc_buf_printf(b, "%d", pos); break;
        case SC_T_IF: {
            int yes;
            if (eval_bool(B, t, t->expr, node, pos, size, &yes) != 0)
                return SC_ERR_XPATH;
            if (yes)
                st = append_inline(B, b, t->first, node, pos, size);
            break;
        }
        case SC_T_FOREACH: {
            xmlNodePtr *nodes;
            int nn;
            st = eval_nodes(B, t, t->expr, node, pos, size, &nodes, &nn);
            for (int i = 0; st == SC_OK && i < nn; i++)
                st = append_inline(B, b, t->first, nodes[i], i + 1, nn);
            break;
        }
        default: break;
        }
    }
    return st;
}

/* Inline content (children of <text>/<cell>) -> arena string. */
static sc_status inline_text(binder *B, const sc_tnode *first,
                             xmlNodePtr node, int pos, int size,
                             const char **out)
{
    sc_buf b = {0};
    sc_buf_puts(&b, "");
    sc_status st = append_inline(B, &b, first, node, pos, size);
    if (st == SC_OK) {
        if (b.oom || !(*out = sc_arena_strdup(B->a, b.data ? b.data : "")))
            st = nomem(B);
    }
    sc_buf_free(&b);
    return st;
}

/* ---- tables --------------------------------------------------------------- */

typedef struct tbuild {
    vec rows;   /* sc_row */
    vec lines;  /* int: template line of each row */
    int ncols;
} tbuild;

static sc_status add_row(binder *B, tbuild *tb, int kind, double min_h,
                         sc_cell *cells, int ncells, int line)
{
    sc_row *r = vec_push(B, &tb->rows);
    int *l = vec_push(B, &tb->lines);
    if (!r || !l)
        return nomem(B);
    r->kind = kind;
    r->cells = cells;
    r->ncells = ncells;
    r->min_height = min_h;
    *l = line;
    return SC_OK;
}

static int count_cells(const sc_tnode *row)
{
    int n = 0;
    for (const sc_tnode *c = row->first; c; c = c->next)
        n++;
    return n;
}

static sc_status cell_text(binder *B, const sc_tnode *c, xmlNodePtr node,
                           int pos, int size, const char **out)
{
    if (c->expr || c->figure) {
        sc_buf b = {0};
        sc_status st = append_value(B, &b, c, node, pos, size);
        if (st == SC_OK &&
            (b.oom || !(*out = sc_arena_strdup(B->a, b.data ? b.data : ""))))
            st = nomem(B);
        sc_buf_free(&b);
        return st;
    }
    return inline_text(B, c->first, node, pos, size, out);
}

static void fill_cell(sc_cell *k, const sc_tnode *c, const char *text)
{
    k->text = text;
    k->style = c->style;
    k->colspan = c->colspan;
    k->rowspan = c->rowspan;
    k->align = c->align;
    k->sign_line = c->sign_line;
}

static sc_status bind_static_row(binder *B, tbuild *tb, const sc_tnode *r,
                                 xmlNodePtr node, int pos, int size)
{
    int n = count_cells(r);
    sc_cell *cells = sc_arena_alloc(B->a, (size_t)n * sizeof *cells);
    if (!cells)
        return nomem(B);
    int i = 0;
    for (const sc_tnode *c = r->first; c; c = c->next, i++) {
        const char *text;
        sc_status st = cell_text(B, c, node, pos, size, &text);
        if (st != SC_OK)
            return st;
        fill_cell(&cells[i], c, text);
    }
    return add_row(B, tb, r->row_kind, r->height, cells, n, r->line);
}

static sc_status bind_rows(binder *B, tbuild *tb, const sc_tnode *r,
                           xmlNodePtr node, int pos, int size)
{
    xmlNodePtr *nodes;
    int nn;
    sc_status st = eval_nodes(B, r, r->expr, node, pos, size, &nodes, &nn);
    if (st != SC_OK || nn == 0)
        return st;
    int nc = count_cells(r);
    const sc_tnode **tc = sc_arena_alloc(B->a, (size_t)nc * sizeof *tc);
    const char **text = sc_arena_alloc(B->a, (size_t)nn * (size_t)nc *
                                                 sizeof *text);
    /* cont[i*nc+j]: cell j of row i continues the run of the row above */
    char *cont = sc_arena_alloc(B->a, (size_t)nn * (size_t)nc);
    if (!tc || !text || !cont)
        return nomem(B);
    int j = 0;
    for (const sc_tnode *c = r->first; c; c = c->next)
        tc[j++] = c;
    for (int i = 0; i < nn; i++)
        for (j = 0; j < nc; j++) {
            st = cell_text(B, tc[j], nodes[i], i + 1, nn, &text[i * nc + j]);
            if (st != SC_OK)
                return st;
        }
    for (int i = 1; i < nn; i++) {
        int broken = 0;
        for (j = 0; j < nc; j++) {
            if (!tc[j]->merge)
                continue;
            int same = !broken &&
                       strcmp(text[i * nc + j], text[(i - 1) * nc + j]) == 0;
            cont[i * nc + j] = (char)same;
            if (!same)
                broken = 1;
        }
    }
    for (int i = 0; i < nn; i++) {
        int k = 0;
        for (j = 0; j < nc; j++)
            k += !cont[i * nc + j];
        sc_cell *cells = sc_arena_alloc(B->a, (size_t)k * sizeof *cells);
        if (!cells)
            return nomem(B);
        k = 0;
        for (j = 0; j < nc; j++) {
            if (cont[i * nc + j])
                continue;
            sc_cell *c = &cells[k++];
            fill_cell(c, tc[j], text[i * nc + j]);
            if (tc[j]->merge) {
                int span = 1;
                while (i + span < nn && cont[(i + span) * nc + j])
                    span++;
                c->rowspan = span;
            }
        }
        st = add_row(B, tb, r->row_kind, r->height, cells, k, r->line);
        if (st != SC_OK)
            return st;
    }
    return SC_OK;
}

static sc_status bind_parts(binder *B, tbuild *tb, const sc_tnode *first,
                            xmlNodePtr node, int pos, int size)
{
    for (const sc_tnode *t = first; t; t = t->next) {
        sc_status st = SC_OK;
        if (t->kind == SC_T_ROW) {
            st = bind_static_row(B, tb, t, node, pos, size);
        } else if (t->kind == SC_T_ROWS) {
            st = bind_rows(B, tb, t, node, pos, size);
        } else if (t->kind == SC_T_IF) {
            int yes;
            if (eval_bool(B, t, t->expr, node, pos, size, &yes) != 0)
                return SC_ERR_XPATH;
            if (yes)
                st = bind_parts(B, tb, t->first, node, pos, size);
        } else if (t->kind == SC_T_FOREACH) {
            xmlNodePtr *nodes;
            int nn;
            st = eval_nodes(B, t, t->expr, node, pos, size, &nodes, &nn);
            for (int i = 0; i < nn && st == SC_OK; i++)
                st = bind_parts(B, tb, t->first, nodes[i], i + 1, nn);
        }
        if (st != SC_OK)
            return st;
    }
    return SC_OK;
}

/* Every row must fill exactly ncols columns (colspans plus columns covered
 * by rowspans from above), and no rowspan may reach past the last row. */
static sc_status check_grid(binder *B, const sc_row *rows, int nrows,
                            const int *lines, int ncols)
{
    int *cover = sc_arena_alloc(B->a, (size_t)ncols * sizeof *cover);
    int *from = sc_arena_alloc(B->a, (size_t)ncols * sizeof *from);
    char *occ = sc_arena_alloc(B->a, (size_t)ncols);
    if (!cover || !from || !occ)
        return nomem(B);
    for (int r = 0; r < nrows; r++) {
        for (int c = 0; c < ncols; c++)
            occ[c] = cover[c] > 0;
        int col = 0, used = 0;
        for (int k = 0; k < rows[r].ncells; k++) {
            while (col < ncols && occ[col])
                col++;
            const sc_cell *cell = &rows[r].cells[k];
            if (col + cell->colspan > ncols)
                return terr(B, SC_ERR_TEMPLATE, lines[r],
                            "row %d of the table has more cells than the %d "
                            "columns declared (cell %d does not fit)",
                            r + 1, ncols, k + 1);
            for (int c = col; c < col + cell->colspan; c++) {
                occ[c] = 2;
                if (cell->rowspan > 1) {
                    cover[c] = cell->rowspan; /* decremented below */
                    from[c] = lines[r];
                }
            }
            col += cell->colspan;
            used += cell->colspan;
        }
        int filled = 0;
        for (int c = 0; c < ncols; c++)
            filled += occ[c] != 0;
        if (filled != ncols)
            return terr(B, SC_ERR_TEMPLATE, lines[r],
                        "row %d of the table fills %d of its %d columns "
                        "(%d from its cells' colspans, %d covered by "
                        "rowspans from above)", r + 1, filled, ncols, used,
                        filled - used);
        for (int c = 0; c < ncols; c++)
            if (cover[c] > 0)
                cover[c]--;
    }
    for (int c = 0; c < ncols; c++)
        if (cover[c] > 0)
            return terr(B, SC_ERR_TEMPLATE, from[c],
                        "a rowspan reaches %d row(s) past the end of the "
                        "table", cover[c]);
    return SC_OK;
}

static sc_status finish_table(binder *B, sc_block *blk, tbuild *tb,
                              const sc_colspec *cols, int ncols)
{
    /* Layout expects header rows first: keep their relative order. */
    sc_row *rows = sc_arena_alloc(B->a, (size_t)(tb->rows.n ? tb->rows.n : 1) *
                                            sizeof *rows);
    int *lines = sc_arena_alloc(B->a, (size_t)(tb->rows.n ? tb->rows.n : 1) *
                                          sizeof *lines);
    if (!rows || !lines)
        return nomem(B);
    int k = 0;
    const sc_row *src = tb->rows.v;
    const int *sl = tb->lines.v;
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < tb->rows.n; i++)
            if ((src[i].kind == SC_ROW_HEADER) == (pass == 0)) {
                lines[k] = sl[i];
                rows[k++] = src[i];
            }
    sc_status st = check_grid(B, rows, k, lines, ncols);
    if (st != SC_OK)
        return st;
    blk->kind = SC_BLK_TABLE;
    blk->cols = (sc_colspec *)cols;
    blk->ncols = ncols;
    blk->rows = rows;
    blk->nrows = k;
    return SC_OK;
}

static sc_status bind_table(binder *B, const sc_tnode *t, xmlNodePtr node,
                            int pos, int size, sc_block *blk)
{
    tbuild tb = {{NULL, 0, 0, sizeof(sc_row)}, {NULL, 0, 0, sizeof(int)},
                 t->ncols};
    sc_status st = bind_parts(B, &tb, t->first, node, pos, size);
    if (st != SC_OK)
        return st;
    blk->style = t->style;
    blk->borders = t->borders;
    blk->keep_together = t->keep_together;
    return finish_table(B, blk, &tb, t->cols, t->ncols);
}

/* ---- money ------------------------------------------------------------------ */

/* Parse a decimal string with up to `maxdec` decimals into an integer
 * scaled by 10^scale.  0 on success. */
static int parse_scaled(const char *s, int scale, long long *out)
{
    size_t n = strlen(s);
    trim(&s, &n);
    if (n == 0)
        return -1;
    int neg = 0;
    size_t i = 0;
    if (s[i] == '-' || s[i] == '+')
        neg = s[i++] == '-';
    long long v = 0;
    int digits = 0, dec = -1;
    for (; i < n; i++) {
        if (s[i] == '.' && dec < 0) {
            dec = 0;
            continue;
        }
        if (s[i] < '0' || s[i] > '9')
            return -1;
        if (dec >= 0 && ++dec > scale)
            return -1;
        if (++digits > 15)
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    if (digits == 0)
        return -1;
    for (int k = dec < 0 ? 0 : dec; k < scale; k++)
        v *= 10;
    *out = neg ? -v : v;
    return 0;
}

static char *fmt_fen(binder *B, long long fen)
{
    unsigned long long a = fen < 0 ? (unsigned long long)(-fen)
                                   : (unsigned long long)fen;
    return sc_arena_printf(B->a, "%s%llu.%02llu", fen < 0 ? "-" : "",
                           a / 100, a % 100);
}

/* Attribute of a data node, or NULL; copied to the arena. */
static const char *dattr(binder *B, xmlNodePtr n, const char *name)
{
    if (!n || n->type != XML_ELEMENT_NODE)
        return NULL;
    xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)name);
    if (!v)
        return NULL;
    char *d = sc_arena_strdup(B->a, (const char *)v);
    xmlFree(v);
    return d;
}

/* Money attribute `name` of n in fen; *have = 0 if absent/empty. */
static sc_status money(binder *B, xmlNodePtr n, const char *name,
                       const char *field, long long *fen, int *have)
{
    const char *v = dattr(B, n, name);
    *have = 0;
    if (!v || !*v)
        return SC_OK;
    if (parse_scaled(v, 2, fen) != 0)
        return derr(B, n, field, "%s=\"%s\" is not an amount in yuan with at "
                    "most 2 decimals (e.g. 2004.40)", name, v);
    *have = 1;
    return SC_OK;
}

/* The i-th label of a component (template.c keeps them as LITERAL
 * children, defaults filled in); `dflt` only if the list is short. */
static const char *label(const sc_tnode *t, int i, const char *dflt)
{
    const sc_tnode *c = t->first;
    for (; c && i > 0; i--)
        c = c->next;
    return c && c->kind == SC_T_LITERAL && c->text ? c->text : dflt;
}

static sc_cell *cells_new(binder *B, int n, const sc_style *st)
{
    sc_cell *c = sc_arena_alloc(B->a, (size_t)n * sizeof *c);
    if (!c)
        return NULL;
    for (int i = 0; i < n; i++) {
        c[i].text = "";
        c[i].style = st;
        c[i].colspan = c[i].rowspan = 1;
        c[i].align = SC_ALIGN_CENTER;
    }
    return c;
}

/* A money attribute of n as printed (two decimals), noted as printed
 * from that attribute; "" if absent. */
static sc_status money_text(binder *B, xmlNodePtr n, const char *name, const char *field,
                            int line, const char **out)
{
    long long fen;
    int have;
    *out = "";
    sc_status st = money(B, n, name, field, &fen, &have);
    if (st != SC_OK || !have)
        return st;
    if (!(*out = fmt_fen(B, fen)))
        return nomem(B);
    return note_printed(B, (const xmlNode *)xmlHasProp(n, (const xmlChar *)name), *out,
                        strlen(*out), line);
}

/* The bonus table prints what the engine computed (bonus/@amount, each
 * month's @amount, @year-total): it computes nothing itself, so an amount
 * the engine did not write (a scheme with bonus type="none") stays
 * empty rather than becoming a figure nobody checks. */
static sc_status bind_bonus(binder *B, const sc_tnode *t, xmlNodePtr node,
                            int pos, int size, sc_block *blk)
{
    xmlNodePtr *nodes;
    int nn;
    sc_status st = eval_nodes(B, t, t->expr, node, pos, size, &nodes, &nn);
    if (st != SC_OK)
        return st;
    xmlNodePtr bonus = nn > 0 ? nodes[0] : NULL;
    tbuild tb = {{NULL, 0, 0, sizeof(sc_row)}, {NULL, 0, 0, sizeof(int)}, 0};
    sc_colspec *cols;
    int ncols;
    if (t->mode == 0) {
        ncols = 3;
        cols = sc_arena_alloc(B->a, 3 * sizeof *cols);
        sc_cell *h = cells_new(B, 3, t->style2);
        sc_cell *d = cells_new(B, 3, t->style);
        if (!cols || !h || !d)
            return nomem(B);
        for (int i = 0; i < 3; i++)
            cols[i].weight = 1;
        h[0].text = label(t, 0, "月度绩效奖金基数");
        h[1].text = label(t, 1, "考核得分");
        h[2].text = label(t, 2, "当月绩效奖金");
        sc_buf b = {0};
        sc_buf_puts(&b, "");
        if (t->figure) {
            st = append_value(B, &b, t, node, pos, size);
        } else {
            sc_tnode score = *t;
            score.expr = t->expr2;
            score.figure = NULL;
            st = append_value(B, &b, &score, node, pos, size);
        }
        d[1].text = sc_arena_strdup(B->a, b.data ? b.data : "");
        sc_buf_free(&b);
        if (st != SC_OK)
            return st;
        if (!d[1].text)
            return nomem(B);
        if ((st = money_text(B, bonus, "base", "bonus/@base", t->line, &d[0].text)) ||
            (st = money_text(B, bonus, "amount", "bonus/@amount", t->line, &d[2].text)))
            return st;
        if ((st = add_row(B, &tb, SC_ROW_HEADER, 0, h, 3, t->line)) ||
            (st = add_row(B, &tb, SC_ROW_BODY, 0, d, 3, t->line)))
            return st;
    } else {
        ncols = 14;
        cols = sc_arena_alloc(B->a, 14 * sizeof *cols);
        sc_cell *h = cells_new(B, 14, t->style2);
        sc_cell *s = cells_new(B, 14, t->style);
        sc_cell *m = cells_new(B, 14, t->style);
        if (!cols || !h || !s || !m)
            return nomem(B);
        cols[0].weight = 2.6;
        for (int i = 1; i <= 12; i++)
            cols[i].weight = 1.5;
        cols[13].weight = 2.2;
        h[0].text = label(t, 3, "月份");
        s[0].text = label(t, 1, "得分");
        m[0].text = label(t, 2, "当月绩效奖金");
        h[13].text = label(t, 4, "合计");
        for (int k = 1; k <= 12; k++) {
            h[k].text = sc_arena_printf(B->a, "%d", k);
            if (!h[k].text)
                return nomem(B);
        }
        for (xmlNodePtr c = bonus ? bonus->children : NULL; c; c = c->next) {
            if (c->type != XML_ELEMENT_NODE ||
                strcmp((const char *)c->name, "month") != 0)
                continue;
            const char *nv = dattr(B, c, "n");
            char *end = NULL;
            long k = nv ? strtol(nv, &end, 10) : 0;
            if (!nv || *end || k < 1 || k > 12)
                return derr(B, c, "bonus/month/@n",
                            "month n=\"%s\" must be 1 to 12", nv ? nv : "");
            const char *sv = dattr(B, c, "score");
            if (sv) {
                sc_buf b = {0};
                sc_buf_puts(&b, "");
                /* every month's score in the score format (the figure
                 * total's, or format=): one quantity, one format */
                append_string(&b, sv, t->figure ? t->figure->decimals : t->decimals, NULL);
                s[k].text = sc_arena_strdup(B->a, b.data ? b.data : "");
                sc_buf_free(&b);
                if (!s[k].text)
                    return nomem(B);
                st = note_printed(B, (const xmlNode *)xmlHasProp(c, (const xmlChar *)"score"),
                                  s[k].text, strlen(s[k].text), t->line);
                if (st != SC_OK)
                    return st;
            }
            if ((st = money_text(B, c, "amount", "bonus/month/@amount", t->line, &m[k].text)))
                return st;
        }
        /* 得分 合计 stays blank: the year's score is not a sum.  当月绩效奖金
         * 合计 is the engine's sum of the months. */
        if ((st = money_text(B, bonus, "year-total", "bonus/@year-total", t->line,
                             &m[13].text)))
            return st;
        if ((st = add_row(B, &tb, SC_ROW_HEADER, 0, h, 14, t->line)) ||
            (st = add_row(B, &tb, SC_ROW_BODY, 0, s, 14, t->line)) ||
            (st = add_row(B, &tb, SC_ROW_BODY, 0, m, 14, t->line)))
            return st;
    }
    blk->style = t->style;
    blk->borders = 1;
    blk->keep_together = 1;
    return finish_table(B, blk, &tb, cols, ncols);
}

/* ---- signatures ------------------------------------------------------------- */

/* The image a signature names, read and checked now (image.c), so that a
 * bad one fails the record before anything is drawn, in check as in
 * render. */
static sc_status resolve_image(binder *B, xmlNodePtr sig, const char *role,
                               const char *img, const sc_image **out)
{
    char msg[400];
    sc_image *im = NULL;
    sc_status st = sc_image_load(&im, B->rec->file, img, B->a, msg, sizeof msg);
    if (st == SC_ERR_NOMEM)
        return nomem(B);
    if (st != SC_OK) {
        char field[128];
        snprintf(field, sizeof field, "signature[@role='%s']/@image", role);
        return derr(B, sig, field, "signature image of %s: %s", role, msg);
    }
    *out = im;
    return SC_OK;
}

static sc_status bind_signatures(binder *B, const sc_tnode *t,
                                 xmlNodePtr node, int pos, int size,
                                 sc_block *blk)
{
    xmlNodePtr *nodes;
    int nn;
    sc_status st = eval_nodes(B, t, t->expr, node, pos, size, &nodes, &nn);
    if (st != SC_OK)
        return st;
    int nr = t->nroles ? t->nroles : nn;
    if (nr == 0)
        return SC_OK; /* nothing to sign: leave an empty group */
    const char **roles = sc_arena_alloc(B->a, (size_t)nr * sizeof *roles);
    if (!roles)
        return nomem(B);
    for (int i = 0; i < nr; i++) {
        roles[i] = t->nroles ? t->roles[i] : dattr(B, nodes[i], "role");
        if (!roles[i])
            roles[i] = "";
    }
    /* three rows -- signature, name, date -- so that each line sits level
     * with the same line of the other columns whatever is empty; the name
     * row only if someone has a name */
    sc_cell *top = cells_new(B, nr, t->style);
    sc_cell *mid = cells_new(B, nr, t->style);
    sc_cell *bot = cells_new(B, nr, t->style);
    sc_colspec *cols = sc_arena_alloc(B->a, (size_t)nr * sizeof *cols);
    if (!top || !mid || !bot || !cols)
        return nomem(B);
    int names = 0;
    for (int i = 0; i < nr; i++) {
        cols[i].weight = 1;
        xmlNodePtr sig = NULL;
        for (int k = 0; k < nn && !sig; k++) {
            const char *r = dattr(B, nodes[k], "role");
            if (r && strcmp(r, roles[i]) == 0)
                sig = nodes[k];
        }
        const char *name = dattr(B, sig, "name");
        const char *date = dattr(B, sig, "date");
        const char *img = dattr(B, sig, "image");
        top[i].align = mid[i].align = bot[i].align = SC_ALIGN_LEFT;
        top[i].no_border = mid[i].no_border = bot[i].no_border = 1;
        top[i].text = sc_arena_printf(B->a, "%s%s", roles[i], label(t, 0, "签字："));
        if (t->sign_fields && roles[i][0]) {
            top[i].sign_field = roles[i];
            for (int k = 0; k < t->nrequired; k++)
                top[i].sign_required |= !strcmp(t->required[k], roles[i]);
        }
        if (img && *img) {
            st = resolve_image(B, sig, roles[i], img, &top[i].image);
            if (st != SC_OK)
                return st;
            top[i].image_h = t->height;
        } else {
            top[i].sign_line = 1;
        }
        sc_buf b = {0};
        if (name && *name) {
            sc_buf_puts(&b, label(t, 1, "姓名："));
            append_string(&b, name, -1, NULL);
            mid[i].text = sc_arena_strdup(B->a, b.oom ? "" : b.data);
            sc_buf_free(&b);
            names = 1;
            if (!mid[i].text)
                return nomem(B);
        }
        sc_buf_puts(&b, label(t, 2, "日期："));
        if (date && *date)
            append_string(&b, date, -2, t->datefmt);
        else
            sc_buf_puts(&b, label(t, 3, "____年__月__日"));
        bot[i].text = sc_arena_strdup(B->a, b.oom ? "" : b.data);
        sc_buf_free(&b);
        if (!top[i].text || !bot[i].text)
            return nomem(B);
    }
    if (names && t->style) {
        /* the name and date lines as close as two lines of one cell */
        sc_style *above = sc_arena_alloc(B->a, sizeof *above);
        sc_style *below = sc_arena_alloc(B->a, sizeof *below);
        if (!above || !below)
            return nomem(B);
        *above = *below = *t->style;
        above->pad[2] = 0;
        below->pad[0] = 0;
        for (int i = 0; i < nr; i++) {
            mid[i].style = above;
            bot[i].style = below;
        }
    }
    tbuild tb = {{NULL, 0, 0, sizeof(sc_row)}, {NULL, 0, 0, sizeof(int)}, nr};
    double min_h = t->height + 6;
    if ((st = add_row(B, &tb, SC_ROW_BODY, min_h, top, nr, t->line)) ||
        (names && (st = add_row(B, &tb, SC_ROW_BODY, 0, mid, nr, t->line))) ||
        (st = add_row(B, &tb, SC_ROW_BODY, 0, bot, nr, t->line)))
        return st;
    int nkids = t->text && *t->text ? 2 : 1;
    sc_block *kids = sc_arena_alloc(B->a, (size_t)nkids * sizeof *kids);
    if (!kids)
        return nomem(B);
    kids[0].style = t->style;
    kids[0].borders = 0;
    kids[0].field = blk->field;
    st = finish_table(B, &kids[0], &tb, cols, nr);
    if (st != SC_OK)
        return st;
    if (nkids == 2) {
        kids[1].kind = SC_BLK_PARA;
        kids[1].style = t->style2 ? t->style2 : t->style;
        kids[1].text = t->text;
        kids[1].field = blk->field;
    }
    blk->kind = SC_BLK_GROUP;
    blk->keep_together = t->keep_together;
    blk->children = kids;
    blk->nchildren = nkids;
    return SC_OK;
}

/* ---- charts (issue 5) ------------------------------------------------------ */

/* The text of expr at node (trimmed, formatted with decimals) into the
 * arena; *num gets its number, NAN when empty.  A non-empty text that is
 * not a number is SC_ERR_DATA when num is wanted. */
static sc_status chart_value(binder *B, const sc_tnode *tn, void *expr,
                             xmlNodePtr node, int pos, int size, int decimals,
                             const char **text, double *num)
{
    xmlXPathObjectPtr o = eval(B, tn, expr, node, pos, size);
    if (!o)
        return SC_ERR_XPATH;
    sc_buf b = {0};
    sc_buf_puts(&b, "");
    append_obj(&b, o, decimals, NULL);
    if (num && note_printed(B, first_node(o), b.data, b.len, tn->line) != SC_OK) {
        xmlXPathFreeObject(o);
        sc_buf_free(&b);
        return SC_ERR_TEMPLATE;
    }
    double v = NAN;
    if (num) {
        if (o->type == XPATH_NUMBER) {
            v = o->floatval;
        } else {
            xmlChar *s = xmlXPathCastToString(o);
            const char *p = s ? (const char *)s : "";
            size_t n = strlen(p);
            trim(&p, &n);
            if (n) {
                char tmp[64];
                char *end = tmp;
                if (n < sizeof tmp) {
                    memcpy(tmp, p, n);
                    tmp[n] = '\0';
                    errno = 0;
                    v = strtod(tmp, &end);
                }
                if (n >= sizeof tmp || end != tmp + n || errno || isinf(v)) {
                    sc_status st = derr(B, node, tn->src,
                                        "chart value \"%.*s\" (from \"%s\", "
                                        "template line %d) is not a number",
                                        (int)(n < 40 ? n : 40), p, tn->src,
                                        tn->line);
                    xmlFree(s);
                    xmlXPathFreeObject(o);
                    sc_buf_free(&b);
                    return st;
                }
            }
            xmlFree(s);
        }
        *num = v;
    }
    xmlXPathFreeObject(o);
    sc_status st = SC_OK;
    if (b.oom || !(*text = sc_arena_strdup(B->a, b.data ? b.data : "")))
        st = nomem(B);
    sc_buf_free(&b);
    return st;
}

static sc_status bind_chart(binder *B, const sc_tnode *t, xmlNodePtr node,
                            int pos, int size, sc_block *blk)
{
    const sc_tchart *tc = t->chart;
    xmlNodePtr *nodes;
    int n;
    sc_status st = eval_nodes(B, t, t->expr, node, pos, size, &nodes, &n);
    if (st != SC_OK)
        return st;
    if (n > SC_CHART_POINTS_MAX)
        return terr(B, SC_ERR_TEMPLATE, t->line,
                    "chart \"%s\" selects %d points; a chart draws at most "
                    "%d", t->src, n, SC_CHART_POINTS_MAX);
    if (tc->type == SC_CHART_RADAR && n < 3)
        return derr(B, node, t->src,
                    "a radar chart needs at least 3 points; \"%s\" (template "
                    "line %d) selects %d", t->src, t->line, n);
    sc_chart *c = sc_arena_alloc(B->a, sizeof *c);
    const char **labels = sc_arena_alloc(B->a, (size_t)(n ? n : 1) *
                                                   sizeof *labels);
    sc_chart_series *ser = sc_arena_alloc(B->a, (size_t)tc->nseries *
                                                    sizeof *ser);
    if (!c || !labels || !ser)
        return nomem(B);
    sc_tnode lt = {.line = t->line, .src = tc->label_src};
    for (int i = 0; i < n; i++)
        if ((st = chart_value(B, &lt, tc->label, nodes[i], i + 1, n, -1,
                              &labels[i], NULL)) != SC_OK)
            return st;
    for (int s = 0; s < tc->nseries; s++) {
        const sc_tseries *ts = &tc->series[s];
        double *vals = sc_arena_alloc(B->a, (size_t)(n ? n : 1) * sizeof *vals);
        const char **texts = sc_arena_alloc(B->a, (size_t)(n ? n : 1) *
                                                      sizeof *texts);
        if (!vals || !texts)
            return nomem(B);
        sc_tnode vt = {.line = ts->line, .src = ts->src};
        for (int i = 0; i < n; i++)
            if ((st = chart_value(B, &vt, ts->value, nodes[i], i + 1, n,
                                  ts->decimals, &texts[i], &vals[i])) != SC_OK)
                return st;
        ser[s].name = ts->name;
        ser[s].values = vals;
        ser[s].texts = texts;
        ser[s].gray = ts->gray;
        ser[s].fill = ts->fill;
        ser[s].dash = ts->dash;
        ser[s].show_values = ts->show_values;
    }
    c->type = tc->type;
    c->title = tc->title;
    c->labels = labels;
    c->n = n;
    c->series = ser;
    c->nseries = tc->nseries;
    c->min = tc->min;
    c->max = tc->max;
    c->width = tc->width;
    c->height = tc->height;
    c->style = t->style;
    blk->kind = SC_BLK_CHART;
    blk->style = t->style;
    blk->height = tc->height;
    blk->keep_together = 1;
    blk->chart = c;
    return SC_OK;
}

/* ---- blocks ------------------------------------------------------------------- */

static sc_status bind_blocks(binder *B, const sc_tnode *first,
                             xmlNodePtr node, int pos, int size, vec *out);

static sc_status bind_block(binder *B, const sc_tnode *t, xmlNodePtr node,
                            int pos, int size, vec *out)
{
    if (t->kind == SC_T_IF) {
        int yes;
        if (eval_bool(B, t, t->expr, node, pos, size, &yes) != 0)
            return SC_ERR_XPATH;
        return yes ? bind_blocks(B, t->first, node, pos, size, out) : SC_OK;
    }
    if (t->kind == SC_T_FOREACH) {
        xmlNodePtr *nodes;
        int nn;
        sc_status st = eval_nodes(B, t, t->expr, node, pos, size, &nodes,
                                  &nn);
        for (int i = 0; i < nn && st == SC_OK; i++)
            st = bind_blocks(B, t->first, nodes[i], i + 1, nn, out);
        return st;
    }
    sc_block *blk = vec_push(B, out);
    if (!blk)
        return nomem(B);
    blk->field = sc_arena_printf(B->a, "%s:%d", B->tfile, t->line);
    switch (t->kind) {
    case SC_T_TEXT:
        blk->kind = SC_BLK_PARA;
        blk->style = t->style;
        return inline_text(B, t->first, node, pos, size, &blk->text);
    case SC_T_SPACE:
        blk->kind = SC_BLK_SPACE;
        blk->height = t->height;
        return SC_OK;
    case SC_T_PAGEBREAK:
        blk->kind = SC_BLK_PAGEBREAK;
        return SC_OK;
    case SC_T_GROUP: {
        vec kids = {NULL, 0, 0, sizeof(sc_block)};
        blk->kind = SC_BLK_GROUP;
        blk->keep_together = t->keep_together;
        /* blk may move when out grows: fill it after the children. */
        int idx = out->n - 1;
        sc_status st = bind_blocks(B, t->first, node, pos, size, &kids);
        if (st != SC_OK)
            return st;
        blk = (sc_block *)out->v + idx;
        blk->children = kids.v;
        blk->nchildren = kids.n;
        return SC_OK;
    }
    case SC_T_TABLE:
        return bind_table(B, t, node, pos, size, blk);
    case SC_T_SIGNATURES:
        blk->kind = SC_BLK_GROUP;
        return bind_signatures(B, t, node, pos, size, blk);
    case SC_T_BONUS:
        return bind_bonus(B, t, node, pos, size, blk);
    case SC_T_CHART:
        return bind_chart(B, t, node, pos, size, blk);
    default:
        return terr(B, SC_ERR_TEMPLATE, t->line, "unexpected template node");
    }
}

static sc_status bind_blocks(binder *B, const sc_tnode *first,
                             xmlNodePtr node, int pos, int size, vec *out)
{
    for (const sc_tnode *t = first; t; t = t->next) {
        sc_status st = bind_block(B, t, node, pos, size, out);
        if (st != SC_OK)
            return st;
    }
    return SC_OK;
}

/* ---- figures ------------------------------------------------------------------- */

/* The text of a template figure for this record (evaluated once, with the
 * employee as context) and the node it came from. */
static sc_status figure_text(binder *B, const sc_tfigure *f, const char **text,
                             xmlNodePtr *from)
{
    int i = (int)(f - B->t->figures);
    if (!B->fig_text[i]) {
        sc_tnode tn = {.line = f->line, .src = f->src};
        xmlXPathObjectPtr o = eval(B, &tn, f->expr, B->rec->employee, 1, 1);
        if (!o)
            return SC_ERR_XPATH;
        sc_buf b = {0};
        sc_buf_puts(&b, "");
        append_obj(&b, o, f->decimals, NULL);
        B->fig_node[i] = (xmlNodePtr)first_node(o);
        xmlXPathFreeObject(o);
        B->fig_text[i] = sc_arena_strdup(B->a, b.oom ? "" : b.data);
        sc_buf_free(&b);
        if (!B->fig_text[i])
            return nomem(B);
    }
    *text = B->fig_text[i];
    *from = B->fig_node[i];
    return SC_OK;
}

/* Same decimal number, or the same text when either is not a number. */
static int same_figure(const char *a, const char *b)
{
    long long x, y;
    if (sc_parse_fixed(a, 2, &x) && sc_parse_fixed(b, 2, &y))
        return x == y;
    return !strcmp(a, b);
}

/* Every figure of the template; those named total, grade and bonus must
 * be what the engine computed for the record, so that the sheet, `check`
 * and the engine agree by construction. */
static sc_status eval_figures(binder *B)
{
    const sc_template *T = B->t;
    B->fig_text = sc_arena_alloc(B->a, (size_t)(T->nfigures + 1) * sizeof *B->fig_text);
    B->fig_node = sc_arena_alloc(B->a, (size_t)(T->nfigures + 1) * sizeof *B->fig_node);
    if (!B->fig_text || !B->fig_node)
        return nomem(B);
    for (int i = 0; i < T->nfigures; i++) {
        const sc_tfigure *f = &T->figures[i];
        const char *text;
        xmlNodePtr from;
        sc_status st = figure_text(B, f, &text, &from);
        if (st != SC_OK)
            return st;
        const char *engine = NULL;
        if (!strcmp(f->name, "total") || !strcmp(f->name, "grade") ||
            !strcmp(f->name, "bonus"))
            engine = sc_record_get(B->rec, f->name);
        if (engine && !same_figure(text, engine))
            return terr(B, SC_ERR_TEMPLATE, f->line,
                        "figure %s (%s) is \"%s\" (from \"%s\") but the scoring engine's "
                        "%s of this record is \"%s\": select the engine's figure",
                        f->name, f->label, text, f->src, f->name, engine);
    }
    return SC_OK;
}

static sc_status binder_begin(binder *B, const sc_template *tpl, const sc_record *rec,
                              sc_arena *arena, sc_error *err)
{
    memset(B, 0, sizeof *B);
    B->t = tpl;
    B->rec = rec;
    B->a = arena;
    B->err = err;
    const char *slash = strrchr(tpl->path, '/');
    B->tfile = slash ? slash + 1 : tpl->path;
    B->xp = xmlXPathNewContext(rec->doc);
    if (!B->xp)
        return nomem(B);
    B->xp->userData = B;
    B->xp->error = xpath_error;
    return SC_OK;
}

sc_status sc_figures_eval(const sc_template *tpl, const sc_record *rec, sc_arena *arena,
                          sc_figure **out, int *n, sc_error *err)
{
    *out = NULL;
    *n = 0;
    if (!tpl || !rec || !rec->doc || !arena)
        return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                            "sc_record_figures needs a template and a record");
    static const char *const keys[] = {"total", "grade", "bonus"};
    static const char *const labels[] = {"总分", "等级", "绩效奖金"};
    int count = tpl->nfigures ? tpl->nfigures : 3;
    sc_figure *f = sc_arena_alloc(arena, (size_t)count * sizeof *f);
    if (!f)
        return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    if (!tpl->nfigures) {
        for (int i = 0; i < 3; i++) {
            f[i].key = keys[i];
            f[i].label = labels[i];
            f[i].value = sc_record_get(rec, keys[i]);
        }
        *out = f;
        *n = 3;
        return SC_OK;
    }
    binder B;
    sc_status st = binder_begin(&B, tpl, rec, arena, err);
    sc_xml_quiet quiet;
    sc_xml_quiet_begin(&quiet, B.xperr, sizeof B.xperr);
    if (st == SC_OK)
        st = eval_figures(&B);
    sc_xml_quiet_end(&quiet);
    for (int i = 0; st == SC_OK && i < tpl->nfigures; i++) {
        f[i].key = tpl->figures[i].name;
        f[i].label = tpl->figures[i].label;
        f[i].value = B.fig_text[i];
    }
    xmlXPathFreeContext(B.xp);
    if (st == SC_OK) {
        *out = f;
        *n = count;
    }
    return st;
}

/* ---- public ------------------------------------------------------------------- */

sc_status sc_bind(const sc_template *tpl, const sc_record *rec,
                  sc_arena *arena, sc_bound **out, sc_error *err)
{
    if (out)
        *out = NULL;
    if (!tpl || !rec || !rec->doc || !rec->employee || !arena || !out)
        return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                            "sc_bind needs a template, a record and an arena");
    binder B;
    if (binder_begin(&B, tpl, rec, arena, err) != SC_OK)
        return SC_ERR_NOMEM;
    /* Some run-time XPath problems reach only libxml2's generic channel
     * (per thread): capture it for the call so that nothing is printed. */
    sc_xml_quiet quiet;
    sc_xml_quiet_begin(&quiet, B.xperr, sizeof B.xperr);

    size_t nx = tpl->nexprs ? tpl->nexprs : 1;
    B.sel.evaluated = sc_arena_alloc(arena, nx);
    B.sel.matched = sc_arena_alloc(arena, nx);
    sc_status st = B.sel.evaluated && B.sel.matched ? eval_figures(&B) : nomem(&B);
    if (st != SC_OK)
        goto done;
    sc_bound *b = sc_arena_alloc(arena, sizeof *b);
    if (!b) {
        st = nomem(&B);
        goto done;
    }
    b->page_w = tpl->page_w;
    b->page_h = tpl->page_h;
    memcpy(b->margin, tpl->margin, sizeof b->margin);
    b->header_y = tpl->header_y;
    b->footer_y = tpl->footer_y;
    b->min_spacing = tpl->min_spacing;
    b->title = rec->label;
    b->label = rec->label;

    vec v[3] = {{NULL, 0, 0, sizeof(sc_block)}, {NULL, 0, 0, sizeof(sc_block)},
                {NULL, 0, 0, sizeof(sc_block)}};
    const sc_tnode *parts[3] = {tpl->header, tpl->footer, tpl->body};
    for (int i = 0; i < 3 && st == SC_OK; i++)
        st = bind_blocks(&B, parts[i], rec->employee, 1, 1, &v[i]);
    if (st != SC_OK)
        goto done;
    b->header = v[0].v, b->nheader = v[0].n;
    b->footer = v[1].v, b->nfooter = v[1].n;
    b->body = v[2].v, b->nbody = v[2].n;

    if (tpl->watermark_text || tpl->watermark_select) {
        sc_tnode wt = {.line = tpl->watermark_line, .src = "watermark"};
        int yes = 1;
        if (tpl->watermark_if &&
            eval_bool(&B, &wt, tpl->watermark_if, rec->employee, 1, 1,
                      &yes) != 0) {
            st = SC_ERR_XPATH;
            goto done;
        }
        if (yes && tpl->watermark_text) {
            b->watermark = tpl->watermark_text;
        } else if (yes) {
            xmlXPathObjectPtr o = eval(&B, &wt, tpl->watermark_select,
                                       rec->employee, 1, 1);
            if (!o) {
                st = SC_ERR_XPATH;
                goto done;
            }
            sc_buf buf = {0};
            append_obj(&buf, o, -1, NULL);
            xmlXPathFreeObject(o);
            if (buf.len)
                b->watermark = sc_arena_strdup(arena, buf.data);
            sc_buf_free(&buf);
        }
    }
    b->selects = B.sel;
    *out = b;
done:
    sc_xml_quiet_end(&quiet);
    xmlXPathFreeContext(B.xp);
    return st;
}
