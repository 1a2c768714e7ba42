/* journal.c -- what the mail server has accepted, so that no employee gets
 * their sheet twice.
 *
 * One line per accepted message, tab-separated, UTF-8:
 *
 *   date  period  employee-id  address  sha256-of-the-attachment  message-id  reply
 *
 * appended and fsync'd as soon as the server has said 250 to the message,
 * before the next one is sent.  A rerun of the batch reads it and does not
 * send to (period, id, address) again; a record whose address changed
 * since (a typo corrected) is sent to the new one.
 *
 * This is the one file that is not written whole through sc_file_write:
 * it must grow one line at a time and be durable after each, and a
 * rewrite would put the lines already there at risk.  So it is opened
 * with O_APPEND | O_NOFOLLOW (a planted link is refused, not followed),
 * created with mode 0600, each line written by a single write(), and
 * locked (fcntl) for the run: two runs on one journal would both send.
 *
 * Exactly once, and where it is not: a crash after the server's 250 and
 * before the fsync loses the line, and the rerun sends that message again;
 * a connection lost after the server stored the message but before its
 * 250 arrived looks like a failure and the message is retried.  SMTP has
 * no way to ask; the window is one round trip.  A last line cut short by
 * a crash is honoured if its key (period, id, address) is whole. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define JOURNAL_MAX (256u << 20)

struct sc_journal {
    int fd;             /* -1: read only (a dry run), or none yet */
    char path[4096];
    char **keys;        /* "period\tid\taddress", open addressing */
    size_t n, cap;
};

static size_t hash(const char *s)
{
    size_t h = 1469598103934665603u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

static char **slot(const sc_journal *j, const char *key)
{
    size_t h = hash(key) & (j->cap - 1);
    while (j->keys[h] && strcmp(j->keys[h], key))
        h = (h + 1) & (j->cap - 1);
    return &j->keys[h];
}

static int add_key(sc_journal *j, const char *key, size_t len)
{
    if (2 * (j->n + 1) > j->cap) {
        size_t cap = j->cap ? 2 * j->cap : 256;
        char **old = j->keys;
        size_t oldcap = j->cap;
        if (!(j->keys = sc_calloc(cap, sizeof *j->keys))) {
            j->keys = old;
            return 0;
        }
        j->cap = cap;
        for (size_t i = 0; i < oldcap; i++)
            if (old[i])
                *slot(j, old[i]) = old[i];
        sc_free(old);
    }
    char *k = sc_strndup(key, len);
    if (!k)
        return 0;
    char **s = slot(j, k);
    if (*s) {
        sc_free(k);
        return 1;
    }
    *s = k;
    j->n++;
    return 1;
}

/* Keys of the lines in text[0..len).  A line is kept when it holds at
 * least the first four fields (the key) whole. */
static int read_lines(sc_journal *j, const char *text, size_t len)
{
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        if (*p != '#') {
            const char *t1 = memchr(p, '\t', (size_t)(e - p));
            const char *t4 = t1;
            for (int k = 0; t4 && k < 3; k++)
                t4 = memchr(t4 + 1, '\t', (size_t)(e - t4 - 1));
            if (t4 && !add_key(j, t1 + 1, (size_t)(t4 - t1 - 1)))
                return 0;
        }
        p = nl ? nl + 1 : end;
    }
    return 1;
}

static sc_status io_error(sc_error *err, const char *path, const char *what)
{
    int e = errno;
    return sc_error_set(err, SC_ERR_IO, NULL, 0, 0, "cannot %s the mail journal %s: %s",
                        what, path, strerror(e));
}

sc_status sc_journal_open(sc_journal **out, const char *path, int writable, sc_error *err)
{
    *out = NULL;
    sc_journal *j = sc_calloc(1, sizeof *j);
    if (!j)
        return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    j->fd = -1;
    snprintf(j->path, sizeof j->path, "%s", path);
    int flags = (writable ? O_RDWR | O_CREAT | O_APPEND : O_RDONLY) | O_NOFOLLOW | O_CLOEXEC;
    struct stat before;
    int existed = lstat(path, &before) == 0;
    int fd = open(path, flags, 0600);
    if (fd < 0 && !writable && errno == ENOENT) {
        *out = j; /* a dry run before any real one: nothing sent yet */
        return SC_OK;
    }
    sc_status st = SC_OK;
    if (fd < 0)
        st = errno == ELOOP ? sc_error_set(err, SC_ERR_FORBIDDEN, NULL, 0, 0,
                                           "the mail journal %s is a symbolic link; "
                                           "it is never followed", path)
                            : io_error(err, path, "open");
    struct stat sb;
    if (st == SC_OK && (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)))
        st = sc_error_set(err, SC_ERR_IO, NULL, 0, 0,
                          "the mail journal %s is not a regular file", path);
    if (st == SC_OK && writable) {
        struct flock lk = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
        if (fcntl(fd, F_SETLK, &lk) != 0)
            st = errno == EACCES || errno == EAGAIN
                     ? sc_error_set(err, SC_ERR_IO, NULL, 0, 0,
                                    "another run is sending with the mail journal %s; "
                                    "wait for it to end", path)
                     : io_error(err, path, "lock");
    }
    if (st == SC_OK && (unsigned long long)sb.st_size > JOURNAL_MAX)
        st = sc_error_set(err, SC_ERR_IO, NULL, 0, 0,
                          "the mail journal %s is larger than %u MB", path,
                          JOURNAL_MAX >> 20);
    char *text = NULL;
    size_t len = st == SC_OK ? (size_t)sb.st_size : 0;
    if (st == SC_OK && !(text = sc_malloc(len + 1)))
        st = sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    size_t got = 0;
    while (st == SC_OK && got < len) {
        ssize_t k = pread(fd, text + got, len - got, (off_t)got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            st = io_error(err, path, "read");
            break;
        }
        got += (size_t)k;
    }
    if (st == SC_OK && !read_lines(j, text, len))
        st = sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    /* A line cut short by a crash: end it, so the next one starts clean. */
    if (st == SC_OK && writable && len && text[len - 1] != '\n' && write(fd, "\n", 1) != 1)
        st = io_error(err, path, "write to");
    if (st == SC_OK && writable && !len)
        if (dprintf(fd, "# scorecard mail journal: one line per message the server "
                        "accepted; a rerun does not send these again\n"
                        "# date\tperiod\tid\taddress\tsha256\tmessage-id\treply\n") < 0 ||
            fsync(fd) != 0)
            st = io_error(err, path, "write to");
    /* a new journal's name must survive a crash too */
    if (st == SC_OK && writable && !existed) {
        char dir[4096];
        const char *slash = strrchr(path, '/');
        if (!slash)
            snprintf(dir, sizeof dir, ".");
        else if (slash == path)
            snprintf(dir, sizeof dir, "/");
        else
            snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            (void)fsync(dfd);
            close(dfd);
        }
    }
    sc_free(text);
    if (st != SC_OK) {
        if (fd >= 0)
            close(fd);
        sc_journal_close(j);
        return st;
    }
    j->fd = writable ? fd : -1;
    if (!writable)
        close(fd);
    *out = j;
    return SC_OK;
}

static void key_of(char *out, size_t n, const char *period, const char *id,
                   const char *to)
{
    snprintf(out, n, "%s\t%s\t%s", period, id, to);
}

int sc_journal_has(const sc_journal *j, const char *period, const char *id,
                   const char *to)
{
    if (!j->cap)
        return 0;
    char key[1024];
    key_of(key, sizeof key, period, id, to);
    return *slot(j, key) != NULL;
}

/* s with tabs and line breaks made spaces: one field. */
static void put_field(sc_buf *b, const char *s)
{
    for (; *s; s++)
        sc_buf_append(b, (*s == '\t' || *s == '\n' || *s == '\r') ? " " : s, 1);
}

sc_status sc_journal_add(sc_journal *j, const char *date, const char *period,
                         const char *id, const char *to, const char *sha256,
                         const char *message_id, const char *reply, sc_error *err)
{
    if (j->fd < 0)
        return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                            "the mail journal is open for reading only");
    sc_buf b = {0};
    const char *f[] = {date, period, id, to, sha256, message_id, reply};
    for (size_t i = 0; i < sizeof f / sizeof *f; i++) {
        if (i)
            sc_buf_append(&b, "\t", 1);
        put_field(&b, f[i] ? f[i] : "");
    }
    sc_buf_append(&b, "\n", 1);
    sc_status st = SC_OK;
    if (b.oom)
        st = sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    /* one write: a line is never interleaved with another */
    while (st == SC_OK) {
        ssize_t w = write(j->fd, b.data, b.len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w != (ssize_t)b.len)
            st = io_error(err, j->path, "append to");
        break;
    }
    if (st == SC_OK && fsync(j->fd) != 0)
        st = io_error(err, j->path, "flush");
    if (st == SC_OK) {
        char key[1024];
        key_of(key, sizeof key, period, id, to);
        if (!add_key(j, key, strlen(key)))
            st = sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    }
    sc_buf_free(&b);
    return st;
}

void sc_journal_close(sc_journal *j)
{
    if (!j)
        return;
    if (j->fd >= 0)
        close(j->fd);
    for (size_t i = 0; i < j->cap; i++)
        sc_free(j->keys[i]);
    sc_free(j->keys);
    sc_free(j);
}
