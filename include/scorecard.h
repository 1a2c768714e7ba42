/* scorecard.h -- the one public header of libscorecard.
 *
 * Pipeline: a data file (evaluation batch, XML) is read one employee record
 * at a time; each record is scored, bound to a template (XML layout), laid
 * out with the process-wide fonts and made into a PDF, which the output
 * stage names and writes (or adds to a book).  sc_batch_run drives all of
 * it and reports each record's outcome; fonts are loaded once per process
 * and templates once per batch run, shared read-only by every document.
 *
 * Conventions: functions return sc_status; objects come back through the
 * first (out) parameter and belong to the caller, who frees them with the
 * matching *_free.  The library never prints: problems are sc_error values,
 * and where a call can find several problems it also hands each one to an
 * sc_diag_fn so that `scorecard check` can list them all.
 */
#ifndef SCORECARD_H
#define SCORECARD_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SC_VERSION "0.1.0"

/* Status codes.  Numbers are part of the API: never renumber. */
typedef enum sc_status {
    SC_OK = 0,
    SC_END = 1,            /* no more records (not an error) */
    SC_ERR_NOMEM = 2,      /* out of memory */
    SC_ERR_IO = 3,         /* cannot open, read, write or rename a file */
    SC_ERR_XML = 4,        /* not well-formed XML */
    SC_ERR_SCHEMA = 5,     /* valid XML, but not what the schema allows */
    SC_ERR_ENCODING = 6,   /* wrong or unsupported encoding, invalid UTF-8 */
    SC_ERR_TEMPLATE = 7,   /* template unusable (semantics beyond schema) */
    SC_ERR_XPATH = 8,      /* a template expression fails to compile/run */
    SC_ERR_FONT = 9,       /* font missing, unreadable, or lacks a glyph */
    SC_ERR_DATA = 10,      /* record content wrong (weights, numbers) */
    SC_ERR_LAYOUT = 11,    /* content cannot be placed on the page */
    SC_ERR_PDF = 12,       /* the PDF writer failed */
    SC_ERR_USAGE = 13,     /* bad argument to a library call */
    SC_ERR_FORBIDDEN = 14, /* DTD/external entity, path outside output dir */
    SC_ERR_MAIL = 15,      /* the mail server refused a message or cannot be
                            * reached */
    SC_ERR_LIBRARY = 16    /* a library the feature needs is not installed */
} sc_status;

/* One problem, with where it is.  Empty strings / 0 mean "not known". */
typedef struct sc_error {
    sc_status code;
    char message[512];
    char file[512];
    int line;
    int column;
    char employee[128]; /* "id name" of the record, if any */
    char field[128];    /* element or attribute path, if any */
} sc_error;

/* Receives each problem found; `e` is only valid during the call. */
typedef void (*sc_diag_fn)(void *ud, const sc_error *e);

/* A static one-line description of a status code. */
const char *sc_strerror(sc_status code);

/* Free memory the library handed out as char * (dumps, strings). */
void sc_free(void *p);

/* Prepare libxml2 for threads and refuse external entities and DTDs for
 * every parse in the process.  Call it on the main thread before starting
 * threads of your own that use the library (libxml2's set-up is not safe
 * to race); the library calls it itself before its first parse. */
void sc_init(void);

/* Compile the schemas of the data and template formats now rather than
 * when first needed (once per process either way), then the quick check
 * of records against the data schema.  Optional: a caller may run it on
 * another thread while it loads the fonts and makes the first documents,
 * which need only the schemas (the library waits for those where it
 * must), so that the first document comes sooner.  Any thread, any
 * number of times. */
void sc_warm_up(void);

/* ---- fonts ------------------------------------------------------------ */

typedef struct sc_fonts sc_fonts;

/* Resolve the font roles (body, heading, kai, latin) from the font map
 * `map_file` (NULL: the default map installed with scorecard) through
 * fontconfig, and parse their metrics.  *out belongs to the caller and is
 * immutable: any number of documents and threads may share it. */
sc_status sc_fonts_load(sc_fonts **out, const char *map_file, sc_error *err);
void sc_fonts_free(sc_fonts *fonts);

/* Human-readable report of what resolved (role, family, file, index) and,
 * if `text` is not NULL, which font covers each of its characters.
 * *out is malloc'd; free with sc_free. */
sc_status sc_fonts_describe(const sc_fonts *fonts, const char *text,
                            char **out, sc_error *err);

/* ---- templates -------------------------------------------------------- */

typedef struct sc_template sc_template;

/* Parse and validate a template file; XPath expressions are compiled once.
 * Every problem goes to diag (may be NULL); err gets the first.  *out
 * belongs to the caller and may be shared by any number of renders. */
sc_status sc_template_load(sc_template **out, const char *path,
                           sc_diag_fn diag, void *ud, sc_error *err);
void sc_template_free(sc_template *tpl);
/* Borrowed: the template's name attribute. */
const char *sc_template_name(const sc_template *tpl);

/* Find the file of the template called `name`: `dir` if given, else the
 * directory of `data_file`, then the folders of `search` (separated by
 * ':'; may be NULL; the CLI passes $SCORECARD_TEMPLATES and the templates
 * installed beside it), then the installed and source template folders.
 * Writes the path into out[0..n). */
sc_status sc_template_find(char *out, size_t n, const char *name,
                           const char *dir, const char *data_file,
                           const char *search, sc_error *err);

/* ---- data ------------------------------------------------------------- */

typedef struct sc_reader sc_reader;
typedef struct sc_record sc_record;

/* Open an evaluation batch for streaming.  Reads and checks the batch
 * header (company, department, period).  Declared encodings UTF-8, GBK,
 * GB18030 and Big5 are accepted.  No DTD, no external entity, no network.
 * *out belongs to the caller. */
sc_status sc_reader_open(sc_reader **out, const char *path,
                         sc_diag_fn diag, void *ud, sc_error *err);

/* Borrowed: the template name the batch asks for, or NULL. */
const char *sc_reader_template(const sc_reader *r);

/* Next employee record.  SC_OK: *out is a record owned by the caller.
 * SC_END: no more.  SC_ERR_SCHEMA / SC_ERR_DATA: this record, or what
 * stands between two records, is bad (every problem went to diag), *out
 * is NULL and the reader has moved past it: calling again continues with
 * the next record.  Other errors (SC_ERR_XML, SC_ERR_ENCODING, SC_ERR_IO,
 * SC_ERR_NOMEM) mean the rest of the file cannot be read; they come after
 * every record completed before the point of failure, and SC_END follows. */
sc_status sc_reader_next(sc_reader *r, sc_record **out, sc_error *err);
void sc_reader_free(sc_reader *r);

/* How many employee records the data file holds, counted without reading
 * them (for a progress line); the header is checked as by
 * sc_reader_open. */
sc_status sc_data_count(const char *path, int *n, sc_error *err);

/* Borrowed field of a record, for file naming and summaries: "template"
 * (the employee's own template name, "" if it has none), "id", "name",
 * "department", "position", "period" (e.g. 2026-10, 2026-Q3, 2026),
 * "email", "superior" (直接上级), "evaluator" (考核人); and what the
 * scoring engine computed (docs/scoring.md):
 * "total" ("102.00"), "grade" ("优秀"), "bonus" (yuan, "2080.00": the
 * month's amount, a quarterly statement's 实际奖金, a year sheet's 全年奖金).
 * Returns "" if absent, NULL for an unknown key. */
const char *sc_record_get(const sc_record *rec, const char *key);
void sc_record_free(sc_record *rec);

/* One figure a sheet prints as its result, in the sheet's own words. */
typedef struct sc_figure {
    const char *key;   /* "total", "grade", "bonus", or the template's own name */
    const char *label; /* what the sheet calls it: 最终得分, 年度等级, 全年奖金 */
    const char *value; /* as printed: "102.00", "优秀", "33483.00" ("" if none) */
} sc_figure;

/* The figures rec's sheet (tpl) prints as its result, in order: the
 * template's <figures>, or, when it declares none, the scoring engine's
 * total 总分, grade 等级 and bonus 绩效奖金.  A figure named total, grade
 * or bonus is the engine's (sc_record_get) or the call fails.  *out holds
 * *n entries in one allocation: free it with sc_free. */
sc_status sc_record_figures(const sc_template *tpl, const sc_record *rec,
                            sc_figure **out, int *n, sc_error *err);

/* Expand a file-name pattern ({period}, {id}, {name}, {department},
 * {position}) for a record, sanitised: no separators, no "..", no control
 * characters, no leading dot; the result is a plain file name.  */
sc_status sc_record_filename(const sc_record *rec, const char *pattern,
                             char *out, size_t n, sc_error *err);

/* SC_OK if every {placeholder} of the file-name pattern is known, else
 * SC_ERR_USAGE naming the first unknown one: check a pattern once, before
 * reading any data. */
sc_status sc_filename_pattern_check(const char *pattern, sc_error *err);

/* ---- one record -------------------------------------------------------- */

typedef struct sc_render_opts {
    const char *watermark; /* overrides the template's watermark if set */
    /* 0 (default): a character that no font of its style's chain has fails
     * the record (SC_ERR_FONT naming employee, field and U+XXXX).
     * 1: it is drawn as a visible marker (a framed "?") and reported to
     * diag as a warning (code SC_ERR_FONT, same details). */
    int allow_missing_glyphs;
    sc_diag_fn diag;       /* receives those warnings; may be NULL */
    void *diag_ud;
} sc_render_opts;
#define SC_RENDER_OPTS_INIT {NULL, 0, NULL, NULL}

/* Lay out one record and return the layout dump (plain text, one line per
 * box and text run) in *out, malloc'd: free with sc_free. */
sc_status sc_render_dump(const sc_template *tpl, const sc_fonts *fonts,
                         const sc_record *rec, const sc_render_opts *opts,
                         char **out, sc_error *err);

/* ---- the batch driver ------------------------------------------------- */

/* What the driver makes of each record. */
typedef enum sc_produce {
    SC_PRODUCE_PDF = 0,   /* a PDF per record (out_dir), or one book */
    SC_PRODUCE_CHECK = 1, /* read, score and lay out; write nothing */
    SC_PRODUCE_DUMP = 2   /* the layout dump, handed to on_result */
} sc_produce;

/* What kind of PDF a run makes (docs/archive.md). */
typedef enum sc_profile {
    SC_PROFILE_PRINT = 0,   /* a plain PDF to print or e-mail */
    SC_PROFILE_ARCHIVE = 1, /* PDF/A-3b: XMP, sRGB output intent, a
                             * signature field where each role signs, the
                             * record and its results inside */
    SC_PROFILE_PDFA1 = 2    /* PDF/A-1b for archives that take only
                             * part 1: the same without attachments and
                             * without transparency */
} sc_profile;

/* One record's outcome, handed to on_result in record order.  Everything
 * is borrowed for the duration of the call. */
typedef struct sc_result {
    int index;               /* 1, 2, ... over all data files of the run */
    const char *data_file;
    const char *label;       /* "id name"; "" if not even that was read */
    const sc_record *record; /* for a refused record, what was read of it
                              * (id, name, department, position, period;
                              * no figures); NULL if not even that */
    sc_status status;        /* SC_OK, or why the record failed */
    const sc_error *error;   /* its first problem when status != SC_OK */
    int pages;
    size_t bytes;            /* size of its PDF file (per-record files) */
    const char *path;        /* the file written for it, or NULL */
    const char *dump;        /* SC_PRODUCE_DUMP: its layout dump */
    /* the figures its sheet prints as its result, in the sheet's words
     * (see sc_record_figures): what `scorecard check` lists */
    const sc_figure *figures;
    int nfigures;
    int mail;                /* sc_mail_outcome (a run with mail) */
    const char *mail_to;     /* the address it went or would go to, or "" */
    const char *mail_note;   /* the server's reply, or why it was not sent */
    int cut_short;           /* 1: its data file breaks off inside this
                              * record (malformed XML...), which is why it
                              * failed; the records after it were not read */
} sc_result;

typedef void (*sc_result_fn)(void *ud, const sc_result *r);

/* ---- e-mail ---------------------------------------------------------------
 *
 * Each employee's own sheet (encrypted: password_pattern) as one message
 * to the record's <email>, through an SMTP server or into .eml files (a
 * dry run).  A journal keeps every message the server accepted, so that a
 * rerun of the same batch sends only the rest (docs/mail.md). */

/* What became of a record's message (sc_result.mail). */
typedef enum sc_mail_outcome {
    SC_MAIL_NONE = 0,       /* no mail in this run, or the record failed
                             * before its message was made */
    SC_MAIL_SENT = 1,       /* accepted by the server (and journalled) */
    SC_MAIL_WRITTEN = 2,    /* dry run: written as a .eml file */
    SC_MAIL_EARLIER = 3,    /* accepted in an earlier run (journal): not
                             * sent again */
    SC_MAIL_NO_ADDRESS = 4, /* skipped: no usable address (status says why) */
    SC_MAIL_FAILED = 5      /* refused or not sent (status says why) */
} sc_mail_outcome;

typedef struct sc_mail_opts {
    size_t size;             /* sizeof (sc_mail_opts) */
    const char *url;         /* smtp://HOST[:PORT] (STARTTLS, required unless
                              * HOST is loopback) or smtps://HOST[:PORT] */
    const char *user;        /* AUTH login, or NULL (none, or the netrc's) */
    const char *password;    /* AUTH password: the caller takes it from the
                              * environment or a file, never from argv */
    const char *netrc;       /* a netrc file with login and password, or NULL */
    const char *ca_file;     /* certificates to verify the server with;
                              * NULL: the system's */
    const char *from;        /* "addr" or "Display Name <addr>" (required) */
    const char *reply_to;    /* an address, or NULL */
    const char *cc;          /* an address, or "superior" (the record's
                              * superior/@email), or NULL */
    const char *bcc;         /* an address (an archive mailbox), or NULL */
    const char *message;     /* the subject and body template (a file), or
                              * NULL: the default */
    const char *dry_run_dir; /* write the messages here as .eml files
                              * instead of sending them */
    const char *journal;     /* NULL: mail-journal.tsv in out_dir */
    long long date;          /* the messages' Date:, s since 1970 UTC */
    int interval_ms;         /* at least this long from one message to the
                              * next (a provider's rate limit); 0: none */
    int tries;               /* attempts per message on a 4xx reply or a
                              * lost connection; 0: 5 */
    int retry_wait_ms;       /* the first wait between attempts, doubled
                              * each time; 0: 2000 */
} sc_mail_opts;
#define SC_MAIL_OPTS_INIT {.size = sizeof(sc_mail_opts)}

/* Options of a batch run.  Start from SC_BATCH_OPTS_INIT: `size` lets the
 * struct grow without breaking callers built against an older header. */
typedef struct sc_batch_opts {
    size_t size;               /* sizeof (sc_batch_opts) */
    const char *const *data;   /* the data files, read in this order */
    int ndata;
    int produce;               /* sc_produce */
    const char *template_file; /* every record uses this template, or NULL */
    const char *template_dir;  /* named templates: only this folder */
    const char *template_path; /* ... else the data's folder, then these
                                * (folders separated by ':') */
    const char *out_dir;       /* a PDF per record into this folder */
    const char *name_pattern;  /* NULL: "{period}_{id}_{name}.pdf" */
    const char *combined;      /* instead: the whole run as one book */
    const char *watermark;     /* NULL: the template's; "": none */
    int allow_missing_glyphs;  /* see sc_render_opts */
    long long created;         /* documents' date, s since 1970 UTC; < 0:
                                * each record's period end (from the data) */
    sc_diag_fn diag;           /* every problem found, as it is found */
    void *diag_ud;
    sc_diag_fn warn;           /* warnings (glyphs drawn as markers) */
    void *warn_ud;
    sc_result_fn on_result;    /* each record's outcome, in record order */
    void *result_ud;
    /* Print runs (docs/printing.md).  Books are --combined, or with
     * group_by one book per group into out_dir, named
     * {period}_{group}.pdf; an empty group value goes to the group
     * 未指定<field> and is reported to warn. */
    int group_by;              /* sc_group_by */
    int sort;                  /* sc_sort: records within a book, summary rows */
    int no_duplex;             /* books: 0 (default) every record starts on
                                * a front page, a blank back (此页无正文)
                                * inserted where needed */
    int no_summary;            /* books: no summary sheet in front */
    const char *summary;       /* also write the department summary as
                                * this PDF file (any produce mode) */
    const char *summary_template; /* the summary's template file; NULL:
                                * "dept-summary", found like a named one */
    /* With summary set: the summary's layout dump instead of its PDF. */
    void (*on_summary_dump)(void *ud, const char *dump);
    void *summary_ud;
    int profile;               /* sc_profile (SC_PRODUCE_PDF) */
    /* Encryption of each record's PDF (AES-256, R6) with an open password
     * from its own data: a pattern of placeholders only -- {password} (the
     * record's <password>), {id-number} (its <id-number>), {file} (its
     * line in password_file); {x:-6} takes the last 6 characters, {x:6}
     * the first 6.  NULL: no encryption.  SC_PRODUCE_CHECK checks that
     * every record has one. */
    const char *password_pattern;
    const char *password_file; /* lines "ID<TAB>password" or "ID,password" */
    const sc_mail_opts *mail;  /* e-mail each record's PDF, or NULL */
    /* 1: what is otherwise a warning about the template -- a select that
     * gives nothing for any record of a data file (a misspelt path) --
     * is an error, reported to diag and counted in sc_batch_summary's
     * unmatched (for the CI of templates) */
    int strict;
    /* per-record files (out_dir): the manifest of the run, STEM.csv and
     * STEM.json in out_dir -- a line per record: file, id, name, pages,
     * bytes, sha256, total, grade, bonus, status (NULL or "": none) */
    const char *manifest;
    /* per-record files: a record that fails removes the file of its name
     * an earlier run left (else that file is only warned about) */
    int remove_stale;
    /* Records made at once, each on a thread of its own (fonts, templates
     * and font bases shared read-only); 0 or 1: one at a time.  The bytes,
     * file names, messages and their order, and every callback's order
     * are the same whatever the number: callbacks are always called on the
     * thread that called sc_batch_run, in record order. */
    int jobs;
} sc_batch_opts;
#define SC_BATCH_OPTS_INIT {.size = sizeof(sc_batch_opts), .created = -1}

/* Books (--combined, --group-by): one book per value of a record field. */
typedef enum sc_group_by {
    SC_GROUP_NONE = 0,
    SC_GROUP_SUPERIOR = 1,   /* 直接上级 */
    SC_GROUP_EVALUATOR = 2,  /* 考核人 */
    SC_GROUP_DEPARTMENT = 3, /* 部门 */
    SC_GROUP_POSITION = 4    /* 岗位 */
} sc_group_by;

/* The order of records within a book and of the summary's rows. */
typedef enum sc_sort {
    SC_SORT_DATA = 0,  /* as in the data */
    SC_SORT_ID = 1,    /* 工号, digits compared as numbers */
    SC_SORT_NAME = 2,  /* 姓名, Chinese collation (pinyin) */
    SC_SORT_TOTAL = 3, /* 总分, highest first */
    SC_SORT_GRADE = 4  /* 等级 as the scheme lists them, then total */
} sc_sort;

/* What a run did. */
typedef struct sc_batch_summary {
    int records;   /* employee records the data files reached */
    int ok;        /* records done */
    int failed;    /* records refused (each reported to diag) */
    int files;     /* files written */
    int pages;     /* pages in them */
    int unusable;  /* data files that could not be used at all */
    int cut_short; /* data files that stopped half-way (malformed XML...):
                    * records after that point were never reached */
    int unmatched; /* strict: template selects that gave nothing for a
                    * whole data file (each reported to diag) */
} sc_batch_summary;

/* Read every data file of opts and make what opts asks of each record.  A
 * bad record fails alone (reported to diag, on_result with its status)
 * and the run goes on; a data file that cannot be read is counted as
 * unusable.  Returns SC_OK when the run went through (look at *sum for
 * the records), else what stopped it (a bad option, a book that could not
 * be written) with err set. */
sc_status sc_batch_run(const sc_fonts *fonts, const sc_batch_opts *opts,
                       sc_batch_summary *sum, sc_error *err);

/* ---- signing and verifying archive copies (docs/archive.md) ------------ */

/* Options of sc_sign.  Start from SC_SIGN_OPTS_INIT. */
typedef struct sc_sign_opts {
    size_t size;             /* sizeof (sc_sign_opts) */
    const char *in;          /* the PDF to sign */
    const char *out;         /* the signed copy; NULL: in, replaced whole */
    const char *key_file;    /* a PEM private key, or a PKCS#12 file */
    const char *cert_file;   /* PEM: the signer's certificate and its chain
                              * (NULL: in key_file); unused for PKCS#12 */
    const char *password;    /* of the key or PKCS#12 file, or NULL */
    const char *field;       /* sign this unsigned field; NULL: a new field
                              * "公司签章" */
    const char *seal;        /* PNG or JPEG shown in the field, or NULL
                              * (an invisible signature) */
    int seal_page;           /* a new visible field: its page (1-based) */
    double seal_box[4];      /* ... x, y, width, height in mm from the
                              * page's top left */
    const char *reason;      /* /Reason, or NULL */
    const char *location;    /* /Location, or NULL */
    long long time;          /* the claimed signing time (/M), s since
                              * 1970 UTC; < 0: none */
} sc_sign_opts;
#define SC_SIGN_OPTS_INIT {.size = sizeof(sc_sign_opts), .time = -1}

/* Sign opts->in with a PAdES baseline signature (CMS detached, SHA-256,
 * ETSI.CAdES.detached, signing-certificate-v2) appended as an incremental
 * update, so that the signatures already in the file stay valid and
 * others can sign their fields after.  An encrypted file is refused. */
sc_status sc_sign(const sc_sign_opts *opts, sc_error *err);

/* One finding of sc_verify, borrowed for the duration of the call. */
typedef enum sc_check_result {
    SC_CHECK_PASS = 0,
    SC_CHECK_FAIL = 1,
    SC_CHECK_INFO = 2     /* worth saying, neither (an optional field unsigned) */
} sc_check_result;
typedef struct sc_check {
    const char *file;
    const char *what;     /* "signature", "field", "pdfa", "record" */
    int result;           /* sc_check_result */
    const char *text;     /* what was found, one line */
} sc_check;
typedef void (*sc_check_fn)(void *ud, const sc_check *c);

typedef struct sc_verify_opts {
    size_t size;          /* sizeof (sc_verify_opts) */
    const char *ca_file;  /* PEM trust anchors for the signers' certificates;
                           * NULL: signatures checked, certificates not */
    sc_check_fn report;   /* every finding, as it is made */
    void *report_ud;
} sc_verify_opts;
#define SC_VERIFY_OPTS_INIT {.size = sizeof(sc_verify_opts)}

/* Check the archive copy at path: each signature (byte range, digest, CMS,
 * signer), required fields signed, the last signature covering the whole
 * file; the PDF/A self-checks; the embedded record validated, scored
 * again and compared with the embedded results and the printed figures.
 * SC_OK when every check passed; SC_ERR_DATA when one failed (*failed:
 * how many, each reported); another code when the file cannot be read. */
sc_status sc_verify(const char *path, const sc_verify_opts *opts, int *failed,
                    sc_error *err);

/* ---- files ------------------------------------------------------------ */

/* Write data[0..len) as the file path, whole or not at all: a temporary
 * file beside it (created exclusively, never through a link), every write
 * checked, flushed to disk, renamed over path.  On failure path keeps what
 * it had.  For a caller's own outputs (a CSV of problems...). */
sc_status sc_file_save(const char *path, const void *data, size_t len, sc_error *err);

#ifdef __cplusplus
}
#endif
#endif
