/* dl.c -- dlopen()/dlsym() of an optional library's table (dl.h). */
#include "dl.h"

#include <dlfcn.h>
#include <stdio.h>

static void load(sc_dl_lib *lib)
{
    lib->loaded = 0;
    /* RTLD_LOCAL: its symbols stay out of the global scope, where they
     * could be picked by another library's lookups */
    void *h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *e = dlerror();
        snprintf(lib->why, sizeof lib->why,
                 "%s needs %s, which cannot be loaded (%s): install the Debian "
                 "package %s",
                 lib->feature, lib->soname, e ? e : "not found", lib->package);
        return;
    }
    for (size_t i = 0; i < lib->nsyms; i++) {
        dlerror();
        void *p = dlsym(h, lib->syms[i].name);
        if (!p) {
            snprintf(lib->why, sizeof lib->why,
                     "%s needs %s, but the installed one lacks %s: install the "
                     "Debian package %s at the version scorecard was built with",
                     lib->feature, lib->soname, lib->syms[i].name, lib->package);
            for (size_t j = 0; j < lib->nsyms; j++)
                *lib->syms[j].fn = NULL;
            dlclose(h);
            return;
        }
        *lib->syms[i].fn = p;
    }
    lib->loaded = 1; /* never closed: the pointers live as long as the process */
}

int sc_dl_load(sc_dl_lib *lib)
{
    if (!atomic_load_explicit(&lib->tried, memory_order_acquire)) {
        pthread_mutex_lock(&lib->lock);
        if (!atomic_load_explicit(&lib->tried, memory_order_relaxed)) {
            load(lib);
            atomic_store_explicit(&lib->tried, 1, memory_order_release);
        }
        pthread_mutex_unlock(&lib->lock);
    }
    return lib->loaded;
}
