/* mail.c -- `scorecard mail`: e-mail each employee their own sheet,
 * encrypted, exactly once (docs/mail.md).
 *
 *   scorecard mail -d DATA --from 'HR <hr@example.com>' --smtp smtp://HOST:587
 *                  --smtp-user USER --password-from '{id-number:-6}' -o DIR
 *
 * The library does the work (the mail step of the batch driver); this file
 * takes mail's options, the SMTP password from the environment (never
 * argv), shows a progress line on a terminal and prints the summary:
 * sent, sent before, skipped and failed, with the employee and the reason
 * for every one that did not get their sheet.
 *
 * Exit status as for render: 0 every employee has their sheet (now or in
 * an earlier run); 1 some did not (see the summary), 2 usage, 3 nothing
 * could be done. */
#include "scorecard.h"
#include "cli.h"
#include "mail.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PASSWORD_ENV "SCORECARD_SMTP_PASSWORD"

/* ---- options --------------------------------------------------------------- */

static int value_of(int argc, char **argv, int *i, const char **out)
{
    if (*i + 1 >= argc) {
        errorf("option '%s' needs a value", argv[*i]);
        return -1;
    }
    *out = argv[++*i];
    return 1;
}

/* "N/min", "N/h" or "N" (a minute): the wait between two messages. */
static int parse_rate(const char *s, int *interval_ms)
{
    char *end = NULL;
    errno = 0;
    long n = strtol(s, &end, 10);
    if (errno || end == s || n < 1 || n > 100000)
        return 0;
    long per_ms = 60000;
    if (!strcmp(end, "/h"))
        per_ms = 3600000;
    else if (*end && strcmp(end, "/min"))
        return 0;
    *interval_ms = (int)((per_ms + n - 1) / n);
    return 1;
}

int mail_option(mail_cli *m, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    const struct {
        const char *name;
        const char **slot;
    } str[] = {{"--smtp", &m->smtp},         {"--smtp-user", &m->user},
               {"--netrc", &m->netrc},       {"--cacert", &m->cacert},
               {"--from", &m->from},         {"--cc", &m->cc},
               {"--bcc", &m->bcc},           {"--reply-to", &m->reply_to},
               {"--message", &m->message},   {"--dry-run", &m->dry_run},
               {"--journal", &m->journal}};
    for (size_t k = 0; k < sizeof str / sizeof *str; k++)
        if (!strcmp(a, str[k].name))
            return value_of(argc, argv, i, str[k].slot);
    if (!strcmp(a, "--no-encryption")) {
        m->no_encryption = 1;
        return 1;
    }
    if (!strcmp(a, "--smtp-password") || !strcmp(a, "--password")) {
        errorf("no password on the command line (every user of this machine can "
               "see it): the server's goes in $%s or a netrc file (--netrc FILE), "
               "the sheets' come from the data (--password-from)", PASSWORD_ENV);
        return -1;
    }
    const char *v = NULL;
    if (!strcmp(a, "--rate")) {
        if (value_of(argc, argv, i, &v) < 0)
            return -1;
        if (!parse_rate(v, &m->interval_ms)) {
            errorf("--rate takes N/min or N/h (N from 1), e.g. --rate 30/min, not '%s'", v);
            return -1;
        }
        return 1;
    }
    if (!strcmp(a, "--retries")) {
        if (value_of(argc, argv, i, &v) < 0)
            return -1;
        char *end = NULL;
        long n = strtol(v, &end, 10);
        if (end == v || *end || n < 1 || n > 20) {
            errorf("--retries takes a number of tries from 1 to 20, not '%s'", v);
            return -1;
        }
        m->tries = (int)n;
        return 1;
    }
    if (!strcmp(a, "--retry-wait")) {
        if (value_of(argc, argv, i, &v) < 0)
            return -1;
        char *end = NULL;
        double s = strtod(v, &end);
        if (end == v || *end || !(s >= 0.001 && s <= 600)) {
            errorf("--retry-wait takes seconds (0.001 to 600), not '%s'", v);
            return -1;
        }
        m->retry_wait_ms = (int)(s * 1000 + 0.5);
        return 1;
    }
    return 0;
}

void password_source(const char *from, const char **pattern, const char **file)
{
    *pattern = *file = NULL;
    if (!from)
        return;
    if (!strncmp(from, "file:", 5)) {
        *pattern = "{file}";
        *file = from + 5;
    } else {
        *pattern = from;
    }
}

int encryption_conflict(int argc, char **argv)
{
    int encrypt = 0, archive = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--password-from"))
            encrypt = 1;
        if (!strncmp(a, "--sign", 6) || !strcmp(a, "--profile=archive") ||
            !strcmp(a, "--profile=pdfa1") ||
            (!strcmp(a, "--profile") && i + 1 < argc &&
             (!strcmp(argv[i + 1], "archive") || !strcmp(argv[i + 1], "pdfa1"))))
            archive = 1;
    }
    if (encrypt && archive) {
        errorf("encryption and the archive profile or a signature do not go in one "
               "file: PDF/A forbids encryption, and rewriting a signed file to encrypt "
               "it breaks the signature.  Archive copies are signed and unencrypted "
               "(render --profile archive); e-mailed copies are encrypted (mail "
               "--password-from)");
        return 1;
    }
    return 0;
}

/* ---- what the run reports ---------------------------------------------------- */

typedef struct missed {
    char *label, *why;
    int skipped; /* no usable address, rather than failed */
} missed;

typedef struct tally {
    int total, done;
    int sent, earlier, written, skipped, failed;
    double t0;
    int tty, shown;
    missed *v;
    int n, cap;
} tally;

static void clear_progress(tally *t)
{
    if (t->shown) {
        fputs("\r\033[K", stderr);
        t->shown = 0;
    }
}

/* Problems as they come, the progress line out of their way. */
static void mail_diag(void *ud, const sc_error *e)
{
    clear_progress(ud);
    on_diag(NULL, e);
}

static void mail_warning(void *ud, const sc_error *e)
{
    clear_progress(ud);
    on_warning(NULL, e);
}

static void progress(tally *t)
{
    double secs = now() - t->t0;
    int out = t->sent + t->written;
    if (t->total < t->done) /* the count failed: the run says why */
        t->total = t->done;
    fprintf(stderr, "\r\033[Kscorecard: mail %d/%d, %d %s", t->done, t->total, out,
            t->written ? "written" : "sent");
    if (secs > 0.5 && t->done)
        fprintf(stderr, ", %.1f/min", out * 60.0 / secs);
    if (t->done && t->done < t->total) {
        long eta = (long)((t->total - t->done) * secs / t->done + 0.5);
        fprintf(stderr, ", ETA %ld:%02ld:%02ld", eta / 3600, eta / 60 % 60, eta % 60);
    }
    fflush(stderr);
    t->shown = 1;
}

static void note_missed(tally *t, const sc_result *r, int skipped)
{
    if (t->n == t->cap) {
        int cap = t->cap ? 2 * t->cap : 16;
        missed *v = realloc(t->v, (size_t)cap * sizeof *v);
        if (!v)
            return; /* the summary lists one less; the count is still right */
        t->v = v;
        t->cap = cap;
    }
    const char *why = r->mail_note && r->mail_note[0] ? r->mail_note
                      : r->error                       ? r->error->message
                                                       : sc_strerror(r->status);
    t->v[t->n].label = strdup(r->label && r->label[0] ? r->label : "?");
    t->v[t->n].why = strdup(why);
    t->v[t->n++].skipped = skipped;
}

static void on_result(void *ud, const sc_result *r)
{
    tally *t = ud;
    t->done++;
    if (r->mail == SC_MAIL_SENT)
        t->sent++;
    else if (r->mail == SC_MAIL_WRITTEN)
        t->written++;
    else if (r->mail == SC_MAIL_EARLIER)
        t->earlier++;
    else if (r->mail == SC_MAIL_NO_ADDRESS) {
        t->skipped++;
        note_missed(t, r, 1);
    } else if (r->status != SC_OK) {
        t->failed++;
        note_missed(t, r, 0);
    }
    if (t->tty)
        progress(t);
}

static void summary(const tally *t, const mail_cli *m, double secs)
{
    if (m->dry_run)
        printf("scorecard: mail (dry run): %d messages written to %s", t->written,
               m->dry_run);
    else
        printf("scorecard: mail: %d sent", t->sent);
    printf(", %d sent before, %d skipped, %d failed (%d employees, %.1f s)\n", t->earlier,
           t->skipped, t->failed, t->done, secs);
    for (int i = 0; i < t->n; i++)
        printf("scorecard:   %s %s: %s\n", t->v[i].skipped ? "skipped" : "not sent",
               t->v[i].label, t->v[i].why);
    if (t->failed && !m->dry_run)
        printf("scorecard: run the same command again to send what was not sent; "
               "the journal keeps what was\n");
}

/* ---- the command ------------------------------------------------------------- */

static int check_options(const mail_common *c, const mail_cli *m, const char *password)
{
    if (!m->dry_run && !m->smtp) {
        errorf("no mail server: give --smtp smtp://HOST:587 (or smtps://HOST:465), "
               "or --dry-run DIR to write the messages as files");
        return 0;
    }
    if (!m->from) {
        errorf("no sender: give --from, e.g. --from '人力资源部 <hr@example.com>'");
        return 0;
    }
    if (!c->password_from && !m->no_encryption) {
        errorf("the sheets show salaries: give --password-from SOURCE (e.g. "
               "'{id-number:-6}'), or --no-encryption to send them unencrypted");
        return 0;
    }
    if (c->password_from && m->no_encryption) {
        errorf("--password-from and --no-encryption exclude each other");
        return 0;
    }
    if (m->user && m->netrc) {
        errorf("--netrc gives the login with its password: leave out --smtp-user "
               "(libcurl looks a netrc up by the host alone)");
        return 0;
    }
    if (!m->dry_run && m->user && !password && !m->netrc) {
        errorf("no password for %s: set $%s (it never goes on the command line), "
               "or give --netrc FILE", m->user, PASSWORD_ENV);
        return 0;
    }
    if (!m->dry_run && password && !m->user && !m->netrc) {
        errorf("$%s is set but no login: give --smtp-user USER", PASSWORD_ENV);
        return 0;
    }
    return 1;
}

int cmd_mail(const mail_common *c, const mail_cli *m)
{
    double t0 = now();
    const char *password = getenv(PASSWORD_ENV);
    if (password && !*password)
        password = NULL;
    if (!check_options(c, m, password))
        return EXIT_USAGE;
    sc_batch_opts bo = SC_BATCH_OPTS_INIT;
    sc_mail_opts mo = SC_MAIL_OPTS_INIT;
    long long sde = -1;
    int sd = source_date(&sde);
    if (sd < 0) {
        errorf("SOURCE_DATE_EPOCH must be a number of seconds since 1970");
        return EXIT_USAGE;
    }
    bo.created = sd ? sde : -1;
    mo.date = sd ? sde : (long long)time(NULL);
    sc_error err;
    memset(&err, 0, sizeof err);
    if (sc_filename_pattern_check(c->pattern, &err) != SC_OK) {
        print_error(&err);
        return EXIT_USAGE;
    }
    char mapbuf[4300], tplbuf[8400];
    sc_fonts *fonts = NULL;
    if (sc_fonts_load(&fonts, cli_font_map(c->fonts_map, mapbuf, sizeof mapbuf), &err) != SC_OK) {
        print_error(&err);
        return EXIT_UNUSABLE;
    }
    tally t;
    memset(&t, 0, sizeof t);
    t.t0 = t0;
    t.tty = !c->quiet && isatty(STDERR_FILENO);
    for (int i = 0; t.tty && i < c->ndata; i++) {
        int n = 0;
        if (sc_data_count(c->data[i], &n, &err) == SC_OK)
            t.total += n;
    }
    mo.url = m->smtp;
    mo.user = m->user;
    mo.password = password;
    mo.netrc = m->netrc;
    mo.ca_file = m->cacert;
    mo.from = m->from;
    mo.reply_to = m->reply_to;
    mo.cc = m->cc;
    mo.bcc = m->bcc;
    mo.message = m->message;
    mo.dry_run_dir = m->dry_run;
    mo.journal = m->journal;
    mo.interval_ms = m->interval_ms;
    mo.tries = m->tries;
    mo.retry_wait_ms = m->retry_wait_ms;
    bo.data = c->data;
    bo.ndata = c->ndata;
    bo.produce = SC_PRODUCE_PDF;
    bo.template_file = c->template_file;
    bo.template_dir = c->template_dir;
    bo.template_path = cli_template_path(tplbuf, sizeof tplbuf);
    bo.out_dir = c->outdir;
    bo.name_pattern = c->pattern;
    bo.watermark = c->watermark;
    bo.allow_missing_glyphs = c->allow_missing;
    password_source(c->password_from, &bo.password_pattern, &bo.password_file);
    bo.mail = &mo;
    bo.diag = mail_diag;
    bo.diag_ud = &t;
    bo.warn = mail_warning;
    bo.warn_ud = &t;
    bo.on_result = on_result;
    bo.result_ud = &t;
    sc_batch_summary sum;
    sc_status st = sc_batch_run(fonts, &bo, &sum, &err);
    sc_fonts_free(fonts);
    clear_progress(&t);
    if (st != SC_OK)
        print_error(&err);
    if (!c->quiet && (st == SC_OK || t.done))
        summary(&t, m, now() - t0);
    for (int i = 0; i < t.n; i++) {
        free(t.v[i].label);
        free(t.v[i].why);
    }
    free(t.v);
    if (st != SC_OK)
        return st == SC_ERR_USAGE ? EXIT_USAGE : EXIT_UNUSABLE;
    int trouble = sum.failed || sum.unusable || sum.cut_short;
    if (sum.ok == 0 && trouble)
        return EXIT_UNUSABLE;
    if (trouble)
        return EXIT_SOME_FAILED;
    if (sum.ok == 0) {
        errorf("the data holds no employee record");
        return EXIT_UNUSABLE;
    }
    return EXIT_ALL_OK;
}
