/* out_manifest.c -- the output step that lists what a run wrote: one
 * line per record (the file, employee id, name, pages, bytes, SHA-256,
 * total, grade, bonus, status), written at the end as CSV and JSON beside
 * the sheets, for archive systems to ingest and for HR to see at a glance
 * which sheets in the folder are this run's.
 *
 * Every record of the run has its line, in record order: a refused one
 * with status "error", no file and its first problem, so that a sheet an
 * earlier run left under the same name is never taken for this run's.
 * The lists hold nothing that changes from run to run (no time, no path
 * but the file name): the same batch gives the same manifest.  The SHA-256
 * is of the bytes written (sc_sha256_hex). */
#include "internal.h"

#include <stdio.h>
#include <string.h>

typedef struct entry {
    char *file, *id, *name, *total, *grade, *bonus, *status, *problem;
    int pages;
    size_t bytes;
    char sha256[65];
} entry;

typedef struct manifest_step {
    sc_step step;
    const char *dir;
    char csv[256], json[256];
    entry *v;
    int n, cap;
    int oom;
} manifest_step;

static char *dup0(const char *s) { return sc_strdup(s ? s : ""); }

static entry *add(manifest_step *ms)
{
    if (ms->n == ms->cap) {
        int cap = ms->cap ? ms->cap * 2 : 64;
        entry *v = sc_realloc(ms->v, (size_t)cap * sizeof *v);
        if (!v) {
            ms->oom = 1;
            return NULL;
        }
        ms->v = v;
        ms->cap = cap;
    }
    entry *e = &ms->v[ms->n++];
    memset(e, 0, sizeof *e);
    return e;
}

static sc_status manifest_doc(sc_step *self, sc_doc *d, sc_error *err)
{
    manifest_step *ms = (manifest_step *)self;
    entry *e = add(ms);
    if (!e)
        return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    e->file = dup0(d->name);
    e->id = dup0(sc_record_get(d->rec, "id"));
    e->name = dup0(sc_record_get(d->rec, "name"));
    e->total = dup0(sc_record_get(d->rec, "total"));
    e->grade = dup0(sc_record_get(d->rec, "grade"));
    e->bonus = dup0(sc_record_get(d->rec, "bonus"));
    e->status = dup0("ok");
    e->problem = dup0("");
    e->pages = d->laid ? d->laid->npages : 0;
    e->bytes = d->len;
    sc_sha256_hex(d->pdf, d->len, e->sha256);
    return SC_OK;
}

static int manifest_failed(sc_step *self, sc_doc *d, const sc_error *why, sc_error *note)
{
    (void)note;
    manifest_step *ms = (manifest_step *)self;
    entry *e = add(ms);
    if (!e)
        return 0;
    char id[128] = "", *name = NULL;
    if (d->rec) {
        snprintf(id, sizeof id, "%s", sc_record_get(d->rec, "id"));
        name = dup0(sc_record_get(d->rec, "name"));
    } else if (why) { /* only its label: "id name" */
        const char *sp = strchr(why->employee, ' ');
        snprintf(id, sizeof id, "%.*s", sp ? (int)(sp - why->employee) : 127, why->employee);
        name = dup0(sp ? sp + 1 : "");
    }
    /* written, then failed by a later step (mail): the file is there */
    e->file = dup0(d->path[0] ? d->name : "");
    if (d->path[0]) {
        e->pages = d->laid ? d->laid->npages : 0;
        e->bytes = d->len;
        sc_sha256_hex(d->pdf, d->len, e->sha256);
    }
    e->id = dup0(id);
    e->name = name ? name : dup0("");
    e->total = dup0("");
    e->grade = dup0("");
    e->bonus = dup0("");
    e->status = dup0("error");
    e->problem = dup0(why ? (why->message[0] ? why->message : sc_strerror(why->code)) : "");
    return 0;
}

/* ---- writing ---------------------------------------------------------------- */

static void csv_field(sc_buf *b, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        sc_buf_puts(b, s);
        return;
    }
    sc_buf_puts(b, "\"");
    for (; *s; s++) {
        if (*s == '"')
            sc_buf_puts(b, "\"");
        sc_buf_append(b, s, 1);
    }
    sc_buf_puts(b, "\"");
}

static void json_string(sc_buf *b, const char *s)
{
    sc_buf_puts(b, "\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            char esc[3] = {'\\', (char)c, 0};
            sc_buf_puts(b, esc);
        } else if (c < 0x20) {
            sc_buf_printf(b, "\\u%04x", c);
        } else {
            sc_buf_append(b, s, 1);
        }
    }
    sc_buf_puts(b, "\"");
}

static sc_status manifest_end(sc_step *self, int *files, int *pages, sc_error *err)
{
    (void)files;
    (void)pages;
    manifest_step *ms = (manifest_step *)self;
    if (ms->oom)
        return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    if (ms->n == 0)
        return SC_OK; /* no record reached: the folder's manifest stays as it was */
    sc_buf csv = {0}, json = {0};
    sc_buf_puts(&csv, "file,id,name,pages,bytes,sha256,total,grade,bonus,status,problem\r\n");
    sc_buf_puts(&json, "{\n  \"documents\": [");
    for (int i = 0; i < ms->n; i++) {
        const entry *e = &ms->v[i];
        const char *text[] = {e->file, e->id, e->name};
        for (int k = 0; k < 3; k++) {
            csv_field(&csv, text[k] ? text[k] : "");
            sc_buf_puts(&csv, ",");
        }
        if (e->file[0])
            sc_buf_printf(&csv, "%d,%zu,%s,", e->pages, e->bytes, e->sha256);
        else
            sc_buf_puts(&csv, ",,,");
        const char *rest[] = {e->total, e->grade, e->bonus, e->status, e->problem};
        for (int k = 0; k < 5; k++) {
            csv_field(&csv, rest[k] ? rest[k] : "");
            sc_buf_puts(&csv, k < 4 ? "," : "\r\n");
        }
        sc_buf_puts(&json, i ? ",\n    {" : "\n    {");
        const char *keys[] = {"file", "id", "name"};
        for (int k = 0; k < 3; k++) {
            sc_buf_printf(&json, "\"%s\": ", keys[k]);
            json_string(&json, text[k] ? text[k] : "");
            sc_buf_puts(&json, ", ");
        }
        if (e->file[0])
            sc_buf_printf(&json, "\"pages\": %d, \"bytes\": %zu, \"sha256\": \"%s\", ", e->pages,
                          e->bytes, e->sha256);
        else
            sc_buf_puts(&json, "\"pages\": null, \"bytes\": null, \"sha256\": null, ");
        const char *rkeys[] = {"total", "grade", "bonus", "status", "problem"};
        for (int k = 0; k < 5; k++) {
            sc_buf_printf(&json, "\"%s\": ", rkeys[k]);
            json_string(&json, rest[k] ? rest[k] : "");
            sc_buf_puts(&json, k < 4 ? ", " : "}");
        }
    }
    sc_buf_puts(&json, "\n  ]\n}\n");
    sc_status st = SC_OK;
    if (csv.oom || json.oom)
        st = sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    if (st == SC_OK)
        st = sc_file_write(ms->dir, ms->csv, csv.data, csv.len, err);
    if (st == SC_OK)
        st = sc_file_write(ms->dir, ms->json, json.data, json.len, err);
    sc_buf_free(&csv);
    sc_buf_free(&json);
    return st;
}

static void manifest_free(sc_step *self)
{
    manifest_step *ms = (manifest_step *)self;
    for (int i = 0; i < ms->n; i++) {
        entry *e = &ms->v[i];
        char *all[] = {e->file, e->id, e->name, e->total, e->grade, e->bonus, e->status,
                       e->problem};
        for (size_t k = 0; k < sizeof all / sizeof *all; k++)
            sc_free(all[k]);
    }
    sc_free(ms->v);
    sc_free(ms);
}

sc_step *sc_step_manifest(const char *dir, const char *stem)
{
    manifest_step *ms = sc_calloc(1, sizeof *ms);
    if (!ms)
        return NULL;
    ms->step.what = "manifest";
    ms->step.doc = manifest_doc;
    ms->step.end = manifest_end;
    ms->step.free = manifest_free;
    ms->step.failed = manifest_failed;
    ms->dir = dir;
    snprintf(ms->csv, sizeof ms->csv, "%s.csv", stem);
    snprintf(ms->json, sizeof ms->json, "%s.json", stem);
    return &ms->step;
}
