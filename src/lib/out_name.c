/* out_name.c -- the output step that names each document's file.
 *
 * A file name comes from data we do not control (a name such as
 * "../../etc/x" or "CON").  Each substituted value and then the whole
 * result are cleaned: separators, control characters and the characters
 * Windows forbids (<>:"|?*) become '_', invalid UTF-8 bytes too, and so do
 * the invisible format characters that make a name read other than it is
 * (U+202E RIGHT-TO-LEFT OVERRIDE shows "张\u202Eexe.fdp.pdf" as
 * 张fdp.exe.pdf: bidi controls, zero-width characters, the BOM); runs of
 * two or more dots become '_' (no "..", ever); leading dots and spaces and
 * trailing dots and spaces (before ".pdf") go; the length is capped at 200
 * bytes on a UTF-8 boundary.  The result is a plain name: it can never
 * contain a path separator nor be "." or "..".
 *
 * Two records of one run never get the same name (two employees called
 * 张伟 under --name '{name}.pdf', or "a/b" and "a:b", which both clean to
 * a_b): the second one fails with a message that suggests {id}, instead
 * of silently overwriting the first one's sheet.  Names are compared with
 * ASCII case folded, since the folder may be copied to a file system that
 * folds case.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FILENAME_MAX_BYTES 200

/* Characters that change how a name reads without being seen: bidi
 * controls and marks, zero-width and other invisible format characters
 * (Unicode's Cf, and the fillers that render as nothing). */
static int invisible(uint32_t cp)
{
    return (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2060 && cp <= 0x206F) || cp == 0x061C || cp == 0xFEFF ||
           cp == 0x00AD || cp == 0x034F || (cp >= 0x180B && cp <= 0x180F) ||
           cp == 0x115F || cp == 0x1160 || cp == 0x3164 || cp == 0xFFA0 ||
           cp == 0x17B4 || cp == 0x17B5 || (cp >= 0xFFF9 && cp <= 0xFFFB) ||
           (cp >= 0xE0000 && cp <= 0xE007F);
}

static void clean_into(sc_buf *b, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80) {
            uint32_t cp;
            size_t k = sc_utf8_decode(s + i, n - i, &cp);
            if (k == 0 || cp == 0x2028 || cp == 0x2029 || (cp >= 0x80 && cp < 0xA0) ||
                invisible(cp)) {
                sc_buf_append(b, "_", 1);
                i += k ? k : 1;
            } else {
                sc_buf_append(b, s + i, k);
                i += k;
            }
            continue;
        }
        if (c < 0x20 || c == 0x7F || strchr("/\\<>:\"|?*", c))
            c = '_';
        if (c == '.' && i + 1 < n && s[i + 1] == '.') {
            while (i < n && s[i] == '.')
                i++;
            sc_buf_append(b, "_", 1);
            continue;
        }
        sc_buf_append(b, (const char *)&c, 1);
        i++;
    }
}

static int ends_with_pdf(const char *s, size_t n)
{
    return n >= 4 && sc_ascii_ieq(s + n - 4, ".pdf");
}

/* Trim leading dots/spaces, trailing dots/spaces, cap the length. */
static void finish_name(sc_buf *b, const char *raw, int want_pdf)
{
    size_t n = strlen(raw);
    const char *s = raw;
    if (want_pdf && ends_with_pdf(s, n))
        n -= 4;
    while (n && (*s == '.' || *s == ' ')) {
        s++;
        n--;
    }
    while (n && (s[n - 1] == '.' || s[n - 1] == ' '))
        n--;
    size_t limit = FILENAME_MAX_BYTES - (want_pdf ? 4 : 0);
    if (n > limit) {
        n = limit;
        while (n && ((unsigned char)s[n] & 0xC0) == 0x80) /* inside a sequence */
            n--;
    }
    /* Windows device names are not files. */
    static const char *const dev[] = {"CON", "PRN", "AUX", "NUL", "COM1", "COM2",
                                      "COM3", "COM4", "LPT1", "LPT2", "LPT3"};
    for (size_t i = 0; i < sizeof dev / sizeof *dev; i++) {
        size_t dl = strlen(dev[i]);
        if (n == dl) {
            char tmp[8];
            memcpy(tmp, s, n);
            tmp[n] = '\0';
            if (sc_ascii_ieq(tmp, dev[i]))
                sc_buf_append(b, "_", 1);
        }
    }
    sc_buf_append(b, s, n);
    if (want_pdf && b->len)
        sc_buf_puts(b, ".pdf");
}

static int known_key(const char *key)
{
    return !strcmp(key, "period") || !strcmp(key, "id") || !strcmp(key, "name") ||
           !strcmp(key, "department") || !strcmp(key, "position");
}

static sc_status unknown_key(const char *key, sc_error *err)
{
    return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                        "unknown placeholder {%s} in the file-name pattern; "
                        "use {period} {id} {name} {department} {position}",
                        key);
}

sc_status sc_filename_pattern_check(const char *pattern, sc_error *err)
{
    for (const char *p = pattern ? pattern : ""; (p = strchr(p, '{'));) {
        const char *close = strchr(p, '}');
        if (!close || close - p >= 32) {
            p++;
            continue;
        }
        char key[32];
        memcpy(key, p + 1, (size_t)(close - p - 1));
        key[close - p - 1] = '\0';
        if (!known_key(key))
            return unknown_key(key, err);
        p = close + 1;
    }
    return SC_OK;
}

sc_status sc_record_filename(const sc_record *rec, const char *pattern,
                             char *out, size_t n, sc_error *err)
{
    if (!out || n == 0)
        return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0, "no output buffer");
    out[0] = '\0';
    if (!rec || !pattern)
        return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0, "no record or pattern");
    sc_buf raw = {0};
    for (const char *p = pattern; *p;) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            if (close && close - p < 32) {
                char key[32];
                memcpy(key, p + 1, (size_t)(close - p - 1));
                key[close - p - 1] = '\0';
                const char *v = known_key(key) ? sc_record_get(rec, key) : NULL;
                if (!v) {
                    sc_buf_free(&raw);
                    return unknown_key(key, err);
                }
                clean_into(&raw, v);
                p = close + 1;
                continue;
            }
        }
        const char *q = p;
        while (*q && *q != '{')
            q++;
        if (q == p)
            q++;
        sc_buf_append(&raw, p, (size_t)(q - p));
        p = q;
    }
    int want_pdf = ends_with_pdf(pattern, strlen(pattern));
    sc_buf clean = {0}, fin = {0};
    clean_into(&clean, raw.data ? raw.data : "");
    finish_name(&fin, clean.data ? clean.data : "", want_pdf);
    if (!fin.oom && fin.len == 0) {
        /* Nothing usable left: fall back to the id, then a fixed name. */
        sc_buf idb = {0};
        clean_into(&idb, rec->id ? rec->id : "");
        finish_name(&fin, idb.data ? idb.data : "", 0);
        sc_buf_free(&idb);
        if (fin.len == 0)
            sc_buf_puts(&fin, "record");
        if (want_pdf)
            sc_buf_puts(&fin, ".pdf");
    }
    sc_status st = SC_OK;
    if (raw.oom || clean.oom || fin.oom)
        st = sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    else if (fin.len + 1 > n)
        st = sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                          "the file name does not fit in %zu bytes", n);
    else
        memcpy(out, fin.data, fin.len + 1);
    sc_buf_free(&raw);
    sc_buf_free(&clean);
    sc_buf_free(&fin);
    return st;
}

sc_status sc_filename_clean(const char *raw, char *out, size_t n, sc_error *err)
{
    int want_pdf = ends_with_pdf(raw, strlen(raw));
    sc_buf clean = {0}, fin = {0};
    clean_into(&clean, raw);
    finish_name(&fin, clean.data ? clean.data : "", want_pdf);
    if (!fin.oom && fin.len == 0)
        sc_buf_puts(&fin, want_pdf ? "book.pdf" : "book");
    sc_status st = SC_OK;
    if (clean.oom || fin.oom)
        st = sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    else if (fin.len + 1 > n)
        st = sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                          "the file name does not fit in %zu bytes", n);
    else
        memcpy(out, fin.data, fin.len + 1);
    sc_buf_free(&clean);
    sc_buf_free(&fin);
    return st;
}

int sc_filename_same(const char *a, const char *b) { return sc_ascii_ieq(a, b); }

/* ---- the step ------------------------------------------------------------ */

typedef struct name_step {
    sc_step step;
    const char *pattern;
    sc_strset taken; /* the run's names (case-folded), each with where its
                      * owner is: "<data file index>:<line>", or for a
                      * name the run keeps for itself "=" and whose */
    char **files;    /* the run's data files, as the records name them */
    int nfiles;
} name_step;

/* The index of data file `file` in the run's list, added if new; -1 when
 * out of memory.  A run has a handful of files: a name remembers its
 * owner's file by this index, not by its path. */
static int file_index(name_step *ns, const char *file)
{
    for (int i = ns->nfiles; i-- > 0;)
        if (!strcmp(ns->files[i], file))
            return i;
    char **v = sc_realloc(ns->files, (size_t)(ns->nfiles + 1) * sizeof *v);
    if (!v)
        return -1;
    ns->files = v;
    if (!(v[ns->nfiles] = sc_strdup(file)))
        return -1;
    return ns->nfiles++;
}

/* The name alone: a function of the record and the pattern (any thread). */
static sc_status name_work(sc_step *self, sc_doc *d, sc_error *err)
{
    name_step *ns = (name_step *)self;
    return sc_record_filename(d->rec, ns->pattern, d->name, sizeof d->name,
                              err);
}

/* ... and, in record order, not one an earlier record took. */
static sc_status name_doc(sc_step *self, sc_doc *d, sc_error *err)
{
    name_step *ns = (name_step *)self;
    sc_status st = d->name[0] ? SC_OK : name_work(self, d, err);
    if (st != SC_OK)
        return st;
    /* The record that has the name is told by where it is, not by whom:
     * one employee's name never appears in another's message. */
    int fi = file_index(ns, d->rec->file ? d->rec->file : "");
    char where[64];
    snprintf(where, sizeof where, "%d:%d", fi, d->rec->line);
    const char *other = NULL;
    int added = fi < 0 ? -1 : sc_strset_add(&ns->taken, d->name, where, &other);
    if (added < 0)
        return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    if (!added) {
        char label[600];
        int of = 0, ol = 0;
        if (other[0] == '=')
            snprintf(label, sizeof label, "%s", other + 1);
        else if (sscanf(other, "%d:%d", &of, &ol) == 2)
            snprintf(label, sizeof label, "%s:%d",
                     of >= 0 && of < ns->nfiles ? ns->files[of] : "", ol);
        else
            label[0] = '\0';
        return sc_error_set(err, SC_ERR_DATA, d->rec->file, d->rec->line, 0,
                            "file name \"%s\" is already taken in this run by "
                            "the employee at %s, and a sheet is never "
                            "overwritten; put {id} in the pattern, e.g. --name "
                            "'{period}_{id}_{name}.pdf'", d->name, label);
    }
    return SC_OK;
}

/* The name a failed record would have had: what may be left of it from
 * an earlier run.  None if it is a name this run has written. */
static int name_failed(sc_step *self, sc_doc *d, const sc_error *why, sc_error *note)
{
    (void)why;
    (void)note;
    name_step *ns = (name_step *)self;
    sc_error e;
    if (!d->name[0] && d->rec &&
        sc_record_filename(d->rec, ns->pattern, d->name, sizeof d->name, &e) != SC_OK)
        d->name[0] = '\0';
    if (d->name[0] && sc_strset_get(&ns->taken, d->name))
        d->name[0] = '\0';
    return 0;
}

int sc_step_name_reserve(sc_step *self, const char *name, const char *whose)
{
    name_step *ns = (name_step *)self;
    size_t n = strlen(whose) + 2;
    char *v = sc_malloc(n);
    if (!v)
        return 0;
    snprintf(v, n, "=%s", whose);
    int added = sc_strset_add(&ns->taken, name, v, NULL);
    sc_free(v);
    return added >= 0;
}

static void name_free(sc_step *self)
{
    name_step *ns = (name_step *)self;
    sc_strset_free(&ns->taken);
    for (int i = 0; i < ns->nfiles; i++)
        sc_free(ns->files[i]);
    sc_free(ns->files);
    sc_free(ns);
}

sc_step *sc_step_name(const char *pattern)
{
    name_step *ns = sc_calloc(1, sizeof *ns);
    if (!ns)
        return NULL;
    ns->step.what = "naming";
    ns->step.doc = name_doc;
    ns->step.work = name_work;
    ns->step.free = name_free;
    ns->step.failed = name_failed;
    ns->pattern = pattern;
    ns->taken.fold = 1;
    return &ns->step;
}
