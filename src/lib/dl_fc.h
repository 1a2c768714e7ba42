/* dl_fc.h -- fontconfig, loaded when a font of the map is first looked
 * for by family because its file is not there (dl.h).  Starting it costs
 * more than the rest of a one-sheet render (its configuration and cache),
 * and linking it brings freetype, expat and friends into every run. */
#ifndef SC_DL_FC_H
#define SC_DL_FC_H

#include "dl.h"
#include "internal.h"

#include <fontconfig/fontconfig.h>

/* sc_fc_load (internal.h) loads the library; these are its functions. */
SC_DL_DECLARE(FcConfigSubstitute);
SC_DL_DECLARE(FcDefaultSubstitute);
SC_DL_DECLARE(FcFontMatch);
SC_DL_DECLARE(FcPatternAddString);
SC_DL_DECLARE(FcPatternCreate);
SC_DL_DECLARE(FcPatternDestroy);
SC_DL_DECLARE(FcPatternGetInteger);
SC_DL_DECLARE(FcPatternGetString);
SC_DL_DECLARE(FcStrCmpIgnoreCase);

#endif
