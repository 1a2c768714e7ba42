/* out_summary.c -- the output step that makes the department summary
 * (部门绩效汇总表) of a whole run as a file of its own: `scorecard
 * summary -d DATA -o FILE.pdf`.  It keeps rows, not pages (summary.c):
 * each record's figures as its sheet prints them, or its problem; at the
 * end the rows are laid out with the summary template and written
 * through sc_file_write, or handed over as a layout dump. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

typedef struct summary_step {
    sc_step step;
    const sc_fonts *fonts;
    const sc_template *tpl;
    int sort;
    long long created;
    sc_diag_fn warn;
    void *warn_ud;
    void (*dump_fn)(void *ud, const char *dump);
    void *dump_ud;
    char dir[4096], name[1024];
    sc_summary *sum;
} summary_step;

static sc_status summary_doc(sc_step *self, sc_doc *d, sc_error *err)
{
    summary_step *ss = (summary_step *)self;
    return sc_summary_add(ss->sum, 0, d->rec, err);
}

static int summary_failed(sc_step *self, sc_doc *d, const sc_error *why, sc_error *said)
{
    const sc_record *rec = d->rec;
    const char *label = d->label;
    (void)said;
    summary_step *ss = (summary_step *)self;
    sc_error e;
    (void)sc_summary_add_failed(ss->sum, 0, rec, label, why, &e);
    return 0;
}

static void note(void *ud, const char *msg)
{
    summary_step *ss = ud;
    if (!ss->warn)
        return;
    sc_error e;
    memset(&e, 0, sizeof e);
    e.code = SC_ERR_DATA;
    snprintf(e.message, sizeof e.message, "%s", msg);
    ss->warn(ss->warn_ud, &e);
}

static sc_status summary_end(sc_step *self, int *files, int *pages, sc_error *err)
{
    summary_step *ss = (summary_step *)self;
    if (!sc_summary_rows(ss->sum))
        return SC_OK; /* nothing read: the run says why */
    sc_summary_view v = {-1, ss->sort, NULL, NULL, NULL, NULL, note, ss};
    sc_record *rec = NULL;
    sc_status st = sc_summary_record(ss->sum, &v, &rec, err);
    if (st != SC_OK)
        return st;
    sc_arena *a = sc_arena_new();
    sc_laid *laid = NULL;
    sc_render_opts ro = SC_RENDER_OPTS_INIT;
    ro.allow_missing_glyphs = 1; /* a name no font has failed its record */
    ro.diag = ss->warn;
    ro.diag_ud = ss->warn_ud;
    st = a ? sc_render_layout(ss->tpl, ss->fonts, rec, &ro, a, &laid, NULL, err)
           : sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    if (st == SC_OK && ss->dump_fn) {
        sc_buf b = {0};
        sc_dump(laid, ss->fonts, &b);
        if (b.oom)
            st = sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
        else
            ss->dump_fn(ss->dump_ud, b.data ? b.data : "");
        sc_buf_free(&b);
    } else if (st == SC_OK) {
        unsigned char *bytes = NULL;
        size_t len = 0;
        sc_pdf_opts po = {.created = ss->created >= 0 ? ss->created : rec->date};
        st = sc_render_pdf(laid, ss->fonts, &po, &bytes, &len, err);
        if (st == SC_OK)
            st = sc_file_write(ss->dir, ss->name, bytes, len, err);
        sc_free(bytes);
        if (st == SC_OK) {
            *files += 1;
            *pages += laid->npages;
        }
    }
    sc_arena_free(a);
    sc_record_free(rec);
    return st;
}

static void summary_free(sc_step *self)
{
    summary_step *ss = (summary_step *)self;
    sc_summary_free(ss->sum);
    sc_free(ss);
}

sc_step *sc_step_summary(const char *path, const sc_template *tpl, const sc_fonts *fonts,
                         int sort, long long created, sc_diag_fn warn, void *warn_ud,
                         void (*dump_fn)(void *ud, const char *dump), void *dump_ud)
{
    summary_step *ss = sc_calloc(1, sizeof *ss);
    if (!ss)
        return NULL;
    if (!(ss->sum = sc_summary_new())) {
        sc_free(ss);
        return NULL;
    }
    ss->step.what = "the summary";
    ss->step.doc = summary_doc;
    ss->step.failed = summary_failed;
    ss->step.end = summary_end;
    ss->step.free = summary_free;
    ss->fonts = fonts;
    ss->tpl = tpl;
    ss->sort = sort;
    ss->created = created;
    ss->warn = warn;
    ss->warn_ud = warn_ud;
    ss->dump_fn = dump_fn;
    ss->dump_ud = dump_ud;
    const char *p = path ? path : "summary.pdf";
    const char *slash = strrchr(p, '/');
    if (slash) {
        snprintf(ss->dir, sizeof ss->dir, "%.*s", (int)(slash - p), p);
        if (!ss->dir[0])
            snprintf(ss->dir, sizeof ss->dir, "/");
        snprintf(ss->name, sizeof ss->name, "%s", slash + 1);
    } else {
        snprintf(ss->dir, sizeof ss->dir, ".");
        snprintf(ss->name, sizeof ss->name, "%s", p);
    }
    return &ss->step;
}
