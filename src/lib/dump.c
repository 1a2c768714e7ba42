/* dump.c -- STUB: layout dump. */
#include "internal.h"
void sc_dump(const sc_laid *laid, const sc_fonts *fonts, sc_buf *buf) { (void)laid; (void)fonts; (void)buf; }
