/* shim.c -- an LD_PRELOAD fault injector for tests/faults/run.sh, for the
 * faults a test cannot always make for real (mounting a small tmpfs needs
 * privileges CI may not have) or not at all (a failing fsync, a known
 * "random" temporary name).  Each fault is asked for by an environment
 * variable; without one the shim changes nothing.
 *
 *   SC_FAULT_SPACE=N   regular files of this process may take N bytes in
 *                      all; past that write() writes what fits, then fails
 *                      with ENOSPC, as on a full disk
 *   SC_FAULT_FSYNC=1   fsync() and syncfs() fail with EIO
 *   SC_FAULT_RANDOM=1  getrandom() gives zeros, so temporary names are
 *                      known in advance and a test can plant a link there */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

ssize_t write(int fd, const void *buf, size_t n)
{
    static ssize_t (*real)(int, const void *, size_t);
    static long long left = -1;
    if (!real)
        real = (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
    const char *space = getenv("SC_FAULT_SPACE");
    struct stat st;
    if (!space || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        return real(fd, buf, n);
    if (left < 0)
        left = atoll(space);
    if (left == 0) {
        errno = ENOSPC;
        return -1;
    }
    if ((long long)n > left)
        n = (size_t)left;
    ssize_t w = real(fd, buf, n);
    if (w > 0)
        left -= w;
    return w;
}

int fsync(int fd)
{
    static int (*real)(int);
    if (!real)
        real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    if (getenv("SC_FAULT_FSYNC")) {
        errno = EIO;
        return -1;
    }
    return real(fd);
}

int syncfs(int fd)
{
    static int (*real)(int);
    if (!real)
        real = (int (*)(int))dlsym(RTLD_NEXT, "syncfs");
    if (getenv("SC_FAULT_FSYNC")) {
        errno = EIO;
        return -1;
    }
    return real(fd);
}

ssize_t getrandom(void *buf, size_t n, unsigned int flags)
{
    static ssize_t (*real)(void *, size_t, unsigned int);
    if (!real)
        real = (ssize_t(*)(void *, size_t, unsigned int))dlsym(RTLD_NEXT, "getrandom");
    if (getenv("SC_FAULT_RANDOM")) {
        memset(buf, 0, n);
        return (ssize_t)n;
    }
    return real(buf, n, flags);
}
