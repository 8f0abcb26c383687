/*
 * The version: the header's macros (usable in #if), weft_version() and
 * weft_version_string() of the library this program loaded, and that the program bound
 * to it by its soname, libweft.so.<WEFT_VERSION_MAJOR> (docs/abi.md).
 */
#include "check.h"

#include <dlfcn.h>
#include <stdio.h>

#if !defined(WEFT_VERSION_MAJOR) || !defined(WEFT_VERSION_MINOR) || !defined(WEFT_VERSION_PATCH)
#error "weft.h defines no WEFT_VERSION_MAJOR/MINOR/PATCH"
#endif
#if WEFT_VERSION != WEFT_VERSION_MAJOR * 1000000 + WEFT_VERSION_MINOR * 1000 + WEFT_VERSION_PATCH
#error "WEFT_VERSION is not MAJOR * 1000000 + MINOR * 1000 + PATCH"
#endif
#if WEFT_VERSION < 1000
#error "WEFT_VERSION is older than 0.1.0, the first version with these macros"
#endif

static void the_call_reports_the_macros(void) {
    CHECK(weft_version() == WEFT_VERSION);
    const char *text = weft_version_string();
    CHECK(text != NULL);
    CHECK(weft_version_string() == text); /* static: the same string each time */
    char expected[64];
    snprintf(expected, sizeof expected, "%d.%d.%d", WEFT_VERSION_MAJOR, WEFT_VERSION_MINOR,
             WEFT_VERSION_PATCH);
    CHECK_MSG(strcmp(text, expected) == 0, "weft_version_string() is %s, the header says %s", text,
              expected);
}

/* The dynamic loader found libweft through the name the link recorded, the soname. */
static void bound_by_soname(void) {
    Dl_info info;
    CHECK(dladdr((void *)weft_version, &info) != 0 && info.dli_fname != NULL);
    const char *slash = strrchr(info.dli_fname, '/');
    const char *file = slash ? slash + 1 : info.dli_fname;
    char soname[64];
    snprintf(soname, sizeof soname, "libweft.so.%d", WEFT_VERSION_MAJOR);
    CHECK_MSG(strcmp(file, soname) == 0, "weft_version came from %s, not a file named %s",
              info.dli_fname, soname);
}

int main(void) {
    start_watchdog(60);
    the_call_reports_the_macros();
    bound_by_soname();
    return test_exit_code("test_version");
}
