/* password.c -- where each employee's open password comes from.
 *
 * An e-mailed sheet shows the bonus, so it is encrypted with a password
 * the employee knows and nobody else in the batch does.  That password
 * comes from the employee's own data, never from the command line (argv
 * is in every shell history and every `ps` listing).  So the source is a
 * pattern made of placeholders only:
 *
 *   {password}      the record's <password>
 *   {id-number}     the record's <id-number> (身份证号码)
 *   {file}          the record's line in a password file: "ID<TAB>password"
 *                   or "ID,password" (an HR system's export)
 *
 * each optionally cut: {id-number:-6} is its last six characters (the
 * usual rule "身份证号后六位"), {x:4} its first four.  Literal text in the
 * pattern is refused: it would be a password on the command line again.
 *
 * A password is 6 to 127 printable ASCII characters.  PDF 2.0 (R6) takes
 * UTF-8 after SASLprep, but readers -- on phones especially -- do not all
 * agree on that, and an employee who cannot type their password cannot
 * read their sheet.
 *
 * The values never appear in an error: messages name the employee, the
 * field and what is wrong with it (missing, too short, a character not
 * allowed), not the value.  The reader has already taken <id-number> and
 * <password> out of the record's document (sc_record.id_number,
 * .password), so no template can print them.  The password file must not
 * be readable by other users; its copy in memory is wiped when the run
 * ends. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_PARTS 4
#define FILE_MAX (16u << 20)

typedef enum source { SRC_PASSWORD, SRC_ID_NUMBER, SRC_FILE } source;

typedef struct part {
    int src;   /* source */
    int cut;   /* 0: whole; > 0 the first cut characters; < 0 the last -cut */
} part;

typedef struct entry {
    char *id, *pw; /* pw NULL: free slot */
} entry;

struct sc_passwords {
    part parts[MAX_PARTS];
    int nparts;
    char pattern[128];
    char file[512];
    entry *v;      /* open addressing on the id */
    size_t n, cap;
};

/* ---- the pattern ----------------------------------------------------------- */

static sc_status parse_pattern(sc_passwords *p, const char *pat, sc_error *err)
{
    static const char *const hint =
        "the password must come from the data: --password-from takes "
        "placeholders only, e.g. '{id-number:-6}', '{password}' or "
        "file:FILE (docs/mail.md)";
    if (!pat || !*pat)
        return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0, "no password source; %s", hint);
    for (const char *s = pat; *s;) {
        if (*s != '{')
            return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                                "the password source holds text outside "
                                "placeholders; %s", hint);
        const char *close = strchr(s, '}');
        if (!close || close - s > 40)
            return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                                "unclosed placeholder in the password source; %s", hint);
        if (p->nparts == MAX_PARTS)
            return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                                "at most %d placeholders in the password source",
                                MAX_PARTS);
        char key[48];
        snprintf(key, sizeof key, "%.*s", (int)(close - s - 1), s + 1);
        part *pt = &p->parts[p->nparts];
        char *colon = strchr(key, ':');
        if (colon) {
            *colon = '\0';
            const char *num = colon + 1;
            int neg = *num == '-';
            num += neg;
            char *end = NULL;
            errno = 0;
            long v = strtol(num, &end, 10);
            if (!*num || *num < '0' || *num > '9' || errno || *end || v < 1 ||
                v > SC_PASSWORD_MAX)
                return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                                    "{%s:%s}: after the colon comes how many "
                                    "characters to take, e.g. {id-number:-6} for "
                                    "the last six", key, colon + 1);
            pt->cut = neg ? -(int)v : (int)v;
        }
        if (!strcmp(key, "password"))
            pt->src = SRC_PASSWORD;
        else if (!strcmp(key, "id-number"))
            pt->src = SRC_ID_NUMBER;
        else if (!strcmp(key, "file"))
            pt->src = SRC_FILE;
        else
            return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                                "unknown placeholder {%s} in the password source; "
                                "use {password}, {id-number} or {file}", key);
        p->nparts++;
        s = close + 1;
    }
    return SC_OK;
}

static int uses_file(const sc_passwords *p)
{
    for (int i = 0; i < p->nparts; i++)
        if (p->parts[i].src == SRC_FILE)
            return 1;
    return 0;
}

/* ---- the password file ------------------------------------------------------ */

static size_t hash(const char *s)
{
    size_t h = 1469598103934665603u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

static entry *slot(sc_passwords *p, const char *id)
{
    size_t h = hash(id) & (p->cap - 1);
    while (p->v[h].pw && strcmp(p->v[h].id, id))
        h = (h + 1) & (p->cap - 1);
    return &p->v[h];
}

static int grow(sc_passwords *p)
{
    if (2 * (p->n + 1) <= p->cap)
        return 1;
    size_t cap = p->cap ? 2 * p->cap : 256;
    entry *old = p->v;
    size_t oldcap = p->cap;
    if (!(p->v = sc_calloc(cap, sizeof *p->v))) {
        p->v = old;
        return 0;
    }
    p->cap = cap;
    for (size_t i = 0; i < oldcap; i++)
        if (old[i].pw)
            *slot(p, old[i].id) = old[i];
    sc_free(old);
    return 1;
}

/* s[0..n) without surrounding blanks and CSV quotes, as a new string. */
static char *field(const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
        char *d = sc_malloc(n);
        if (!d)
            return NULL;
        size_t k = 0;
        for (size_t i = 1; i + 1 < n; i++) {
            if (s[i] == '"' && i + 2 < n && s[i + 1] == '"')
                i++;
            d[k++] = s[i];
        }
        d[k] = '\0';
        return d;
    }
    return sc_strndup(s, n);
}

static sc_status file_error(sc_passwords *p, sc_error *err, int line, const char *fmt,
                            const char *what)
{
    sc_error_set(err, SC_ERR_DATA, p->file, line, 0, fmt, what);
    return SC_ERR_DATA;
}

static sc_status parse_file(sc_passwords *p, char *text, size_t len, sc_error *err)
{
    char *s = text, *end = text + len;
    if (len >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3))
        s += 3;
    for (int line = 1; s < end; line++) {
        char *nl = memchr(s, '\n', (size_t)(end - s));
        char *e = nl ? nl : end;
        size_t n = (size_t)(e - s);
        if (n && s[n - 1] == '\r')
            n--;
        const char *b = s;
        s = nl ? nl + 1 : end;
        size_t lead = 0;
        while (lead < n && (b[lead] == ' ' || b[lead] == '\t'))
            lead++;
        if (lead == n || b[lead] == '#')
            continue;
        if (memchr(b, '\0', n))
            return file_error(p, err, line, "%s", "a NUL byte: this is not a text file");
        const char *sep = memchr(b, '\t', n);
        if (!sep)
            sep = memchr(b, ',', n);
        if (!sep)
            return file_error(p, err, line, "%s",
                              "no separator: write the employee id, a tab (or a "
                              "comma) and the password");
        char *id = field(b, (size_t)(sep - b));
        char *pw = field(sep + 1, (size_t)(b + n - sep - 1));
        if (!id || !pw || !grow(p)) {
            sc_free(id);
            if (pw)
                sc_wipe(pw, strlen(pw));
            sc_free(pw);
            return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
        }
        sc_status st = SC_OK;
        if (!*id)
            st = file_error(p, err, line, "%s", "no employee id before the separator");
        else if (!*pw)
            st = file_error(p, err, line, "%s", "no password after the separator");
        else if (slot(p, id)->pw)
            st = file_error(p, err, line, "employee id %s has a password on an "
                            "earlier line already", id);
        if (st != SC_OK) {
            sc_free(id);
            sc_wipe(pw, strlen(pw));
            sc_free(pw);
            return st;
        }
        entry *en = slot(p, id);
        en->id = id;
        en->pw = pw;
        p->n++;
    }
    return SC_OK;
}

static sc_status read_file(sc_passwords *p, const char *path, sc_error *err)
{
    snprintf(p->file, sizeof p->file, "%s", path);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return sc_error_set(err, SC_ERR_IO, NULL, 0, 0,
                            "cannot open the password file %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return sc_error_set(err, SC_ERR_IO, NULL, 0, 0,
                            "the password file %s is not a regular file", path);
    }
    if (st.st_mode & 077) {
        close(fd);
        return sc_error_set(err, SC_ERR_FORBIDDEN, NULL, 0, 0,
                            "the password file %s can be read or changed by other "
                            "users (mode %03o): make it yours alone with chmod 600 %s",
                            path, (unsigned)(st.st_mode & 0777), path);
    }
    if ((unsigned long long)st.st_size > FILE_MAX) {
        close(fd);
        return sc_error_set(err, SC_ERR_DATA, NULL, 0, 0,
                            "the password file %s is larger than %u MB", path,
                            FILE_MAX >> 20);
    }
    size_t len = (size_t)st.st_size;
    char *text = sc_malloc(len + 1);
    if (!text) {
        close(fd);
        return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    }
    size_t got = 0;
    while (got < len) {
        ssize_t k = read(fd, text + got, len - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    int e = errno;
    close(fd);
    sc_status s = got == len ? parse_file(p, text, len, err)
                             : sc_error_set(err, SC_ERR_IO, NULL, 0, 0,
                                            "cannot read the password file %s: %s",
                                            path, strerror(e));
    sc_wipe(text, len);
    sc_free(text);
    return s;
}

/* ---- the run's passwords ------------------------------------------------------ */

sc_status sc_passwords_new(sc_passwords **out, const char *pattern, const char *file,
                           sc_error *err)
{
    *out = NULL;
    sc_passwords *p = sc_calloc(1, sizeof *p);
    if (!p)
        return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    sc_status st = parse_pattern(p, pattern, err);
    snprintf(p->pattern, sizeof p->pattern, "%s", pattern ? pattern : "");
    if (st == SC_OK && uses_file(p) && !file)
        st = sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                          "{file} in the password source needs a password file "
                          "(--password-from file:FILE)");
    if (st == SC_OK && file && !uses_file(p))
        st = sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                          "a password file is given but the password source "
                          "does not use {file}");
    if (st == SC_OK && file)
        st = read_file(p, file, err);
    if (st != SC_OK) {
        sc_passwords_free(p);
        return st;
    }
    *out = p;
    return SC_OK;
}

void sc_passwords_free(sc_passwords *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->cap; i++)
        if (p->v[i].pw) {
            sc_wipe(p->v[i].pw, strlen(p->v[i].pw));
            sc_free(p->v[i].pw);
            sc_free(p->v[i].id);
        }
    sc_free(p->v);
    sc_free(p);
}

/* The error of rec's password: at line (or the record's), never quoting
 * the value. */
static sc_status pw_error(const sc_record *rec, int line, const char *field,
                          sc_error *err, const char *fmt, ...)
{
    if (!err)
        return SC_ERR_DATA;
    memset(err, 0, sizeof *err);
    err->code = SC_ERR_DATA;
    snprintf(err->file, sizeof err->file, "%s", rec->file ? rec->file : "");
    err->line = line > 0 ? line : rec->line;
    snprintf(err->employee, sizeof err->employee, "%s", rec->label ? rec->label : "");
    snprintf(err->field, sizeof err->field, "%s", field);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return SC_ERR_DATA;
}

/* Characters (code points) of UTF-8 s. */
static size_t chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* Where character i (0-based) of s starts. */
static const char *at_char(const char *s, size_t i)
{
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80 && i-- == 0)
            return s;
    return s;
}

sc_status sc_passwords_get(const sc_passwords *p, const sc_record *rec, char *out,
                           size_t n, sc_error *err)
{
    static const char *const names[] = {"password", "id-number", "password file"};
    size_t len = 0;
    int where = 0; /* the line of the first field the password comes from */
    out[0] = '\0';
    for (int i = 0; i < p->nparts; i++) {
        const part *pt = &p->parts[i];
        const char *field = names[pt->src];
        const char *v = NULL;
        int line = 0;
        if (pt->src == SRC_FILE) {
            const entry *en = p->cap ? slot((sc_passwords *)p, rec->id) : NULL;
            if (!en || !en->pw)
                return pw_error(rec, 0, field, err,
                                "employee %s has no line in the password file %s, "
                                "so their sheet cannot be encrypted", rec->id,
                                p->file);
            v = en->pw;
        } else {
            v = pt->src == SRC_PASSWORD ? rec->password : rec->id_number;
            line = pt->src == SRC_PASSWORD ? rec->password_line : rec->id_number_line;
            if (!v || !v[0])
                return pw_error(rec, line, field, err,
                                "no <%s>: the open password (%s) is made from it; add "
                                "it to the data or choose another --password-from",
                                field, p->pattern);
            if (!where)
                where = line;
        }
        size_t have = chars(v);
        const char *from = v;
        size_t take = have;
        if (pt->cut) {
            size_t want = (size_t)(pt->cut < 0 ? -pt->cut : pt->cut);
            if (have < want)
                return pw_error(rec, line, field, err,
                                "the %s has %zu characters, fewer than the %zu the "
                                "password source (%s) takes", field, have, want,
                                p->pattern);
            take = want;
            if (pt->cut < 0)
                from = at_char(v, have - want);
        }
        size_t bytes = (size_t)(at_char(from, take) - from);
        if (len + bytes >= n) {
            sc_wipe(out, n);
            return pw_error(rec, line, field, err,
                            "the open password is longer than %d characters",
                            SC_PASSWORD_MAX);
        }
        memcpy(out + len, from, bytes);
        len += bytes;
    }
    out[len] = '\0';
    const char *field = p->nparts ? names[p->parts[0].src] : "password";
    if (len < SC_PASSWORD_MIN || len > SC_PASSWORD_MAX) {
        sc_wipe(out, n);
        return pw_error(rec, where, field, err,
                        "the open password has %zu characters; it needs %d to %d",
                        len, SC_PASSWORD_MIN, SC_PASSWORD_MAX);
    }
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)out[i] < 0x21 || (unsigned char)out[i] > 0x7E) {
            sc_wipe(out, n);
            return pw_error(rec, where, field, err,
                            "the open password has a character other than printable "
                            "ASCII (letters, digits, punctuation; no space), which "
                            "not every PDF reader can take");
        }
    return SC_OK;
}
