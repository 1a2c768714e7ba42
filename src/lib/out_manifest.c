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
 * is of the bytes written (sc_sha256_hex).
 *
 * A run may have 100,000 records: each line is written out as its record
 * is delivered, into two files without a name (sc_spill_fd) that vanish
 * with the process, and the manifest files are made from them at the
 * end, so that memory stays the same whatever the size of the batch. */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

typedef struct entry {
    const char *file, *id, *name, *total, *grade, *bonus, *status, *problem;
    int written; /* pages, bytes and sha256 are there */
    int pages;
    size_t bytes;
    char sha256[65];
} entry;

/* One of the two lists: lines not yet spilled, and the spill. */
typedef struct list {
    sc_buf pending;
    int fd;  /* -1 until the first spill */
    int err; /* errno of a spill that failed */
} list;

typedef struct manifest_step {
    sc_step step;
    const char *dir;
    char csv[256], json[256];
    list lcsv, ljson;
    int n;
} manifest_step;

#define SPILL_AT 65536

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

static void csv_line(sc_buf *csv, const entry *e)
{
    const char *text[] = {e->file, e->id, e->name};
    for (int k = 0; k < 3; k++) {
        csv_field(csv, text[k] ? text[k] : "");
        sc_buf_puts(csv, ",");
    }
    if (e->written)
        sc_buf_printf(csv, "%d,%zu,%s,", e->pages, e->bytes, e->sha256);
    else
        sc_buf_puts(csv, ",,,");
    const char *rest[] = {e->total, e->grade, e->bonus, e->status, e->problem};
    for (int k = 0; k < 5; k++) {
        csv_field(csv, rest[k] ? rest[k] : "");
        sc_buf_puts(csv, k < 4 ? "," : "\r\n");
    }
}

static void json_object(sc_buf *json, const entry *e, int first)
{
    sc_buf_puts(json, first ? "\n    {" : ",\n    {");
    const char *keys[] = {"file", "id", "name"};
    const char *text[] = {e->file, e->id, e->name};
    for (int k = 0; k < 3; k++) {
        sc_buf_printf(json, "\"%s\": ", keys[k]);
        json_string(json, text[k] ? text[k] : "");
        sc_buf_puts(json, ", ");
    }
    if (e->written)
        sc_buf_printf(json, "\"pages\": %d, \"bytes\": %zu, \"sha256\": \"%s\", ", e->pages,
                      e->bytes, e->sha256);
    else
        sc_buf_puts(json, "\"pages\": null, \"bytes\": null, \"sha256\": null, ");
    const char *rkeys[] = {"total", "grade", "bonus", "status", "problem"};
    const char *rest[] = {e->total, e->grade, e->bonus, e->status, e->problem};
    for (int k = 0; k < 5; k++) {
        sc_buf_printf(json, "\"%s\": ", rkeys[k]);
        json_string(json, rest[k] ? rest[k] : "");
        sc_buf_puts(json, k < 4 ? ", " : "}");
    }
}

/* The pending lines into the spill once there are enough of them. */
static void spill(list *l, size_t at)
{
    if (l->err || l->pending.len < at || l->pending.oom)
        return;
    if (l->fd < 0 && (l->fd = sc_spill_fd()) < 0) {
        l->err = errno;
        return;
    }
    if (sc_write_all(l->fd, l->pending.data, l->pending.len) != 0) {
        l->err = errno;
        return;
    }
    l->pending.len = 0;
}

/* The record's line in both lists. */
static sc_status add(manifest_step *ms, const entry *e, sc_error *err)
{
    csv_line(&ms->lcsv.pending, e);
    json_object(&ms->ljson.pending, e, ms->n == 0);
    ms->n++;
    if (ms->lcsv.pending.oom || ms->ljson.pending.oom)
        return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    spill(&ms->lcsv, SPILL_AT);
    spill(&ms->ljson, SPILL_AT);
    return SC_OK;
}

static sc_status manifest_doc(sc_step *self, sc_doc *d, sc_error *err)
{
    manifest_step *ms = (manifest_step *)self;
    entry e = {.file = d->name,
               .id = sc_record_get(d->rec, "id"),
               .name = sc_record_get(d->rec, "name"),
               .total = sc_record_get(d->rec, "total"),
               .grade = sc_record_get(d->rec, "grade"),
               .bonus = sc_record_get(d->rec, "bonus"),
               .status = "ok",
               .problem = "",
               .written = 1,
               .pages = d->laid ? d->laid->npages : 0,
               .bytes = d->len};
    sc_sha256_hex(d->pdf, d->len, e.sha256);
    return add(ms, &e, err);
}

static int manifest_failed(sc_step *self, sc_doc *d, const sc_error *why, sc_error *note)
{
    (void)note;
    manifest_step *ms = (manifest_step *)self;
    char id[128] = "";
    const char *name = "";
    if (d->rec) {
        snprintf(id, sizeof id, "%s", sc_record_get(d->rec, "id"));
        name = sc_record_get(d->rec, "name"); /* whole, however long */
    } else if (why) { /* only its label: "id name" */
        const char *sp = strchr(why->employee, ' ');
        snprintf(id, sizeof id, "%.*s", sp ? (int)(sp - why->employee) : 127, why->employee);
        name = sp ? sp + 1 : "";
    }
    entry e = {.id = id,
               .name = name,
               .total = "",
               .grade = "",
               .bonus = "",
               .status = "error",
               .problem = why ? (why->message[0] ? why->message : sc_strerror(why->code)) : ""};
    /* written, then failed by a later step (mail): the file is there */
    e.file = d->path[0] ? d->name : "";
    if (d->path[0]) {
        e.written = 1;
        e.pages = d->laid ? d->laid->npages : 0;
        e.bytes = d->len;
        sc_sha256_hex(d->pdf, d->len, e.sha256);
    }
    sc_error ignored;
    add(ms, &e, &ignored); /* out of memory: said again at the end */
    return 0;
}

/* ---- writing ---------------------------------------------------------------- */

typedef struct filling {
    const char *head, *tail;
    list *l;
} filling;

/* head, the spill from its start, the pending lines, tail. */
static int fill(void *ud, int fd)
{
    const filling *f = ud;
    if (sc_write_all(fd, f->head, strlen(f->head)) != 0)
        return errno;
    if (f->l->fd >= 0) {
        if (lseek(f->l->fd, 0, SEEK_SET) != 0)
            return errno;
        char chunk[65536];
        ssize_t k;
        while ((k = read(f->l->fd, chunk, sizeof chunk)) != 0) {
            if (k < 0 && errno == EINTR)
                continue;
            if (k < 0 || sc_write_all(fd, chunk, (size_t)k) != 0)
                return errno;
        }
    }
    if (sc_write_all(fd, f->l->pending.data, f->l->pending.len) != 0 ||
        sc_write_all(fd, f->tail, strlen(f->tail)) != 0)
        return errno;
    return 0;
}

static sc_status manifest_end(sc_step *self, int *files, int *pages, sc_error *err)
{
    (void)files;
    (void)pages;
    manifest_step *ms = (manifest_step *)self;
    if (ms->n == 0)
        return SC_OK; /* no record reached: the folder's manifest stays as it was */
    if (ms->lcsv.pending.oom || ms->ljson.pending.oom)
        return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    int lost = ms->lcsv.err ? ms->lcsv.err : ms->ljson.err;
    if (lost)
        return sc_error_set(err, SC_ERR_IO, NULL, 0, 0,
                            "cannot keep the manifest's lines until the end of the run "
                            "in a temporary file: %s; set TMPDIR to a folder with room",
                            strerror(lost));
    filling csv = {"file,id,name,pages,bytes,sha256,total,grade,bonus,status,problem\r\n",
                   "", &ms->lcsv};
    filling json = {"{\n  \"documents\": [", "\n  ]\n}\n", &ms->ljson};
    sc_status st = sc_file_write_with(ms->dir, ms->csv, fill, &csv, err);
    if (st == SC_OK)
        st = sc_file_write_with(ms->dir, ms->json, fill, &json, err);
    return st;
}

static void manifest_free(sc_step *self)
{
    manifest_step *ms = (manifest_step *)self;
    list *both[] = {&ms->lcsv, &ms->ljson};
    for (int i = 0; i < 2; i++) {
        sc_buf_free(&both[i]->pending);
        if (both[i]->fd >= 0)
            close(both[i]->fd);
    }
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
    ms->lcsv.fd = ms->ljson.fd = -1;
    snprintf(ms->csv, sizeof ms->csv, "%s.csv", stem);
    snprintf(ms->json, sizeof ms->json, "%s.json", stem);
    return &ms->step;
}
