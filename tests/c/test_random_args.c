/*
 * Random arguments over the whole C ABI, deterministic, on any toolchain: runs the
 * programs of tests/c/abi_driver.h (NULLs, zero and negative counts, huge timeouts, every
 * function) from a fixed pseudo-random seed, then every input of the fuzz corpus checked
 * into fuzz/corpus/abi/. Each call must answer a status weft names, never WEFT_INTERNAL;
 * NULL handles are refused; failed calls leave out-parameters alone; every pending op calls
 * back exactly once. ctest runs it plain, under ASan+LSan and under valgrind.
 *
 * WEFT_FUZZ_SEED=<n> picks another seed, WEFT_FUZZ_PROGRAMS=<n> another count (default
 * 4000, divided by WEFT_TEST_SCALE), WEFT_FUZZ_CORPUS=<dir> another corpus;
 * WEFT_FUZZ_SAVE=<file> writes each program to <file> before it runs (the failing one
 * stays there: run it alone with WEFT_FUZZ_PROGRAMS=0 WEFT_FUZZ_CORPUS=<its dir>).
 */
#include "check.h"

#include <dirent.h>

#include "abi_driver.h"

static uint64_t next_random(uint64_t *state) {
    /* xorshift64* */
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1Dull;
}


/* Runs every file in `dir` as a program; returns how many. */
static int run_corpus(const char *dir, uint64_t *calls, uint64_t seen[32]) {
    DIR *d = opendir(dir);
    if (!d) {
        printf("corpus %s: not found, skipped\n", dir);
        return 0;
    }
    int files = 0;
    struct dirent *e;
    static uint8_t buf[1 << 16];
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        char path[4096];
        int n = snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (n < 0 || (size_t)n >= sizeof path) continue;
        FILE *f = fopen(path, "rb");
        if (!f) continue;
        size_t len = fread(buf, 1, sizeof buf, f);
        fclose(f);
        *calls += abi_drive(buf, len, seen);
        files++;
    }
    closedir(d);
    return files;
}

int main(void) {
    start_watchdog(600);
    uint64_t seed = getenv("WEFT_FUZZ_SEED") ? strtoull(getenv("WEFT_FUZZ_SEED"), NULL, 0)
                                             : 0x5eed5eed5eedull;
    long programs = getenv("WEFT_FUZZ_PROGRAMS") ? atol(getenv("WEFT_FUZZ_PROGRAMS")) : 4000;
    programs /= test_scale_down();
    uint64_t state = seed * 2 + 1, calls = 0, seen[32] = {0};
    static uint8_t program[1024];
    const char *save = getenv("WEFT_FUZZ_SAVE");
    for (long p = 0; p < programs; p++) {
        size_t len = 16 + next_random(&state) % (sizeof program - 16);
        for (size_t i = 0; i < len; i++) program[i] = (uint8_t)next_random(&state);
        if (save) { /* WEFT_FUZZ_SAVE=<file>: the program about to run, for a reproducer */
            FILE *f = fopen(save, "wb");
            CHECK(f != NULL);
            fwrite(program, 1, len, f);
            fclose(f);
        }
        calls += abi_drive(program, len, seen);
    }

    /* The corpus sits beside the sources: <repo>/fuzz/corpus/abi (this file's ../../). */
    char corpus[4096];
    const char *env = getenv("WEFT_FUZZ_CORPUS");
    if (env) {
        snprintf(corpus, sizeof corpus, "%s", env);
    } else {
        snprintf(corpus, sizeof corpus, "%s", __FILE__);
        char *cut = strstr(corpus, "tests/c/test_random_args.c");
        if (cut) strcpy(cut, "fuzz/corpus/abi");
        else snprintf(corpus, sizeof corpus, "fuzz/corpus/abi");
    }
    int files = run_corpus(corpus, &calls, seen);

    printf("random programs: %ld (seed %#llx), corpus inputs: %d, calls: %llu\n", programs,
           (unsigned long long)seed, files, (unsigned long long)calls);
    printf("statuses seen:");
    for (int s = 0; s < 32; s++)
        if (seen[s]) printf(" %s=%llu", weft_status_str(s), (unsigned long long)seen[s]);
    printf("\n");
    return test_exit_code("test_random_args");
}
