/* weft_barrier: latch, cyclic and resettable barriers; indices, phases, breaking. */
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "check.h"

static weft_barrier *shared;
static atomic_int index_counts[4];
static int rounds;

static void *cycle(void *arg) {
    (void)arg;
    for (int i = 0; i < rounds; i++) {
        uint64_t index = 99;
        OK(weft_barrier_wait(shared, WEFT_FOREVER, &index));
        CHECK(index < 3);
        atomic_fetch_add(&index_counts[index], 1);
    }
    return NULL;
}

static void *wait_expect_broken(void *arg) {
    (void)arg;
    CHECK_STATUS(weft_barrier_wait(shared, WEFT_FOREVER, NULL), WEFT_BROKEN);
    return NULL;
}

static size_t waiting(void) {
    size_t n;
    OK(weft_barrier_waiting(shared, &n));
    return n;
}

int main(void) {
    start_watchdog(120); /* a hang (lost wakeup) fails instead of waiting for ctest */
    weft_barrier *b = (weft_barrier *)0x1;
    bool broken = true;
    size_t n = 77;
    uint64_t index = 77;
    CHECK_STATUS(weft_barrier_new(2, WEFT_BARRIER_CYCLIC, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_barrier_new(-1, WEFT_BARRIER_CYCLIC, &b), WEFT_INVALID);
    CHECK_STATUS(weft_barrier_new(2, 7, &b), WEFT_INVALID);
    CHECK(b == (weft_barrier *)0x1);
    CHECK_STATUS(weft_barrier_wait(NULL, 0, &index), WEFT_INVALID);
    CHECK_STATUS(weft_barrier_wait_async(NULL, NULL, NULL, NULL, NULL, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_barrier_abort(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_barrier_reset(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_barrier_is_broken(NULL, &broken), WEFT_INVALID);
    CHECK_STATUS(weft_barrier_waiting(NULL, &n), WEFT_INVALID);
    CHECK_STATUS(weft_barrier_clone(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_barrier_free(NULL), WEFT_INVALID);
    CHECK(broken && n == 77 && index == 77);

    /* latch of 3: two async arrivals on a port, the third completes the phase */
    weft_port *port;
    OK(weft_port_new(&port));
    OK(weft_barrier_new(3, WEFT_BARRIER_LATCH, &b));
    CHECK_STATUS(weft_barrier_is_broken(b, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_barrier_waiting(b, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_barrier_reset(b), WEFT_INVALID); /* not resettable */
    weft_op *ops[2];
    for (int i = 0; i < 2; i++)
        CHECK_STATUS(weft_barrier_wait_async(b, port, NULL, (void *)(uintptr_t)i, &ops[i], &index), WEFT_PENDING);
    CHECK(index == 77); /* untouched while pending */
    OK(weft_barrier_wait(b, WEFT_FOREVER, &index));
    CHECK(index == 2);
    weft_completion rec[4];
    OK(weft_port_poll(port, rec, 4, &n));
    CHECK(n == 2 && rec[0].status == WEFT_OK && rec[1].status == WEFT_OK);
    for (int i = 0; i < 2; i++) {
        uint64_t value = 99;
        OK(weft_op_value(ops[i], &value));
        CHECK(value == (uint64_t)i); /* arrival order */
        OK(weft_op_free(ops[i]));
    }
    CHECK_STATUS(weft_op_value(NULL, &index), WEFT_INVALID);
    OK(weft_barrier_wait(b, 0, &index)); /* open: passes at once */
    CHECK(index == 0);
    CHECK_STATUS(weft_barrier_wait_async(b, port, NULL, NULL, NULL, &index), WEFT_OK);
    OK(weft_barrier_abort(b)); /* aborting after the pass breaks later waits */
    CHECK_STATUS(weft_barrier_wait(b, 0, NULL), WEFT_BROKEN);
    OK(weft_barrier_free(b));

    /* cyclic: 3 threads × rounds, parties 3: each phase hands out indices 0, 1, 2 */
    rounds = 2000 / test_scale_down();
    OK(weft_barrier_new(3, WEFT_BARRIER_CYCLIC, &shared));
    pthread_t t[3];
    for (int i = 0; i < 3; i++) pthread_create(&t[i], NULL, cycle, NULL);
    for (int i = 0; i < 3; i++) pthread_join(t[i], NULL);
    for (int k = 0; k < 3; k++) CHECK(atomic_load(&index_counts[k]) == rounds);
    OK(weft_barrier_is_broken(shared, &broken));
    CHECK(!broken);

    /* a timeout breaks it for everyone, for good */
    pthread_create(&t[0], NULL, wait_expect_broken, NULL);
    while (waiting() < 1) usleep(100);
    CHECK_STATUS(weft_barrier_wait(shared, 1 * WEFT_MS, NULL), WEFT_TIMEOUT);
    pthread_join(t[0], NULL);
    OK(weft_barrier_is_broken(shared, &broken));
    CHECK(broken);
    CHECK_STATUS(weft_barrier_wait(shared, WEFT_FOREVER, NULL), WEFT_BROKEN);
    CHECK_STATUS(weft_barrier_reset(shared), WEFT_INVALID);
    OK(weft_barrier_free(shared));

    /* resettable: a cancel breaks it, reset repairs it, reset wakes waiters as broken */
    OK(weft_barrier_new(2, WEFT_BARRIER_RESETTABLE, &shared));
    weft_op *op;
    CHECK_STATUS(weft_barrier_wait_async(shared, port, NULL, NULL, &op, NULL), WEFT_PENDING);
    CHECK_STATUS(weft_op_cancel(op), WEFT_CANCELLED);
    OK(weft_op_free(op));
    OK(weft_port_poll(port, rec, 4, &n));
    CHECK(n == 1 && rec[0].status == WEFT_CANCELLED);
    OK(weft_barrier_is_broken(shared, &broken));
    CHECK(broken);
    CHECK_STATUS(weft_barrier_wait(shared, 0, NULL), WEFT_BROKEN);
    OK(weft_barrier_reset(shared));
    OK(weft_barrier_is_broken(shared, &broken));
    CHECK(!broken);
    pthread_create(&t[0], NULL, wait_expect_broken, NULL);
    while (waiting() < 1) usleep(100);
    OK(weft_barrier_reset(shared)); /* the waiter is woken broken */
    pthread_join(t[0], NULL);
    CHECK_STATUS(weft_barrier_wait_async(shared, port, NULL, NULL, &op, NULL), WEFT_PENDING);
    OK(weft_barrier_wait(shared, WEFT_FOREVER, &index)); /* a whole phase after the reset */
    CHECK(index == 1);
    OK(weft_port_poll(port, rec, 4, &n));
    CHECK(n == 1 && rec[0].status == WEFT_OK);
    OK(weft_op_free(op));
    OK(weft_barrier_clone(shared));
    OK(weft_barrier_free(shared));
    OK(weft_barrier_free(shared));

    /* parties 0: nobody passes; an abort ends the wait broken */
    OK(weft_barrier_new(0, WEFT_BARRIER_CYCLIC, &b));
    CHECK_STATUS(weft_barrier_wait_async(b, port, NULL, NULL, &op, NULL), WEFT_PENDING);
    OK(weft_barrier_abort(b));
    OK(weft_port_poll(port, rec, 4, &n));
    CHECK(n == 1 && rec[0].status == WEFT_BROKEN);
    OK(weft_op_free(op));
    OK(weft_barrier_free(b));
    OK(weft_port_free(port));
    puts("test_barrier ok");
    return 0;
}
