/* out_file.c -- the output step that writes each document as a file, and
 * the one way every file of the program is written.
 *
 * A sheet is evidence in a pay dispute: a file that exists under its name
 * must be complete.  So a file is never written in place:
 *
 *   1. a temporary file is created in the target folder under a name no
 *      one can predict (".<name>.<12 random hex>.tmp"), with O_CREAT |
 *      O_EXCL | O_NOFOLLOW: a link or file planted there is refused, never
 *      followed or truncated;
 *   2. every write is checked (a full disk fails here, not silently), the
 *      file is flushed to the disk and closed, and the close is checked
 *      too (a batch's files are flushed in groups: see the step below);
 *   3. it is renamed over the final name -- rename replaces a symbolic
 *      link planted at the final name instead of following it -- and the
 *      folder is fsync'd so that the rename itself survives a crash: at
 *      once for a single file, once at the end of the run for the file
 *      step (a folder fsync per sheet cost 10% of a batch's time, and
 *      until the run ends nothing reports the sheets as delivered).
 *
 * On any failure the temporary file is removed and the final name keeps
 * whatever it had.  All names are opened relative to the folder's
 * descriptor, so the folder cannot be swapped for a link half-way. */
#define _GNU_SOURCE /* O_TMPFILE, memfd_create, syncfs */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

static sc_status io_error(sc_error *err, const char *dir, const char *name,
                          const char *what, int e)
{
    const char *hint = e == ENOSPC || e == EDQUOT
                           ? "; free some space or choose another folder"
                       : e == EACCES || e == EPERM || e == EROFS
                           ? "; check the folder's permissions"
                           : "";
    return sc_error_set(err, SC_ERR_IO, NULL, 0, 0, "cannot %s %s/%s: %s%s",
                        what, dir, name, strerror(e), hint);
}

int sc_write_all(int fd, const void *data, size_t n)
{
    const unsigned char *p = data;
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (w == 0)
                errno = EIO;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* ".<name, cut on a character boundary>.<12 hex>.tmp" */
static int temp_name(char *out, size_t n, const char *name)
{
    unsigned char r[6];
    size_t got = 0;
    while (got < sizeof r) {
        ssize_t k = getrandom(r + got, sizeof r - got, 0);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        got += (size_t)k;
    }
    size_t keep = strlen(name);
    if (keep > 200) {
        keep = 200;
        while (keep && ((unsigned char)name[keep] & 0xC0) == 0x80)
            keep--;
    }
    snprintf(out, n, ".%.*s.%02x%02x%02x%02x%02x%02x.tmp", (int)keep, name,
             r[0], r[1], r[2], r[3], r[4], r[5]);
    return 0;
}

/* The folder's own fsync, which makes the renames in it durable. */
static sc_status sync_dir(int dfd, const char *dir, sc_error *err)
{
    if (fsync(dfd) != 0 && errno != EINVAL && errno != EROFS)
        return io_error(err, dir, ".", "flush the folder", errno);
    return SC_OK;
}

static int plain_name(const char *name)
{
    return name && *name && !strchr(name, '/') && strcmp(name, ".") &&
           strcmp(name, "..");
}

/* Steps 1 and 2: what fill writes, in a new temporary file of folder dfd
 * (called dir in messages) for the final name `name`; its name in
 * tmp[0..320).  Flushed unless the caller flushes it later (flush 0).
 * Nothing is left behind on failure. */
static sc_status write_temp(int dfd, const char *dir, const char *name,
                            sc_file_fill fill, void *ud, char *tmp, int flush,
                            sc_error *err)
{
    int fd = -1;
    for (int tries = 0; tries < 100 && fd < 0; tries++) {
        if (temp_name(tmp, 320, name) != 0)
            return io_error(err, dir, name, "make a temporary name for", errno);
        fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                    0666);
        if (fd < 0 && errno != EEXIST)
            return io_error(err, dir, name, "create a temporary file for", errno);
    }
    if (fd < 0)
        return io_error(err, dir, name, "create a temporary file for", EEXIST);
    const char *what = "write";
    int e = fill(ud, fd);
    if (!e && flush && fsync(fd) != 0) {
        what = "flush";
        e = errno;
    }
    if (close(fd) != 0 && !e) {
        what = "close";
        e = errno;
    }
    if (e) {
        unlinkat(dfd, tmp, 0);
        tmp[0] = '\0';
        return io_error(err, dir, name, what, e);
    }
    return SC_OK;
}

/* Step 3 (but the folder's fsync): the temporary file becomes `name`. */
static sc_status commit(int dfd, const char *dir, const char *tmp,
                        const char *name, sc_error *err)
{
    if (renameat(dfd, tmp, dfd, name) != 0) {
        int e = errno;
        unlinkat(dfd, tmp, 0);
        return io_error(err, dir, name, "rename the temporary file to", e);
    }
    return SC_OK;
}

typedef struct bytes {
    const void *data;
    size_t len;
} bytes;

static int fill_bytes(void *ud, int fd)
{
    const bytes *b = ud;
    return sc_write_all(fd, b->data, b->len) != 0 ? errno : 0;
}

sc_status sc_file_write(const char *dir, const char *name, const void *data,
                        size_t len, sc_error *err)
{
    bytes b = {data, len};
    return sc_file_write_with(dir, name, fill_bytes, &b, err);
}

sc_status sc_file_write_with(const char *dir, const char *name, sc_file_fill fill,
                             void *ud, sc_error *err)
{
    if (!dir || !*dir)
        dir = ".";
    if (!plain_name(name))
        return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                            "\"%s\" is not a plain file name", name ? name : "");
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return io_error(err, dir, name, "open the folder of", errno);
    char tmp[320];
    sc_status st = write_temp(dfd, dir, name, fill, ud, tmp, 1, err);
    if (st == SC_OK)
        st = commit(dfd, dir, tmp, name, err);
    /* The rename is durable once the folder is. */
    if (st == SC_OK)
        st = sync_dir(dfd, dir, err);
    close(dfd);
    return st;
}

sc_status sc_file_save(const char *path, const void *data, size_t len, sc_error *err)
{
    char dir[4096];
    const char *slash = path ? strrchr(path, '/') : NULL;
    if (!path || !*path || (slash && !slash[1]))
        return sc_error_set(err, SC_ERR_USAGE, path, 0, 0, "not a file name");
    if (!slash)
        return sc_file_write(".", path, data, len, err);
    size_t dl = (size_t)(slash - path);
    if (dl >= sizeof dir)
        return sc_error_set(err, SC_ERR_USAGE, path, 0, 0, "the path is too long");
    memcpy(dir, path, dl);
    dir[dl] = '\0';
    return sc_file_write(dl ? dir : "/", slash + 1, data, len, err);
}

int sc_spill_fd(void)
{
    const char *dir = getenv("TMPDIR");
    int fd = open(dir && *dir ? dir : "/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0)
        fd = memfd_create("scorecard-spill", MFD_CLOEXEC);
    return fd;
}

sc_status sc_make_dirs(const char *path, sc_error *err)
{
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return sc_error_set(err, SC_ERR_USAGE, path, 0, 0,
                            "the output folder's path is too long");
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return sc_error_set(err, SC_ERR_IO, path, 0, 0,
                                "cannot create the folder %s: %s", buf,
                                strerror(errno));
        *p = '/';
    }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST)
        return sc_error_set(err, SC_ERR_IO, path, 0, 0,
                            "cannot create the output folder: %s",
                            strerror(errno));
    struct stat st;
    if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode))
        return sc_error_set(err, SC_ERR_IO, path, 0, 0,
                            "the output folder exists but is not a folder");
    return SC_OK;
}

/* ---- the step ------------------------------------------------------------
 *
 * The folder is opened once for the run.  A record's file is written by
 * the step's work, on a worker thread, while other records are made; its
 * rename comes in record order, after the name step has checked the name,
 * and the folder is flushed once at the end of the run.
 *
 * Flushed in groups.  An fsync per sheet was 8 % of a batch's CPU time
 * (the data, the inode's block and a cache flush, each a trip to the
 * disk and back), so the work only writes and closes the file and counts
 * it (d->ticket); before a rename, if the file is not yet known to be on
 * the disk, one syncfs() of the folder's file system flushes every file
 * closed so far.  The driver holds records back (ready) so that one
 * syncfs serves a group of them.  The rename still never comes before
 * the data is on the disk.  A failed syncfs (Linux reports a writeback
 * error of the file system since the folder was opened, ours or not)
 * fails every file not yet known flushed, and every later one: the disk
 * is not trusted again in this run.  Without the folder open for the
 * run, each file is fsync'd as it is written. */

typedef struct file_step {
    sc_step step;
    const char *dir;
    int dfd;     /* the folder, or -1: opened for each file (and failing
                  * there, with the reason) */
    int written;
    int remove_stale;
    _Atomic unsigned long long closed; /* files the work closed unflushed */
    unsigned long long synced; /* tickets up to this one are on the disk */
    int broken;  /* errno of a failed syncfs, or 0 (record order only) */
} file_step;

static int step_dir(file_step *fs, const char *name, int *opened,
                    sc_error *err)
{
    *opened = 0;
    if (fs->dfd >= 0)
        return fs->dfd;
    int dfd = open(fs->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) {
        io_error(err, fs->dir, name, "open the folder of", errno);
        return -1;
    }
    *opened = 1;
    return dfd;
}

static sc_status check_doc(const sc_doc *d, sc_error *err)
{
    if (!d->pdf)
        return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                            "no PDF to write (internal error)");
    if (!plain_name(d->name))
        return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                            "\"%s\" is not a plain file name", d->name);
    return SC_OK;
}

/* Write the record's bytes to a temporary file (any thread); flushed
 * with others before its rename (file_doc). */
static sc_status file_work(sc_step *self, sc_doc *d, sc_error *err)
{
    file_step *fs = (file_step *)self;
    d->tmp[0] = '\0';
    d->ticket = 0;
    int flush = fs->dfd < 0;
    sc_status st = check_doc(d, err);
    int opened = 0, dfd = st == SC_OK ? step_dir(fs, d->name, &opened, err) : -1;
    if (st != SC_OK || dfd < 0)
        return st != SC_OK ? st : SC_ERR_IO;
    bytes b = {d->pdf, d->len};
    st = write_temp(dfd, fs->dir, d->name, fill_bytes, &b, d->tmp, flush, err);
    if (st == SC_OK && !flush)
        d->ticket = atomic_fetch_add(&fs->closed, 1) + 1;
    if (opened)
        close(dfd);
    return st;
}

/* Whether d's temporary file is on the disk, or its flush failed. */
static int file_ready(sc_step *self, const sc_doc *d)
{
    const file_step *fs = (const file_step *)self;
    return !d->tmp[0] || d->ticket <= fs->synced || fs->broken;
}

/* Before d's rename: its file on the disk, with every file closed before
 * this call (see the step's comment).  On failure the file is removed. */
static sc_status flushed(file_step *fs, sc_doc *d, sc_error *err)
{
    if (d->ticket <= fs->synced)
        return SC_OK;
    if (!fs->broken) {
        unsigned long long upto = atomic_load(&fs->closed);
        if (syncfs(fs->dfd) == 0) {
            fs->synced = upto; /* d's ticket among them: it was closed */
            return SC_OK;
        }
        fs->broken = errno ? errno : EIO;
    }
    unlinkat(fs->dfd, d->tmp, 0);
    d->tmp[0] = '\0';
    return io_error(err, fs->dir, d->name, "flush", fs->broken);
}

/* The temporary file becomes the record's file (in record order); without
 * work done before, the whole of it. */
static sc_status file_doc(sc_step *self, sc_doc *d, sc_error *err)
{
    file_step *fs = (file_step *)self;
    sc_status st = check_doc(d, err);
    int opened = 0, dfd = st == SC_OK ? step_dir(fs, d->name, &opened, err) : -1;
    if (st != SC_OK || dfd < 0)
        return st != SC_OK ? st : SC_ERR_IO;
    if (!d->tmp[0]) {
        bytes b = {d->pdf, d->len};
        d->ticket = 0;
        st = write_temp(dfd, fs->dir, d->name, fill_bytes, &b, d->tmp, 1, err);
    } else if (d->ticket) {
        st = flushed(fs, d, err);
    }
    if (st == SC_OK)
        st = commit(dfd, fs->dir, d->tmp, d->name, err);
    d->tmp[0] = '\0';
    if (opened)
        close(dfd);
    if (st == SC_OK) {
        snprintf(d->path, sizeof d->path, "%s/%s", fs->dir, d->name);
        fs->written++;
    }
    return st;
}

/* A record failed after its file was written: the temporary file goes. */
static void file_undo(sc_step *self, sc_doc *d)
{
    file_step *fs = (file_step *)self;
    if (!d->tmp[0])
        return;
    int opened;
    sc_error ignored;
    int dfd = step_dir(fs, d->name, &opened, &ignored);
    if (dfd >= 0)
        unlinkat(dfd, d->tmp, 0);
    if (opened && dfd >= 0)
        close(dfd);
    d->tmp[0] = '\0';
}

/* The renames of the run, durable at once. */
static sc_status file_end(sc_step *self, int *files, int *pages, sc_error *err)
{
    (void)files;
    (void)pages;
    file_step *fs = (file_step *)self;
    if (!fs->written)
        return SC_OK;
    int opened, dfd = step_dir(fs, ".", &opened, err);
    if (dfd < 0)
        return SC_ERR_IO;
    sc_status st = sync_dir(dfd, fs->dir, err);
    if (opened)
        close(dfd);
    return st;
}

/* A failed record leaves no sheet of this run; one of an earlier run
 * under its name would pass for it (a rerun after a fix in the data, a
 * pattern without {period}).  Say so, or remove it: only a plain file,
 * never through a link, only that name. */
static int file_failed(sc_step *self, sc_doc *d, const sc_error *why, sc_error *note)
{
    (void)why;
    file_step *fs = (file_step *)self;
    struct stat st;
    if (!d->name[0] || d->path[0]) /* no name, or this run's own file */
        return 0;
    int dfd = open(fs->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return 0;
    int found = fstatat(dfd, d->name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
    if (found && fs->remove_stale) {
        if (unlinkat(dfd, d->name, 0) == 0) {
            (void)sync_dir(dfd, fs->dir, NULL);
            sc_error_set(note, SC_ERR_IO, NULL, 0, 0,
                         "%s/%s, the sheet of an earlier run, was removed "
                         "(--remove-stale): this run has none for this employee",
                         fs->dir, d->name);
        } else {
            io_error(note, fs->dir, d->name, "remove the earlier sheet", errno);
        }
    } else if (found) {
        sc_error_set(note, SC_ERR_IO, NULL, 0, 0,
                     "%s/%s is from an earlier run and was not replaced: it is not this "
                     "run's sheet (--remove-stale removes it; the manifest lists what "
                     "this run wrote)", fs->dir, d->name);
    }
    close(dfd);
    return found;
}

static void file_free(sc_step *self)
{
    file_step *fs = (file_step *)self;
    if (fs->dfd >= 0)
        close(fs->dfd);
    sc_free(self);
}

sc_step *sc_step_file(const char *dir, int remove_stale)
{
    file_step *fs = sc_calloc(1, sizeof *fs);
    if (!fs)
        return NULL;
    fs->step.what = "writing";
    fs->step.doc = file_doc;
    fs->step.work = file_work;
    fs->step.undo = file_undo;
    fs->step.end = file_end;
    fs->step.free = file_free;
    fs->step.failed = file_failed;
    fs->step.ready = file_ready;
    fs->dir = dir && *dir ? dir : ".";
    fs->remove_stale = remove_stale;
    fs->dfd = open(fs->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    return &fs->step;
}
