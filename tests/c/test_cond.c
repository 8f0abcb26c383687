/* weft_cond: bound to a lock or reentrant lock, or lockless; notify moves waiters into
 * the lock's line; async waits; a producer/consumer stress where no notify is lost. */
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "check.h"

static weft_lock *lock;
static weft_cond *cond;
static int items;          /* guarded by lock */
static int consumed_total; /* guarded by lock */
static int per_producer;

static void *producer(void *arg) {
    (void)arg;
    for (int i = 0; i < per_producer; i++) {
        OK(weft_lock_acquire(lock, WEFT_FOREVER));
        items++;
        OK(weft_cond_notify(cond, 1, NULL));
        OK(weft_lock_release(lock));
    }
    return NULL;
}

static void *consumer(void *arg) {
    int want = (int)(intptr_t)arg;
    for (int got = 0; got < want; got++) {
        OK(weft_lock_acquire(lock, WEFT_FOREVER));
        while (items == 0) {
            /* short timeouts race the notifies: a notified waiter that times out passes
             * the notification on, so nobody sleeps while an item is waiting */
            weft_status st = weft_cond_wait(cond, (got % 2) ? 50 * WEFT_US : WEFT_FOREVER);
            CHECK(st == WEFT_OK || st == WEFT_TIMEOUT);
            uint64_t owner, me;
            OK(weft_lock_owner(lock, &owner));
            OK(weft_thread_owner(&me));
            CHECK(owner == me); /* woken holding the lock, either way */
        }
        items--;
        consumed_total++;
        OK(weft_lock_release(lock));
    }
    return NULL;
}

static size_t cond_waiting(void) {
    size_t n;
    OK(weft_cond_waiting(cond, &n));
    return n;
}

static void *waiter_thread(void *arg) {
    (void)arg;
    OK(weft_lock_acquire(lock, WEFT_FOREVER));
    OK(weft_cond_wait(cond, WEFT_FOREVER));
    OK(weft_lock_release(lock));
    return NULL;
}

int main(void) {
    start_watchdog(120); /* a hang (lost wakeup) fails instead of waiting for ctest */
    weft_cond *c = (weft_cond *)0x1;
    size_t n = 77;
    CHECK_STATUS(weft_cond_new(NULL, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_cond_new_reentrant(NULL, &c), WEFT_INVALID);
    CHECK(c == (weft_cond *)0x1);
    CHECK_STATUS(weft_cond_wait(NULL, 0), WEFT_INVALID);
    CHECK_STATUS(weft_cond_wait_as(NULL, 1, 0), WEFT_INVALID);
    CHECK_STATUS(weft_cond_wait_async(NULL, 1, NULL, NULL, NULL, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_cond_notify(NULL, 1, &n), WEFT_INVALID);
    CHECK_STATUS(weft_cond_notify_all(NULL, &n), WEFT_INVALID);
    CHECK_STATUS(weft_cond_waiting(NULL, &n), WEFT_INVALID);
    CHECK_STATUS(weft_cond_clone(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_cond_free(NULL), WEFT_INVALID);
    CHECK(n == 77);

    OK(weft_lock_new(WEFT_LOCK_FIFO, &lock));
    OK(weft_cond_new(lock, &cond));
    CHECK_STATUS(weft_cond_waiting(cond, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_cond_wait(cond, WEFT_FOREVER), WEFT_NOT_OWNER); /* lock not held */
    CHECK_STATUS(weft_cond_wait_as(cond, 0, 0), WEFT_INVALID);
    OK(weft_lock_acquire(lock, WEFT_FOREVER));
    CHECK_STATUS(weft_cond_wait(cond, 0), WEFT_TIMEOUT);
    CHECK_STATUS(weft_cond_wait(cond, 1 * WEFT_MS), WEFT_TIMEOUT);
    uint64_t owner, me;
    OK(weft_thread_owner(&me));
    OK(weft_lock_owner(lock, &owner));
    CHECK(owner == me); /* held again after the timeout */
    OK(weft_cond_notify(cond, 5, &n));
    CHECK(n == 0);
    OK(weft_lock_release(lock));

    /* notify moves into the lock's line: the waiter wakes only once the lock is free */
    pthread_t t;
    pthread_create(&t, NULL, waiter_thread, NULL);
    while (cond_waiting() < 1) usleep(100);
    OK(weft_lock_acquire(lock, WEFT_FOREVER));
    OK(weft_cond_notify_all(cond, &n));
    CHECK(n == 1);
    size_t lock_waiting;
    OK(weft_lock_waiting(lock, &lock_waiting));
    CHECK(lock_waiting == 1 && cond_waiting() == 0);
    OK(weft_lock_release(lock)); /* hands it to the notified waiter */
    pthread_join(t, NULL);

    /* async, on a port: completes holding the lock; cancel completes without it */
    weft_port *port;
    OK(weft_port_new(&port));
    weft_op *op;
    OK(weft_lock_acquire_as(lock, 42, WEFT_FOREVER));
    CHECK_STATUS(weft_cond_wait_async(cond, 7, port, NULL, NULL, &op), WEFT_NOT_OWNER);
    CHECK_STATUS(weft_cond_wait_async(cond, 42, port, NULL, (void *)42, &op), WEFT_PENDING);
    OK(weft_lock_owner(lock, &owner));
    CHECK(owner == 0); /* released by the wait */
    OK(weft_cond_notify(cond, 1, &n));
    CHECK(n == 1); /* the lock was free: 42 owns it at once */
    OK(weft_lock_owner(lock, &owner));
    CHECK(owner == 42);
    weft_completion rec[2];
    OK(weft_port_poll(port, rec, 2, &n));
    CHECK(n == 1 && rec[0].status == WEFT_OK && rec[0].arg == (void *)42);
    OK(weft_op_free(op));
    CHECK_STATUS(weft_cond_wait_async(cond, 42, port, NULL, NULL, &op), WEFT_PENDING);
    CHECK_STATUS(weft_op_cancel(op), WEFT_CANCELLED);
    OK(weft_lock_owner(lock, &owner));
    CHECK(owner == 0);
    OK(weft_port_poll(port, rec, 2, &n));
    CHECK(n == 1 && rec[0].status == WEFT_CANCELLED);
    OK(weft_op_free(op));

    /* a reentrant lock: the depth is saved and restored */
    weft_rlock *rl;
    weft_cond *rc;
    OK(weft_rlock_new(WEFT_LOCK_FIFO, &rl));
    OK(weft_cond_new_reentrant(rl, &rc));
    OK(weft_rlock_acquire_as(rl, 9, 3, 0));
    CHECK_STATUS(weft_cond_wait_async(rc, 9, port, NULL, NULL, &op), WEFT_PENDING);
    OK(weft_cond_notify(rc, 1, NULL));
    uint64_t depth;
    OK(weft_rlock_count(rl, 9, &depth));
    CHECK(depth == 3);
    OK(weft_port_poll(port, rec, 2, &n));
    CHECK(n == 1 && rec[0].status == WEFT_OK);
    OK(weft_rlock_release_as(rl, 9, 3));
    OK(weft_op_free(op));
    OK(weft_cond_clone(rc));
    OK(weft_cond_free(rc));
    OK(weft_cond_free(rc));
    OK(weft_rlock_free(rl)); /* the condition held its own reference until now */

    /* lockless: wait only waits for a notify */
    weft_cond *free_cond;
    OK(weft_cond_new(NULL, &free_cond));
    CHECK_STATUS(weft_cond_wait_async(free_cond, 1, port, NULL, NULL, &op), WEFT_PENDING);
    OK(weft_cond_notify(free_cond, 1, &n));
    CHECK(n == 1);
    OK(weft_port_poll(port, rec, 2, &n));
    CHECK(n == 1 && rec[0].status == WEFT_OK);
    OK(weft_op_free(op));
    OK(weft_cond_free(free_cond));
    OK(weft_port_free(port));

    /* stress: 2 producers, 2 consumers, random short timeouts; every item consumed */
    per_producer = 20000 / test_scale_down();
    pthread_t th[4];
    for (int i = 0; i < 2; i++) pthread_create(&th[i], NULL, consumer, (void *)(intptr_t)per_producer);
    for (int i = 2; i < 4; i++) pthread_create(&th[i], NULL, producer, NULL);
    for (int i = 0; i < 4; i++) pthread_join(th[i], NULL);
    CHECK(items == 0 && consumed_total == 2 * per_producer);
    CHECK(cond_waiting() == 0);
    OK(weft_lock_waiting(lock, &lock_waiting));
    CHECK(lock_waiting == 0);
    OK(weft_cond_free(cond));
    OK(weft_lock_free(lock));
    puts("test_cond ok");
    return 0;
}
