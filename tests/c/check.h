/*
 * Tiny assertion helpers for the C suite.
 *
 * CHECK(cond) and CHECK_STATUS(expr, expected) print file:line, the expression and (for
 * statuses) the names of the actual and expected values, then end the process at once
 * with exit status 1 (_Exit: safe from any thread, and no leak report piled on top of a
 * failure). EXPECT / EXPECT_STATUS print the same but let the test go on; test_exit_code()
 * then makes main fail. Use EXPECT for a known library bug so the rest still runs.
 *
 * The watchdog turns a hang (a lost wakeup) into a failure: it is a hang detector only,
 * never a timing assertion. WEFT_TEST_WATCHDOG=<seconds> overrides its default.
 */
#ifndef WEFT_TEST_CHECK_H
#define WEFT_TEST_CHECK_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <poll.h>
#include <sched.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <weft.h>

static atomic_int check_soft_failures;

static inline void check_fail_now(void) {
    fflush(stdout);
    fflush(stderr);
    _Exit(1);
}

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);  \
            check_fail_now();                                                          \
        }                                                                              \
    } while (0)

#define CHECK_MSG(cond, ...)                                                           \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond);  \
            fprintf(stderr, __VA_ARGS__);                                              \
            fputc('\n', stderr);                                                       \
            check_fail_now();                                                          \
        }                                                                              \
    } while (0)

#define CHECK_STATUS_REPORT_(expr, actual, expected)                                   \
    fprintf(stderr, "%s:%d: %s returned %s (%d), expected %s (%d)\n", __FILE__,       \
            __LINE__, #expr, weft_status_str(actual), (int)(actual),                   \
            weft_status_str(expected), (int)(expected))

#define CHECK_STATUS(expr, expected)                                                   \
    do {                                                                               \
        weft_status check_actual_ = (expr);                                            \
        weft_status check_expected_ = (expected);                                      \
        if (check_actual_ != check_expected_) {                                        \
            CHECK_STATUS_REPORT_(expr, check_actual_, check_expected_);                \
            check_fail_now();                                                          \
        }                                                                              \
    } while (0)

#define OK(expr) CHECK_STATUS(expr, WEFT_OK)

/* Soft checks: report, count, go on. */
#define EXPECT(cond)                                                                   \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "%s:%d: EXPECT failed: %s\n", __FILE__, __LINE__, #cond); \
            atomic_fetch_add(&check_soft_failures, 1);                                 \
        }                                                                              \
    } while (0)

#define EXPECT_STATUS(expr, expected)                                                  \
    do {                                                                               \
        weft_status check_actual_ = (expr);                                            \
        weft_status check_expected_ = (expected);                                      \
        if (check_actual_ != check_expected_) {                                        \
            CHECK_STATUS_REPORT_(expr, check_actual_, check_expected_);                \
            atomic_fetch_add(&check_soft_failures, 1);                                 \
        }                                                                              \
    } while (0)

/* main's return value: 0 unless an EXPECT failed. */
static inline int test_exit_code(const char *name) {
    int failures = atomic_load(&check_soft_failures);
    if (failures) {
        fprintf(stderr, "%s: %d EXPECT check(s) failed\n", name, failures);
        return 1;
    }
    printf("%s ok\n", name);
    return 0;
}

/* Workload divisor: valgrind runs set WEFT_TEST_SCALE=10 to divide the work by 10. */
static inline int test_scale_down(void) {
    const char *s = getenv("WEFT_TEST_SCALE");
    int n = s ? atoi(s) : 1;
    return n > 0 ? n : 1;
}

static inline uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Whether `fd` polls readable right now (poll(2) with timeout 0). */
static inline int fd_readable(int fd) {
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    int r = poll(&pfd, 1, 0);
    CHECK(r >= 0);
    return r == 1 && (pfd.revents & POLLIN);
}

/* Hang detector: the process fails if it is still running after `seconds`. */
static inline void check_watchdog_fired(int sig) {
    (void)sig;
    static const char msg[] = "watchdog: the test hung (a lost wakeup or a deadlock)\n";
    ssize_t ignored = write(2, msg, sizeof msg - 1);
    (void)ignored;
    _Exit(2);
}

static inline void start_watchdog(unsigned seconds) {
    const char *s = getenv("WEFT_TEST_WATCHDOG");
    if (s && atoi(s) > 0) seconds = (unsigned)atoi(s);
    if (getenv("WEFT_TEST_SCALE")) seconds *= 4; /* valgrind: everything is slower */
    signal(SIGALRM, check_watchdog_fired);
    alarm(seconds);
}

/* Spins (sleeping 50 us per round) until `cond` holds; a hang is left to the watchdog. */
#define WAIT_UNTIL(cond)                                                               \
    do {                                                                               \
        while (!(cond)) usleep(50);                                                    \
    } while (0)

/* Runs fn(arg) in a forked child and reports (soft: EXPECT-style) whether it exited 0:
 * for checks that crash when they fail (a stack overflow, say), so the rest still runs.
 * Call it before starting any thread. */
#include <sys/wait.h>
static inline int run_in_child(void (*fn)(void *), void *arg, const char *what) {
    fflush(stdout);
    fflush(stderr);
    FILE *log = tmpfile(); /* the child's stderr: a sanitizer's report can be long */
    CHECK(log != NULL);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        dup2(fileno(log), 2);
        fn(arg);
        fflush(stdout);
        _Exit(0);
    }
    int status = 0;
    CHECK(waitpid(pid, &status, 0) == pid);
    int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    char line[512];
    rewind(log);
    for (int i = 0; i < 6 && fgets(line, sizeof line, log); i++) {
        if (ok) continue;
        fputs("  child: ", stderr);
        fputs(line, stderr);
    }
    fclose(log);
    if (ok) return 1;
    if (WIFSIGNALED(status))
        fprintf(stderr, "EXPECT failed: %s: the child died of signal %d (%s)\n", what,
                WTERMSIG(status), strsignal(WTERMSIG(status)));
    else
        fprintf(stderr, "EXPECT failed: %s: the child exited %d\n", what, WEXITSTATUS(status));
    atomic_fetch_add(&check_soft_failures, 1);
    return 0;
}

/* The calling thread's owner token. */
static inline uint64_t my_token(void) {
    uint64_t token = 0;
    OK(weft_thread_owner(&token));
    return token;
}

/* What a weft callback was told: how many calls, and the last status. Zero-initialize,
 * pass as the callback's arg with `record_callback`. */
typedef struct {
    atomic_int calls;
    atomic_int status;
} record_t;

static inline void record_callback(void *arg, weft_status status) {
    record_t *r = arg;
    atomic_store(&r->status, status);
    atomic_fetch_add(&r->calls, 1);
}

/* Waits (yielding) for the recorded callback, failing after 30 s; checks it ran once. */
static inline void wait_record(record_t *r) {
    uint64_t start = now_ns();
    while (atomic_load(&r->calls) == 0) {
        CHECK_MSG(now_ns() - start < 30000000000ull, "an async op never completed");
        sched_yield();
    }
    CHECK(atomic_load(&r->calls) == 1);
}

#endif
