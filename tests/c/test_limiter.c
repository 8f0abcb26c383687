/* weft_limiter: every export, ownership rules, FIFO handoff, run-time total, and a stress
 * where threads and a port loop never hold more tokens than the total. */
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>

#include "check.h"

#define TOTAL 2

static weft_limiter *shared;
static atomic_int holders;
static atomic_int max_holders_seen;

static void hold(void) {
    int now = atomic_fetch_add(&holders, 1) + 1;
    CHECK(now <= TOTAL);
    int seen = atomic_load(&max_holders_seen);
    while (now > seen && !atomic_compare_exchange_weak(&max_holders_seen, &seen, now)) {}
    atomic_fetch_sub(&holders, 1);
}

static void *thread_user(void *arg) {
    (void)arg;
    int rounds = 20000 / test_scale_down();
    for (int i = 0; i < rounds; i++) {
        weft_status st = weft_limiter_acquire(shared, 1, (i % 3 == 0) ? 20 * WEFT_US : WEFT_FOREVER);
        if (st == WEFT_TIMEOUT) continue;
        OK(st);
        hold();
        OK(weft_limiter_release(shared, 1));
    }
    return NULL;
}

static void *loop_user(void *arg) {
    (void)arg;
    weft_port *port;
    int fd;
    OK(weft_port_new(&port));
    OK(weft_port_fd(port, &fd));
    uint64_t token = 0xABCDEF;
    int rounds = 5000 / test_scale_down();
    for (int i = 0; i < rounds; i++) {
        weft_op *op = NULL;
        weft_status st = weft_limiter_acquire_async(shared, token, 1, port, NULL, NULL, &op);
        if (st == WEFT_PENDING) {
            if (i % 2) {
                st = weft_op_cancel(op); /* races the grant */
            }
            struct pollfd pfd = {.fd = fd, .events = POLLIN};
            CHECK(poll(&pfd, 1, 10000) == 1);
            weft_completion rec;
            size_t n;
            OK(weft_port_poll(port, &rec, 1, &n));
            CHECK(n == 1);
            if (st != WEFT_PENDING) CHECK(rec.status == st);
            st = rec.status;
            OK(weft_op_free(op));
        }
        if (st == WEFT_OK) {
            hold();
            OK(weft_limiter_release_as(shared, token, 1));
        } else {
            CHECK(st == WEFT_CANCELLED);
        }
    }
    OK(weft_port_free(port));
    return NULL;
}

int main(void) {
    start_watchdog(120); /* a hang (lost wakeup) fails instead of waiting for ctest */
    weft_limiter *l = (weft_limiter *)0x1;
    uint64_t total, borrowed, held;
    size_t waiting;
    CHECK_STATUS(weft_limiter_new(1, 0, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_limiter_new(-1, 0, &l), WEFT_INVALID);
    CHECK_STATUS(weft_limiter_new(1, 5, &l), WEFT_INVALID);
    CHECK(l == (weft_limiter *)0x1);
    CHECK_STATUS(weft_limiter_acquire(NULL, 1, 0), WEFT_INVALID);
    CHECK_STATUS(weft_limiter_acquire_as(NULL, 1, 1, 0), WEFT_INVALID);
    CHECK_STATUS(weft_limiter_acquire_async(NULL, 1, 1, NULL, NULL, NULL, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_limiter_release(NULL, 1), WEFT_INVALID);
    CHECK_STATUS(weft_limiter_release_as(NULL, 1, 1), WEFT_INVALID);
    CHECK_STATUS(weft_limiter_set_total(NULL, 1), WEFT_INVALID);
    CHECK_STATUS(weft_limiter_counts(NULL, &total, &borrowed, &waiting), WEFT_INVALID);
    CHECK_STATUS(weft_limiter_held(NULL, 1, &held), WEFT_INVALID);
    CHECK_STATUS(weft_limiter_clone(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_limiter_free(NULL), WEFT_INVALID);

    OK(weft_limiter_new(1, WEFT_LIMITER_PLAIN, &l));
    CHECK_STATUS(weft_limiter_counts(l, NULL, &borrowed, &waiting), WEFT_INVALID);
    CHECK_STATUS(weft_limiter_held(l, 1, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_limiter_acquire_as(l, 0, 1, 0), WEFT_INVALID); /* owner 0 */
    CHECK_STATUS(weft_limiter_acquire(l, 2, 0), WEFT_INVALID);       /* count 2, plain */
    CHECK_STATUS(weft_limiter_release(l, 1), WEFT_NOT_OWNER);
    OK(weft_limiter_acquire(l, 1, WEFT_FOREVER));
    CHECK_STATUS(weft_limiter_acquire(l, 1, 0), WEFT_DEADLOCK); /* second acquire, same owner */
    CHECK_STATUS(weft_limiter_acquire_as(l, 5, 1, 0), WEFT_WOULD_BLOCK);
    CHECK_STATUS(weft_limiter_acquire_as(l, 5, 1, 1 * WEFT_MS), WEFT_TIMEOUT);
    CHECK_STATUS(weft_limiter_release_as(l, 5, 1), WEFT_NOT_OWNER);
    OK(weft_limiter_counts(l, &total, &borrowed, &waiting));
    CHECK(total == 1 && borrowed == 1 && waiting == 0);

    /* FIFO handoff, and growing the total wakes waiters at once */
    weft_port *port;
    OK(weft_port_new(&port));
    weft_op *a, *b;
    CHECK_STATUS(weft_limiter_acquire_async(l, 10, 1, port, NULL, (void *)10, &a), WEFT_PENDING);
    CHECK_STATUS(weft_limiter_acquire_async(l, 11, 1, port, NULL, (void *)11, &b), WEFT_PENDING);
    OK(weft_limiter_set_total(l, 2));
    weft_completion rec[4];
    size_t n;
    OK(weft_port_poll(port, rec, 4, &n));
    CHECK(n == 1 && rec[0].arg == (void *)10 && rec[0].status == WEFT_OK);
    OK(weft_limiter_held(l, 10, &held));
    CHECK(held == 1);
    OK(weft_limiter_release(l, 1)); /* ours: goes to 11 */
    OK(weft_port_poll(port, rec, 4, &n));
    CHECK(n == 1 && rec[0].arg == (void *)11);
    /* shrinking lets the borrowers finish */
    OK(weft_limiter_set_total(l, 1));
    OK(weft_limiter_counts(l, &total, &borrowed, &waiting));
    CHECK(total == 1 && borrowed == 2);
    OK(weft_limiter_release_as(l, 10, 1));
    CHECK_STATUS(weft_limiter_acquire_as(l, 12, 1, 0), WEFT_WOULD_BLOCK); /* 1 of 1 still borrowed */
    OK(weft_limiter_release_as(l, 11, 1));
    OK(weft_limiter_acquire_as(l, 12, 1, 0));
    OK(weft_limiter_release_as(l, 12, 1));
    CHECK_STATUS(weft_limiter_set_total(l, -1), WEFT_INVALID);
    OK(weft_op_free(a));
    OK(weft_op_free(b));
    OK(weft_limiter_clone(l));
    OK(weft_limiter_free(l));
    OK(weft_limiter_free(l));

    /* reentrant: counts add up; over-release changes nothing */
    OK(weft_limiter_new(1, WEFT_LIMITER_REENTRANT, &l));
    OK(weft_limiter_acquire_as(l, 7, 2, 0));
    OK(weft_limiter_acquire_as(l, 7, 1, 0));
    OK(weft_limiter_held(l, 7, &held));
    CHECK(held == 3);
    CHECK_STATUS(weft_limiter_release_as(l, 7, 4), WEFT_OVERFLOW);
    OK(weft_limiter_held(l, 7, &held));
    CHECK(held == 3);
    OK(weft_limiter_release_as(l, 7, 3));
    OK(weft_limiter_counts(l, &total, &borrowed, &waiting));
    CHECK(borrowed == 0);
    OK(weft_limiter_free(l));
    OK(weft_port_free(port));

    /* stress: 3 threads + 1 loop on a limiter of TOTAL tokens */
    OK(weft_limiter_new(TOTAL, WEFT_LIMITER_PLAIN, &shared));
    pthread_t t[4];
    for (int i = 0; i < 3; i++) pthread_create(&t[i], NULL, thread_user, NULL);
    pthread_create(&t[3], NULL, loop_user, NULL);
    for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
    OK(weft_limiter_counts(shared, &total, &borrowed, &waiting));
    CHECK(total == TOTAL && borrowed == 0 && waiting == 0);
    OK(weft_limiter_free(shared));
    printf("test_limiter ok (at most %d of %d tokens held at once)\n", atomic_load(&max_holders_seen), TOTAL);
    return 0;
}
