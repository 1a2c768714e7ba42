/* dl_xlsx.h -- libxlsxwriter, loaded when check first writes a workbook
 * (src/lib/dl.h says why). */
#ifndef SC_CLI_DL_XLSX_H
#define SC_CLI_DL_XLSX_H

#include "../lib/dl.h"

#include <xlsxwriter.h>

/* xlsx_load (cli.h) loads the library; these are its functions. */
SC_DL_DECLARE(format_set_bold);
SC_DL_DECLARE(format_set_num_format);
SC_DL_DECLARE(lxw_strerror);
SC_DL_DECLARE(workbook_add_format);
SC_DL_DECLARE(workbook_add_worksheet);
SC_DL_DECLARE(workbook_close);
SC_DL_DECLARE(workbook_new_opt);
SC_DL_DECLARE(workbook_set_properties);
SC_DL_DECLARE(worksheet_autofilter);
SC_DL_DECLARE(worksheet_freeze_panes);
SC_DL_DECLARE(worksheet_set_column);
SC_DL_DECLARE(worksheet_write_number);
SC_DL_DECLARE(worksheet_write_string);

#endif
