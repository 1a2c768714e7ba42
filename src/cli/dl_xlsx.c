/* dl_xlsx.c -- libxlsxwriter's table (src/lib/dl.h). */
#include "dl_xlsx.h"
#include "cli.h"

SC_DL_DEFINE(format_set_bold);
SC_DL_DEFINE(format_set_num_format);
SC_DL_DEFINE(lxw_strerror);
SC_DL_DEFINE(workbook_add_format);
SC_DL_DEFINE(workbook_add_worksheet);
SC_DL_DEFINE(workbook_close);
SC_DL_DEFINE(workbook_new_opt);
SC_DL_DEFINE(workbook_set_properties);
SC_DL_DEFINE(worksheet_autofilter);
SC_DL_DEFINE(worksheet_freeze_panes);
SC_DL_DEFINE(worksheet_set_column);
SC_DL_DEFINE(worksheet_write_number);
SC_DL_DEFINE(worksheet_write_string);

static const sc_dl_sym syms[] = {
    SC_DL_SYM(format_set_bold),
    SC_DL_SYM(format_set_num_format),
    SC_DL_SYM(lxw_strerror),
    SC_DL_SYM(workbook_add_format),
    SC_DL_SYM(workbook_add_worksheet),
    SC_DL_SYM(workbook_close),
    SC_DL_SYM(workbook_new_opt),
    SC_DL_SYM(workbook_set_properties),
    SC_DL_SYM(worksheet_autofilter),
    SC_DL_SYM(worksheet_freeze_panes),
    SC_DL_SYM(worksheet_set_column),
    SC_DL_SYM(worksheet_write_number),
    SC_DL_SYM(worksheet_write_string),
};

static sc_dl_lib lib = SC_DL_LIB(SC_SONAME_XLSXWRITER, SC_PACKAGE_XLSXWRITER,
                                 "an Excel workbook (--format xlsx)", syms);

int xlsx_load(void)
{
    if (!sc_dl_load(&lib)) {
        errorf("%s", lib.why);
        return -1;
    }
    return 0;
}
