/* record.c -- one employee record as the stages after the reader see it:
 * its fields, its true source lines, and how a problem at one of its
 * nodes is reported.
 *
 * The reader (data.c) makes records; binding, the coverage check and the
 * output stage only read them.  Reporting lives here so that every stage
 * names a problem the same way: the data file, the line of the node (past
 * line 65535 too, where libxml2 stops counting: the reader hands each
 * record the lines it recovered), the employee and the field path. */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BIG_LINE 65535     /* libxml2's cap for element line numbers */
#define MAX_PROBLEMS 200   /* per record: enough to list, bounded */

long sc_linemap_line(const sc_linemap *map, xmlNodePtr n)
{
    if (!n)
        return 0;
    if (n->type != XML_ELEMENT_NODE)
        n = n->parent;
    if (!n)
        return 0;
    if (n->line < BIG_LINE)
        return n->line;
    for (size_t i = 0; map && i < map->n; i++)
        if (map->v[i].node == n)
            return map->v[i].line;
    return BIG_LINE;
}

long sc_record_line(const sc_record *rec, xmlNodePtr n)
{
    return sc_linemap_line(rec ? &rec->lines : NULL, n);
}

void sc_record_problem(const sc_record *rec, sc_problems *pb, sc_status code,
                       xmlNodePtr node, const char *attr_name, const char *fmt,
                       ...)
{
    if (pb->count >= MAX_PROBLEMS)
        return;
    sc_error e;
    memset(&e, 0, sizeof e);
    e.code = code;
    snprintf(e.file, sizeof e.file, "%s", rec->file ? rec->file : "");
    e.line = (int)sc_record_line(rec, node);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e.message, sizeof e.message, fmt, ap);
    va_end(ap);
    snprintf(e.employee, sizeof e.employee, "%s", rec->label ? rec->label : "");
    if (node)
        sc_xml_path(e.field, sizeof e.field, node, rec->employee, attr_name);
    if (pb->count == 0) {
        pb->code = code;
        if (pb->first)
            *pb->first = e;
    }
    pb->count++;
    sc_diag_emit(pb->diag, pb->ud, &e);
}

/* ---- the form of a record ---------------------------------------------------
 *
 * What a record shares with the other records of its form: the batch
 * header and the definitions of its sheet -- categories (name, weight,
 * type), KPIs (id, indicator, weight, rule, definition, cycle, source),
 * raters (role, weight), position and department -- but none of its
 * results, names, comments or signatures.  The font bases of a form are
 * made from this, laid out (batch.c, fontbases.c): a record's bases come
 * from its own definitions only, so records with the same definitions
 * share them, and no record's PDF depends on another record or carries a
 * glyph of another employee's.
 *
 * Every record asks for its form's key, and only the first of a form
 * needs the form itself: so one walk (form_walk) picks out the form and
 * hands it to either of two writers, one that builds the form's document
 * and one that writes the key straight from the record, copying nothing. */

static const char *const kpi_defs[] = {"indicator", "weight", "rule", "definition",
                                       "cycle", "source"};

/* What form_walk hands its pieces to: whole subtrees of the record, and
 * elements of the form's own that hold some of them, opened (a name and
 * the attributes of `from` named in keep, all of them if nkeep < 0) and
 * closed.  Each returns 0 when out of memory. */
typedef struct form_writer form_writer;
struct form_writer {
    int (*whole)(form_writer *w, xmlNodePtr n);
    int (*open)(form_writer *w, const xmlChar *name, xmlNodePtr from,
                const char *const *keep, int nkeep);
    int (*close)(form_writer *w);
};

/* The element child `name` of from, whole, if it has one. */
static int whole_child(form_writer *w, xmlNodePtr from, const char *name)
{
    xmlNodePtr c = sc_xml_child(from, name);
    return !c || w->whole(w, c);
}

static int form_walk(const sc_record *rec, form_writer *w)
{
    static const char *const cat_keep[] = {"name", "weight", "type"};
    static const char *const kpi_keep[] = {"id"};
    static const char *const rater_keep[] = {"role", "weight"};
    xmlNodePtr batch = xmlDocGetRootElement(rec->doc), emp = rec->employee;
    /* <batch> with its attributes, then the header: every child of
     * <batch> but the employee */
    if (!w->open(w, batch->name, batch, NULL, -1))
        return 0;
    for (xmlNodePtr c = batch->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && c != emp && !w->whole(w, c))
            return 0;
    if (!w->open(w, BAD_CAST "employee", NULL, NULL, 0) ||
        !whole_child(w, emp, "position") || !whole_child(w, emp, "department"))
        return 0;
    xmlNodePtr kpis = sc_xml_child(emp, "kpis");
    if (kpis) {
        if (!w->open(w, BAD_CAST "kpis", NULL, NULL, 0))
            return 0;
        for (xmlNodePtr c = sc_xml_child(kpis, "category"); c; c = sc_xml_next(c, "category")) {
            if (!w->open(w, c->name, c, cat_keep, 3))
                return 0;
            for (xmlNodePtr k = sc_xml_child(c, "kpi"); k; k = sc_xml_next(k, "kpi")) {
                if (!w->open(w, k->name, k, kpi_keep, 1))
                    return 0;
                for (size_t i = 0; i < sizeof kpi_defs / sizeof *kpi_defs; i++)
                    if (!whole_child(w, k, kpi_defs[i]))
                        return 0;
                if (!w->close(w))
                    return 0;
            }
            if (!w->close(w))
                return 0;
        }
        if (!w->close(w))
            return 0;
    }
    xmlNodePtr raters = sc_xml_child(emp, "raters");
    if (raters) {
        if (!w->open(w, BAD_CAST "raters", NULL, NULL, 0))
            return 0;
        for (xmlNodePtr r = sc_xml_child(raters, "rater"); r; r = sc_xml_next(r, "rater"))
            if (!w->open(w, r->name, r, rater_keep, 2) || !w->close(w))
                return 0;
        if (!w->close(w))
            return 0;
    }
    return w->close(w) && w->close(w); /* </employee></batch> */
}

/* The writer that builds the form's document: copies under `at`. */
typedef struct doc_writer {
    form_writer w;
    xmlDocPtr doc;
    xmlNodePtr at;       /* the element open last (NULL: none yet) */
    xmlNodePtr employee; /* the form's <employee> */
} doc_writer;

static int doc_add(doc_writer *d, xmlNodePtr n)
{
    if (!n)
        return 0;
    if (!d->at) {
        xmlDocSetRootElement(d->doc, n);
        return 1;
    }
    if (xmlAddChild(d->at, n))
        return 1;
    xmlFreeNode(n);
    return 0;
}

static int doc_whole(form_writer *w, xmlNodePtr n)
{
    doc_writer *d = (doc_writer *)w;
    return doc_add(d, xmlDocCopyNode(n, d->doc, 1));
}

static int doc_open(form_writer *w, const xmlChar *name, xmlNodePtr from,
                    const char *const *keep, int nkeep)
{
    doc_writer *d = (doc_writer *)w;
    xmlNodePtr c;
    if (from && nkeep < 0)
        c = xmlDocCopyNode(from, d->doc, 2);
    else if (from)
        c = xmlNewDocNode(d->doc, NULL, name, NULL);
    else /* as xmlNewChild: in the namespace of its parent */
        c = xmlNewDocNode(d->doc, d->at ? d->at->ns : NULL, name, NULL);
    for (int i = 0; c && i < nkeep; i++) {
        const char *v = sc_xml_attr(from, keep[i]);
        if (v && !xmlNewProp(c, BAD_CAST keep[i], BAD_CAST v)) {
            xmlFreeNode(c);
            return 0;
        }
    }
    if (!doc_add(d, c))
        return 0;
    if (!from && xmlStrEqual(name, BAD_CAST "employee"))
        d->employee = c;
    d->at = c;
    return 1;
}

static int doc_close(form_writer *w)
{
    doc_writer *d = (doc_writer *)w;
    d->at = d->at->parent && d->at->parent->type == XML_ELEMENT_NODE ? d->at->parent : NULL;
    return 1;
}

/* The writer of the key: the form as text, each name and value with its
 * length before it, so that two keys are equal only if the forms are. */
typedef struct key_writer {
    form_writer w;
    sc_buf b;
} key_writer;

static void key_str(sc_buf *b, const xmlChar *s)
{
    size_t n = s ? strlen((const char *)s) : 0;
    char len[24]; /* "n:", by hand: snprintf would be most of the key's cost */
    size_t k = sizeof len;
    len[--k] = ':';
    for (size_t v = n; k == sizeof len - 1 || v; v /= 10)
        len[--k] = (char)('0' + v % 10);
    sc_buf_append(b, len + k, sizeof len - k);
    sc_buf_append(b, (const char *)s, n);
}

static void key_ns(sc_buf *b, xmlNsPtr ns)
{
    if (!ns)
        return;
    sc_buf_append(b, "n", 1);
    key_str(b, ns->prefix);
    key_str(b, ns->href);
}

static void key_attr(sc_buf *b, xmlAttrPtr a)
{
    sc_buf_append(b, "@", 1);
    key_ns(b, a->ns);
    key_str(b, a->name);
    if (a->children && !a->children->next && a->children->type == XML_TEXT_NODE) {
        key_str(b, a->children->content);
    } else {
        xmlChar *v = xmlNodeGetContent((xmlNodePtr)a);
        if (!v)
            b->oom = 1;
        key_str(b, v);
        xmlFree(v);
    }
}

/* An element's name, namespace declarations and all its attributes. */
static void key_start(sc_buf *b, xmlNodePtr n)
{
    sc_buf_append(b, "<", 1);
    key_str(b, n->name);
    key_ns(b, n->ns);
    for (xmlNsPtr ns = n->nsDef; ns; ns = ns->next) {
        sc_buf_append(b, "d", 1);
        key_str(b, ns->prefix);
        key_str(b, ns->href);
    }
    for (xmlAttrPtr a = n->properties; a; a = a->next)
        key_attr(b, a);
}

static void key_node(sc_buf *b, xmlNodePtr n)
{
    if (n->type == XML_ELEMENT_NODE) {
        key_start(b, n);
        for (xmlNodePtr c = n->children; c; c = c->next)
            key_node(b, c);
        sc_buf_append(b, ">", 1);
    } else { /* text, CDATA, and whatever else: its kind, name and content */
        char kind[2] = {'#', (char)('a' + n->type)};
        sc_buf_append(b, kind, 2);
        key_str(b, n->name);
        key_str(b, n->content);
    }
}

static int key_whole(form_writer *w, xmlNodePtr n)
{
    key_writer *k = (key_writer *)w;
    key_node(&k->b, n);
    return !k->b.oom;
}

static int key_open(form_writer *w, const xmlChar *name, xmlNodePtr from,
                    const char *const *keep, int nkeep)
{
    key_writer *k = (key_writer *)w;
    if (from && nkeep < 0) {
        key_start(&k->b, from);
        return !k->b.oom;
    }
    sc_buf_append(&k->b, "<", 1);
    key_str(&k->b, name);
    for (int i = 0; i < nkeep; i++) {
        const char *v = sc_xml_attr(from, keep[i]);
        if (v) {
            sc_buf_append(&k->b, "@", 1);
            key_str(&k->b, BAD_CAST keep[i]);
            key_str(&k->b, BAD_CAST v);
        }
    }
    return !k->b.oom;
}

static int key_close(form_writer *w)
{
    key_writer *k = (key_writer *)w;
    sc_buf_append(&k->b, ">", 1);
    return !k->b.oom;
}

char *sc_record_form_key(const sc_record *rec)
{
    key_writer k = {{key_whole, key_open, key_close}, {0}};
    if (!form_walk(rec, &k.w)) {
        sc_buf_free(&k.b);
        return NULL;
    }
    return k.b.data;
}

sc_status sc_record_form(const sc_record *rec, sc_record **out, sc_error *err)
{
    *out = NULL;
    sc_record *f = sc_calloc(1, sizeof *f);
    doc_writer d = {{doc_whole, doc_open, doc_close}, NULL, NULL, NULL};
    d.doc = f ? xmlNewDoc(BAD_CAST "1.0") : NULL;
    int ok = d.doc && form_walk(rec, &d.w);
    if (ok) {
        f->doc = d.doc;
        f->employee = d.employee;
        f->file = sc_strdup(rec->file ? rec->file : "");
        f->id = sc_strdup("");
        f->name = sc_strdup("");
        f->department = sc_strdup(rec->department ? rec->department : "");
        f->position = sc_strdup(rec->position ? rec->position : "");
        f->period = sc_strdup(rec->period ? rec->period : "");
        f->email = sc_strdup("");
        f->superior = sc_strdup("");
        f->evaluator = sc_strdup("");
        f->label = sc_strdup("");
        f->total = sc_strdup("");
        f->grade = sc_strdup("");
        f->bonus = sc_strdup("");
        f->date = rec->date;
        ok = f->file && f->id && f->name && f->department && f->position &&
             f->period && f->email && f->superior && f->evaluator && f->label && f->total &&
             f->grade && f->bonus;
    }
    if (!ok) {
        if (f && !f->doc)
            xmlFreeDoc(d.doc);
        sc_record_free(f);
        return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    }
    *out = f;
    return SC_OK;
}

void sc_record_free(sc_record *rec)
{
    if (!rec)
        return;
    if (rec->doc)
        xmlFreeDoc(rec->doc);
    free(rec->lines.v);
    free(rec->file);
    free(rec->id);
    free(rec->name);
    free(rec->department);
    free(rec->position);
    free(rec->period);
    free(rec->email);
    free(rec->superior);
    free(rec->evaluator);
    free(rec->label);
    free(rec->total);
    free(rec->grade);
    free(rec->bonus);
    free(rec->source);
    if (rec->id_number)
        sc_wipe(rec->id_number, strlen(rec->id_number));
    if (rec->password)
        sc_wipe(rec->password, strlen(rec->password));
    free(rec->id_number);
    free(rec->password);
    free(rec);
}

const char *sc_record_get(const sc_record *rec, const char *key)
{
    if (!rec || !key)
        return NULL;
    if (!strcmp(key, "id"))
        return rec->id;
    if (!strcmp(key, "name"))
        return rec->name;
    if (!strcmp(key, "department"))
        return rec->department;
    if (!strcmp(key, "position"))
        return rec->position;
    if (!strcmp(key, "period"))
        return rec->period;
    if (!strcmp(key, "email"))
        return rec->email;
    if (!strcmp(key, "superior"))
        return rec->superior ? rec->superior : "";
    if (!strcmp(key, "evaluator"))
        return rec->evaluator ? rec->evaluator : "";
    if (!strcmp(key, "total"))
        return rec->total;
    if (!strcmp(key, "grade"))
        return rec->grade;
    if (!strcmp(key, "bonus"))
        return rec->bonus;
    if (!strcmp(key, "template")) {
        const char *t = sc_xml_attr(rec->employee, "template");
        return t ? t : "";
    }
    return NULL;
}

/* ---- the computed results, for the archive copy ------------------------- */

static void set_attr(xmlNodePtr n, const char *name, const char *v)
{
    if (v && *v)
        xmlSetProp(n, (const xmlChar *)name, (const xmlChar *)v);
}

static void set_text_attr(xmlNodePtr n, const char *name, xmlNodePtr from)
{
    char *t = sc_xml_text(from);
    set_attr(n, name, t);
    free(t);
}

sc_status sc_record_results(const sc_record *rec, char **out, size_t *len, sc_error *err)
{
    *out = NULL;
    *len = 0;
    if (!rec || !rec->employee)
        return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0, "no record");
    xmlDocPtr d = xmlNewDoc((const xmlChar *)"1.0");
    xmlNodePtr root = d ? xmlNewDocNode(d, NULL, (const xmlChar *)"results", NULL) : NULL;
    if (!root) {
        xmlFreeDoc(d);
        return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    }
    xmlDocSetRootElement(d, root);
    set_attr(root, "employee", rec->id);
    set_attr(root, "name", rec->name);
    set_attr(root, "period", rec->period);
    set_attr(root, "total", rec->total);
    set_attr(root, "grade", rec->grade);
    set_attr(root, "bonus", rec->bonus);
    xmlNodePtr emp = rec->employee;
    xmlNodePtr res = sc_xml_child(emp, "result");
    xmlNodePtr rc = res ? xmlDocCopyNode(res, d, 2) : NULL; /* its attributes */
    /* but not the ranking award: it follows from the colleagues' totals
     * (the batch's <ranking>), which a record does not carry */
    if (rc) {
        xmlUnsetProp(rc, (const xmlChar *)"rank-award");
        xmlAddChild(root, rc);
    }
    for (xmlNodePtr cat = sc_xml_child(sc_xml_child(emp, "kpis"), "category"); cat;
         cat = sc_xml_next(cat, "category")) {
        xmlNodePtr c = xmlNewChild(root, NULL, (const xmlChar *)"category", NULL);
        if (!c)
            break;
        set_attr(c, "name", sc_xml_attr(cat, "name"));
        set_attr(c, "weight", sc_xml_attr(cat, "weight"));
        set_attr(c, "subtotal", sc_xml_attr(cat, "subtotal"));
        for (xmlNodePtr k = sc_xml_child(cat, "kpi"); k; k = sc_xml_next(k, "kpi")) {
            xmlNodePtr e = xmlNewChild(c, NULL, (const xmlChar *)"kpi", NULL);
            if (!e)
                break;
            set_attr(e, "id", sc_xml_attr(k, "id"));
            set_text_attr(e, "indicator", sc_xml_child(k, "indicator"));
            set_text_attr(e, "weight", sc_xml_child(k, "weight"));
            set_text_attr(e, "score", sc_xml_child(k, "score"));
        }
    }
    xmlChar *mem = NULL;
    int n = 0;
    xmlDocDumpFormatMemoryEnc(d, &mem, &n, "UTF-8", 1);
    xmlFreeDoc(d);
    if (!mem || n <= 0 || !(*out = sc_strndup((const char *)mem, (size_t)n))) {
        xmlFree(mem);
        return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    }
    *len = (size_t)n;
    xmlFree(mem);
    return SC_OK;
}
