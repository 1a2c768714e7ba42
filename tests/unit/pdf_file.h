/* pdf_file.h -- for the unit tests: finish a PDF and write its bytes to a
 * file that the command-line clients (qpdf, pdftotext, mutool) can read. */
#ifndef SC_TEST_PDF_FILE_H
#define SC_TEST_PDF_FILE_H

#include <stdio.h>

static sc_status save_pdf(sc_pdf *pdf, const char *path, sc_error *err)
{
    unsigned char *b = NULL;
    size_t n = 0;
    sc_status st = sc_pdf_finish(pdf, &b, &n, err);
    if (st != SC_OK)
        return st;
    FILE *fp = fopen(path, "wb");
    int ok = fp && fwrite(b, 1, n, fp) == n;
    if (fp && fclose(fp) != 0)
        ok = 0;
    sc_free(b);
    return ok ? SC_OK : sc_error_set(err, SC_ERR_IO, path, 0, 0, "cannot write");
}

#endif
