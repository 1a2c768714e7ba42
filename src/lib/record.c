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
    free(rec->label);
    free(rec->total);
    free(rec->grade);
    free(rec->bonus);
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
