/* pdfdoc.h -- a finished PDF read back (pdfdoc.c), for signing (sign.c) and
 * verifying (verify.c): its bytes, as they are on disk, and its objects,
 * as libqpdf parses them (xref tables or streams, incremental updates,
 * object streams: whatever the reader that signed it last wrote).
 *
 * The bytes are the authority for everything a signature covers; the
 * objects are only a map to them.  Only these three files include
 * libqpdf's header. */
#ifndef SC_PDFDOC_H
#define SC_PDFDOC_H

#include "internal.h"

#include "dl_qpdf.h"

typedef struct sc_pdfdoc {
    char *path;
    unsigned char *bytes; /* the whole file */
    size_t len;
    qpdf_data q;
    long long startxref;  /* offset of the last cross-reference section */
    int xref_stream;      /* that section is a cross-reference stream */
} sc_pdfdoc;

/* One signature field: a terminal field of the AcroForm whose /FT
 * (inherited) is /Sig. */
typedef struct sc_sigfield {
    char *name;           /* fully qualified (/T of the parents joined by .) */
    char *tu;             /* /TU, "" if none */
    qpdf_oh field;        /* the field dictionary */
    qpdf_oh widget;       /* its (first) widget: the field itself if merged */
    int flags;            /* /Ff, inherited */
    qpdf_oh v;            /* /V, the signature dictionary; 0 if unsigned */
    double rect[4];       /* the widget's /Rect, normalised */
    int page;             /* 0-based page of the widget, -1 if unknown */
} sc_sigfield;

/* Read path (at most SC_PDF_MAX bytes) and parse it.  SC_ERR_IO,
 * SC_ERR_PDF (not a PDF qpdf can read, with qpdf's reason). */
#define SC_PDF_MAX (512u * 1024 * 1024)
sc_status sc_pdfdoc_open(sc_pdfdoc **out, const char *path, sc_error *err);
void sc_pdfdoc_free(sc_pdfdoc *d);

/* The signature fields in AcroForm order; *out sc_malloc'd, free with
 * sc_sigfields_free.  Returns the count (0 with *out NULL if none), -1
 * out of memory. */
int sc_pdfdoc_sigfields(sc_pdfdoc *d, sc_sigfield **out);
void sc_sigfields_free(sc_sigfield *f, int n);

/* A text string (/T, /TU, /Reason...) of dict[key] as UTF-8, malloc'd;
 * "" if absent.  NULL out of memory. */
char *sc_pdfdoc_text(sc_pdfdoc *d, qpdf_oh dict, const char *key);

/* The stream's data, decoded (generalized filters); *buf malloc'd. */
sc_status sc_pdfdoc_stream(sc_pdfdoc *d, qpdf_oh stream, unsigned char **buf,
                           size_t *len, sc_error *err);

#endif
