/* text.c -- STUB: UTF-8 and line breaking. */
#include "internal.h"
size_t sc_utf8_decode(const char *s, size_t n, uint32_t *cp) { (void)n; *cp = (unsigned char)s[0]; return 1; }
int sc_utf8_valid(const char *s, size_t n, size_t *bad) { (void)s; (void)n; (void)bad; return 1; }
double sc_text_width(const sc_fonts *f, int role, double size, const char *s, size_t n) { (void)f; (void)role; (void)s; return size * (double)n; }
sc_status sc_text_break(const sc_fonts *f, int role, double size, const char *s, double max_width, sc_line **out, size_t *nout)
{ (void)f; (void)role; (void)size; (void)s; (void)max_width; *out = NULL; *nout = 0; return SC_ERR_USAGE; }
sc_status sc_text_runs(const sc_fonts *f, int role, double size, const char *s, size_t n, sc_run **out, size_t *nout)
{ (void)f; (void)role; (void)size; (void)s; (void)n; *out = NULL; *nout = 0; return SC_ERR_USAGE; }
