/* weft_event (one-time, reusable) and weft_countdown: every export, bad input, wakeups. */
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "check.h"

static atomic_int woken_by_callback;
static void on_event(void *arg, weft_status status) {
    (void)arg;
    CHECK(status == WEFT_OK);
    atomic_fetch_add(&woken_by_callback, 1);
}

static weft_event *shared_event;
static atomic_int threads_woken;
static void *wait_event(void *arg) {
    (void)arg;
    OK(weft_event_wait(shared_event, WEFT_FOREVER));
    atomic_fetch_add(&threads_woken, 1);
    return NULL;
}

static void wait_for(size_t (*waiting)(void), size_t n) {
    while (waiting() < n) usleep(100);
}
static size_t event_waiting(void) {
    size_t n;
    OK(weft_event_waiting(shared_event, &n));
    return n;
}

static void events(void) {
    weft_event *ev = (weft_event *)0x1;
    bool is_set = true;
    size_t n = 77;
    CHECK_STATUS(weft_event_new(WEFT_EVENT_ONE_TIME, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_event_new(9, &ev), WEFT_INVALID);
    CHECK(ev == (weft_event *)0x1);
    CHECK_STATUS(weft_event_set(NULL, &n), WEFT_INVALID);
    CHECK_STATUS(weft_event_clear(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_event_is_set(NULL, &is_set), WEFT_INVALID);
    CHECK_STATUS(weft_event_wait(NULL, 0), WEFT_INVALID);
    CHECK_STATUS(weft_event_wait_async(NULL, NULL, on_event, NULL, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_event_waiting(NULL, &n), WEFT_INVALID);
    CHECK_STATUS(weft_event_clone(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_event_free(NULL), WEFT_INVALID);
    CHECK(is_set && n == 77);

    /* one-time: threads, a port waiter and a callback waiter all wake on one set */
    OK(weft_event_new(WEFT_EVENT_ONE_TIME, &shared_event));
    CHECK_STATUS(weft_event_is_set(shared_event, NULL), WEFT_INVALID);
    OK(weft_event_is_set(shared_event, &is_set));
    CHECK(!is_set);
    CHECK_STATUS(weft_event_wait(shared_event, 0), WEFT_WOULD_BLOCK);
    CHECK_STATUS(weft_event_wait(shared_event, 1 * WEFT_MS), WEFT_TIMEOUT);
    weft_port *port;
    OK(weft_port_new(&port));
    weft_op *op;
    CHECK_STATUS(weft_event_wait_async(shared_event, port, NULL, (void *)1, &op), WEFT_PENDING);
    CHECK_STATUS(weft_event_wait_async(shared_event, NULL, on_event, NULL, NULL), WEFT_PENDING);
    pthread_t t[3];
    for (int i = 0; i < 3; i++) pthread_create(&t[i], NULL, wait_event, NULL);
    wait_for(event_waiting, 5);
    OK(weft_event_set(shared_event, &n));
    CHECK(n == 5);
    for (int i = 0; i < 3; i++) pthread_join(t[i], NULL);
    CHECK(atomic_load(&threads_woken) == 3 && atomic_load(&woken_by_callback) == 1);
    weft_completion rec[2];
    OK(weft_port_poll(port, rec, 2, &n));
    CHECK(n == 1 && rec[0].status == WEFT_OK && rec[0].arg == (void *)1);
    OK(weft_op_free(op));
    OK(weft_event_set(shared_event, &n)); /* again: nothing to do */
    CHECK(n == 0);
    OK(weft_event_set(shared_event, NULL)); /* woken_out is optional */
    CHECK_STATUS(weft_event_clear(shared_event), WEFT_INVALID); /* one-time */
    OK(weft_event_wait(shared_event, 0));
    CHECK_STATUS(weft_event_wait_async(shared_event, port, NULL, NULL, &op), WEFT_OK);
    CHECK(op == NULL);
    OK(weft_event_clone(shared_event));
    OK(weft_event_free(shared_event));
    OK(weft_event_free(shared_event));

    /* reusable: waiters queued at set are woken even if clear follows at once */
    weft_event *re;
    OK(weft_event_new(WEFT_EVENT_REUSABLE, &re));
    weft_op *ops[3];
    for (int i = 0; i < 3; i++) CHECK_STATUS(weft_event_wait_async(re, port, NULL, NULL, &ops[i]), WEFT_PENDING);
    OK(weft_event_set(re, &n));
    OK(weft_event_clear(re));
    CHECK(n == 3);
    OK(weft_port_poll(port, rec, 2, &n));
    CHECK(n == 2);
    OK(weft_port_poll(port, rec, 2, &n));
    CHECK(n == 1 && rec[0].status == WEFT_OK);
    CHECK_STATUS(weft_event_wait(re, 0), WEFT_WOULD_BLOCK); /* later arrivals wait */
    CHECK_STATUS(weft_event_wait_async(re, port, NULL, NULL, &op), WEFT_PENDING);
    CHECK_STATUS(weft_op_cancel(op), WEFT_CANCELLED);
    OK(weft_event_waiting(re, &n));
    CHECK(n == 0);
    OK(weft_port_poll(port, rec, 2, &n));
    CHECK(n == 1 && rec[0].status == WEFT_CANCELLED);
    OK(weft_op_free(op));
    for (int i = 0; i < 3; i++) OK(weft_op_free(ops[i]));
    OK(weft_event_free(re));
    OK(weft_port_free(port));
}

static void countdowns(void) {
    weft_countdown *cd = (weft_countdown *)0x1;
    uint64_t value = 77;
    size_t n;
    CHECK_STATUS(weft_countdown_new(-1, &cd), WEFT_INVALID);
    CHECK_STATUS(weft_countdown_new(0, NULL), WEFT_INVALID);
    CHECK(cd == (weft_countdown *)0x1);
    CHECK_STATUS(weft_countdown_up(NULL, 1), WEFT_INVALID);
    CHECK_STATUS(weft_countdown_down(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_countdown_clear(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_countdown_value(NULL, &value), WEFT_INVALID);
    CHECK_STATUS(weft_countdown_wait(NULL, 0), WEFT_INVALID);
    CHECK_STATUS(weft_countdown_wait_async(NULL, NULL, on_event, NULL, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_countdown_waiting(NULL, &n), WEFT_INVALID);
    CHECK_STATUS(weft_countdown_clone(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_countdown_free(NULL), WEFT_INVALID);
    CHECK(value == 77);

    OK(weft_countdown_new(2, &cd));
    CHECK_STATUS(weft_countdown_value(cd, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_countdown_waiting(cd, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_countdown_up(cd, 0), WEFT_INVALID);
    CHECK_STATUS(weft_countdown_up(cd, (uint64_t)INT64_MAX), WEFT_OVERFLOW);
    OK(weft_countdown_up(cd, 1));
    OK(weft_countdown_value(cd, &value));
    CHECK(value == 3);
    CHECK_STATUS(weft_countdown_wait(cd, 0), WEFT_WOULD_BLOCK);
    CHECK_STATUS(weft_countdown_wait(cd, 1 * WEFT_MS), WEFT_TIMEOUT);
    weft_port *port;
    OK(weft_port_new(&port));
    weft_op *op;
    CHECK_STATUS(weft_countdown_wait_async(cd, port, NULL, NULL, &op), WEFT_PENDING);
    OK(weft_countdown_down(cd));
    OK(weft_countdown_down(cd));
    OK(weft_port_pending(port, &n));
    CHECK(n == 0); /* not yet */
    OK(weft_countdown_down(cd));
    OK(weft_port_pending(port, &n));
    CHECK(n == 1); /* passed through zero */
    CHECK_STATUS(weft_countdown_down(cd), WEFT_OVERFLOW);
    OK(weft_countdown_value(cd, &value));
    CHECK(value == 0);
    OK(weft_countdown_wait(cd, 0));
    CHECK_STATUS(weft_countdown_wait_async(cd, port, NULL, NULL, NULL), WEFT_OK);
    OK(weft_op_free(op));
    OK(weft_countdown_up(cd, 5));
    CHECK_STATUS(weft_countdown_wait_async(cd, port, NULL, NULL, &op), WEFT_PENDING);
    OK(weft_countdown_clear(cd));
    OK(weft_port_pending(port, &n));
    CHECK(n == 2);
    OK(weft_op_free(op));
    OK(weft_countdown_clone(cd));
    OK(weft_countdown_free(cd));
    OK(weft_countdown_free(cd));
    OK(weft_port_free(port));
}

int main(void) {
    start_watchdog(120); /* a hang (lost wakeup) fails instead of waiting for ctest */
    events();
    countdowns();
    puts("test_event ok");
    return 0;
}
