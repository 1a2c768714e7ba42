/* dl_icu.h -- ICU's collation, loaded when names are first sorted (dl.h).
 * ICU versions its symbols (ucol_open is ucol_open_72): the table looks
 * up the names the header gives. */
#ifndef SC_DL_ICU_H
#define SC_DL_ICU_H

#include "dl.h"
#include "internal.h"

#include <unicode/ucol.h>

/* sc_icu_load (internal.h) loads the library; these are its functions. */
SC_DL_DECLARE(ucol_close);
SC_DL_DECLARE(ucol_open);
SC_DL_DECLARE(ucol_strcollUTF8);

#endif
