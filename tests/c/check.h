/* Tiny assertion helpers for the C suite: print where and what, then fail the test. */
#ifndef WEFT_TEST_CHECK_H
#define WEFT_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#include <weft.h>

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);  \
            exit(1);                                                                   \
        }                                                                              \
    } while (0)

#define CHECK_STATUS(expr, expected)                                                   \
    do {                                                                               \
        weft_status check_actual_ = (expr);                                            \
        weft_status check_expected_ = (expected);                                      \
        if (check_actual_ != check_expected_) {                                        \
            fprintf(stderr, "%s:%d: %s returned %s, expected %s\n", __FILE__, __LINE__, \
                    #expr, weft_status_str(check_actual_),                             \
                    weft_status_str(check_expected_));                                 \
            exit(1);                                                                   \
        }                                                                              \
    } while (0)

#define OK(expr) CHECK_STATUS(expr, WEFT_OK)

/* Workload multiplier: valgrind runs set WEFT_TEST_SCALE=10 to divide the work by 10. */
static inline int test_scale_down(void) {
    const char *s = getenv("WEFT_TEST_SCALE");
    int n = s ? atoi(s) : 1;
    return n > 0 ? n : 1;
}

#endif
