/* fuzz.h -- what the fuzz harnesses share: the libFuzzer entry points and
 * a private scratch directory for APIs that take a path.
 *
 * Each harness defines LLVMFuzzerInitialize (load what is loaded once per
 * process: fonts, the fixed template) and LLVMFuzzerTestOneInput.  With
 * SC_FUZZ they link against libFuzzer; in the normal build they link with
 * standalone.c, which feeds them every file of their corpus (a ctest).
 */
#ifndef SC_FUZZ_H
#define SC_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Path of `name` inside this process's scratch directory (created on
 * first use with mkdtemp under $TMPDIR or /tmp, removed with everything
 * written through fuzz_write at exit).  Aborts if it cannot be made: a
 * harness without scratch space is a broken harness, not a finding. */
const char *fuzz_path(const char *name);

/* Write data[0..n) to fuzz_path(name) and return that path. */
const char *fuzz_write(const char *name, const void *data, size_t n);

#endif
