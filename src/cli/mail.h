/* mail.h -- `scorecard mail`: each employee's own sheet by e-mail (mail.c). */
#ifndef SC_CLI_MAIL_H
#define SC_CLI_MAIL_H

/* The options only mail has. */
typedef struct mail_cli {
    const char *smtp, *user, *netrc, *cacert;
    const char *from, *cc, *bcc, *reply_to;
    const char *message, *dry_run, *journal;
    int interval_ms, tries, retry_wait_ms;
    int no_encryption;
} mail_cli;

/* What mail shares with render (main.c parses it). */
typedef struct mail_common {
    const char *const *data;
    int ndata;
    const char *template_file, *template_dir, *outdir, *pattern, *fonts_map;
    const char *watermark, *password_from;
    int allow_missing, quiet;
} mail_common;

/* argv[*i] if it is a mail option (taking its value, *i moved past it):
 * 1; not a mail option: 0; a bad value (said): -1. */
int mail_option(mail_cli *m, int argc, char **argv, int *i);
/* --password-from SOURCE: a pattern of placeholders, or file:PATH (then
 * the pattern is {file}). */
void password_source(const char *from, const char **pattern, const char **file);
/* 1 (said) if argv asks for encryption together with a signature or the
 * PDF/A archive profile, which cannot be one file. */
int encryption_conflict(int argc, char **argv);
/* Run `scorecard mail`; the exit status. */
int cmd_mail(const mail_common *c, const mail_cli *m);

#endif
