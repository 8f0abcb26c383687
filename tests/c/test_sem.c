/* weft_sem: every export, bounds, bad input, handoff to the first n live waiters. */
#include "check.h"

int main(void) {
    weft_sem *sentinel = (weft_sem *)0x1, *sem = sentinel;
    uint64_t value = 77;
    size_t waiting = 77;
    CHECK_STATUS(weft_sem_new(0, -1, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_sem_new(-1, -1, &sem), WEFT_INVALID);
    CHECK_STATUS(weft_sem_new(3, 2, &sem), WEFT_INVALID);
    CHECK(sem == sentinel);
    CHECK_STATUS(weft_sem_clone(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_sem_free(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_sem_acquire(NULL, 0), WEFT_INVALID);
    CHECK_STATUS(weft_sem_try_acquire(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_sem_release(NULL, 1), WEFT_INVALID);
    CHECK_STATUS(weft_sem_value(NULL, &value), WEFT_INVALID);
    CHECK_STATUS(weft_sem_waiting(NULL, &waiting), WEFT_INVALID);
    CHECK_STATUS(weft_sem_acquire_async(NULL, NULL, NULL, NULL, NULL), WEFT_INVALID);
    CHECK(value == 77 && waiting == 77);

    /* bounded */
    OK(weft_sem_new(1, 2, &sem));
    CHECK_STATUS(weft_sem_value(sem, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_sem_waiting(sem, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_sem_release(sem, 0), WEFT_INVALID);
    CHECK_STATUS(weft_sem_release(sem, (uint64_t)INT64_MAX + 1), WEFT_INVALID);
    CHECK_STATUS(weft_sem_release(sem, 2), WEFT_OVERFLOW);
    OK(weft_sem_value(sem, &value));
    CHECK(value == 1); /* unchanged */
    OK(weft_sem_release(sem, 1));
    CHECK_STATUS(weft_sem_release(sem, 1), WEFT_OVERFLOW);
    OK(weft_sem_try_acquire(sem));
    OK(weft_sem_acquire(sem, WEFT_FOREVER));
    CHECK_STATUS(weft_sem_try_acquire(sem), WEFT_WOULD_BLOCK);
    CHECK_STATUS(weft_sem_acquire(sem, 0), WEFT_WOULD_BLOCK);
    CHECK_STATUS(weft_sem_acquire(sem, 1 * WEFT_MS), WEFT_TIMEOUT);
    OK(weft_sem_waiting(sem, &waiting));
    CHECK(waiting == 0);

    /* release(n) serves the first n live waiters, skipping a cancelled one */
    weft_port *port;
    OK(weft_port_new(&port));
    CHECK_STATUS(weft_sem_acquire_async(sem, NULL, NULL, NULL, NULL), WEFT_INVALID);
    weft_op *ops[4];
    for (int i = 0; i < 4; i++) {
        CHECK_STATUS(weft_sem_acquire_async(sem, port, NULL, (void *)(uintptr_t)(i + 1), &ops[i]),
                     WEFT_PENDING);
    }
    OK(weft_sem_waiting(sem, &waiting));
    CHECK(waiting == 4);
    CHECK_STATUS(weft_op_cancel(ops[1]), WEFT_CANCELLED);
    OK(weft_sem_release(sem, 2)); /* to waiters 1 and 3 */
    weft_completion done[8];
    size_t n = 0;
    OK(weft_port_poll(port, done, 8, &n));
    CHECK(n == 3);
    CHECK(done[0].arg == (void *)2 && done[0].status == WEFT_CANCELLED);
    CHECK(done[1].arg == (void *)1 && done[1].status == WEFT_OK);
    CHECK(done[2].arg == (void *)3 && done[2].status == WEFT_OK);
    /* no barging: a try-acquire now fails although two permits were released */
    CHECK_STATUS(weft_sem_try_acquire(sem), WEFT_WOULD_BLOCK);
    OK(weft_sem_release(sem, 2)); /* holders 1 and 3 give back: waiter 4 gets one, one is free */
    OK(weft_port_poll(port, done, 8, &n));
    CHECK(n == 1 && done[0].arg == (void *)4 && done[0].status == WEFT_OK);
    OK(weft_sem_value(sem, &value));
    CHECK(value == 1);
    OK(weft_sem_release(sem, 1));
    CHECK_STATUS(weft_sem_release(sem, 1), WEFT_OVERFLOW);
    for (int i = 0; i < 4; i++) OK(weft_op_free(ops[i]));

    /* unbounded: big releases are fine up to INT64_MAX */
    weft_sem *big;
    OK(weft_sem_new(0, -1, &big));
    OK(weft_sem_release(big, (uint64_t)INT64_MAX));
    CHECK_STATUS(weft_sem_release(big, 1), WEFT_OVERFLOW);
    OK(weft_sem_value(big, &value));
    CHECK(value == (uint64_t)INT64_MAX);
    OK(weft_sem_clone(big));
    OK(weft_sem_free(big));
    OK(weft_sem_free(big));

    OK(weft_sem_free(sem));
    OK(weft_port_free(port));
    puts("test_sem ok");
    return 0;
}
