/* mailtext.c -- the subject and body of the e-mailed sheets: a small text
 * template with placeholders, HR's own words.
 *
 *   # lines starting with # before the subject are comments
 *   Subject: {period_label}绩效考核表（{name}）
 *
 *   {name}，您好：
 *   ...
 *
 * The first line that is not a comment is "Subject: ..."; an empty line
 * follows; the rest is the body.  Placeholders are filled from the
 * recipient's own record: {name} {id} {department} {position} {period}
 * {period_label} {company} {superior} {total} {grade} {bonus}; "{{" is a
 * brace.  {password} and {id-number} are refused: the password must not
 * travel with the sheet it opens.  The file is UTF-8, at most 64 KB, and
 * checked once, before any record is read. */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define TEXT_MAX (64u << 10)

struct sc_mailtext {
    char *subject;
    char *body;
    char path[512];
};

static const char default_text[] =
    "Subject: {period_label}绩效考核表（{name}）\n"
    "\n"
    "{name}，您好：\n"
    "\n"
    "附件是您{period_label}的绩效考核表（{company} {department}）。\n"
    "考核得分：{total}　等级：{grade}\n"
    "\n"
    "如附件已加密，打开密码请见人力资源部的通知。对考核结果有疑问的，"
    "请与直接上级或人力资源部联系。\n"
    "\n"
    "此邮件由系统发出。\n";

static const char *const keys[] = {"name",   "id",     "department", "position",
                                   "period", "period_label", "company", "superior",
                                   "total",  "grade",  "bonus"};

/* Every placeholder of s known; else the error names it and the line. */
static sc_status check_placeholders(const sc_mailtext *t, const char *s, int line0,
                                    sc_error *err)
{
    int line = line0;
    for (const char *p = s; *p; p++) {
        if (*p == '\n')
            line++;
        if (*p != '{')
            continue;
        if (p[1] == '{') {
            p++;
            continue;
        }
        const char *close = strchr(p, '}');
        const char *nl = strchr(p, '\n');
        if (!close || (nl && nl < close) || close - p > 40)
            return sc_error_set(err, SC_ERR_USAGE, t->path, line, 0,
                                "a '{' that opens no placeholder; write {{ for a brace");
        char key[48];
        snprintf(key, sizeof key, "%.*s", (int)(close - p - 1), p + 1);
        if (!strcmp(key, "password") || !strcmp(key, "id-number"))
            return sc_error_set(err, SC_ERR_USAGE, t->path, line, 0,
                                "{%s} cannot be in a message: the password must not "
                                "travel with the sheet it opens", key);
        int known = 0;
        for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
            known |= !strcmp(key, keys[i]);
        if (!known)
            return sc_error_set(err, SC_ERR_USAGE, t->path, line, 0,
                                "unknown placeholder {%s}; use {name} {id} {department} "
                                "{position} {period} {period_label} {company} "
                                "{superior} {total} {grade} {bonus}", key);
        p = close;
    }
    return SC_OK;
}

static sc_status parse(sc_mailtext *t, const char *text, size_t len, sc_error *err)
{
    size_t bad;
    if (!sc_utf8_valid(text, len, &bad))
        return sc_error_set(err, SC_ERR_ENCODING, t->path, 0, 0,
                            "the message template is not UTF-8 (byte %zu)", bad);
    if (memchr(text, '\0', len))
        return sc_error_set(err, SC_ERR_ENCODING, t->path, 0, 0,
                            "the message template holds a NUL byte");
    const char *p = text, *end = text + len;
    if (len >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
        p += 3;
    int line = 1;
    while (p < end && *p == '#') {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        p = nl ? nl + 1 : end;
        line++;
    }
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *eol = nl ? nl : end;
    if ((size_t)(eol - p) < 8 || strncmp(p, "Subject:", 8))
        return sc_error_set(err, SC_ERR_USAGE, t->path, line, 0,
                            "the message template starts with \"Subject: ...\", "
                            "then an empty line, then the body");
    const char *sb = p + 8;
    while (sb < eol && *sb == ' ')
        sb++;
    size_t sl = (size_t)(eol - sb);
    if (sl && sb[sl - 1] == '\r')
        sl--;
    t->subject = sc_strndup(sb, sl);
    const char *body = nl ? nl + 1 : end;
    int blank = body < end && (*body == '\n' || (*body == '\r' && body + 1 < end &&
                                                 body[1] == '\n'));
    if (body < end && !blank)
        return sc_error_set(err, SC_ERR_USAGE, t->path, line + 1, 0,
                            "an empty line must follow the subject");
    if (blank)
        body = memchr(body, '\n', (size_t)(end - body)) + 1;
    t->body = sc_strndup(body, (size_t)(end - body));
    if (!t->subject || !t->body)
        return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    sc_status st = check_placeholders(t, t->subject, line, err);
    if (st == SC_OK)
        st = check_placeholders(t, t->body, line + 2, err);
    return st;
}

sc_status sc_mailtext_load(sc_mailtext **out, const char *path, sc_error *err)
{
    *out = NULL;
    sc_mailtext *t = sc_calloc(1, sizeof *t);
    if (!t)
        return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    snprintf(t->path, sizeof t->path, "%s", path ? path : "(the default message)");
    sc_status st;
    if (!path) {
        st = parse(t, default_text, sizeof default_text - 1, err);
    } else {
        FILE *f = fopen(path, "rb");
        if (!f) {
            sc_mailtext_free(t);
            return sc_error_set(err, SC_ERR_IO, NULL, 0, 0,
                                "cannot open the message template %s: %s", path,
                                strerror(errno));
        }
        char *buf = sc_malloc(TEXT_MAX + 1);
        size_t n = buf ? fread(buf, 1, TEXT_MAX + 1, f) : 0;
        int bad = ferror(f);
        fclose(f);
        if (!buf)
            st = sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
        else if (bad)
            st = sc_error_set(err, SC_ERR_IO, NULL, 0, 0,
                              "cannot read the message template %s", path);
        else if (n > TEXT_MAX)
            st = sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                              "the message template %s is larger than %u KB", path,
                              TEXT_MAX >> 10);
        else
            st = parse(t, buf, n, err);
        sc_free(buf);
    }
    if (st != SC_OK) {
        sc_mailtext_free(t);
        return st;
    }
    *out = t;
    return SC_OK;
}

void sc_mailtext_free(sc_mailtext *t)
{
    if (!t)
        return;
    sc_free(t->subject);
    sc_free(t->body);
    sc_free(t);
}

/* The value of placeholder key for rec (sc_malloc'd). */
static char *value(const sc_record *rec, const char *key)
{
    xmlNodePtr root = xmlDocGetRootElement(rec->doc);
    if (!strcmp(key, "company"))
        return sc_xml_text(sc_xml_child(root, "company"));
    if (!strcmp(key, "period_label"))
        return sc_xml_text(sc_xml_child(root, "period"));
    if (!strcmp(key, "superior"))
        return sc_xml_text(sc_xml_child(rec->employee, "superior"));
    const char *v = sc_record_get(rec, key);
    return sc_strdup(v ? v : "");
}

static char *expand(const char *s, const sc_record *rec)
{
    sc_buf b = {0};
    for (const char *p = s; *p;) {
        if (p[0] == '{' && p[1] == '{') {
            sc_buf_append(&b, "{", 1);
            p += 2;
            continue;
        }
        const char *close = *p == '{' ? strchr(p, '}') : NULL;
        if (close) {
            char key[48];
            snprintf(key, sizeof key, "%.*s", (int)(close - p - 1), p + 1);
            char *v = value(rec, key);
            if (!v)
                b.oom = 1;
            else
                sc_buf_puts(&b, v);
            sc_free(v);
            p = close + 1;
            continue;
        }
        const char *q = p + 1;
        while (*q && *q != '{')
            q++;
        sc_buf_append(&b, p, (size_t)(q - p));
        p = q;
    }
    if (b.oom) {
        sc_buf_free(&b);
        return NULL;
    }
    return b.data ? b.data : sc_strdup("");
}

sc_status sc_mailtext_expand(const sc_mailtext *t, const sc_record *rec, char **subject,
                             char **body, sc_error *err)
{
    *subject = expand(t->subject, rec);
    *body = expand(t->body, rec);
    if (!*subject || !*body) {
        sc_free(*subject);
        sc_free(*body);
        *subject = *body = NULL;
        return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    }
    return SC_OK;
}
