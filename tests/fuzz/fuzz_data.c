/* fuzz_data.c -- fuzz the data reader: sc_reader_open, then sc_reader_next
 * until the batch ends or fails fatally, reading every field of each
 * record and expanding a file name pattern.  Whatever the bytes, this
 * must not crash, leak or hang, and must not touch the network or any
 * file but the input (the reader refuses DTDs and external entities). */
#include "fuzz.h"

#include "internal.h"

#include <string.h>

static void count(void *ud, const sc_error *e)
{
    (void)e;
    ++*(int *)ud;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const keys[] = {"id", "name", "department", "position",
                                       "period", "email", "total", "grade",
                                       "bonus", "nonsense"};
    const char *path = fuzz_write("data.xml", data, size);
    sc_reader *r = NULL;
    sc_error err;
    int ndiag = 0;
    if (sc_reader_open(&r, path, count, &ndiag, &err) != SC_OK)
        return 0;
    (void)sc_reader_template(r);
    /* A record can only be skipped past, so the loop ends; the bound is
     * there in case a reader bug repeats one forever (a hang, reported by
     * libFuzzer's -timeout, is clearer than an out-of-memory). */
    for (int i = 0; i < 100000; i++) {
        sc_record *rec = NULL;
        sc_status st = sc_reader_next(r, &rec, &err);
        if (st == SC_OK) {
            size_t total = 0;
            for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
                const char *v = sc_record_get(rec, keys[k]);
                total += v ? strlen(v) : 0;
            }
            char name[256];
            (void)sc_record_filename(rec, "{period}-{id}-{name}-{department}"
                                     "-{position}.pdf", name, sizeof name, &err);
            (void)sc_record_filename(rec, "{name}", name, 4, &err);
            sc_record_free(rec);
            (void)total;
        } else if (st != SC_ERR_SCHEMA && st != SC_ERR_DATA &&
                   st != SC_ERR_ENCODING) {
            break; /* SC_END, or fatal for the batch */
        }
    }
    sc_reader_free(r);
    return 0;
}
