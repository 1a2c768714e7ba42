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
 * glyph of another employee's. */

static const char *const kpi_defs[] = {"indicator", "weight", "rule", "definition",
                                       "cycle", "source"};

/* Copy of n without children, with only the attributes named in keep. */
static xmlNodePtr bare(xmlNodePtr n, xmlDocPtr doc, const char *const *keep, int nkeep)
{
    xmlNodePtr c = xmlNewDocNode(doc, NULL, n->name, NULL);
    for (int i = 0; c && i < nkeep; i++) {
        const char *v = sc_xml_attr(n, keep[i]);
        if (v && !xmlNewProp(c, BAD_CAST keep[i], BAD_CAST v)) {
            xmlFreeNode(c);
            return NULL;
        }
    }
    return c;
}

/* Add a copy of the element child `name` of from to `to`, if it has one. */
static int copy_child(xmlNodePtr to, xmlNodePtr from, const char *name)
{
    xmlNodePtr c = sc_xml_child(from, name);
    if (!c)
        return 1;
    xmlNodePtr d = xmlDocCopyNode(c, to->doc, 1);
    return d && xmlAddChild(to, d);
}

static int copy_definitions(xmlNodePtr to, xmlNodePtr emp)
{
    static const char *const cat_keep[] = {"name", "weight", "type"};
    static const char *const kpi_keep[] = {"id"};
    static const char *const rater_keep[] = {"role", "weight"};
    if (!copy_child(to, emp, "position") || !copy_child(to, emp, "department"))
        return 0;
    xmlNodePtr kpis = sc_xml_child(emp, "kpis");
    if (kpis) {
        xmlNodePtr k2 = xmlNewChild(to, NULL, BAD_CAST "kpis", NULL);
        if (!k2)
            return 0;
        for (xmlNodePtr c = sc_xml_child(kpis, "category"); c; c = sc_xml_next(c, "category")) {
            xmlNodePtr c2 = bare(c, to->doc, cat_keep, 3);
            if (!c2 || !xmlAddChild(k2, c2))
                return 0;
            for (xmlNodePtr k = sc_xml_child(c, "kpi"); k; k = sc_xml_next(k, "kpi")) {
                xmlNodePtr kk = bare(k, to->doc, kpi_keep, 1);
                if (!kk || !xmlAddChild(c2, kk))
                    return 0;
                for (size_t i = 0; i < sizeof kpi_defs / sizeof *kpi_defs; i++)
                    if (!copy_child(kk, k, kpi_defs[i]))
                        return 0;
            }
        }
    }
    xmlNodePtr raters = sc_xml_child(emp, "raters");
    if (raters) {
        xmlNodePtr r2 = xmlNewChild(to, NULL, BAD_CAST "raters", NULL);
        if (!r2)
            return 0;
        for (xmlNodePtr r = sc_xml_child(raters, "rater"); r; r = sc_xml_next(r, "rater")) {
            xmlNodePtr rr = bare(r, to->doc, rater_keep, 2);
            if (!rr || !xmlAddChild(r2, rr))
                return 0;
        }
    }
    return 1;
}

sc_status sc_record_form(const sc_record *rec, sc_record **out, char **key,
                         sc_error *err)
{
    *out = NULL;
    *key = NULL;
    sc_record *f = sc_calloc(1, sizeof *f);
    xmlDocPtr doc = f ? xmlNewDoc(BAD_CAST "1.0") : NULL;
    /* <batch> with its attributes, then the header's elements */
    xmlNodePtr root = doc ? xmlDocCopyNode(xmlDocGetRootElement(rec->doc), doc, 2) : NULL;
    int ok = root != NULL;
    if (ok)
        xmlDocSetRootElement(doc, root);
    /* the header: every child of <batch> but the employee */
    for (xmlNodePtr c = xmlDocGetRootElement(rec->doc)->children; ok && c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || c == rec->employee)
            continue;
        xmlNodePtr d = xmlDocCopyNode(c, doc, 1);
        ok = d && xmlAddChild(root, d);
    }
    xmlNodePtr emp = ok ? xmlNewChild(root, NULL, BAD_CAST "employee", NULL) : NULL;
    ok = emp && copy_definitions(emp, rec->employee);
    if (ok) {
        f->doc = doc;
        f->employee = emp;
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
    xmlChar *dump = NULL;
    int len = 0;
    if (ok) {
        xmlDocDumpMemory(doc, &dump, &len);
        ok = dump && (*key = sc_strndup((const char *)dump, (size_t)len));
        xmlFree(dump);
    }
    if (!ok) {
        if (f && !f->doc)
            xmlFreeDoc(doc);
        sc_record_free(f);
        sc_free(*key);
        *key = NULL;
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
