/* template.c -- template loading: XML layout file -> immutable sc_template.
 *
 * A template is read once per process and shared by every record of a
 * batch, so everything that can be decided without data is decided here:
 *
 *   1. parse (no network, no DTD: a DOCTYPE is refused outright, so no
 *      entity can be declared, let alone expanded);
 *   2. validate against schema/template.rng, compiled into the binary, and
 *      hand every violation to the diag callback with file:line;
 *   3. build the sc_tnode tree (internal.h): styles resolved to sc_style
 *      pointers (with `base` inheritance), lengths converted to points,
 *      percent columns turned into fixed widths of the body width, every
 *      XPath expression compiled once (xmlXPathCtxtCompile);
 *   4. semantic checks the schema cannot express: unknown style names, a
 *      style inheriting from itself, column counts of rows, margins that
 *      leave no room, <cell merge> outside <rows>, unknown figures, and
 *      arithmetic on the scoring engine's figures in a printed expression
 *      (check_printed, below).
 *
 * Step 3 and 4 keep going after a problem so that `scorecard check` lists
 * all of them; the first problem is the one returned in err.
 *
 * Whitespace in literal text: the forms are Chinese, where a line break in
 * the template source must not turn into a space on paper.  So in literal
 * text every run of whitespace that contains a newline is removed, and
 * whitespace within a line is kept as written.  <br/> makes a line break.
 */
#include "internal.h"

#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

extern const unsigned char sc_schema_template[];
extern const size_t sc_schema_template_len;

#define MM (72.0 / 25.4)

typedef struct loader {
    sc_template *t;
    const char *path;
    sc_diag_fn diag;
    void *ud;
    sc_error *err;
    sc_status first;        /* status of the first problem, SC_OK if none */
    xmlXPathContextPtr xp;  /* routes compile errors to us; dry runs */
    xmlDocPtr dry;          /* <batch><employee/></batch> for dry runs */
    xmlNodePtr dry_node;    /* its <employee> */
    char xperr[256];
    /* styles */
    xmlNodePtr *snodes;
    sc_style **sres;
    int *sstate;            /* 0 unresolved, 1 resolving, 2 done */
    int nstyles;
    double body_w;          /* width between the side margins, pt */
    double body_h;          /* height between the top and bottom margins */
    /* schema problems, held until validation ends (schema_problems) */
    struct rng_note {
        int line, precise;
        char msg[512];
    } rng[32];
    int nrng;
} loader;

static int line_of(xmlNodePtr n) { return (int)xmlGetLineNo(n); }

/* ---- problems --------------------------------------------------------- */

static void report(loader *L, sc_status code, int line, const char *fmt, ...)
{
    sc_error e;
    memset(&e, 0, sizeof e);
    e.code = code;
    snprintf(e.file, sizeof e.file, "%s", L->path);
    e.line = line;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e.message, sizeof e.message, fmt, ap);
    va_end(ap);
    sc_diag_emit(L->diag, L->ud, &e);
    if (L->first == SC_OK) {
        L->first = code;
        if (L->err)
            *L->err = e;
    }
}

static void chomp(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
        s[--n] = '\0';
}

/* ---- schema problems ------------------------------------------------------
 *
 * libxml2's Relax NG validator reports one mistake several times: a
 * misspelt <cel> in a row gives "Expecting element cell, got cel", then
 * "extra content" for the row, the table and the body, then "Invalid
 * sequence in interleave" and "failed to validate content" for the
 * root.  Only the first says where and what; the others are consequences.
 * So the precise messages are kept (in the user's words, with the name
 * the schema has that is closest to a misspelt one), and the generic ones
 * are reported only when nothing precise was said. */

static void suggest_suffix(char *out, size_t n, const char *kind, const char *word)
{
    char best[64];
    out[0] = '\0';
    if (sc_schema_suggest(sc_schema_template, sc_schema_template_len, kind, word, best,
                          sizeof best))
        snprintf(out, n, "; did you mean %s%s%s?", kind[0] == 'e' ? "<" : "", best,
                 kind[0] == 'e' ? ">" : "");
}

static void schema_note(loader *L, int line, xmlNodePtr node, const char *m)
{
    if (L->nrng == (int)(sizeof L->rng / sizeof *L->rng))
        return;
    struct rng_note *note = &L->rng[L->nrng];
    char a[128], b[128], dym[200];
    note->line = line;
    note->precise = 1;
    if (sscanf(m, "Expecting element %127[^,], got %127s", a, b) == 2) {
        suggest_suffix(dym, sizeof dym, "element", b);
        char want[160];
        snprintf(want, sizeof want, "; did you mean <%s>?", a);
        if (!strcmp(dym, want))
            snprintf(note->msg, sizeof note->msg, "element <%s> is not allowed here%s", b,
                     dym);
        else
            snprintf(note->msg, sizeof note->msg,
                     "element <%s> is not allowed here (expected <%s>)%s", b, a, dym);
    } else if (sscanf(m, "Did not expect element %127s there", a) == 1) {
        suggest_suffix(dym, sizeof dym, "element", a);
        snprintf(note->msg, sizeof note->msg, "element <%s> is not allowed here%s", a,
                 dym);
    } else if (sscanf(m, "Invalid attribute %127s for element %127s", a, b) == 2) {
        xmlChar *v = node ? xmlGetProp(node, (const xmlChar *)a) : NULL;
        suggest_suffix(dym, sizeof dym, "attribute", a);
        if (v && sc_schema_has(sc_schema_template, sc_schema_template_len, "attribute", a))
            snprintf(note->msg, sizeof note->msg,
                     "%.60s=\"%.100s\" is not a value <%.60s> allows for %.60s%s", a,
                     (const char *)v, b, a,
                     !strcmp(a, "format") ? " (0 to 6 or 0.00: decimals; date; or a date "
                                            "pattern such as yyyy年M月d日)"
                                          : " (see docs/template-format.md)");
        else
            snprintf(note->msg, sizeof note->msg, "attribute %s is not allowed on <%s>%s",
                     a, b, dym);
        xmlFree(v);
    } else if (sscanf(m, "Expecting an element %127[^,], got nothing", a) == 1) {
        snprintf(note->msg, sizeof note->msg, "the element <%s> is missing here", a);
    } else if (sscanf(m, "Element %127s has extra content: %127s", a, b) == 2) {
        note->precise = 0;
        suggest_suffix(dym, sizeof dym, "element", b);
        snprintf(note->msg, sizeof note->msg, "element <%s> is not allowed inside <%s>%s",
                 b, a, dym);
    } else if (strstr(m, "Invalid sequence in interleave") ||
               strstr(m, "failed to validate")) {
        note->precise = 0;
        snprintf(note->msg, sizeof note->msg, "%s (see docs/template-format.md)", m);
    } else {
        snprintf(note->msg, sizeof note->msg, "%s", m);
    }
    for (int i = 0; i < L->nrng; i++)
        if (L->rng[i].line == line && !strcmp(L->rng[i].msg, note->msg))
            return; /* said already */
    L->nrng++;
}

/* Report the schema problems held by schema_note: the precise ones, or
 * the generic ones if there is nothing precise. */
static void schema_problems(loader *L)
{
    int precise = 0;
    for (int i = 0; i < L->nrng; i++)
        precise |= L->rng[i].precise;
    for (int i = 0; i < L->nrng; i++)
        if (L->rng[i].precise || !precise) {
            report(L, SC_ERR_SCHEMA, L->rng[i].line, "%s", L->rng[i].msg);
            if (!precise)
                break; /* the first generic one is the innermost */
        }
}

/* libxml2 parser and RELAX NG errors, collected instead of printed. */
static void xml_error(void *ud, xmlErrorPtr xe)
{
    loader *L = ud;
    if (!xe || xe->level == XML_ERR_WARNING)
        return;
    char msg[400];
    if (xe->domain == XML_FROM_PARSER)
        sc_xml_explain(msg, sizeof msg, xe->code, xe->message);
    else
        snprintf(msg, sizeof msg, "%s", xe->message ? xe->message : "error");
    chomp(msg);
    int line = xe->line;
    if (line <= 0 && xe->node)
        line = line_of((xmlNodePtr)xe->node);
    if (xe->domain == XML_FROM_RELAXNGV) {
        schema_note(L, line, (xmlNodePtr)xe->node, msg);
        return;
    }
    report(L, SC_ERR_XML, line, "%s", msg);
}

/* The parser hands its own context as user data; we keep ours in _private. */
static void parser_error(void *ud, xmlErrorPtr xe)
{
    xmlParserCtxtPtr ctxt = ud;
    xml_error(ctxt->_private, xe);
}

static void xpath_error(void *ud, xmlErrorPtr xe)
{
    loader *L = ud;
    if (xe && xe->message && !L->xperr[0]) {
        snprintf(L->xperr, sizeof L->xperr, "%s", xe->message);
        chomp(L->xperr);
    }
}

/* ---- small parsers ---------------------------------------------------- */


/* Attribute value copied into the template arena, or NULL. */
static const char *attr(loader *L, xmlNodePtr n, const char *name)
{
    xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)name);
    if (!v)
        return NULL;
    char *d = sc_arena_strdup(L->t->arena, (const char *)v);
    xmlFree(v);
    return d;
}

static int is(xmlNodePtr n, const char *name)
{
    return n->type == XML_ELEMENT_NODE &&
           strcmp((const char *)n->name, name) == 0;
}

/* Parse one length ("12mm", "3.5pt") at *s; advances *s.  0 on success. */
static int parse_length(const char **s, double *out)
{
    const char *p = *s;
    while (*p == ' ')
        p++;
    char *end;
    errno = 0;
    double v = strtod(p, &end);
    if (end == p || errno || v < 0 || v > 1e5)
        return -1;
    double k;
    if (strncmp(end, "mm", 2) == 0)
        k = MM;
    else if (strncmp(end, "cm", 2) == 0)
        k = 10 * MM;
    else if (strncmp(end, "pt", 2) == 0)
        k = 1;
    else if (strncmp(end, "in", 2) == 0)
        k = 72;
    else
        return -1;
    *out = v * k;
    *s = end + 2;
    return 0;
}

static double length_attr(loader *L, xmlNodePtr n, const char *name,
                          double dflt);

/* A height that must fit the page body: a row's min-height, an image or
 * chart taller than the page cannot be placed anywhere. */
static double height_attr(loader *L, xmlNodePtr n, const char *name,
                          double dflt)
{
    double h = length_attr(L, n, name, dflt);
    if (h > L->body_h + 0.01) {
        report(L, SC_ERR_TEMPLATE, line_of(n),
               "%s=\"%s\" is taller than the page body (%.1fmm between the "
               "top and bottom margins)", name, attr(L, n, name),
               L->body_h / MM);
        return dflt < L->body_h ? dflt : L->body_h;
    }
    return h;
}

static double length_attr(loader *L, xmlNodePtr n, const char *name,
                          double dflt)
{
    const char *v = attr(L, n, name);
    if (!v)
        return dflt;
    double d;
    const char *p = v;
    if (parse_length(&p, &d) != 0 || *p) {
        report(L, SC_ERR_TEMPLATE, line_of(n),
               "%s=\"%s\": expected a length such as 12mm, 10pt, 1.5cm",
               name, v);
        return dflt;
    }
    return d;
}

/* CSS-like 1-4 lengths: top [right [bottom [left]]]. */
static void box_attr(loader *L, xmlNodePtr n, const char *name, double out[4])
{
    const char *v = attr(L, n, name);
    if (!v)
        return;
    double d[4];
    int k = 0;
    const char *p = v;
    while (k < 4 && *p) {
        if (parse_length(&p, &d[k]) != 0)
            break;
        k++;
        while (*p == ' ')
            p++;
    }
    if (k == 0 || *p) {
        report(L, SC_ERR_TEMPLATE, line_of(n),
               "%s=\"%s\": expected 1 to 4 lengths (top right bottom left)",
               name, v);
        return;
    }
    if (k == 1)
        d[1] = d[2] = d[3] = d[0];
    else if (k == 2)
        d[2] = d[0], d[3] = d[1];
    else if (k == 3)
        d[3] = d[1];
    memcpy(out, d, sizeof d);
}

static int bool_attr(loader *L, xmlNodePtr n, const char *name, int dflt)
{
    const char *v = attr(L, n, name);
    if (!v)
        return dflt;
    return strcmp(v, "true") == 0;
}

static int int_attr(loader *L, xmlNodePtr n, const char *name, int dflt,
                    int max)
{
    const char *v = attr(L, n, name);
    if (!v)
        return dflt;
    char *end;
    long x = strtol(v, &end, 10);
    if (*end || x < 1 || x > max) {
        report(L, SC_ERR_TEMPLATE, line_of(n), "%s=\"%s\": expected 1..%d",
               name, v, max);
        return dflt;
    }
    return (int)x;
}

static double num_attr(loader *L, xmlNodePtr n, const char *name,
                       double dflt, double lo, double hi)
{
    const char *v = attr(L, n, name);
    if (!v)
        return dflt;
    char *end;
    double x = strtod(v, &end);
    if (*end || end == v || !(x >= lo && x <= hi)) {
        report(L, SC_ERR_TEMPLATE, line_of(n),
               "%s=\"%s\": expected a number from %g to %g", name, v, lo, hi);
        return dflt;
    }
    return x;
}

static int align_of(const char *v)
{
    if (!v)
        return -1;
    if (strcmp(v, "center") == 0)
        return SC_ALIGN_CENTER;
    if (strcmp(v, "right") == 0)
        return SC_ALIGN_RIGHT;
    if (strcmp(v, "justify") == 0)
        return SC_ALIGN_JUSTIFY;
    return SC_ALIGN_LEFT;
}

/* A date pattern: yyyy the year, MM/M the month with/without a leading
 * zero, dd/d the day; any other text literal, but no other ASCII letter
 * (a typo such as YYYY or mm would print as itself).  Returns the
 * pattern, or NULL (reported) if v is not one. */
static const char *date_pattern(loader *L, xmlNodePtr n, const char *attr_name, const char *v)
{
    int fields = 0, ok = 1;
    for (const char *p = v; *p && ok;) {
        size_t k = 1;
        if (*p == 'y' || *p == 'M' || *p == 'd') {
            char one[2] = {*p, 0};
            k = strspn(p, one);
            ok = *p == 'y' ? k == 4 : k <= 2;
            fields++;
        } else if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')) {
            ok = 0;
        }
        p += k;
    }
    if (ok && fields)
        return v;
    report(L, SC_ERR_TEMPLATE, line_of(n),
           "%s=\"%s\" is not a date pattern: write yyyy for the year, M or MM for the "
           "month (MM: 03), d or dd for the day, e.g. yyyy年M月d日 or yyyy-MM-dd",
           attr_name, v);
    return NULL;
}

/* format="0.00" or "2": decimals; "date" or a date pattern: -2 (the
 * pattern into *datefmt; "date" is yyyy年MM月dd日); absent: -1. */
static int format_attr(loader *L, xmlNodePtr n, const char **datefmt)
{
    const char *v = attr(L, n, "format");
    if (datefmt)
        *datefmt = NULL;
    if (!v)
        return -1;
    if (strcmp(v, "date") == 0)
        return -2;
    if (!(v[0] >= '0' && v[0] <= '9')) {
        const char *p = date_pattern(L, n, "format", v);
        if (datefmt)
            *datefmt = p;
        return -2;
    }
    const char *dot = strchr(v, '.');
    if (dot)
        return (int)strlen(dot + 1);
    return atoi(v);
}

/* ---- XPath ------------------------------------------------------------- */

/* 1 if XPath expression v has a union ('|' outside its string literals,
 * which XPath 1.0 writes between quotes without escapes). */
static int has_union(const char *v)
{
    char quote = 0;
    for (; *v; v++) {
        if (quote)
            quote = *v == quote ? 0 : quote;
        else if (*v == '\'' || *v == '"')
            quote = *v;
        else if (*v == '|')
            return 1;
    }
    return 0;
}

/* Compile expression v (from attribute `name` of n); NULL if v is NULL
 * or does not compile (then reported as SC_ERR_XPATH at n's line). */
static void *compile_str(loader *L, xmlNodePtr n, const char *name,
                         const char *v)
{
    if (!v)
        return NULL;
    L->xperr[0] = '\0';
    xmlXPathCompExprPtr c = xmlXPathCtxtCompile(L->xp, (const xmlChar *)v);
    if (!c) {
        report(L, SC_ERR_XPATH, line_of(n), "%s=\"%s\": %s", name, v,
               L->xperr[0] ? L->xperr : "invalid XPath expression");
        return NULL;
    }
    /* Unknown functions, wrong argument counts and type errors only show
     * when an expression runs.  XPath 1.0 has no side effects and none of
     * these depend on the data, so a dry run against an empty record
     * (<batch><employee/></batch>) finds them now, with the template line,
     * instead of once per employee. */
    L->xp->node = L->dry_node;
    L->xp->contextSize = L->xp->proximityPosition = 1;
    /* libxml2 reports some of these ("function f not found") only
     * through its generic channel: catch its first line. */
    sc_xml_quiet quiet;
    sc_xml_quiet_begin(&quiet, L->xperr, sizeof L->xperr);
    xmlXPathObjectPtr o = xmlXPathCompiledEval(c, L->xp);
    sc_xml_quiet_end(&quiet);
    const char *p = strstr(L->xperr, ": ");
    if (p && strncmp(L->xperr, "xmlXPath", 8) == 0)
        memmove(L->xperr, p + 2, strlen(p + 2) + 1);
    if (!o) {
        report(L, SC_ERR_XPATH, line_of(n), "%s=\"%s\": %s", name, v,
               L->xperr[0] ? L->xperr : "expression cannot be evaluated");
        xmlXPathFreeCompExpr(c);
        return NULL;
    }
    xmlXPathFreeObject(o);
    sc_template *t = L->t;
    if (t->nexprs == t->capexprs) {
        size_t cap = t->capexprs ? t->capexprs * 2 : 32;
        void **e = sc_realloc(t->exprs, cap * sizeof *e);
        if (e)
            t->exprs = e;
        struct sc_texpr *info = e ? sc_realloc(t->exprinfo, cap * sizeof *info) : NULL;
        if (!info) {
            xmlXPathFreeCompExpr(c);
            report(L, SC_ERR_NOMEM, line_of(n), "out of memory");
            return NULL;
        }
        t->exprinfo = info;
        t->capexprs = cap;
    }
    t->exprinfo[t->nexprs] = (struct sc_texpr){line_of(n), name, v, has_union(v)};
    t->exprs[t->nexprs++] = c;
    return c;
}

static void *compile(loader *L, xmlNodePtr n, const char *name,
                     const char **src)
{
    const char *v = attr(L, n, name);
    if (src)
        *src = v;
    return compile_str(L, n, name, v);
}

/* ---- printed expressions: no arithmetic on the engine's figures -------
 *
 * The engine rounds each figure once from exact inputs; a sum, ratio or
 * scaling of rounded figures is another number, which nobody computed
 * exactly and `check` does not know (93.33 = 14.00 × 100 / 15 printed as a
 * rater's 百分制 figure that is really 93.35).  So an expression whose text
 * is printed may not combine arithmetic (+ - * div mod, sum() round()
 * floor() ceiling()) with a name the engine computes (score, total,
 * @subtotal, @amount, result/@…: sc_score_computed_name).  Arithmetic on
 * data and scheme parameters (sum(…/weight), @zero-above - 100) stays
 * allowed, as does anything inside a predicate (selecting, not printing)
 * or inside count()/not()/boolean().  It is a lexical check of XPath 1.0
 * tokens (the operator/name disambiguation of XPath 1.0 section 3.7), so
 * it sees names, not values: `.` reached through a for-each is not
 * followed.  There is no opt-in: a figure the sheet needs is written by
 * the engine (docs/template-format.md, "Computed values"). */
static int name_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-' || c == '.' || c >= 0x80;
}

static void check_printed(loader *L, xmlNodePtr n, const char *attrname, const char *src)
{
    enum { NONE, OPERAND, OPEN, OP };
    if (!src)
        return;
    const char *p = src, *arith = NULL, *fig = NULL;
    size_t arith_n = 0, fig_n = 0;
    int depth = 0, prev = NONE, attr_next = 0, fig_attr = 0;
    unsigned char shield[64]; /* per open parenthesis: names inside it are not printed */
    int np = 0, pending_shield = 0;
    while (*p) {
        unsigned char c = (unsigned char)*p;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            p++;
            continue;
        }
        int shielded = 0;
        for (int i = 0; i < np; i++)
            shielded |= shield[i];
        int counts = depth == 0 && !shielded; /* this token is part of what is printed */
        if (c == '\'' || c == '"') {
            const char *e = strchr(p + 1, (char)c);
            p = e ? e + 1 : p + strlen(p);
            prev = OPERAND;
        } else if ((c >= '0' && c <= '9') || (c == '.' && p[1] >= '0' && p[1] <= '9')) {
            while ((*p >= '0' && *p <= '9') || *p == '.')
                p++;
            prev = OPERAND;
        } else if (c == '[' || c == '(' || c == ',') {
            if (c == '[')
                depth++;
            if (c == '(' && np < (int)sizeof shield)
                shield[np++] = (unsigned char)pending_shield;
            pending_shield = 0;
            p++;
            prev = OPEN;
        } else if (c == ']' || c == ')') {
            if (c == ']' && depth > 0)
                depth--;
            if (c == ')' && np > 0)
                np--;
            p++;
            prev = OPERAND;
        } else if (c == '@') {
            attr_next = 1;
            p++;
            prev = OPEN;
        } else if (c == ':' && p[1] == ':') {
            p += 2;
            prev = OPEN;
        } else if (c == '$') {
            p++;
            while (name_char((unsigned char)*p) || *p == ':')
                p++;
            prev = OPERAND;
        } else if (c == '*' && prev == OPERAND) {
            if (counts && !arith)
                arith = p, arith_n = 1;
            p++;
            prev = OP;
        } else if (c == '*') { /* a name test */
            p++;
            attr_next = 0;
            prev = OPERAND;
        } else if (c == '.') {
            p += p[1] == '.' ? 2 : 1;
            prev = OPERAND;
        } else if (name_char(c)) {
            const char *s0 = p;
            while (name_char((unsigned char)*p) || (*p == ':' && p[1] != ':' &&
                                                    name_char((unsigned char)p[1])))
                p++;
            size_t len = (size_t)(p - s0);
            if (prev == OPERAND) { /* an operator name: and or div mod */
                if (counts && !arith && ((len == 3 && !strncmp(s0, "div", 3)) ||
                                         (len == 3 && !strncmp(s0, "mod", 3))))
                    arith = s0, arith_n = len;
                prev = OP;
                continue;
            }
            const char *q = p;
            while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r')
                q++;
            if (*q == '(') { /* a function or node type */
                static const char *const aggregate[] = {"sum", "round", "floor", "ceiling"};
                static const char *const shields[] = {"count", "not", "boolean", "name",
                                                      "local-name", "string-length"};
                for (size_t i = 0; i < sizeof aggregate / sizeof *aggregate; i++)
                    if (counts && !arith && strlen(aggregate[i]) == len &&
                        !strncmp(s0, aggregate[i], len))
                        arith = s0, arith_n = len;
                for (size_t i = 0; i < sizeof shields / sizeof *shields; i++)
                    if (strlen(shields[i]) == len && !strncmp(s0, shields[i], len))
                        pending_shield = 1;
                attr_next = 0;
                prev = NONE;
            } else if (q[0] == ':' && q[1] == ':') { /* an axis */
                attr_next = len == 9 && !strncmp(s0, "attribute", 9);
                prev = OPEN;
            } else {
                if (counts && !fig && sc_score_computed_name(s0, len, attr_next))
                    fig = s0, fig_n = len, fig_attr = attr_next;
                attr_next = 0;
                prev = OPERAND;
            }
        } else { /* operators: / // | + - = != < <= > >= */
            if (counts && !arith && (c == '+' || c == '-'))
                arith = p, arith_n = 1;
            p += (p[1] == '=' || (c == '/' && p[1] == '/')) ? 2 : 1;
            attr_next = 0;
            prev = OP;
        }
    }
    if (arith && fig)
        report(L, SC_ERR_TEMPLATE, line_of(n),
               "%s=\"%s\" does arithmetic (%.*s) on the engine's figure %s%.*s: each figure "
               "is rounded once, and a figure computed from rounded ones is a different "
               "number that nothing checks; print the engine's own figure for it "
               "(docs/template-format.md, \"Computed values\")",
               attrname, src, (int)arith_n, arith, fig_attr ? "@" : "", (int)fig_n, fig);
}

/* compile() for an expression whose value is printed. */
static void *compile_printed(loader *L, xmlNodePtr n, const char *name, const char **src)
{
    void *e = compile(L, n, name, src);
    check_printed(L, n, name, attr(L, n, name));
    return e;
}

/* ---- figures ------------------------------------------------------------ */

static const sc_tfigure *figure_ref(loader *L, xmlNodePtr n)
{
    const char *name = attr(L, n, "figure");
    if (!name)
        return NULL;
    for (int i = 0; i < L->t->nfigures; i++)
        if (!strcmp(L->t->figures[i].name, name))
            return &L->t->figures[i];
    report(L, SC_ERR_TEMPLATE, line_of(n), "figure=\"%s\" is not declared in <figures>", name);
    return NULL;
}

static void load_figures(loader *L, xmlNodePtr figs)
{
    int n = 0;
    for (xmlNodePtr c = figs ? figs->children : NULL; c; c = c->next)
        n += is(c, "figure");
    if (!n)
        return;
    L->t->figures = sc_arena_alloc(L->t->arena, (size_t)n * sizeof *L->t->figures);
    if (!L->t->figures)
        return;
    for (xmlNodePtr c = figs->children; c; c = c->next) {
        if (!is(c, "figure"))
            continue;
        sc_tfigure *f = &L->t->figures[L->t->nfigures];
        f->name = attr(L, c, "name");
        for (int i = 0; i < L->t->nfigures; i++)
            if (!strcmp(L->t->figures[i].name, f->name))
                report(L, SC_ERR_TEMPLATE, line_of(c), "figure \"%s\" is declared twice",
                       f->name);
        f->label = attr(L, c, "label");
        f->expr = compile_printed(L, c, "select", &f->src);
        f->decimals = format_attr(L, c, NULL);
        f->line = line_of(c);
        L->t->nfigures++;
    }
}

/* ---- styles ------------------------------------------------------------ */

static const sc_style builtin_style = {
    .name = "default", .role = SC_ROLE_BODY, .size = 10, .bold = 0,
    .align = SC_ALIGN_LEFT, .valign = SC_VALIGN_MIDDLE,
    .pad = {2, 3, 2, 3}, .leading = 1.3, .fill = -1, .color = 0,
    .space_before = 0, .space_after = 0,
};

static int style_index(loader *L, const char *name)
{
    for (int i = 0; i < L->nstyles; i++) {
        xmlChar *v = xmlGetNoNsProp(L->snodes[i], (const xmlChar *)"name");
        int eq = v && strcmp((const char *)v, name) == 0;
        xmlFree(v);
        if (eq)
            return i;
    }
    return -1;
}

static const sc_style *resolve_style(loader *L, int i)
{
    if (L->sstate[i] == 2)
        return L->sres[i];
    xmlNodePtr n = L->snodes[i];
    const char *name = attr(L, n, "name");
    if (L->sstate[i] == 1) {
        report(L, SC_ERR_TEMPLATE, line_of(n),
               "style \"%s\" inherits from itself (through base=)", name);
        return &builtin_style;
    }
    L->sstate[i] = 1;
    const sc_style *base = &builtin_style;
    const char *b = attr(L, n, "base");
    if (b) {
        int j = style_index(L, b);
        if (j < 0)
            report(L, SC_ERR_TEMPLATE, line_of(n),
                   "style \"%s\": base style \"%s\" is not defined", name, b);
        else
            base = resolve_style(L, j);
    } else if (strcmp(name, "default") != 0) {
        int j = style_index(L, "default");
        if (j >= 0)
            base = resolve_style(L, j);
    }
    sc_style *s = sc_arena_alloc(L->t->arena, sizeof *s);
    if (!s) {
        report(L, SC_ERR_NOMEM, line_of(n), "out of memory");
        return &builtin_style;
    }
    *s = *base;
    s->name = name;
    const char *v;
    if ((v = attr(L, n, "font")))
        s->role = sc_role_parse(v) >= 0 ? sc_role_parse(v) : SC_ROLE_BODY;
    s->size = num_attr(L, n, "size", s->size, 1, 200);
    s->bold = bool_attr(L, n, "bold", s->bold);
    if ((v = attr(L, n, "align")))
        s->align = align_of(v);
    if ((v = attr(L, n, "valign")))
        s->valign = strcmp(v, "top") == 0      ? SC_VALIGN_TOP
                    : strcmp(v, "bottom") == 0 ? SC_VALIGN_BOTTOM
                                               : SC_VALIGN_MIDDLE;
    box_attr(L, n, "padding", s->pad);
    s->leading = num_attr(L, n, "leading", s->leading, 0.5, 5);
    if ((v = attr(L, n, "fill")) && strcmp(v, "none") == 0)
        s->fill = -1;
    else
        s->fill = num_attr(L, n, "fill", s->fill, 0, 1);
    s->color = num_attr(L, n, "color", s->color, 0, 1);
    s->space_before = length_attr(L, n, "space-before", s->space_before);
    s->space_after = length_attr(L, n, "space-after", s->space_after);
    L->sres[i] = s;
    L->sstate[i] = 2;
    return s;
}

/* The style called `name`, or `dflt` when name is NULL. */
static const sc_style *style_ref(loader *L, xmlNodePtr n, const char *name,
                                 const sc_style *dflt)
{
    if (!name)
        return dflt;
    int i = style_index(L, name);
    if (i < 0) {
        report(L, SC_ERR_TEMPLATE, line_of(n),
               "style \"%s\" is not defined in <styles>", name);
        return dflt;
    }
    return resolve_style(L, i);
}

static void load_styles(loader *L, xmlNodePtr styles)
{
    int n = 0;
    for (xmlNodePtr c = styles ? styles->children : NULL; c; c = c->next)
        if (is(c, "style"))
            n++;
    L->nstyles = n;
    L->snodes = sc_calloc((size_t)n, sizeof *L->snodes);
    L->sres = sc_calloc((size_t)n, sizeof *L->sres);
    L->sstate = sc_calloc((size_t)n, sizeof *L->sstate);
    if (!L->snodes || !L->sres || !L->sstate) {
        L->nstyles = 0;
        report(L, SC_ERR_NOMEM, 0, "out of memory");
        return;
    }
    int k = 0;
    for (xmlNodePtr c = styles ? styles->children : NULL; c; c = c->next)
        if (is(c, "style"))
            L->snodes[k++] = c;
    for (int i = 0; i < n; i++) {
        const char *name = attr(L, L->snodes[i], "name");
        if (style_index(L, name) != i)
            report(L, SC_ERR_TEMPLATE, line_of(L->snodes[i]),
                   "style \"%s\" is defined twice", name);
        resolve_style(L, i);
    }
    int d = style_index(L, "default");
    L->t->default_style = d >= 0 ? L->sres[d] : &builtin_style;
}

/* ---- tree building ----------------------------------------------------- */

static sc_tnode *tnode(loader *L, int kind, xmlNodePtr n)
{
    sc_tnode *t = sc_arena_alloc(L->t->arena, sizeof *t);
    if (!t) {
        report(L, SC_ERR_NOMEM, line_of(n), "out of memory");
        return NULL;
    }
    t->kind = kind;
    t->line = line_of(n);
    t->decimals = -1;
    t->align = -1;
    t->colspan = t->rowspan = 1;
    t->row_kind = SC_ROW_BODY;
    return t;
}

/* Append child to parent's list (keeps a tail pointer in *tail). */
static void tlink(sc_tnode **first, sc_tnode **tail, sc_tnode *c)
{
    if (!c)
        return;
    if (*tail)
        (*tail)->next = c;
    else
        *first = c;
    *tail = c;
}

/* Literal text with newline-containing whitespace runs removed. */
static const char *clean_literal(loader *L, const char *s)
{
    size_t n = strlen(s);
    char *d = sc_arena_alloc(L->t->arena, n + 1);
    if (!d)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        if (strchr(" \t\r\n", s[i])) {
            size_t j = i;
            int nl = 0;
            while (j < n && strchr(" \t\r\n", s[j]))
                nl |= s[j++] == '\n';
            if (!nl) {
                memcpy(d + o, s + i, j - i);
                o += j - i;
            }
            i = j;
        } else {
            d[o++] = s[i++];
        }
    }
    d[o] = '\0';
    return d;
}

/* The words of a space-separated attribute (roles=, required=) into
 * *out[0..*n), in the template's arena; NULL s gives none.  0 if out of
 * memory. */
static int words(loader *L, const char *s, const char ***out, int *n)
{
    *out = NULL;
    *n = 0;
    if (!s)
        return 1;
    int cap = 1;
    for (const char *p = s; *p; p++)
        cap += *p == ' ' || *p == '\t' || *p == '\r' || *p == '\n';
    const char **v = sc_arena_alloc(L->t->arena, (size_t)cap * sizeof *v);
    char *r = sc_arena_strdup(L->t->arena, s);
    if (!v || !r)
        return 0;
    for (char *save = NULL, *tok = strtok_r(r, " \t\r\n", &save); tok && *n < cap;
         tok = strtok_r(NULL, " \t\r\n", &save))
        v[(*n)++] = tok;
    *out = v;
    return 1;
}

/* The fixed labels of a component (<signatures>, <bonus-table>), each an
 * attribute with the Simplified text as its default, become the node's
 * children: one LITERAL per label, in the order of `names`, so bind.c
 * takes the i-th child as the i-th label.  A Traditional sheet gives
 * sign-label="簽字：" and the like; an empty attribute prints nothing. */
static sc_tnode *build_labels(loader *L, xmlNodePtr n, const char *const *names,
                              const char *const *defaults, int count)
{
    sc_tnode *first = NULL, *tail = NULL;
    for (int i = 0; i < count; i++) {
        const char *v = attr(L, n, names[i]);
        sc_tnode *t = tnode(L, SC_T_LITERAL, n);
        if (!t)
            return first;
        t->text = v ? v : defaults[i];
        tlink(&first, &tail, t);
    }
    return first;
}

/* A value or cell prints either an expression or a declared figure, whose
 * format is the figure's: one quantity, one format on the whole form. */
static void check_value_source(loader *L, xmlNodePtr n, const sc_tnode *t)
{
    if (attr(L, n, "figure") && attr(L, n, "select"))
        report(L, SC_ERR_TEMPLATE, t->line, "<%s> has both figure= and select=: use one",
               (const char *)n->name);
    else if (attr(L, n, "figure") && attr(L, n, "format"))
        report(L, SC_ERR_TEMPLATE, t->line, "figure=\"%s\" is printed in the format its "
               "<figure> declares: remove format= here", attr(L, n, "figure"));
    else if (is(n, "value") && !attr(L, n, "figure") && !attr(L, n, "select"))
        report(L, SC_ERR_TEMPLATE, t->line, "<value> needs select= or figure=");
}

static sc_tnode *build_inline(loader *L, xmlNodePtr parent)
{
    sc_tnode *first = NULL, *tail = NULL;
    for (xmlNodePtr c = parent->children; c; c = c->next) {
        sc_tnode *t = NULL;
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            const char *s = clean_literal(L, (const char *)c->content);
            if (!s || !*s)
                continue;
            if ((t = tnode(L, SC_T_LITERAL, parent)))
                t->text = s;
        } else if (is(c, "value")) {
            if ((t = tnode(L, SC_T_VALUE, c))) {
                t->figure = figure_ref(L, c);
                t->expr = compile_printed(L, c, "select", &t->src);
                t->decimals = format_attr(L, c, &t->datefmt);
                check_value_source(L, c, t);
            }
        } else if (is(c, "br")) {
            t = tnode(L, SC_T_BR, c);
        } else if (is(c, "page-number")) {
            t = tnode(L, SC_T_PAGE_NUMBER, c);
        } else if (is(c, "page-count")) {
            t = tnode(L, SC_T_PAGE_COUNT, c);
        } else if (is(c, "row-number")) {
            t = tnode(L, SC_T_ROW_NUMBER, c);
        } else if (is(c, "if") || is(c, "for-each")) {
            /* inline: text shown on a condition, or once per node */
            int kind = is(c, "if") ? SC_T_IF : SC_T_FOREACH;
            if ((t = tnode(L, kind, c))) {
                t->expr = compile(L, c, kind == SC_T_IF ? "test" : "select", &t->src);
                t->first = build_inline(L, c);
            }
        }
        tlink(&first, &tail, t);
    }
    return first;
}

typedef struct tctx {
    int ncols;
    int has_rowspan;
    const sc_style *cell, *head;
} tctx;

static sc_tnode *build_row(loader *L, xmlNodePtr n, int kind, int in_rows,
                           tctx *tc)
{
    sc_tnode *r = tnode(L, in_rows ? SC_T_ROWS : SC_T_ROW, n);
    if (!r)
        return NULL;
    r->row_kind = kind;
    r->style = style_ref(L, n, attr(L, n, "style"),
                         kind == SC_ROW_HEADER ? tc->head : tc->cell);
    r->height = height_attr(L, n, "min-height", 0);
    if (in_rows)
        r->expr = compile(L, n, "select", &r->src);
    sc_tnode *tail = NULL;
    int width = 0;
    for (xmlNodePtr c = n->children; c; c = c->next) {
        if (!is(c, "cell"))
            continue;
        sc_tnode *k = tnode(L, SC_T_CELL, c);
        if (!k)
            continue;
        k->style = style_ref(L, c, attr(L, c, "style"), r->style);
        k->colspan = int_attr(L, c, "colspan", 1, 1000);
        k->rowspan = int_attr(L, c, "rowspan", 1, 10000);
        k->align = align_of(attr(L, c, "align"));
        k->figure = figure_ref(L, c);
        k->expr = compile_printed(L, c, "select", &k->src);
        k->decimals = format_attr(L, c, &k->datefmt);
        check_value_source(L, c, k);
        k->merge = bool_attr(L, c, "merge", 0);
        k->sign_line = bool_attr(L, c, "sign-line", 0);
        k->first = build_inline(L, c);
        if ((k->src || k->figure) && k->first)
            report(L, SC_ERR_TEMPLATE, k->line,
                   "<cell> has both %s= and content: use one of them",
                   k->figure ? "figure" : "select");
        if (k->merge && !in_rows)
            report(L, SC_ERR_TEMPLATE, k->line,
                   "merge=\"true\" is only meaningful in a cell of <rows>");
        if (k->rowspan > 1 && in_rows)
            report(L, SC_ERR_TEMPLATE, k->line,
                   "rowspan= is not allowed in <rows>: use merge=\"true\"");
        if (k->rowspan > 1)
            tc->has_rowspan = 1;
        width += k->colspan;
        tlink(&r->first, &tail, k);
    }
    /* Rows covered by a rowspan of an earlier row have fewer cells, so an
     * exact count is only possible here when the table has no rowspan;
     * bind.c checks every bound row again. */
    if (width > tc->ncols)
        report(L, SC_ERR_TEMPLATE, r->line,
               "row has %d columns (counting colspans) but the table "
               "declares %d in columns=", width, tc->ncols);
    r->colspan = width; /* remembered for the exact check below */
    return r;
}

static sc_tnode *build_parts(loader *L, xmlNodePtr parent, tctx *tc);

static sc_tnode *build_part(loader *L, xmlNodePtr c, tctx *tc)
{
    if (is(c, "header-row"))
        return build_row(L, c, SC_ROW_HEADER, 0, tc);
    if (is(c, "row"))
        return build_row(L, c, SC_ROW_BODY, 0, tc);
    if (is(c, "total-row"))
        return build_row(L, c, SC_ROW_TOTAL, 0, tc);
    if (is(c, "rows"))
        return build_row(L, c, SC_ROW_BODY, 1, tc);
    if (is(c, "if") || is(c, "for-each")) {
        int iff = is(c, "if");
        sc_tnode *t = tnode(L, iff ? SC_T_IF : SC_T_FOREACH, c);
        if (t) {
            t->expr = compile(L, c, iff ? "test" : "select", &t->src);
            t->first = build_parts(L, c, tc);
        }
        return t;
    }
    return NULL;
}

static sc_tnode *build_parts(loader *L, xmlNodePtr parent, tctx *tc)
{
    sc_tnode *first = NULL, *tail = NULL;
    for (xmlNodePtr c = parent->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            tlink(&first, &tail, build_part(L, c, tc));
    return first;
}

static void check_widths(loader *L, sc_tnode *t, int ncols)
{
    for (; t; t = t->next) {
        if (t->kind == SC_T_IF || t->kind == SC_T_FOREACH)
            check_widths(L, t->first, ncols);
        else if ((t->kind == SC_T_ROW || t->kind == SC_T_ROWS) &&
                 t->colspan != ncols)
            report(L, SC_ERR_TEMPLATE, t->line,
                   "row has %d columns (counting colspans) but the table "
                   "declares %d in columns=", t->colspan, ncols);
    }
}

static sc_tnode *build_table(loader *L, xmlNodePtr n)
{
    sc_tnode *t = tnode(L, SC_T_TABLE, n);
    if (!t)
        return NULL;
    t->style = style_ref(L, n, attr(L, n, "style"), L->t->default_style);
    t->style2 = style_ref(L, n, attr(L, n, "header-style"), t->style);
    t->borders = bool_attr(L, n, "borders", 1);
    t->keep_together = bool_attr(L, n, "keep-together", 0);

    const char *cols = attr(L, n, "columns");
    int cap = 1;
    for (const char *p = cols; *p; p++)
        cap += *p == ' ';
    t->cols = sc_arena_alloc(L->t->arena, (size_t)cap * sizeof *t->cols);
    if (!t->cols)
        return NULL;
    double fixed = 0, pct = 0;
    const char *p = cols;
    while (*p) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        sc_colspec *c = &t->cols[t->ncols];
        const char *q = p;
        char *end;
        double v = 1;
        if (*p != '*')
            v = strtod(p, &end);
        else
            end = (char *)p;
        if (*end == '*') {
            c->weight = v;
            p = end + 1;
        } else if (*end == '%') {
            c->fixed = v / 100 * L->body_w;
            pct += v;
            p = end + 1;
        } else if (parse_length(&q, &c->fixed) == 0) {
            fixed += c->fixed;
            p = q;
        } else {
            report(L, SC_ERR_TEMPLATE, t->line, "columns=\"%s\": bad column "
                   "\"%s\" (use 20mm, 8%%, 2* or *)", cols, p);
            break;
        }
        if (c->fixed <= 0 && c->weight <= 0) {
            report(L, SC_ERR_TEMPLATE, t->line,
                   "columns=\"%s\": a column must have a width > 0", cols);
            c->weight = 1;
        }
        t->ncols++;
    }
    if (pct > 100.0001)
        report(L, SC_ERR_TEMPLATE, t->line,
               "columns=\"%s\": percentages add up to %g%% (more than 100%%)",
               cols, pct);
    if (fixed + pct / 100 * L->body_w > L->body_w + 0.01)
        report(L, SC_ERR_TEMPLATE, t->line,
               "columns=\"%s\": fixed widths (%.1fmm) exceed the body width "
               "(%.1fmm)", cols, (fixed + pct / 100 * L->body_w) / MM,
               L->body_w / MM);

    tctx tc = {t->ncols, 0, t->style, t->style2};
    t->first = build_parts(L, n, &tc);
    if (!tc.has_rowspan)
        check_widths(L, t->first, t->ncols);
    return t;
}

static sc_tnode *build_blocks(loader *L, xmlNodePtr parent);
static sc_tnode *build_chart(loader *L, xmlNodePtr c);

static sc_tnode *build_block(loader *L, xmlNodePtr c)
{
    sc_template *T = L->t;
    sc_tnode *t = NULL;
    if (is(c, "text")) {
        if ((t = tnode(L, SC_T_TEXT, c))) {
            t->style = style_ref(L, c, attr(L, c, "style"), T->default_style);
            t->first = build_inline(L, c);
        }
    } else if (is(c, "space")) {
        if ((t = tnode(L, SC_T_SPACE, c)))
            t->height = length_attr(L, c, "height", 0);
    } else if (is(c, "page-break")) {
        t = tnode(L, SC_T_PAGEBREAK, c);
    } else if (is(c, "if") || is(c, "for-each") || is(c, "group")) {
        int kind = is(c, "if") ? SC_T_IF
                   : is(c, "group") ? SC_T_GROUP : SC_T_FOREACH;
        if ((t = tnode(L, kind, c))) {
            if (kind == SC_T_IF)
                t->expr = compile(L, c, "test", &t->src);
            else if (kind == SC_T_FOREACH)
                t->expr = compile(L, c, "select", &t->src);
            t->keep_together = bool_attr(L, c, "keep-together", 1);
            t->first = build_blocks(L, c);
        }
    } else if (is(c, "table")) {
        t = build_table(L, c);
    } else if (is(c, "signatures")) {
        if ((t = tnode(L, SC_T_SIGNATURES, c))) {
            t->expr = compile(L, c, "select", &t->src);
            t->keep_together = bool_attr(L, c, "keep-together", 1);
            t->style = style_ref(L, c, attr(L, c, "style"), T->default_style);
            t->height = height_attr(L, c, "image-height", 12 * MM);
            const char *df = attr(L, c, "date-format");
            t->datefmt = df && strcmp(df, "date") ? date_pattern(L, c, "date-format", df) : NULL;
            if (!words(L, attr(L, c, "roles"), &t->roles, &t->nroles) ||
                !words(L, attr(L, c, "required"), &t->required, &t->nrequired))
                return NULL;
            /* where each role signs becomes a signature field (the archive
             * profile, docs/archive.md); required ones must be signed */
            t->sign_fields = bool_attr(L, c, "fields", 1);
            for (int i = 0; i < t->nrequired && t->nroles; i++) {
                int k = 0;
                while (k < t->nroles && strcmp(t->roles[k], t->required[i]))
                    k++;
                if (k == t->nroles)
                    report(L, SC_ERR_TEMPLATE, t->line,
                           "required=\"%s\" names a role that roles= does not "
                           "list; use one of roles=", t->required[i]);
            }
            static const char *const names[] = {"sign-label", "name-label", "date-label",
                                                "date-blank"};
            static const char *const defaults[] = {"签字：", "姓名：", "日期：",
                                                   "____年__月__日"};
            t->first = build_labels(L, c, names, defaults, 4);
            for (xmlNodePtr k = c->children; k; k = k->next) {
                if (!is(k, "note"))
                    continue;
                xmlChar *s = xmlNodeGetContent(k);
                t->text = clean_literal(L, s ? (const char *)s : "");
                xmlFree(s);
                t->style2 = style_ref(L, k, attr(L, k, "style"), t->style);
            }
        }
    } else if (is(c, "chart")) {
        t = build_chart(L, c);
    } else if (is(c, "bonus-table")) {
        if ((t = tnode(L, SC_T_BONUS, c))) {
            t->expr = compile(L, c, "select", &t->src);
            const char *m = attr(L, c, "mode");
            t->mode = m && strcmp(m, "year") == 0;
            /* the score: score=, else the figure "total" (with its format)
             * when the template declares one, else total */
            const char *sc = attr(L, c, "score");
            for (int i = 0; !sc && i < T->nfigures; i++)
                if (!strcmp(T->figures[i].name, "total"))
                    t->figure = &T->figures[i];
            t->expr2 = t->figure ? NULL : compile_str(L, c, "score", sc ? sc : "total");
            check_printed(L, c, "score", sc);
            t->decimals = format_attr(L, c, NULL); /* of the score, as <value format> */
            if (t->figure && attr(L, c, "format"))
                report(L, SC_ERR_TEMPLATE, t->line, "the score is the figure \"total\", "
                       "printed in its declared format: remove format= here");
            t->keep_together = 1;
            t->style = style_ref(L, c, attr(L, c, "style"), T->default_style);
            t->style2 = style_ref(L, c, attr(L, c, "header-style"), t->style);
            static const char *const names[] = {"base-label", "score-label", "amount-label",
                                                "month-label", "total-label"};
            static const char *const month[] = {"月度绩效奖金基数", "考核得分", "当月绩效奖金",
                                                "月份", "合计"};
            static const char *const year[] = {"月度绩效奖金基数", "得分", "当月绩效奖金",
                                               "月份", "合计"};
            t->first = build_labels(L, c, names, t->mode ? year : month, 5);
        }
    }
    return t;
}

/* ---- charts (issue 5) ----------------------------------------------------- */

/* One series from the attributes of n (<chart value=...> or <series>). */
static void build_series(loader *L, xmlNodePtr n, sc_tseries *se, int idx)
{
    /* Grays that stay apart when two series share a chart: the first
     * darker, the second lighter. */
    static const double grays[SC_CHART_SERIES_MAX] = {0.25, 0.55, 0.4, 0.7};
    se->line = line_of(n);
    se->value = compile_printed(L, n, "value", &se->src);
    const char *name = attr(L, n, "name");
    se->name = name ? name : "";
    se->gray = num_attr(L, n, "gray", grays[idx], 0, 1);
    const char *fill = attr(L, n, "fill");
    se->fill = !fill || strcmp(fill, "none") == 0
                   ? -1
                   : num_attr(L, n, "fill", -1, 0, 1);
    se->dash = bool_attr(L, n, "dash", 0);
    se->show_values = bool_attr(L, n, "values", 1);
    se->decimals = format_attr(L, n, NULL);
}

static sc_tnode *build_chart(loader *L, xmlNodePtr c)
{
    sc_template *T = L->t;
    sc_tnode *t = tnode(L, SC_T_CHART, c);
    sc_tchart *ch = sc_arena_alloc(T->arena, sizeof *ch);
    if (!t || !ch)
        return NULL;
    t->chart = ch;
    t->expr = compile(L, c, "select", &t->src);
    t->style = style_ref(L, c, attr(L, c, "style"), T->default_style);
    t->keep_together = 1;
    const char *type = attr(L, c, "type");
    ch->type = type && strcmp(type, "line") == 0    ? SC_CHART_LINE
               : type && strcmp(type, "radar") == 0 ? SC_CHART_RADAR
                                                    : SC_CHART_BAR;
    ch->label = compile_printed(L, c, "label", &ch->label_src);
    ch->min = attr(L, c, "min") ? num_attr(L, c, "min", 0, -1e9, 1e9) : NAN;
    ch->max = attr(L, c, "max") ? num_attr(L, c, "max", 0, -1e9, 1e9) : NAN;
    if (!isnan(ch->min) && !isnan(ch->max) && ch->max <= ch->min)
        report(L, SC_ERR_TEMPLATE, line_of(c),
               "max=\"%g\" must be greater than min=\"%g\"", ch->max,
               ch->min);
    const char *title = attr(L, c, "title");
    ch->title = title ? title : "";
    ch->width = L->body_w;
    const char *w = attr(L, c, "width");
    if (w) {
        size_t n = strlen(w);
        if (n && w[n - 1] == '%') {
            double pct = atof(w);
            if (pct <= 0 || pct > 100)
                report(L, SC_ERR_TEMPLATE, line_of(c),
                       "width=\"%s\": expected 1%% to 100%% of the body "
                       "width", w);
            else
                ch->width = pct / 100 * L->body_w;
        } else {
            ch->width = length_attr(L, c, "width", L->body_w);
            if (ch->width > L->body_w + 0.01) {
                report(L, SC_ERR_TEMPLATE, line_of(c),
                       "width=\"%s\" is wider than the body (%.1fmm)", w,
                       L->body_w / MM);
                ch->width = L->body_w;
            }
        }
    }
    ch->height = height_attr(L, c, "height", 60 * MM);
    if (ch->height < 20 * MM)
        report(L, SC_ERR_TEMPLATE, line_of(c),
               "height: a chart needs at least 20mm to draw its axes and "
               "labels");
    int nser = 0;
    for (xmlNodePtr k = c->children; k; k = k->next)
        nser += is(k, "series");
    if (nser > SC_CHART_SERIES_MAX) {
        report(L, SC_ERR_TEMPLATE, line_of(c),
               "a chart draws at most %d series, this one has %d",
               SC_CHART_SERIES_MAX, nser);
        nser = SC_CHART_SERIES_MAX;
    }
    ch->series = sc_arena_alloc(T->arena,
                                (size_t)(nser ? nser : 1) * sizeof *ch->series);
    if (!ch->series)
        return NULL;
    if (nser > 0 && attr(L, c, "value"))
        report(L, SC_ERR_TEMPLATE, line_of(c),
               "a chart has either value= (one series) or <series> "
               "children, not both");
    if (nser == 0 && !attr(L, c, "value"))
        report(L, SC_ERR_TEMPLATE, line_of(c),
               "a chart needs value= (one series) or <series value=\"\"/> "
               "children");
    if (nser == 0) {
        build_series(L, c, &ch->series[0], 0);
        ch->nseries = 1;
    } else {
        for (xmlNodePtr k = c->children; k && ch->nseries < nser; k = k->next)
            if (is(k, "series")) {
                build_series(L, k, &ch->series[ch->nseries], ch->nseries);
                ch->nseries++;
            }
    }
    return t;
}

static sc_tnode *build_blocks(loader *L, xmlNodePtr parent)
{
    sc_tnode *first = NULL, *tail = NULL;
    for (xmlNodePtr c = parent ? parent->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            tlink(&first, &tail, build_block(L, c));
    return first;
}

/* ---- page -------------------------------------------------------------- */

static void load_page(loader *L, xmlNodePtr page)
{
    sc_template *T = L->t;
    T->page_w = 595.276;
    T->page_h = 841.89;
    double m15 = 15 * MM;
    T->margin[0] = T->margin[2] = m15;
    T->margin[1] = T->margin[3] = 12 * MM;
    double hd = 8 * MM, fd = 8 * MM;
    if (page) {
        const char *size = attr(L, page, "size");
        if (size && strcmp(size, "A3") == 0)
            T->page_w = 841.89, T->page_h = 1190.551;
        else if (size && strcmp(size, "A5") == 0)
            T->page_w = 419.528, T->page_h = 595.276;
        else if (size && strcmp(size, "Letter") == 0)
            T->page_w = 612, T->page_h = 792;
        const char *o = attr(L, page, "orientation");
        if (o && strcmp(o, "landscape") == 0) {
            double w = T->page_w;
            T->page_w = T->page_h;
            T->page_h = w;
        }
        box_attr(L, page, "margin", T->margin);
        hd = length_attr(L, page, "header", hd);
        fd = length_attr(L, page, "footer", fd);
    }
    int line = page ? line_of(page) : 0;
    T->min_spacing = 1;
    const char *ms = page ? attr(L, page, "min-spacing") : NULL;
    if (ms) {
        T->min_spacing = atof(ms) / 100;
        if (T->min_spacing < 0.5 || T->min_spacing > 1) {
            report(L, SC_ERR_TEMPLATE, line,
                   "min-spacing=\"%s\": vertical spacing may shrink to "
                   "50%% at the least (100%%: never)", ms);
            T->min_spacing = 1;
        }
    }
    L->body_w = T->page_w - T->margin[1] - T->margin[3];
    L->body_h = T->page_h - T->margin[0] - T->margin[2];
    if (L->body_w < 72 || T->page_h - T->margin[0] - T->margin[2] < 72)
        report(L, SC_ERR_TEMPLATE, line,
               "margins leave less than 1 inch for the body");
    if (hd >= T->margin[0])
        report(L, SC_ERR_TEMPLATE, line,
               "header=\"%.1fmm\" must be less than the top margin (%.1fmm): "
               "the header is drawn inside the top margin", hd / MM,
               T->margin[0] / MM);
    if (fd >= T->margin[2])
        report(L, SC_ERR_TEMPLATE, line,
               "footer=\"%.1fmm\" must be less than the bottom margin "
               "(%.1fmm): the footer is drawn inside the bottom margin",
               fd / MM, T->margin[2] / MM);
    T->header_y = hd;
    T->footer_y = T->page_h - fd;
    if (L->body_w < 72)
        L->body_w = 72;
}

/* ---- public ------------------------------------------------------------ */

void sc_template_free(sc_template *tpl)
{
    if (!tpl)
        return;
    for (size_t i = 0; i < tpl->nexprs; i++)
        xmlXPathFreeCompExpr(tpl->exprs[i]);
    sc_free(tpl->exprs);
    sc_free(tpl->exprinfo);
    sc_free(tpl->name);
    sc_free(tpl->path);
    sc_arena_free(tpl->arena);
    sc_free(tpl);
}

const char *sc_template_name(const sc_template *tpl)
{
    return tpl && tpl->name ? tpl->name : "";
}

/* The template schema, compiled once per process (it is built in, so it
 * never fails but for memory) and shared, read-only, by every load. */
static pthread_once_t schema_once = PTHREAD_ONCE_INIT;
static xmlRelaxNGPtr template_schema;

static void schema_quiet(void *ud, xmlErrorPtr e)
{
    (void)ud;
    (void)e;
}

static void compile_schema(void)
{
    sc_xml_guard();
    xmlRelaxNGParserCtxtPtr pc = xmlRelaxNGNewMemParserCtxt(
        (const char *)sc_schema_template, (int)sc_schema_template_len);
    if (!pc)
        return;
    xmlRelaxNGSetParserStructuredErrors(pc, schema_quiet, NULL);
    template_schema = xmlRelaxNGParse(pc);
    xmlRelaxNGFreeParserCtxt(pc);
}

void sc_template_init(void) { pthread_once(&schema_once, compile_schema); }

static int validate(loader *L, xmlDocPtr doc)
{
    sc_template_init();
    if (!template_schema)
        return -1;
    xmlRelaxNGValidCtxtPtr vc = xmlRelaxNGNewValidCtxt(template_schema);
    int rc = -1;
    if (vc) {
        xmlRelaxNGSetValidStructuredErrors(vc, xml_error, L);
        rc = xmlRelaxNGValidateDoc(vc, doc);
        xmlRelaxNGFreeValidCtxt(vc);
        schema_problems(L);
    }
    return rc;
}

sc_status sc_template_load(sc_template **out, const char *path,
                           sc_diag_fn diag, void *ud, sc_error *err)
{
    if (out)
        *out = NULL;
    if (!out || !path)
        return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                            "sc_template_load needs out and path");
    loader L = {.path = path, .diag = diag, .ud = ud, .err = err};
    FILE *f = fopen(path, "rb");
    if (!f) {
        sc_error e;
        sc_error_set(&e, SC_ERR_IO, path, 0, 0, "cannot open template: %s",
                     strerror(errno));
        sc_diag_emit(diag, ud, &e);
        if (err)
            *err = e;
        return SC_ERR_IO;
    }
    fclose(f);

    sc_xml_guard();
    xmlParserCtxtPtr pctxt = xmlNewParserCtxt();
    if (!pctxt)
        return sc_error_set(err, SC_ERR_NOMEM, path, 0, 0, "out of memory");
    pctxt->_private = &L;
    pctxt->sax->serror = parser_error;
    pctxt->sax->warning = NULL;
    pctxt->vctxt.error = NULL;
    pctxt->vctxt.warning = NULL;
    char generic[256] = "";
    sc_xml_quiet quiet;
    sc_xml_quiet_begin(&quiet, generic, sizeof generic);
    xmlDocPtr doc = xmlCtxtReadFile(pctxt, path, NULL,
                                    XML_PARSE_NONET | XML_PARSE_NOWARNING);
    sc_xml_quiet_end(&quiet);
    xmlFreeParserCtxt(pctxt);
    if (!doc) {
        if (L.first == SC_OK)
            report(&L, SC_ERR_XML, 0, "not well-formed XML%s%s",
                   generic[0] ? ": " : "", generic);
        return SC_ERR_XML;
    }
    if (doc->intSubset || doc->extSubset) {
        xmlDtdPtr dtd = doc->intSubset ? doc->intSubset : doc->extSubset;
        report(&L, SC_ERR_FORBIDDEN, line_of((xmlNodePtr)dtd) > 0
                                         ? line_of((xmlNodePtr)dtd) : 1,
               "templates may not have a DOCTYPE (no DTD, no entities)");
        xmlFreeDoc(doc);
        return SC_ERR_FORBIDDEN;
    }
    if (validate(&L, doc) != 0) {
        if (L.first == SC_OK)
            report(&L, SC_ERR_SCHEMA, 0, "template does not match the schema");
        xmlFreeDoc(doc);
        return L.first;
    }

    sc_template *T = sc_calloc(1, sizeof *T);
    if (!T || !(T->arena = sc_arena_new()) || !(T->path = sc_strdup(path))) {
        sc_template_free(T);
        xmlFreeDoc(doc);
        return sc_error_set(err, SC_ERR_NOMEM, path, 0, 0, "out of memory");
    }
    L.t = T;
    L.dry = xmlNewDoc((const xmlChar *)"1.0");
    xmlNodePtr droot = L.dry ? xmlNewDocNode(L.dry, NULL,
                                             (const xmlChar *)"batch", NULL)
                             : NULL;
    if (droot) {
        xmlDocSetRootElement(L.dry, droot);
        L.dry_node = xmlNewChild(droot, NULL, (const xmlChar *)"employee",
                                 NULL);
    }
    L.xp = L.dry_node ? xmlXPathNewContext(L.dry) : NULL;
    if (!L.xp) {
        xmlFreeDoc(L.dry);
        sc_template_free(T);
        xmlFreeDoc(doc);
        return sc_error_set(err, SC_ERR_NOMEM, path, 0, 0, "out of memory");
    }
    L.xp->userData = &L;
    L.xp->error = xpath_error;

    xmlNodePtr root = xmlDocGetRootElement(doc);
    xmlChar *nm = xmlGetNoNsProp(root, (const xmlChar *)"name");
    T->name = sc_strdup(nm ? (const char *)nm : "");
    xmlFree(nm);
    /* the language of the form's text: chooses the font map's faces for
     * it (docs/fonts.md, "Language"), unless the data says otherwise */
    xmlChar *lang = xmlNodeGetLang(root);
    T->lang = lang ? sc_arena_strdup(T->arena, (const char *)lang) : NULL;
    xmlFree(lang);
    xmlNodePtr page = NULL, styles = NULL, wm = NULL, hd = NULL, ft = NULL,
               body = NULL, figs = NULL;
    for (xmlNodePtr c = root->children; c; c = c->next) {
        if (is(c, "page")) page = c;
        else if (is(c, "styles")) styles = c;
        else if (is(c, "watermark")) wm = c;
        else if (is(c, "header")) hd = c;
        else if (is(c, "footer")) ft = c;
        else if (is(c, "body")) body = c;
        else if (is(c, "figures")) figs = c;
    }
    load_page(&L, page);
    load_styles(&L, styles);
    load_figures(&L, figs);
    if (wm) {
        T->watermark_text = attr(&L, wm, "text");
        T->watermark_select = compile_printed(&L, wm, "select", NULL);
        T->watermark_if = compile(&L, wm, "if", NULL);
        T->watermark_line = line_of(wm);
    }
    T->header = build_blocks(&L, hd);
    T->footer = build_blocks(&L, ft);
    T->body = build_blocks(&L, body);

    xmlXPathFreeContext(L.xp);
    xmlFreeDoc(L.dry);
    sc_free(L.snodes);
    sc_free(L.sres);
    sc_free(L.sstate);
    xmlFreeDoc(doc);
    if (L.first != SC_OK) {
        sc_template_free(T);
        return L.first;
    }
    *out = T;
    return SC_OK;
}

/* ---- finding a template by name ---------------------------------------- */

static int try_dir(char *out, size_t n, const char *dir, const char *name)
{
    if (!dir || !*dir)
        return 0;
    int k = snprintf(out, n, "%s/%s.xml", dir, name);
    if (k < 0 || (size_t)k >= n)
        return 0;
    struct stat st;
    return stat(out, &st) == 0 && S_ISREG(st.st_mode);
}

sc_status sc_template_find(char *out, size_t n, const char *name,
                           const char *dir, const char *data_file,
                           const char *search, sc_error *err)
{
    if (!out || n == 0 || !name)
        return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                            "sc_template_find needs out, n and name");
    out[0] = '\0';
    /* A name is a file stem, never a path: refuse anything that could
     * walk out of the template folders. */
    if (!*name || strchr(name, '/') || strchr(name, '\\') ||
        strstr(name, "..") || name[0] == '.')
        return sc_error_set(err, SC_ERR_FORBIDDEN, data_file, 0, 0,
                            "template name \"%s\" is not a plain name "
                            "(no '/', no '..')", name);
    if (dir)
        return try_dir(out, n, dir, name)
                   ? SC_OK
                   : sc_error_set(err, SC_ERR_IO, NULL, 0, 0,
                                  "no template \"%s.xml\" in %s", name, dir);
    if (data_file) {
        char d[4096];
        snprintf(d, sizeof d, "%s", data_file);
        char *slash = strrchr(d, '/');
        if (slash)
            *slash = '\0';
        else
            snprintf(d, sizeof d, ".");
        if (try_dir(out, n, d, name))
            return SC_OK;
    }
    /* search: folders separated by ':' (like PATH) */
    for (const char *p = search; p && *p;) {
        const char *colon = strchr(p, ':');
        size_t len = colon ? (size_t)(colon - p) : strlen(p);
        char d[4096];
        if (len && len < sizeof d) {
            memcpy(d, p, len);
            d[len] = '\0';
            if (try_dir(out, n, d, name))
                return SC_OK;
        }
        p += len + (colon ? 1 : 0);
    }
#ifdef SC_DATADIR_INSTALLED
    if (try_dir(out, n, SC_DATADIR_INSTALLED "/templates", name))
        return SC_OK;
#endif
#ifdef SC_DATADIR_SOURCE
    if (try_dir(out, n, SC_DATADIR_SOURCE "/templates", name))
        return SC_OK;
#endif
    out[0] = '\0';
    return sc_error_set(err, SC_ERR_IO, data_file, 0, 0,
                        "template \"%s\" not found (looked beside the data "
                        "file, in $SCORECARD_TEMPLATES and the installed "
                        "templates); give the template with -t FILE or "
                        "its folder with -T DIR",
                        name);
}
