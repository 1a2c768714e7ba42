/* image.c -- images named by the data (signature scans), resolved and
 * checked once, before anything is drawn.
 *
 * Why here and not in the PDF writer.  The writer hands images to libharu,
 * which hands PNGs to libpng: a damaged PNG makes libpng print to stderr
 * and abort the whole process, and a check made only while drawing would
 * leave `check` saying all is well and half a record's pages in a print
 * book.  So the binder calls this stage for every image a record names;
 * what fails here fails the record with its field, in `check` and `render`
 * alike, and the writer only ever sees bytes that passed.
 *
 * Where an image may come from.  A reference is a relative path inside the
 * data file's folder: an absolute path or one whose ".." leaves the folder
 * is refused (a data file must not make the program read /etc/shadow into
 * a PDF), and every component is opened with O_NOFOLLOW from the folder
 * down, so a symbolic link planted in the folder is not followed either.
 * The file is read once into memory; the writer embeds those very bytes,
 * so the file cannot change between the check and the drawing.
 *
 * What is checked.  PNG: the signature, every chunk's length and CRC, an
 * IHDR first with a combination of bit depth and colour type that the PNG
 * standard allows, no interlacing (libharu cannot place interlaced PNGs),
 * a PLTE for palette images, IEND last, and the IDAT data inflated to
 * exactly the bytes the rows need, each row with a valid filter type.
 * JPEG: the markers up to the first scan, a baseline, extended or
 * progressive frame of 8-bit samples with 1, 3 or 4 components, and an
 * end-of-image marker.  Anything else (GIF, BMP, TIFF, WebP...) is named
 * and refused.  Images larger than 64 MB or 20000 pixels a side are
 * refused: a signature scan is a few hundred KB. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define MAX_BYTES (64u << 20)
#define MAX_SIDE 20000u

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

static unsigned be16(const unsigned char *p) { return (unsigned)p[0] << 8 | p[1]; }

/* ---- where the file is ------------------------------------------------- */

/* Open `ref` below the folder of data_file, component by component,
 * without following a symbolic link; -1 with msg set on failure. */
static int open_beneath(const char *data_file, const char *ref, char *msg,
                        size_t nmsg)
{
    if (!ref[0]) {
        snprintf(msg, nmsg, "the image path is empty");
        return -1;
    }
    if (ref[0] == '/') {
        snprintf(msg, nmsg, "image \"%s\" is an absolute path; give it "
                 "relative to the data file's folder", ref);
        return -1;
    }
    /* Lexically: ".." may not climb above the folder. */
    int depth = 0;
    for (const char *p = ref; *p;) {
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n == 2 && p[0] == '.' && p[1] == '.') {
            if (--depth < 0) {
                snprintf(msg, nmsg, "image \"%s\" lies outside the data "
                         "file's folder; put it in that folder (or below)",
                         ref);
                return -1;
            }
        } else if (n && !(n == 1 && p[0] == '.')) {
            depth++;
        }
        p += n;
        while (*p == '/')
            p++;
    }
    char dir[4096];
    const char *slash = data_file ? strrchr(data_file, '/') : NULL;
    if (slash)
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - data_file + 1),
                 data_file);
    else
        snprintf(dir, sizeof dir, ".");
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(msg, nmsg, "cannot open the data file's folder %s: %s", dir,
                 strerror(errno));
        return -1;
    }
    char part[4096];
    for (const char *p = ref; *p;) {
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n >= sizeof part)
            n = sizeof part - 1;
        memcpy(part, p, n);
        part[n] = '\0';
        p += n;
        while (*p == '/')
            p++;
        if (!n)
            continue;
        int last = !*p;
        int next = openat(fd, part,
                          (last ? O_RDONLY : O_RDONLY | O_DIRECTORY) |
                              O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
        int saved = errno;
        close(fd);
        if (next < 0) {
            if (saved == ELOOP || (saved == ENOTDIR && !last))
                snprintf(msg, nmsg, "image \"%s\": \"%s\" is a symbolic link "
                         "or not a folder; symbolic links are not followed",
                         ref, part);
            else
                snprintf(msg, nmsg, "image \"%s\" cannot be read (%s): looked "
                         "for %s%s, relative to the data file", ref,
                         strerror(saved), slash ? dir : "", ref);
            return -1;
        }
        fd = next;
    }
    return fd;
}

/* ---- PNG ----------------------------------------------------------------- */

static int png_check(sc_image *im, char *msg, size_t nmsg)
{
    const unsigned char *d = im->data;
    size_t n = im->len, at = 8;
    int seen_ihdr = 0, seen_plte = 0, seen_idat = 0, idat_done = 0;
    unsigned depth = 0, color = 0, channels = 0;
    z_stream zs = {0};
    int zinit = 0, zend = 0;
    size_t rowbytes = 0, need = 0, got = 0, col = 0;
    unsigned char row_filter_ok = 1;
    unsigned char buf[16384];
#define BAD(...) do { snprintf(msg, nmsg, __VA_ARGS__); goto bad; } while (0)
    while (at < n) {
        if (n - at < 12)
            BAD("the PNG is truncated (a chunk is cut off at byte %zu)", at);
        uint32_t len = be32(d + at);
        const unsigned char *type = d + at + 4;
        if (len > 0x7FFFFFFFu || len > n - at - 12)
            BAD("the PNG is truncated or damaged (chunk at byte %zu claims "
                "%u bytes)", at, (unsigned)len);
        const unsigned char *body = d + at + 8;
        uLong crc = crc32(crc32(0L, Z_NULL, 0), type, 4 + len);
        if (crc != be32(body + len))
            BAD("the PNG is damaged (CRC error in chunk %.4s at byte %zu)",
                (const char *)type, at);
        if (!seen_ihdr && memcmp(type, "IHDR", 4))
            BAD("the PNG is damaged (it does not start with IHDR)");
        if (!memcmp(type, "IHDR", 4)) {
            if (seen_ihdr || len != 13)
                BAD("the PNG is damaged (bad IHDR)");
            seen_ihdr = 1;
            im->width = be32(body);
            im->height = be32(body + 4);
            depth = body[8];
            color = body[9];
            if (!im->width || !im->height || im->width > MAX_SIDE ||
                im->height > MAX_SIDE)
                BAD("the PNG is %u x %u pixels; at most %u a side can be "
                    "placed", (unsigned)im->width, (unsigned)im->height,
                    MAX_SIDE);
            int ok = (color == 0 && (depth == 1 || depth == 2 || depth == 4 ||
                                     depth == 8 || depth == 16)) ||
                     (color == 3 && (depth == 1 || depth == 2 || depth == 4 ||
                                     depth == 8)) ||
                     ((color == 2 || color == 4 || color == 6) &&
                      (depth == 8 || depth == 16));
            if (!ok || body[10] != 0 || body[11] != 0)
                BAD("the PNG is damaged (colour type %u with bit depth %u)",
                    color, depth);
            if (body[12] != 0)
                BAD("the PNG is interlaced, which cannot be placed; re-save "
                    "it as a non-interlaced PNG");
            channels = color == 0 || color == 3 ? 1 : color == 2 ? 3
                       : color == 4             ? 2
                                                : 4;
            rowbytes = ((size_t)im->width * channels * depth + 7) / 8;
            need = (rowbytes + 1) * im->height;
        } else if (!memcmp(type, "PLTE", 4)) {
            if (len == 0 || len % 3 || len > 768 || seen_idat)
                BAD("the PNG is damaged (bad palette)");
            seen_plte = 1;
        } else if (!memcmp(type, "IDAT", 4)) {
            if (idat_done)
                BAD("the PNG is damaged (IDAT chunks are not consecutive)");
            if (color == 3 && !seen_plte)
                BAD("the PNG is damaged (a palette image without PLTE)");
            if (!zinit) {
                if (inflateInit(&zs) != Z_OK)
                    BAD("out of memory");
                zinit = 1;
            }
            seen_idat = 1;
            zs.next_in = (Bytef *)body;
            zs.avail_in = len;
            while (zs.avail_in && !zend) {
                zs.next_out = buf;
                zs.avail_out = sizeof buf;
                int zr = inflate(&zs, Z_NO_FLUSH);
                if (zr != Z_OK && zr != Z_STREAM_END)
                    BAD("the PNG is damaged (its image data does not "
                        "decompress: %s)", zs.msg ? zs.msg : "zlib error");
                size_t out = sizeof buf - zs.avail_out;
                /* every row starts with a filter type 0..4 */
                for (size_t i = 0; i < out; i++, got++) {
                    if (col == 0 && buf[i] > 4)
                        row_filter_ok = 0;
                    col = col == rowbytes ? 0 : col + 1;
                }
                if (got > need)
                    BAD("the PNG is damaged (more image data than its size "
                        "needs)");
                zend = zr == Z_STREAM_END;
                if (zr == Z_OK && zs.avail_in == 0)
                    break;
            }
            if (!row_filter_ok)
                BAD("the PNG is damaged (a row has an unknown filter type)");
        } else if (!memcmp(type, "IEND", 4)) {
            if (!seen_idat)
                BAD("the PNG has no image data");
            if (!zend || got != need)
                BAD("the PNG is truncated (its image data ends early)");
            inflateEnd(&zs);
            return 0;
        } else if (seen_idat) {
            idat_done = 1;
        }
        at += 12 + (size_t)len;
    }
    BAD("the PNG is truncated (no IEND chunk)");
bad:
    if (zinit)
        inflateEnd(&zs);
    return -1;
#undef BAD
}

/* ---- JPEG ---------------------------------------------------------------- */

static int jpeg_check(sc_image *im, char *msg, size_t nmsg)
{
    const unsigned char *d = im->data;
    size_t n = im->len, at = 2;
    int frame = 0;
    for (;;) {
        while (at < n && d[at] == 0xFF && at + 1 < n && d[at + 1] == 0xFF)
            at++; /* fill bytes */
        if (at + 4 > n || d[at] != 0xFF) {
            snprintf(msg, nmsg, "the JPEG is damaged or truncated (no marker "
                     "at byte %zu)", at);
            return -1;
        }
        unsigned m = d[at + 1];
        unsigned len = be16(d + at + 2);
        if (len < 2 || at + 2 + len > n) {
            snprintf(msg, nmsg, "the JPEG is truncated (segment at byte %zu)",
                     at);
            return -1;
        }
        if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
            if (m != 0xC0 && m != 0xC1 && m != 0xC2) {
                snprintf(msg, nmsg, "the JPEG uses a coding (SOF%u: lossless "
                         "or arithmetic) that PDF readers cannot show; "
                         "re-save it as a baseline JPEG", m - 0xC0);
                return -1;
            }
            if (len < 8 || d[at + 4] != 8) {
                snprintf(msg, nmsg, "the JPEG has %u-bit samples; re-save it "
                         "with 8-bit samples", len >= 8 ? d[at + 4] : 0);
                return -1;
            }
            im->height = be16(d + at + 5);
            im->width = be16(d + at + 7);
            unsigned nc = d[at + 9];
            if (nc != 1 && nc != 3 && nc != 4) {
                snprintf(msg, nmsg, "the JPEG has %u colour components; "
                         "re-save it as RGB or grey", nc);
                return -1;
            }
            if (!im->width || !im->height || im->width > MAX_SIDE ||
                im->height > MAX_SIDE) {
                snprintf(msg, nmsg, "the JPEG is %u x %u pixels; at most %u a "
                         "side can be placed", (unsigned)im->width,
                         (unsigned)im->height, MAX_SIDE);
                return -1;
            }
            frame = 1;
        } else if (m == 0xDA) { /* start of scan */
            if (!frame) {
                snprintf(msg, nmsg, "the JPEG is damaged (a scan before the "
                         "frame header)");
                return -1;
            }
            break;
        } else if (m == 0xD9) {
            snprintf(msg, nmsg, "the JPEG has no image data");
            return -1;
        }
        at += 2 + len;
    }
    /* The scan data runs to an end-of-image marker. */
    for (size_t i = n; i >= 2 && i > at; i--)
        if (d[i - 2] == 0xFF && d[i - 1] == 0xD9)
            return 0;
    snprintf(msg, nmsg, "the JPEG is truncated (no end-of-image marker)");
    return -1;
}

/* ---- the stage ----------------------------------------------------------- */

static const char *other_kind(const unsigned char *d, size_t n)
{
    if (n >= 6 && (!memcmp(d, "GIF87a", 6) || !memcmp(d, "GIF89a", 6)))
        return "a GIF image";
    if (n >= 2 && d[0] == 'B' && d[1] == 'M')
        return "a BMP image";
    if (n >= 4 && (!memcmp(d, "II*\0", 4) || !memcmp(d, "MM\0*", 4)))
        return "a TIFF image";
    if (n >= 12 && !memcmp(d, "RIFF", 4) && !memcmp(d + 8, "WEBP", 4))
        return "a WebP image";
    if (n >= 5 && !memcmp(d, "%PDF-", 5))
        return "a PDF file";
    if (n >= 4 && !memcmp(d, "<svg", 4))
        return "an SVG drawing";
    return "not an image this program knows";
}

sc_status sc_image_load(sc_image **out, const char *data_file, const char *ref,
                        sc_arena *a, char *msg, size_t nmsg)
{
    *out = NULL;
    msg[0] = '\0';
    int fd = open_beneath(data_file, ref, msg, nmsg);
    if (fd < 0)
        return SC_ERR_DATA;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        snprintf(msg, nmsg, "image \"%s\" is not a regular file", ref);
        return SC_ERR_DATA;
    }
    if ((unsigned long long)st.st_size > MAX_BYTES) {
        close(fd);
        snprintf(msg, nmsg, "image \"%s\" is %lld bytes; at most %u MB can "
                 "be placed", ref, (long long)st.st_size, MAX_BYTES >> 20);
        return SC_ERR_DATA;
    }
    sc_image *im = sc_arena_alloc(a, sizeof *im);
    unsigned char *buf = sc_arena_alloc(a, (size_t)st.st_size + 1);
    if (!im || !buf) {
        close(fd);
        snprintf(msg, nmsg, "out of memory");
        return SC_ERR_NOMEM;
    }
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            int e = r < 0 ? errno : 0;
            close(fd);
            snprintf(msg, nmsg, "image \"%s\" cannot be read (%s)", ref,
                     e ? strerror(e) : "it shrank while being read");
            return SC_ERR_IO;
        }
        got += (size_t)r;
    }
    close(fd);
    im->ref = sc_arena_strdup(a, ref);
    if (!im->ref) {
        snprintf(msg, nmsg, "out of memory");
        return SC_ERR_NOMEM;
    }
    im->data = buf;
    im->len = got;
    char why[256];
    int bad;
    if (got >= 8 && !memcmp(buf, "\x89PNG\r\n\x1a\n", 8)) {
        im->kind = SC_IMAGE_PNG;
        bad = png_check(im, why, sizeof why);
    } else if (got >= 3 && buf[0] == 0xFF && buf[1] == 0xD8 && buf[2] == 0xFF) {
        im->kind = SC_IMAGE_JPEG;
        bad = jpeg_check(im, why, sizeof why);
    } else {
        snprintf(msg, nmsg, "image \"%s\" is %s; only PNG and JPEG images "
                 "can be placed: convert it to PNG", ref,
                 other_kind(buf, got));
        return SC_ERR_DATA;
    }
    if (bad) {
        snprintf(msg, nmsg, "image \"%s\": %s", ref, why);
        return SC_ERR_DATA;
    }
    *out = im;
    return SC_OK;
}
