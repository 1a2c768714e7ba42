/* batch.c -- the batch driver: every record of every data file through
 * the pipeline, each record's outcome reported in record order.
 *
 *   reader (data.c) -> template cache -> font bases of the form
 *     -> glyph coverage (coverage.c) -> bind + layout (render.c)
 *     -> PDF bytes (pdf.c) or the layout dump
 *     -> output steps (out_name.c, out_file.c, out_book.c, ...)
 *     -> on_result
 *
 * Per record the work falls in three parts, kept apart so that the middle
 * one can run anywhere:
 *
 *   prepare  (in order)  read the record, find its template;
 *   work     (any order) find or make its form's font bases, check glyphs,
 *                        lay out, make the PDF bytes or the dump, and the
 *                        output steps' own work (its file written and
 *                        flushed) -- it reads only the record, the
 *                        template, the fonts and the bases, all immutable
 *                        by then;
 *   deliver  (in order)  the output steps, then the record's problems
 *                        (held back until now, so that messages come in
 *                        record order), then on_result.
 *
 * Threads.  The calling thread reads and prepares records and delivers
 * them; `jobs` maker threads (each with its compressors, flate.c) do the
 * work, and writer threads the output steps' work, which mostly waits for
 * the disk (an fsync takes milliseconds; several at once cost little more
 * than one), so that records are made while others are written.  With one
 * job and nothing to write, the calling thread does everything.  The
 * caller keeps a window of records in flight (so memory does not grow
 * with the batch), hands each on in record order and waits for the oldest
 * to deliver it.  Every callback runs on the calling thread, in record
 * order; nothing a worker does depends on another worker, so the bytes,
 * names and messages are those of a run with one thread.
 *
 * Templates are loaded once per run and shared by every data file.  Font
 * bases are made from a record's form -- the batch header and its sheet's
 * definitions, laid out with its template -- and kept for the records of
 * the same form (record.c, fontbases.c); the first worker that needs a
 * form's bases makes them while the others that need them wait.  So a
 * record's PDF is the same bytes whether it is rendered alone, anywhere
 * in its batch, in a reversed batch, or on any thread.
 *
 * What fails a record fails it alone.  What makes a data file unusable
 * (unreadable, a bad header, its template missing) skips that file; what
 * cuts a file short (malformed XML half-way) ends it after the records
 * already read.  Both are counted apart from refused records. */
#include "internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_HELD 256   /* problems held back per record */
#define MAX_FORMS 16   /* bases kept per data file; more are made again */
#define WRITERS 4      /* threads for the output steps' work (the disk) */
#define WINDOW_MIN 2   /* records in flight: this + 2 per maker + writers */
#define GROUP 16       /* records held back for one flush (out_file.c), and
                        * as many more in flight */

/* ---- templates and forms ------------------------------------------------- */

typedef struct tentry {
    char *path;
    sc_template *tpl;  /* NULL: loading failed (err says why) */
    sc_error err;
    /* what its selects gave over the records of the current data file */
    unsigned char *evaluated, *matched;
    int records;
} tentry;

/* The font bases of one form: a template and the definitions its
 * records share (sc_record_form's key).  Listed in the run's table
 * (under run.lock) and used by the records in flight: `refs` counts both,
 * and the last one frees it.  `made` and `bases` are set once, under
 * `make`, by the first worker that needs them. */
typedef struct form {
    const sc_template *tpl;
    char *key;
    sc_fontbases *bases; /* NULL: none could be made */
    int made;
    int refs;
    pthread_mutex_t make;
} form;

/* A problem held back until the record is delivered. */
typedef struct held {
    sc_error e;
    int warning;
} held;

typedef struct run run;

/* A worker thread: a maker (work) with its compressors, or a writer (the
 * output steps' work). */
typedef struct worker {
    run *R;
    pthread_t thread;
    sc_flate *flate; /* makers only */
} worker;

typedef struct job {
    run *R;
    int index;
    const char *data;
    sc_record *rec;
    const sc_template *tpl;
    form *form;
    const sc_fontbases *bases;
    char label[128];
    sc_arena *arena;
    sc_laid *laid;
    char *dump;
    sc_figure *figures; /* in arena: what the sheet prints as its result */
    int nfigures;
    unsigned char *pdf; /* its PDF (per-record files) */
    size_t len;
    sc_doc d;          /* on its way out: name, temporary file, path */
    int worked;        /* output steps whose work ran */
    int work_failed;   /* the step whose work failed, or -1 */
    sc_status st;
    sc_error err;
    held *held;        /* problems of this record, in the order found */
    int nheld, capheld;
    int done_before;   /* a step's admit: nothing to do (an earlier run) */
    int cut_short;     /* its data file breaks off inside it */
    sc_selects sel;    /* what its template's selects gave (arena) */
    int admitted;      /* the steps admitted it when it was prepared */
    int nheld_admitted; /* problems held by then */
    int needs_work;    /* prepared: hand it to a worker */
    int done;          /* worked (under run.lock) */
    struct job *next;  /* the workers' queue */
} job;

struct run {
    const sc_fonts *fonts;
    sc_batch_opts o;
    sc_batch_summary *sum;
    tentry *tpl;
    int ntpl, captpl;
    sc_step *steps[16];
    int nsteps;
    int index;
    job *cur;          /* the job the reader's problems are held for */
    int passed;        /* problems passed on at once, so far */
    /* the window of records in flight, oldest first (calling thread) */
    job **win;
    int nwin, capwin, head;
    int grouped;       /* a step holds records back (ready): see deliver_done */
    /* shared with the workers, under lock */
    pthread_mutex_t lock;
    pthread_cond_t make_cv;   /* a job to make, or stop */
    pthread_cond_t write_cv;  /* a job to write, or stop */
    pthread_cond_t done_cv;   /* a job is done */
    job *make_q, *make_tail, *write_q, *write_tail;
    int stop;
    form **forms;      /* of the current data file, oldest first */
    int nforms;
    worker *makers, *writers;
    int nmakers, nwriters;  /* threads running */
    int want_makers, want_writers; /* threads to start */
    int submitted;     /* records handed on so far */
    sc_flate *flate;   /* the calling thread's, when it makes records */
};

/* ---- problems ------------------------------------------------------------ */

static void hold(job *j, const sc_error *e, int warning)
{
    if (j->nheld == MAX_HELD)
        return;
    if (j->nheld == j->capheld) {
        int cap = j->capheld ? j->capheld * 2 : 4;
        held *h = sc_realloc(j->held, (size_t)cap * sizeof *h);
        if (!h)
            return; /* the record's own status still says it failed */
        j->held = h;
        j->capheld = cap;
    }
    j->held[j->nheld].e = *e;
    sc_error_tidy(&j->held[j->nheld].e);
    j->held[j->nheld++].warning = warning;
}

/* The reader's problems (calling thread): held for the record being read
 * or prepared, else (a data file's header, a template) passed on at
 * once. */
static void on_problem(void *ud, const sc_error *e)
{
    run *R = ud;
    if (R->cur) {
        hold(R->cur, e, 0);
        return;
    }
    R->passed++;
    sc_diag_emit(R->o.diag, R->o.diag_ud, e);
}

/* The reader's warnings (calling thread), as its problems. */
static void on_warning(void *ud, const sc_error *e)
{
    run *R = ud;
    if (R->cur)
        hold(R->cur, e, 1);
    else
        sc_diag_emit(R->o.warn, R->o.warn_ud, e);
}

/* A record's problems and warnings while it is worked on (any thread). */
static void job_problem(void *ud, const sc_error *e) { hold(ud, e, 0); }
static void job_warning(void *ud, const sc_error *e) { hold(ud, e, 1); }

/* The record failed with j->err: make sure it was reported. */
static void fail_job(job *j, sc_status st)
{
    j->st = st;
    for (int i = 0; i < j->nheld; i++)
        if (!j->held[i].warning)
            return;
    if (!j->err.employee[0])
        snprintf(j->err.employee, sizeof j->err.employee, "%s", j->label);
    hold(j, &j->err, 0);
}

/* ---- templates ----------------------------------------------------------- */

/* The template at path, loaded once per run; NULL with *err set. */
static const sc_template *template_at(run *R, const char *path, sc_error *err)
{
    for (int i = 0; i < R->ntpl; i++)
        if (!strcmp(R->tpl[i].path, path)) {
            if (!R->tpl[i].tpl)
                *err = R->tpl[i].err;
            return R->tpl[i].tpl;
        }
    if (R->ntpl == R->captpl) {
        int cap = R->captpl ? R->captpl * 2 : 8;
        tentry *t = sc_realloc(R->tpl, (size_t)cap * sizeof *t);
        if (!t) {
            sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
            return NULL;
        }
        R->tpl = t;
        R->captpl = cap;
    }
    tentry *t = &R->tpl[R->ntpl];
    memset(t, 0, sizeof *t);
    if (!(t->path = sc_strdup(path))) {
        sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
        return NULL;
    }
    R->ntpl++;
    if (sc_template_load(&t->tpl, path, on_problem, R, &t->err) != SC_OK) {
        t->tpl = NULL;
        *err = t->err;
    }
    return t->tpl;
}

/* The template -t names, or the one called `name` for data file `data`. */
static const sc_template *template_for(run *R, const char *data, const char *name,
                                       sc_error *err)
{
    if (!name)
        return template_at(R, R->o.template_file, err);
    char path[4096];
    if (sc_template_find(path, sizeof path, name, R->o.template_dir, data,
                         R->o.template_path, err) != SC_OK)
        return NULL;
    return template_at(R, path, err);
}

/* ---- font bases ----------------------------------------------------------
 *
 * A record's bases are made from its form (sc_record_form: the header and
 * its sheet's definitions, none of its results) laid out with its
 * template, and kept for the next record of the same template and form.
 * The bases are a function of the template and that form alone, so which
 * records came before, which thread made them, and whether they were kept
 * or made again, never changes a byte of the output: only the time it
 * takes. */

static void form_free(form *f)
{
    sc_fontbases_free(f->bases);
    sc_free(f->key);
    pthread_mutex_destroy(&f->make);
    sc_free(f);
}

/* Drop one reference (under R->lock); the last one frees the form. */
static void form_release(form *f)
{
    if (f && --f->refs == 0)
        form_free(f);
}

static void forms_clear(run *R)
{
    pthread_mutex_lock(&R->lock);
    for (int i = 0; i < R->nforms; i++)
        form_release(R->forms[i]);
    R->nforms = 0;
    pthread_mutex_unlock(&R->lock);
}

/* The form of rec with tpl from the run's table, or a new entry for it
 * (under R->lock); a reference for the caller.  key is taken. */
static form *form_find(run *R, const sc_template *tpl, char *key)
{
    pthread_mutex_lock(&R->lock);
    form *f = NULL;
    for (int i = 0; i < R->nforms && !f; i++)
        if (R->forms[i]->tpl == tpl && !strcmp(R->forms[i]->key, key))
            f = R->forms[i];
    if (f) {
        sc_free(key);
    } else if ((f = sc_calloc(1, sizeof *f))) {
        f->tpl = tpl;
        f->key = key;
        f->refs = 1; /* the table's */
        pthread_mutex_init(&f->make, NULL);
        if (R->nforms == MAX_FORMS) { /* the oldest goes */
            form_release(R->forms[0]);
            memmove(R->forms, R->forms + 1, (MAX_FORMS - 1) * sizeof *R->forms);
            R->nforms--;
        }
        R->forms[R->nforms++] = f;
    } else {
        sc_free(key);
    }
    if (f)
        f->refs++;
    pthread_mutex_unlock(&R->lock);
    return f;
}

/* The bases of j's form, made now if no one has (any thread); NULL
 * (compress whole) when they cannot be made, which is never an error. */
static const sc_fontbases *bases_for(run *R, job *j)
{
    if (R->o.produce != SC_PRODUCE_PDF)
        return NULL;
    char *key = sc_record_form_key(j->rec);
    if (!key)
        return NULL;
    form *f = j->form = form_find(R, j->tpl, key);
    if (!f)
        return NULL;
    pthread_mutex_lock(&f->make);
    if (!f->made) {
        /* j's form is the form of every record with its key */
        sc_record *blank = NULL;
        sc_arena *a = sc_arena_new();
        sc_laid *laid = NULL;
        sc_error e;
        /* Markers instead of missing-glyph failures, and no warnings: the
         * form's problems are its records' to report. */
        sc_render_opts ro = SC_RENDER_OPTS_INIT;
        ro.watermark = R->o.watermark;
        ro.allow_missing_glyphs = 1;
        if (a && sc_record_form(j->rec, &blank, &e) == SC_OK &&
            sc_render_layout(f->tpl, R->fonts, blank, &ro, a, &laid, NULL, &e) == SC_OK)
            (void)sc_fontbases_new(&f->bases, R->fonts, laid, &e);
        sc_arena_free(a);
        sc_record_free(blank);
        f->made = 1;
    }
    pthread_mutex_unlock(&f->make);
    return f->bases;
}

/* ---- selects that give nothing ------------------------------------------------
 *
 * A misspelt path in a template (kpis/catagory/kpi, nmae) is valid XPath
 * and selects nothing: every sheet gets an empty table or an empty 姓名 and
 * is otherwise fine.  One record proves nothing (an employee may have no
 * adjustments), a whole batch does: after the last record of a data file,
 * each select that ran for its records and never gave anything is said
 * once, as a warning -- an error with `strict`, for the CI of templates.
 * What ran inside an <if> whose test was false did not run at all, which
 * is how a template says that something is optional. */

static void note_selects(run *R, const job *j)
{
    if (!j->tpl || !j->sel.evaluated)
        return;
    for (int i = 0; i < R->ntpl; i++) {
        tentry *t = &R->tpl[i];
        if (t->tpl != j->tpl)
            continue;
        size_t n = t->tpl->nexprs ? t->tpl->nexprs : 1;
        if (!t->evaluated && (!(t->evaluated = sc_calloc(n, 1)) ||
                              !(t->matched = sc_calloc(n, 1))))
            return; /* a warning less, never a failure */
        for (size_t k = 0; k < t->tpl->nexprs; k++) {
            t->evaluated[k] |= j->sel.evaluated[k];
            t->matched[k] |= j->sel.matched[k];
        }
        t->records++;
    }
}

static void report_selects(run *R, const char *data)
{
    for (int i = 0; i < R->ntpl; i++) {
        tentry *t = &R->tpl[i];
        for (size_t k = 0; t->records && k < t->tpl->nexprs; k++) {
            if (!t->evaluated[k] || t->matched[k])
                continue;
            const struct sc_texpr *x = &t->tpl->exprinfo[k];
            char hint[200] = "";
            if (sc_path_hint(x->src, hint + 2, sizeof hint - 2))
                memcpy(hint, "; ", 2);
            sc_error e;
            sc_error_set(&e, SC_ERR_TEMPLATE, t->path, x->line, 0,
                         "%s=\"%s\" gives nothing for any of the %d record%s of %s%s", x->attr,
                         x->src, t->records, t->records > 1 ? "s" : "", data, hint);
            if (R->o.strict) {
                R->sum->unmatched++;
                if (R->o.diag)
                    R->o.diag(R->o.diag_ud, &e);
            } else if (R->o.warn) {
                R->o.warn(R->o.warn_ud, &e);
            }
        }
        sc_free(t->evaluated);
        sc_free(t->matched);
        t->evaluated = t->matched = NULL;
        t->records = 0;
    }
}

/* ---- one record ---------------------------------------------------------- */

static void job_free(job *j)
{
    if (j->form) {
        pthread_mutex_lock(&j->R->lock);
        form_release(j->form);
        pthread_mutex_unlock(&j->R->lock);
    }
    sc_record_free(j->rec);
    sc_arena_free(j->arena);
    sc_free(j->dump);
    sc_free(j->pdf);
    sc_free(j->held);
    sc_free(j);
}

/* Ask the steps whether the record is to be worked on, the last step
 * first: it may know that nothing is left to do for the record (mailed in
 * an earlier run), and then what earlier steps would need of it does not
 * matter. */
static int admit(run *R, job *j)
{
    j->d.rec = j->rec;
    j->d.created = R->o.created >= 0 ? R->o.created : j->rec->date;
    for (int i = R->nsteps - 1; i >= 0; i--) {
        sc_step *s = R->steps[i];
        if (!s->admit)
            continue;
        sc_status st = s->admit(s, &j->d, &j->err);
        if (st == SC_END) {
            j->done_before = 1;
            return 0;
        }
        if (st != SC_OK) {
            fail_job(j, st);
            return 0;
        }
    }
    return 1;
}

/* Admit the record, find its template and its form's bases (in record
 * order). */
static void prepare(run *R, const sc_template *batch_tpl, job *j)
{
    if (!admit(R, j))
        return;
    j->admitted = 1;
    j->nheld_admitted = j->nheld;
    const char *own = R->o.template_file ? "" : sc_record_get(j->rec, "template");
    if (own[0]) {
        j->tpl = template_for(R, j->data, own, &j->err);
        if (!j->tpl) {
            fail_job(j, j->err.code ? j->err.code : SC_ERR_TEMPLATE);
            return;
        }
    } else if (!(j->tpl = batch_tpl)) {
        sc_error_set(&j->err, SC_ERR_TEMPLATE, j->data, j->rec->line, 0,
                     "neither the batch nor the employee names a template "
                     "(batch/@template, employee/@template): give one with -t "
                     "FILE");
        fail_job(j, SC_ERR_TEMPLATE);
        return;
    }
    j->needs_work = 1;
}

/* Check, lay out, and make the PDF or the dump: reads only immutable
 * state, so it may run on any thread; fl: the thread's compressors. */
static void work(run *R, job *j, sc_flate *fl)
{
    if (j->st != SC_OK || j->done_before)
        return;
    j->bases = bases_for(R, j);
    sc_problems pb = {job_problem, j, &j->err, 0, SC_OK};
    if (!R->o.allow_missing_glyphs &&
        sc_check_glyphs(j->rec, R->fonts, &pb) != SC_OK) {
        j->st = pb.code;
        return;
    }
    sc_render_opts ro = SC_RENDER_OPTS_INIT;
    ro.watermark = R->o.watermark;
    ro.allow_missing_glyphs = R->o.allow_missing_glyphs;
    ro.diag = job_warning;
    ro.diag_ud = j;
    if (!(j->arena = sc_arena_new())) {
        sc_error_set(&j->err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
        fail_job(j, SC_ERR_NOMEM);
        return;
    }
    sc_status st = sc_render_layout(j->tpl, R->fonts, j->rec, &ro, j->arena,
                                    &j->laid, &j->sel, &j->err);
    /* the sheet's figures: binding has checked those of the engine */
    if (st == SC_OK)
        st = sc_figures_eval(j->tpl, j->rec, j->arena, &j->figures, &j->nfigures, &j->err);
    if (st == SC_OK && R->o.produce == SC_PRODUCE_DUMP) {
        sc_buf b = {0};
        sc_dump(j->laid, R->fonts, &b);
        if (b.oom) {
            sc_buf_free(&b);
            st = sc_error_set(&j->err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
        } else {
            j->dump = b.data ? b.data : sc_strdup("");
        }
    }
    if (st == SC_OK && R->o.produce == SC_PRODUCE_PDF && !R->o.combined && !R->o.group_by) {
        sc_pdf_opts po = {.bases = j->bases,
                          .created = R->o.created >= 0 ? R->o.created : j->rec->date,
                          .profile = R->o.profile,
                          .rec = j->rec,
                          .flate = fl};
        st = sc_render_pdf(j->laid, R->fonts, &po, &j->pdf, &j->len, &j->err);
    }
    if (st != SC_OK)
        fail_job(j, st);
}

/* What the output steps see of the record; a step may replace the bytes. */
static void doc_fill(run *R, job *j)
{
    sc_doc *d = &j->d;
    d->rec = j->rec;
    d->laid = j->laid;
    d->bases = j->bases;
    d->created = R->o.created >= 0 ? R->o.created : j->rec->date;
    d->pdf = j->pdf;
    d->len = j->len;
}

/* The bytes a step put in place of the record's are the record's now. */
static void doc_take(job *j)
{
    if (j->d.pdf != j->pdf) {
        sc_free(j->pdf);
        j->pdf = j->d.pdf;
        j->len = j->d.len;
    }
}

/* The output steps' work (any thread, after work): the leading steps that
 * have it, in chain order.  A failure waits for the record's delivery. */
static void work_steps(run *R, job *j)
{
    j->work_failed = -1;
    if (j->st != SC_OK || j->done_before || !R->nsteps)
        return;
    doc_fill(R, j);
    sc_doc *d = &j->d;
    for (; j->worked < R->nsteps && R->steps[j->worked]->work; j->worked++) {
        sc_step *s = R->steps[j->worked];
        sc_status st = s->work(s, d, &j->err);
        doc_take(j);
        if (st != SC_OK) {
            j->work_failed = j->worked++;
            break;
        }
    }
}

/* The output steps, the record's problems, its result (in record order). */
static void deliver(run *R, job *j)
{
    sc_doc *d = &j->d;
    int reached = 0; /* steps whose doc was called */
    /* The steps are asked again: what they know may have changed since
     * the record was prepared, with the records delivered in between (the
     * mail server failed at one of them).  One that refuses now refuses
     * as it would have then, before the record was drawn: what was found
     * while it was made is dropped and what its steps' work did undone. */
    if (j->admitted) {
        int nheld = j->nheld;
        sc_status st = j->st;
        sc_error err = j->err;
        j->nheld = j->nheld_admitted;
        j->st = SC_OK;
        memset(&j->err, 0, sizeof j->err);
        if (admit(R, j)) { /* as before: nothing changes */
            j->nheld = nheld;
            j->st = st;
            j->err = err;
        } else {
            for (int i = 0; i < j->worked; i++)
                if (i != j->work_failed && R->steps[i]->undo)
                    R->steps[i]->undo(R->steps[i], d);
            j->worked = 0;
            j->work_failed = -1;
            d->name[0] = d->tmp[0] = '\0'; /* as if never worked on */
        }
    }
    if (j->st == SC_OK && !j->done_before && R->nsteps) {
        doc_fill(R, j);
        for (int i = 0; i < R->nsteps && j->st == SC_OK; i++) {
            sc_step *s = R->steps[i];
            reached = i + 1;
            if (i == j->work_failed) {
                fail_job(j, j->err.code ? j->err.code : SC_ERR_IO);
                break;
            }
            sc_status st = s->doc ? s->doc(s, d, &j->err) : SC_OK;
            doc_take(j);
            if (st != SC_OK)
                fail_job(j, st);
        }
        /* what work did for steps the record never reached, undone */
        for (int i = reached; i < j->worked; i++)
            if (i != j->work_failed && R->steps[i]->undo)
                R->steps[i]->undo(R->steps[i], d);
    }
    if (j->st != SC_OK && R->nsteps) {
        /* what the steps have to say about a record that failed (d->path
         * is set if a step after the writing failed it: the file is this
         * run's) */
        d->rec = j->rec;
        d->label = j->rec && j->rec->label ? j->rec->label : j->label;
        for (int i = 0; i < R->nsteps; i++) {
            sc_step *s = R->steps[i];
            sc_error note;
            memset(&note, 0, sizeof note);
            if (s->failed && s->failed(s, d, &j->err, &note)) {
                if (!note.employee[0])
                    snprintf(note.employee, sizeof note.employee, "%s", j->label);
                hold(j, &note, 1);
            }
        }
    }
    for (int i = 0; i < j->nheld; i++) {
        sc_diag_fn fn = j->held[i].warning ? R->o.warn : R->o.diag;
        void *ud = j->held[i].warning ? R->o.warn_ud : R->o.diag_ud;
        if (fn)
            fn(ud, &j->held[i].e);
    }
    sc_batch_summary *S = R->sum;
    S->records++;
    int pages = j->st == SC_OK && !j->done_before && j->laid ? j->laid->npages : 0;
    if (j->st == SC_OK) {
        S->ok++;
        if (d->path[0]) {
            S->files++;
            S->pages += pages;
        }
    } else {
        S->failed++;
    }
    if (R->o.on_result) {
        sc_result res;
        memset(&res, 0, sizeof res);
        res.index = j->index;
        res.data_file = j->data;
        res.label = j->rec && j->rec->label ? j->rec->label : j->label;
        res.record = j->rec;
        res.status = j->st;
        sc_error_tidy(&j->err);
        res.error = j->st != SC_OK ? &j->err : NULL;
        res.pages = pages;
        res.bytes = d->path[0] ? j->len : 0;
        res.path = d->path[0] ? d->path : NULL;
        res.dump = j->dump;
        res.figures = j->st == SC_OK && !j->done_before ? j->figures : NULL;
        res.nfigures = j->st == SC_OK && !j->done_before ? j->nfigures : 0;
        res.mail = d->mail;
        res.mail_to = d->mail_to;
        res.mail_note = d->mail_note;
        res.cut_short = j->cut_short;
        R->o.on_result(R->o.result_ud, &res);
    }
    note_selects(R, j);
    job_free(j);
}

/* ---- the workers ---------------------------------------------------------
 *
 * Makers take records in record order and make them (work); a record that
 * has output steps to work goes on to the writers, which mostly wait for
 * the disk -- so `jobs` records are being made while others are being
 * written.  Only makers allocate much; a writer keeps nothing. */

static void push(job **q, job **tail, job *j)
{
    j->next = NULL;
    if (*tail)
        (*tail)->next = j;
    else
        *q = j;
    *tail = j;
}

static job *pop(job **q, job **tail)
{
    job *j = *q;
    if (j && !(*q = j->next))
        *tail = NULL;
    return j;
}

/* Under R->lock: j is done, or waits for a writer. */
static void made(run *R, job *j)
{
    if (R->nwriters && j->st == SC_OK && R->o.produce == SC_PRODUCE_PDF) {
        push(&R->write_q, &R->write_tail, j);
        pthread_cond_signal(&R->write_cv);
        return;
    }
    j->done = 1;
    pthread_cond_broadcast(&R->done_cv);
}

static void *maker_main(void *arg)
{
    worker *w = arg;
    run *R = w->R;
    pthread_mutex_lock(&R->lock);
    for (;;) {
        while (!R->stop && !R->make_q)
            pthread_cond_wait(&R->make_cv, &R->lock);
        job *j = pop(&R->make_q, &R->make_tail);
        if (!j)
            break;
        pthread_mutex_unlock(&R->lock);
        work(R, j, w->flate);
        if (!R->nwriters)
            work_steps(R, j);
        pthread_mutex_lock(&R->lock);
        made(R, j);
    }
    pthread_mutex_unlock(&R->lock);
    return NULL;
}

static void *writer_main(void *arg)
{
    run *R = ((worker *)arg)->R;
    pthread_mutex_lock(&R->lock);
    for (;;) {
        while (!R->stop && !R->write_q)
            pthread_cond_wait(&R->write_cv, &R->lock);
        job *j = pop(&R->write_q, &R->write_tail);
        if (!j)
            break;
        pthread_mutex_unlock(&R->lock);
        work_steps(R, j);
        pthread_mutex_lock(&R->lock);
        j->done = 1;
        pthread_cond_broadcast(&R->done_cv);
    }
    pthread_mutex_unlock(&R->lock);
    return NULL;
}

/* The run's threads: `jobs` makers, and writers when the output steps
 * have work; none when there is nothing to overlap (one job, nothing to
 * write): then the calling thread does everything.  They are started with
 * the second record (start_workers): a run of one record -- process start
 * to first PDF -- makes it here without them. */
static sc_status plan_workers(run *R, sc_error *err)
{
    int jobs = R->o.jobs > 1 ? R->o.jobs : 1;
    int io = R->nsteps > 0 && R->steps[0]->work;
    R->want_makers = jobs > 1 || io ? jobs : 0;
    R->want_writers = io ? WRITERS : 0;
    for (int i = 0; i < R->nsteps; i++)
        R->grouped |= R->steps[i]->ready != NULL;
    R->capwin = WINDOW_MIN + 2 * jobs + R->want_writers + (R->grouped ? GROUP : 0);
    R->win = sc_calloc((size_t)R->capwin, sizeof *R->win);
    R->makers = sc_calloc((size_t)jobs, sizeof *R->makers);
    R->writers = sc_calloc(WRITERS, sizeof *R->writers);
    R->flate = sc_flate_new();
    if (!R->win || !R->makers || !R->writers || !R->flate)
        return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    return SC_OK;
}

/* Fewer threads than planned (pthread_create failing) are slower, not
 * wrong: with no maker the calling thread makes the records. */
static void start_workers(run *R)
{
    for (int i = 0; i < R->want_writers; i++) {
        worker *w = &R->writers[R->nwriters];
        w->R = R;
        if (pthread_create(&w->thread, NULL, writer_main, w) == 0)
            R->nwriters++;
    }
    for (int i = 0; i < R->want_makers; i++) {
        worker *w = &R->makers[R->nmakers];
        w->R = R;
        if (!(w->flate = sc_flate_new()))
            break;
        if (pthread_create(&w->thread, NULL, maker_main, w) != 0) {
            sc_flate_free(w->flate);
            break;
        }
        R->nmakers++;
    }
    R->want_makers = R->want_writers = 0;
}

static void stop_workers(run *R)
{
    pthread_mutex_lock(&R->lock);
    R->stop = 1;
    pthread_cond_broadcast(&R->make_cv);
    pthread_cond_broadcast(&R->write_cv);
    pthread_mutex_unlock(&R->lock);
    for (int i = 0; i < R->nmakers; i++) {
        pthread_join(R->makers[i].thread, NULL);
        sc_flate_free(R->makers[i].flate);
    }
    for (int i = 0; i < R->nwriters; i++)
        pthread_join(R->writers[i].thread, NULL);
    sc_free(R->makers);
    sc_free(R->writers);
    sc_flate_free(R->flate);
    sc_free(R->win);
}

/* j enters the window: to the makers, or (none) made here. */
static void submit(run *R, job *j)
{
    R->win[(R->head + R->nwin++) % R->capwin] = j;
    if (!j->needs_work) {
        j->done = 1;
        return;
    }
    if (R->submitted++ == 1 && (R->want_makers || R->want_writers))
        start_workers(R);
    if (!R->nmakers) {
        work(R, j, R->flate);
        if (R->nwriters) {
            pthread_mutex_lock(&R->lock);
            made(R, j);
            pthread_mutex_unlock(&R->lock);
        } else {
            work_steps(R, j);
            j->done = 1;
        }
        return;
    }
    pthread_mutex_lock(&R->lock);
    push(&R->make_q, &R->make_tail, j);
    pthread_cond_signal(&R->make_cv);
    pthread_mutex_unlock(&R->lock);
}

/* Whether the steps can take done record j without waiting for the disk. */
static int ready(run *R, job *j)
{
    if (j->st != SC_OK)
        return 1;
    for (int i = 0; i < R->nsteps; i++)
        if (R->steps[i]->ready && !R->steps[i]->ready(R->steps[i], &j->d))
            return 0;
    return 1;
}

/* Deliver the oldest records that are done; with `wait`, wait for the
 * oldest first.  How many were delivered.
 *
 * When a step holds records back (R->grouped: their files are flushed in
 * groups, out_file.c), only records it is ready for go without `wait`;
 * with it, the GROUP oldest are waited for, so that the flush the oldest
 * needs serves them all, while the makers go on with the rest of the
 * window. */
static int deliver_done(run *R, int wait)
{
    int n = 0;
    if (wait && R->grouped && R->nwin && (R->nmakers || R->nwriters)) {
        job *last = R->win[(R->head + (R->nwin < GROUP ? R->nwin : GROUP) - 1) % R->capwin];
        pthread_mutex_lock(&R->lock);
        while (!last->done)
            pthread_cond_wait(&R->done_cv, &R->lock);
        pthread_mutex_unlock(&R->lock);
    }
    for (;;) {
        if (!R->nwin)
            return n;
        job *j = R->win[R->head];
        if (R->nmakers || R->nwriters) {
            pthread_mutex_lock(&R->lock);
            while (wait && !j->done)
                pthread_cond_wait(&R->done_cv, &R->lock);
            int done = j->done;
            pthread_mutex_unlock(&R->lock);
            if (!done)
                return n;
        }
        if (!wait && R->grouped && !ready(R, j))
            return n;
        R->head = (R->head + 1) % R->capwin;
        R->nwin--;
        deliver(R, j);
        n++;
        wait = 0;
    }
}

/* ---- one data file ------------------------------------------------------- */

static int fatal_for_file(sc_status st)
{
    return st == SC_ERR_XML || st == SC_ERR_ENCODING || st == SC_ERR_IO ||
           st == SC_ERR_NOMEM || st == SC_ERR_FORBIDDEN || st == SC_ERR_USAGE;
}

static void run_file(run *R, const char *data)
{
    sc_error err;
    memset(&err, 0, sizeof err);
    sc_reader *r = NULL;
    int before = R->passed;
    if (sc_reader_open(&r, data, on_problem, R, &err) != SC_OK) {
        /* the reader reports header problems itself; else say why */
        if (R->passed == before)
            on_problem(R, &err);
        R->sum->unusable++;
        return;
    }
    /* The batch's template (-t, or the one it names) is loaded first, so
     * that a missing one stops the file before anything is written; an
     * employee may name its own (a department batch of several
     * positions), loaded when first needed. */
    const sc_template *batch_tpl = NULL;
    const char *bname = sc_reader_template(r);
    if (R->o.template_file || (bname && bname[0])) {
        memset(&err, 0, sizeof err);
        before = R->passed;
        batch_tpl = template_for(R, data, R->o.template_file ? NULL : bname, &err);
        if (!batch_tpl) {
            if (R->passed == before)
                on_problem(R, &err);
            R->sum->unusable++;
            sc_reader_free(r);
            return;
        }
    }
    /* the archive copy embeds each record as the data gave it */
    if (R->o.produce == SC_PRODUCE_PDF && R->o.profile == SC_PROFILE_ARCHIVE)
        sc_reader_keep_source(r);
    sc_reader_set_warn(r, on_warning, R);
    forms_clear(R);
    job *cut = NULL; /* the problems that ended the file, passed on last */
    for (;;) {
        deliver_done(R, 0);
        if (R->nwin == R->capwin) {
            deliver_done(R, 1);
            continue;
        }
        job *j = sc_calloc(1, sizeof *j);
        if (!j) { /* nothing to hold the record in: the file ends here */
            sc_error_set(&err, SC_ERR_NOMEM, data, 0, 0, "out of memory");
            deliver_done(R, 1);
            while (R->nwin)
                deliver_done(R, 1);
            on_problem(R, &err);
            R->sum->cut_short++;
            break;
        }
        j->R = R;
        j->data = data;
        j->index = R->index + 1;
        R->cur = j;
        sc_status st = sc_reader_next(r, &j->rec, &j->err);
        if (st == SC_END) {
            R->cur = NULL;
            job_free(j);
            sc_reader_end(r);
            break;
        }
        if (st != SC_OK && fatal_for_file(st)) {
            /* The rest of the file cannot be read.  When it breaks off
             * inside an employee, that employee is a refused record (it
             * gets its line); the records after it were never reached. */
            R->cur = NULL;
            R->sum->cut_short++;
            if (j->err.employee[0]) {
                R->index++;
                j->rec = sc_reader_refused(r);
                j->cut_short = 1;
                snprintf(j->label, sizeof j->label, "%s", j->err.employee);
                fail_job(j, st);
                submit(R, j);
                break;
            }
            cut = j;
            break;
        }
        R->index++;
        if (st != SC_OK) {
            j->rec = sc_reader_refused(r);
            snprintf(j->label, sizeof j->label, "%s", j->err.employee);
            fail_job(j, st);
        } else {
            snprintf(j->label, sizeof j->label, "%s", j->rec->label);
            prepare(R, batch_tpl, j);
        }
        R->cur = NULL;
        submit(R, j);
    }
    while (R->nwin)
        deliver_done(R, 1);
    if (cut) {
        for (int i = 0; i < cut->nheld; i++)
            on_problem(R, &cut->held[i].e);
        if (!cut->nheld)
            on_problem(R, &cut->err);
        job_free(cut);
    }
    report_selects(R, data);
    sc_reader_free(r);
}

/* ---- the run ------------------------------------------------------------- */

/* opts as this library knows them: fields beyond the caller's size stay
 * at their defaults. */
static void take_opts(sc_batch_opts *o, const sc_batch_opts *given)
{
    sc_batch_opts def = SC_BATCH_OPTS_INIT;
    *o = def;
    size_t n = given->size < sizeof *o ? given->size : sizeof *o;
    memcpy(o, given, n);
    o->size = sizeof *o;
    if (!o->name_pattern)
        o->name_pattern = "{period}_{id}_{name}.pdf";
}

/* The summary's template: the option's file, else "dept-summary" looked
 * up like a named template, loaded before any record is read. */
static const sc_template *summary_template(run *R, sc_error *err)
{
    if (R->o.summary_template)
        return template_at(R, R->o.summary_template, err);
    char path[4096];
    if (sc_template_find(path, sizeof path, "dept-summary", R->o.template_dir,
                         R->o.ndata ? R->o.data[0] : NULL, R->o.template_path,
                         err) != SC_OK)
        return NULL;
    return template_at(R, path, err);
}

/* What cannot go together, said before anything is read. */
static sc_status check_opts(const sc_batch_opts *o, sc_error *err)
{
    int pdf = o->produce == SC_PRODUCE_PDF;
    int books = pdf && (o->combined || o->group_by);
    if (o->password_file && !o->password_pattern)
        return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                            "a password file without a password source that "
                            "uses it ({file})");
    if (o->password_pattern && o->profile != SC_PROFILE_PRINT)
        return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                            "encryption and the archive profile do not go in one "
                            "file: PDF/A forbids encryption, and encrypting a "
                            "signed file breaks its signature; archive copies are "
                            "signed and unencrypted, e-mailed copies encrypted");
    if (books && o->password_pattern)
        return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                            "a print book holds many employees' sheets and "
                            "cannot have one employee's password: encrypt "
                            "per-employee files (-o DIR) instead");
    if (o->mail && (!pdf || books))
        return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                            "e-mail sends each employee their own PDF: it needs "
                            "per-employee PDFs, not %s",
                            pdf ? "print books" : "a check or a dump");
    return SC_OK;
}

static sc_status add_step(run *R, sc_step *s, sc_error *err)
{
    if (!s)
        return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    R->steps[R->nsteps++] = s;
    return SC_OK;
}

/* The chain, in its fixed order: naming, encryption, writing, mail, the
 * manifest -- or the book(s) -- then the summary.  A check gets the encryption step for
 * its admit alone: a record without a password is found by `check` too. */
static sc_status make_steps(run *R, sc_error *err)
{
    int pdf = R->o.produce == SC_PRODUCE_PDF;
    int books = pdf && (R->o.combined || R->o.group_by);
    int dry = R->o.mail && R->o.mail->dry_run_dir;
    const sc_template *stpl = NULL;
    sc_status st = SC_OK;
    /* the libraries a feature loads (dl.h): a missing one stops the run
     * here, before any record, and not once per record */
    if (R->o.sort == SC_SORT_NAME && (books || R->o.summary) &&
        (st = sc_icu_load(err)) != SC_OK)
        return st;
    if (pdf && !books && R->o.password_pattern && (st = sc_qpdf_load(err)) != SC_OK)
        return st;
    if (pdf && !books && R->o.mail && !dry && (st = sc_curl_load(err)) != SC_OK)
        return st;
    if ((books && !R->o.no_summary) || R->o.summary) {
        if (!(stpl = summary_template(R, err)))
            return err->code ? err->code : SC_ERR_TEMPLATE;
    }
    if (pdf && (R->o.group_by || (!books && !dry)) &&
        (st = sc_make_dirs(R->o.out_dir, err)) != SC_OK)
        return st;
    if (books) {
        sc_book_opts bo = {R->o.combined, R->o.out_dir, R->o.group_by, R->o.sort,
                           !R->o.no_duplex, R->o.no_summary ? NULL : stpl,
                           R->o.created, R->o.warn, R->o.warn_ud, R->o.profile};
        st = add_step(R, sc_step_book(&bo, R->fonts), err);
    } else if (pdf) {
        sc_step *name = sc_step_name(R->o.name_pattern);
        st = add_step(R, name, err);
        if (st == SC_OK && !dry && R->o.manifest && R->o.manifest[0]) {
            char csv[300], json[300];
            snprintf(csv, sizeof csv, "%s.csv", R->o.manifest);
            snprintf(json, sizeof json, "%s.json", R->o.manifest);
            if (!sc_step_name_reserve(name, csv, "the run's manifest") ||
                !sc_step_name_reserve(name, json, "the run's manifest"))
                st = sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
        }
    }
    if (st == SC_OK && R->o.password_pattern &&
        ((pdf && !books) || R->o.produce == SC_PRODUCE_CHECK)) {
        sc_passwords *pw = NULL;
        st = sc_passwords_new(&pw, R->o.password_pattern, R->o.password_file, err);
        sc_step *s = st == SC_OK ? sc_step_encrypt(pw) : NULL;
        if (st == SC_OK && !s)
            sc_passwords_free(pw);
        if (st == SC_OK)
            st = add_step(R, s, err);
    }
    if (st == SC_OK && pdf && !books && !dry)
        st = add_step(R, sc_step_file(R->o.out_dir, R->o.remove_stale), err);
    if (st == SC_OK && pdf && !books && R->o.mail) {
        sc_step *s = NULL;
        st = sc_step_mail(&s, R->o.mail, R->o.out_dir, err);
        if (st == SC_OK)
            st = add_step(R, s, err);
    }
    /* last: it lists what the steps before did with each record */
    if (st == SC_OK && pdf && !books && !dry && R->o.manifest && R->o.manifest[0])
        st = add_step(R, sc_step_manifest(R->o.out_dir, R->o.manifest), err);
    if (st == SC_OK && R->o.summary)
        st = add_step(R,
                      sc_step_summary(R->o.summary, stpl, R->fonts, R->o.sort, R->o.created,
                                      R->o.warn, R->o.warn_ud, R->o.on_summary_dump,
                                      R->o.summary_ud),
                      err);
    return st;
}

sc_status sc_batch_run(const sc_fonts *fonts, const sc_batch_opts *opts,
                       sc_batch_summary *sum, sc_error *err)
{
    sc_batch_summary dummy;
    if (!sum)
        sum = &dummy;
    memset(sum, 0, sizeof *sum);
    if (!fonts || !opts || opts->size < offsetof(sc_batch_opts, data) + sizeof opts->data)
        return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                            "sc_batch_run needs fonts and options "
                            "(SC_BATCH_OPTS_INIT)");
    run R;
    memset(&R, 0, sizeof R);
    R.fonts = fonts;
    R.sum = sum;
    take_opts(&R.o, opts);
    if (R.o.produce == SC_PRODUCE_PDF && !R.o.combined && !R.o.out_dir)
        R.o.out_dir = ".";
    if (R.o.group_by < SC_GROUP_NONE || R.o.group_by > SC_GROUP_POSITION ||
        R.o.sort < SC_SORT_DATA || R.o.sort > SC_SORT_GRADE)
        return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                            "group_by or sort is not one of sc_group_by, sc_sort");
    if (R.o.combined && R.o.group_by)
        return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                            "one book (--combined) or one per group (--group-by), not both");
    if (R.o.produce == SC_PRODUCE_PDF && !R.o.combined && !R.o.group_by &&
        sc_filename_pattern_check(R.o.name_pattern, err) != SC_OK)
        return SC_ERR_USAGE;
    sc_status st = check_opts(&R.o, err);
    pthread_mutex_init(&R.lock, NULL);
    pthread_cond_init(&R.make_cv, NULL);
    pthread_cond_init(&R.write_cv, NULL);
    pthread_cond_init(&R.done_cv, NULL);
    if (st == SC_OK)
        st = make_steps(&R, err);
    if (st == SC_OK && !(R.forms = sc_calloc(MAX_FORMS, sizeof *R.forms)))
        st = sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    if (st == SC_OK)
        st = plan_workers(&R, err);
    for (int i = 0; st == SC_OK && i < R.o.ndata; i++)
        run_file(&R, R.o.data[i]);
    stop_workers(&R);
    /* Every step ends, even after one failed: a manifest that does not fit
     * on a full disk must not keep the summary from being written.  The
     * first failure is the run's; later ones go to diag. */
    int ran = st == SC_OK;
    for (int i = 0; ran && i < R.nsteps; i++) {
        sc_step *s = R.steps[i];
        sc_error later;
        sc_status es = s->end ? s->end(s, &sum->files, &sum->pages,
                                       st == SC_OK ? err : &later)
                              : SC_OK;
        if (es != SC_OK && st == SC_OK)
            st = es;
        else if (es != SC_OK && R.o.diag)
            R.o.diag(R.o.diag_ud, &later);
    }
    for (int i = 0; i < R.nsteps; i++)
        if (R.steps[i])
            R.steps[i]->free(R.steps[i]);
    forms_clear(&R);
    sc_free(R.forms);
    for (int i = 0; i < R.ntpl; i++) {
        sc_template_free(R.tpl[i].tpl);
        sc_free(R.tpl[i].path);
        sc_free(R.tpl[i].evaluated);
        sc_free(R.tpl[i].matched);
    }
    sc_free(R.tpl);
    pthread_cond_destroy(&R.done_cv);
    pthread_cond_destroy(&R.write_cv);
    pthread_cond_destroy(&R.make_cv);
    pthread_mutex_destroy(&R.lock);
    return st;
}
