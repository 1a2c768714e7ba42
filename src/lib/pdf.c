/* pdf.c -- STUB: PDF output through libharu. */
#include "internal.h"
sc_status sc_pdf_new(sc_pdf **out, const sc_fonts *fonts, sc_error *err) { (void)fonts; *out = NULL; return sc_error_set(err, SC_ERR_PDF, NULL, 0, 0, "not implemented"); }
sc_status sc_pdf_add(sc_pdf *pdf, const sc_laid *laid, sc_error *err) { (void)pdf; (void)laid; return sc_error_set(err, SC_ERR_PDF, NULL, 0, 0, "not implemented"); }
sc_status sc_pdf_save(sc_pdf *pdf, const char *path, sc_error *err) { (void)pdf; return sc_error_set(err, SC_ERR_PDF, path, 0, 0, "not implemented"); }
void sc_pdf_free(sc_pdf *pdf) { (void)pdf; }
