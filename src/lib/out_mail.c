/* out_mail.c -- the output step that e-mails each employee their own
 * sheet, exactly once.
 *
 *   admit (before the record is drawn)
 *     - the journal says the server accepted this record's message in an
 *       earlier run: nothing to do (SC_END) -- not drawn, not sent;
 *     - no usable address: the record fails ("skipped"), reported;
 *     - the server went down earlier in this run: the record fails as
 *       "not sent", so that a rerun sends it;
 *   doc (after naming, encryption and writing)
 *     - subject and body from the message template and this record,
 *       the attachment this record's own PDF bytes (d->pdf): a message can
 *       hold nothing of another employee, since the document carries its
 *       record and its bytes together from the driver;
 *     - sent (smtp.c), and on the server's 250 journalled (journal.c)
 *       before the next record; or, in a dry run, written as a .eml file
 *       beside where it would have gone.
 *
 * The Message-ID is a digest of the date, the record's key and the
 * attachment, so that it is unique per message (an encrypted attachment is
 * new bytes every time) and the same bytes again under SOURCE_DATE_EPOCH;
 * its domain is the sender's. */
#include "internal.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define ADDR_MAX 255

typedef struct mail_step {
    sc_step step;
    sc_mail_opts o;              /* the caller's, defaults past its size */
    char from_name[256], from[ADDR_MAX + 1];
    char cc[ADDR_MAX + 1], bcc[ADDR_MAX + 1], reply_to[ADDR_MAX + 1];
    int cc_superior;
    char dry_dir[4096];
    char journal_path[4096];
    sc_journal *journal;
    sc_mailtext *text;
    sc_smtp *smtp;               /* NULL in a dry run */
    char down_at[128];           /* the record at which the server failed */
    char date_iso[32];
} mail_step;

/* ---- admit ------------------------------------------------------------------- */

/* A record's problem with its mail, at node (or the record). */
static sc_status rec_error(const sc_record *rec, xmlNodePtr node, const char *field,
                           sc_status code, sc_error *err, const char *msg)
{
    sc_error_set(err, code, rec->file, node ? (int)sc_record_line(rec, node) : rec->line,
                 0, "%s", msg);
    if (err) {
        snprintf(err->employee, sizeof err->employee, "%s", rec->label ? rec->label : "");
        snprintf(err->field, sizeof err->field, "%s", field);
    }
    return code;
}

/* The superior's address for --cc superior, into out; 0 with why. */
static int superior_address(const sc_record *rec, char *out, size_t n, char *why,
                            size_t nwhy)
{
    const char *a = sc_xml_attr(sc_xml_child(rec->employee, "superior"), "email");
    if (!a || !*a) {
        snprintf(why, nwhy, "no <superior email=\"...\">: the sheet goes to the "
                 "superior too (--cc superior); add their address or leave out --cc");
        return 0;
    }
    if (!sc_mail_address_ok(a, why, nwhy))
        return 0;
    snprintf(out, n, "%s", a);
    return 1;
}

static sc_status mail_admit(sc_step *self, sc_doc *d, sc_error *err)
{
    mail_step *ms = (mail_step *)self;
    const sc_record *rec = d->rec;
    xmlNodePtr email = sc_xml_child(rec->employee, "email");
    snprintf(d->mail_to, sizeof d->mail_to, "%s", rec->email ? rec->email : "");
    if (d->mail_to[0] && sc_journal_has(ms->journal, rec->period, rec->id, d->mail_to)) {
        d->mail = SC_MAIL_EARLIER;
        snprintf(d->mail_note, sizeof d->mail_note, "accepted in an earlier run (%s)",
                 ms->o.journal);
        return SC_END;
    }
    char why[512], cc[ADDR_MAX + 1];
    if (!sc_mail_address_ok(d->mail_to, why, sizeof why)) {
        d->mail = SC_MAIL_NO_ADDRESS;
        snprintf(d->mail_note, sizeof d->mail_note, "%s", why);
        char msg[600];
        snprintf(msg, sizeof msg, "%s: no message for this employee; correct <email> "
                 "and run again to send it", why);
        return rec_error(rec, email, "email", SC_ERR_DATA, err, msg);
    }
    if (ms->cc_superior && !superior_address(rec, cc, sizeof cc, why, sizeof why)) {
        d->mail = SC_MAIL_NO_ADDRESS;
        snprintf(d->mail_note, sizeof d->mail_note, "%s", why);
        return rec_error(rec, sc_xml_child(rec->employee, "superior"), "superior/@email",
                         SC_ERR_DATA, err, why);
    }
    if (ms->smtp && sc_smtp_down(ms->smtp)) {
        d->mail = SC_MAIL_FAILED;
        snprintf(d->mail_note, sizeof d->mail_note,
                 "not sent: the mail server failed at %s", ms->down_at);
        char msg[400];
        snprintf(msg, sizeof msg, "not sent: the mail server failed at %s (see "
                 "there); run the same command again to send the rest", ms->down_at);
        return rec_error(rec, NULL, "email", SC_ERR_MAIL, err, msg);
    }
    return SC_OK;
}

/* ---- doc ----------------------------------------------------------------------- */

static void message_id(char *out, size_t n, const mail_step *ms, const sc_record *rec,
                       const char *to, const char *sha)
{
    char seed[1024], digest[65];
    snprintf(seed, sizeof seed, "%lld\n%s\n%s\n%s\n%s", ms->o.date, rec->period, rec->id,
             to, sha);
    sc_sha256_hex(seed, strlen(seed), digest);
    const char *at = strrchr(ms->from, '@');
    snprintf(out, n, "<%.32s.scorecard@%s>", digest, at ? at + 1 : "localhost");
}

/* dir/<name without .pdf>.eml */
static sc_status write_eml(const mail_step *ms, sc_doc *d, const sc_buf *msg,
                           sc_error *err)
{
    char name[300];
    size_t n = strlen(d->name);
    if (n > 4 && !strcmp(d->name + n - 4, ".pdf"))
        n -= 4;
    snprintf(name, sizeof name, "%.*s.eml", (int)n, d->name);
    sc_status st = sc_file_write(ms->dry_dir, name, msg->data, msg->len, err);
    if (st == SC_OK) {
        d->mail = SC_MAIL_WRITTEN;
        snprintf(d->mail_note, sizeof d->mail_note, "written to %.200s/%.280s", ms->dry_dir,
                 name);
    }
    return st;
}

static sc_status send_message(mail_step *ms, sc_doc *d, const sc_buf *msg,
                              const char *cc, const char *sha, const char *mid,
                              sc_error *err)
{
    const sc_record *rec = d->rec;
    const char *rcpt[3];
    int n = 0;
    rcpt[n++] = d->mail_to;
    if (cc[0] && strcmp(cc, d->mail_to))
        rcpt[n++] = cc;
    if (ms->bcc[0] && strcmp(ms->bcc, d->mail_to) && strcmp(ms->bcc, cc))
        rcpt[n++] = ms->bcc;
    char reply[512];
    sc_status st = sc_smtp_send(ms->smtp, ms->from, rcpt, n, msg->data, msg->len, reply,
                                sizeof reply, err);
    if (st != SC_OK) {
        d->mail = SC_MAIL_FAILED;
        snprintf(d->mail_note, sizeof d->mail_note, "%s", err ? err->message : reply);
        if (sc_smtp_down(ms->smtp))
            snprintf(ms->down_at, sizeof ms->down_at, "%s", rec->label ? rec->label : "");
        if (err) {
            snprintf(err->file, sizeof err->file, "%s", rec->file ? rec->file : "");
            err->line = rec->line;
            snprintf(err->field, sizeof err->field, "email");
        }
        return st;
    }
    d->mail = SC_MAIL_SENT;
    snprintf(d->mail_note, sizeof d->mail_note, "%s", reply);
    st = sc_journal_add(ms->journal, ms->date_iso, rec->period, rec->id, d->mail_to, sha,
                        mid, reply, err);
    if (st != SC_OK) {
        /* Sent but not recorded: a rerun would send it again, and so
         * would every message after it. */
        char why[600];
        snprintf(why, sizeof why, "%s", err ? err->message : "the journal failed");
        sc_error_set(err, SC_ERR_IO, rec->file, rec->line, 0,
                     "the message was sent (%s) but the journal could not record it "
                     "(%s): nothing more is sent in this run; add this employee's line "
                     "to the journal by hand before running again", reply, why);
        snprintf(err->field, sizeof err->field, "email");
        sc_smtp_stop(ms->smtp, "the journal cannot be written");
        snprintf(ms->down_at, sizeof ms->down_at, "%s", rec->label ? rec->label : "");
    }
    return st;
}

static sc_status mail_doc(sc_step *self, sc_doc *d, sc_error *err)
{
    mail_step *ms = (mail_step *)self;
    const sc_record *rec = d->rec;
    if (!d->pdf || !d->name[0])
        return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                            "no named PDF to mail (internal error)");
    char cc[ADDR_MAX + 1], why[512];
    snprintf(cc, sizeof cc, "%s", ms->cc);
    if (ms->cc_superior && !superior_address(rec, cc, sizeof cc, why, sizeof why))
        return rec_error(rec, NULL, "superior/@email", SC_ERR_DATA, err, why);
    char sha[65], mid[160];
    sc_sha256_hex(d->pdf, d->len, sha);
    message_id(mid, sizeof mid, ms, rec, d->mail_to, sha);
    char *subject = NULL, *body = NULL;
    sc_status st = sc_mailtext_expand(ms->text, rec, &subject, &body, err);
    if (st != SC_OK)
        return st;
    sc_message m = {
        .from_name = ms->from_name,
        .from = ms->from,
        .to_name = rec->name,
        .to = d->mail_to,
        .cc = cc,
        .reply_to = ms->reply_to,
        .subject = subject,
        .body = body,
        .filename = d->name,
        .att = d->pdf,
        .att_len = d->len,
        .date = ms->o.date,
        .message_id = mid,
    };
    sc_buf msg = {0};
    st = sc_mime_build(&m, &msg, err);
    sc_free(subject);
    sc_free(body);
    if (st == SC_OK)
        st = ms->smtp ? send_message(ms, d, &msg, cc, sha, mid, err)
                      : write_eml(ms, d, &msg, err);
    sc_buf_free(&msg);
    return st;
}

/* ---- the step -------------------------------------------------------------------- */

static void mail_free(sc_step *self)
{
    mail_step *ms = (mail_step *)self;
    sc_smtp_close(ms->smtp);
    sc_journal_close(ms->journal);
    sc_mailtext_free(ms->text);
    sc_free(ms);
}

/* An address option: checked, copied. */
static sc_status address_opt(char *out, const char *v, const char *what, sc_error *err)
{
    char why[512];
    if (!v)
        return SC_OK;
    if (strlen(v) > ADDR_MAX || !sc_mail_address_ok(v, why, sizeof why))
        return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0, "%s: %s", what, why);
    snprintf(out, ADDR_MAX + 1, "%s", v);
    return SC_OK;
}

static sc_status setup(mail_step *ms, const sc_mail_opts *given, const char *out_dir,
                       sc_error *err)
{
    sc_mail_opts def = SC_MAIL_OPTS_INIT;
    ms->o = def;
    memcpy(&ms->o, given, given->size < sizeof ms->o ? given->size : sizeof ms->o);
    ms->o.size = sizeof ms->o;
    sc_mail_opts *o = &ms->o;
    char why[512];
    if (!o->from)
        return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                            "no sender: give --from 'HR <hr@example.com>'");
    if (!sc_mail_parse_mailbox(o->from, ms->from_name, sizeof ms->from_name, ms->from,
                               sizeof ms->from) ||
        !sc_mail_address_ok(ms->from, why, sizeof why))
        return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                            "--from: \"%s\" is not an address or 'Name <address>'%s%s",
                            o->from, ms->from[0] ? ": " : "", ms->from[0] ? why : "");
    sc_status st = address_opt(ms->bcc, o->bcc, "--bcc", err);
    if (st == SC_OK)
        st = address_opt(ms->reply_to, o->reply_to, "--reply-to", err);
    if (st == SC_OK && o->cc && !strcmp(o->cc, "superior"))
        ms->cc_superior = 1;
    else if (st == SC_OK)
        st = address_opt(ms->cc, o->cc, "--cc", err);
    if (st != SC_OK)
        return st;
    time_t t = (time_t)o->date;
    struct tm tm;
    if (gmtime_r(&t, &tm))
        strftime(ms->date_iso, sizeof ms->date_iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if ((st = sc_mailtext_load(&ms->text, o->message, err)) != SC_OK)
        return st;
    if (!o->journal) {
        snprintf(ms->journal_path, sizeof ms->journal_path, "%s/mail-journal.tsv",
                 out_dir ? out_dir : ".");
        o->journal = ms->journal_path;
    }
    if (o->dry_run_dir) {
        snprintf(ms->dry_dir, sizeof ms->dry_dir, "%s", o->dry_run_dir);
        if ((st = sc_make_dirs(ms->dry_dir, err)) != SC_OK)
            return st;
        return sc_journal_open(&ms->journal, o->journal, 0, err);
    }
    if ((st = sc_smtp_open(&ms->smtp, o, err)) != SC_OK)
        return st;
    return sc_journal_open(&ms->journal, o->journal, 1, err);
}

sc_status sc_step_mail(sc_step **out, const sc_mail_opts *o, const char *out_dir,
                       sc_error *err)
{
    *out = NULL;
    if (!o || o->size < offsetof(sc_mail_opts, date))
        return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                            "mail options without their size (SC_MAIL_OPTS_INIT)");
    mail_step *ms = sc_calloc(1, sizeof *ms);
    if (!ms)
        return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    ms->step.what = "mail";
    ms->step.doc = mail_doc;
    ms->step.admit = mail_admit;
    ms->step.free = mail_free;
    sc_status st = setup(ms, o, out_dir, err);
    if (st != SC_OK) {
        mail_free(&ms->step);
        return st;
    }
    *out = &ms->step;
    return SC_OK;
}
