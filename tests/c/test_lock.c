/* weft_lock and weft_rlock: every export, bad input, ownership rules, async faces. */
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "check.h"

static void bad_input(void) {
    weft_lock *sentinel = (weft_lock *)0x1;
    weft_lock *lock = sentinel;
    CHECK_STATUS(weft_lock_new(WEFT_LOCK_FIFO, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_lock_new(7, &lock), WEFT_INVALID);
    CHECK(lock == sentinel); /* out-parameter untouched on failure */
    CHECK_STATUS(weft_lock_clone(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_lock_free(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_lock_acquire(NULL, WEFT_FOREVER), WEFT_INVALID);
    CHECK_STATUS(weft_lock_try_acquire(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_lock_acquire_as(NULL, 5, 0), WEFT_INVALID);
    CHECK_STATUS(weft_lock_release(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_lock_release_as(NULL, 5), WEFT_INVALID);
    uint64_t owner = 77;
    size_t waiting = 77;
    CHECK_STATUS(weft_lock_owner(NULL, &owner), WEFT_INVALID);
    CHECK_STATUS(weft_lock_waiting(NULL, &waiting), WEFT_INVALID);
    CHECK(owner == 77 && waiting == 77);
    weft_op *op = (weft_op *)0x1;
    CHECK_STATUS(weft_lock_acquire_async(NULL, 5, NULL, NULL, NULL, &op), WEFT_INVALID);
    CHECK(op == (weft_op *)0x1);

    OK(weft_lock_new(WEFT_LOCK_THROUGHPUT, &lock));
    CHECK_STATUS(weft_lock_owner(lock, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_lock_waiting(lock, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_lock_acquire_as(lock, 0, 0), WEFT_INVALID);         /* owner 0 */
    CHECK_STATUS(weft_lock_release_as(lock, 0), WEFT_INVALID);
    /* neither port nor callback: nobody would learn of the completion */
    CHECK_STATUS(weft_lock_acquire_async(lock, 5, NULL, NULL, NULL, &op), WEFT_INVALID);
    CHECK(op == (weft_op *)0x1);
    OK(weft_lock_free(lock));
}

static void ownership(void) {
    weft_lock *lock;
    uint64_t me, owner = 1;
    size_t waiting = 1;
    OK(weft_thread_owner(&me));
    OK(weft_lock_new(WEFT_LOCK_FIFO, &lock));
    OK(weft_lock_owner(lock, &owner));
    CHECK(owner == 0);
    CHECK_STATUS(weft_lock_release(lock), WEFT_NOT_LOCKED);
    OK(weft_lock_acquire(lock, WEFT_FOREVER));
    OK(weft_lock_owner(lock, &owner));
    CHECK(owner == me);
    CHECK_STATUS(weft_lock_try_acquire(lock), WEFT_DEADLOCK);
    CHECK_STATUS(weft_lock_acquire(lock, 10 * WEFT_MS), WEFT_DEADLOCK);
    CHECK_STATUS(weft_lock_acquire_as(lock, 42, 0), WEFT_WOULD_BLOCK);
    CHECK_STATUS(weft_lock_acquire_as(lock, 42, 2 * WEFT_MS), WEFT_TIMEOUT);
    CHECK_STATUS(weft_lock_release_as(lock, 42), WEFT_NOT_OWNER);
    OK(weft_lock_waiting(lock, &waiting));
    CHECK(waiting == 0); /* the timed-out waiter left no residue */
    /* clone keeps it alive past one free */
    OK(weft_lock_clone(lock));
    OK(weft_lock_free(lock));
    OK(weft_lock_release_as(lock, me)); /* a thread's token works with _as too */
    OK(weft_lock_owner(lock, &owner));
    CHECK(owner == 0);
    OK(weft_lock_try_acquire(lock));
    OK(weft_lock_release(lock));
    OK(weft_lock_free(lock));
}

static void rlock(void) {
    weft_rlock *rl;
    uint64_t me, count = 99, owner = 0;
    OK(weft_thread_owner(&me));
    CHECK_STATUS(weft_rlock_new(3, &rl), WEFT_INVALID);
    CHECK_STATUS(weft_rlock_new(0, NULL), WEFT_INVALID);
    OK(weft_rlock_new(WEFT_LOCK_FIFO, &rl));
    CHECK_STATUS(weft_rlock_acquire(NULL, 1, 0), WEFT_INVALID);
    CHECK_STATUS(weft_rlock_acquire(rl, 0, 0), WEFT_INVALID);
    CHECK_STATUS(weft_rlock_try_acquire(NULL, 1), WEFT_INVALID);
    CHECK_STATUS(weft_rlock_release(rl, 0), WEFT_INVALID);
    CHECK_STATUS(weft_rlock_release(rl, 1), WEFT_NOT_LOCKED);
    CHECK_STATUS(weft_rlock_count(rl, me, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_rlock_count(NULL, me, &count), WEFT_INVALID);
    CHECK(count == 99);
    OK(weft_rlock_acquire(rl, 2, WEFT_FOREVER));
    OK(weft_rlock_try_acquire(rl, 3));
    OK(weft_rlock_count(rl, me, &count));
    CHECK(count == 5);
    OK(weft_rlock_count(rl, 12345, &count));
    CHECK(count == 0);
    OK(weft_rlock_owner(rl, &owner));
    CHECK(owner == me);
    CHECK_STATUS(weft_rlock_release(rl, 6), WEFT_OVERFLOW);
    OK(weft_rlock_count(rl, me, &count));
    CHECK(count == 5); /* unchanged */
    CHECK_STATUS(weft_rlock_acquire(rl, INT64_MAX, 0), WEFT_OVERFLOW);
    CHECK_STATUS(weft_rlock_release_as(rl, 9, 1), WEFT_NOT_OWNER);
    CHECK_STATUS(weft_rlock_acquire_as(rl, 9, 1, 0), WEFT_WOULD_BLOCK);
    OK(weft_rlock_release(rl, 4));
    OK(weft_rlock_release(rl, 1));
    OK(weft_rlock_owner(rl, &owner));
    CHECK(owner == 0);
    size_t waiting = 9;
    OK(weft_rlock_waiting(rl, &waiting));
    CHECK(waiting == 0);
    CHECK_STATUS(weft_rlock_waiting(rl, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_rlock_owner(rl, NULL), WEFT_INVALID);

    /* async: owner 9 queues for 3 levels behind us; our release hands it over with depth 3 */
    weft_port *port;
    OK(weft_port_new(&port));
    OK(weft_rlock_acquire_as(rl, 7, 2, WEFT_FOREVER));
    weft_op *op = NULL;
    CHECK_STATUS(weft_rlock_acquire_async(rl, 9, 3, port, NULL, (void *)9, &op), WEFT_PENDING);
    CHECK(op != NULL);
    OK(weft_rlock_release_as(rl, 7, 2));
    OK(weft_rlock_count(rl, 9, &count));
    CHECK(count == 3);
    weft_completion done[2];
    size_t n = 0;
    OK(weft_port_poll(port, done, 2, &n));
    CHECK(n == 1 && done[0].arg == (void *)9 && done[0].status == WEFT_OK);
    OK(weft_rlock_release_as(rl, 9, 3));
    OK(weft_op_free(op));
    OK(weft_rlock_clone(rl));
    OK(weft_rlock_free(rl));
    OK(weft_rlock_free(rl));
    CHECK_STATUS(weft_rlock_clone(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_rlock_free(NULL), WEFT_INVALID);
    OK(weft_port_free(port));
}

/* The callback runs on the releasing thread, with no weft lock held: it may release. */
static weft_lock *cb_lock;
static atomic_int cb_calls;
static void release_from_callback(void *arg, weft_status status) {
    CHECK(status == WEFT_OK);
    atomic_fetch_add(&cb_calls, 1);
    OK(weft_lock_release_as(cb_lock, (uint64_t)(uintptr_t)arg));
}

static void async_callback_form(void) {
    OK(weft_lock_new(WEFT_LOCK_FIFO, &cb_lock));
    weft_op *op = (weft_op *)0x1;
    /* granted at once: WEFT_OK, *op set to NULL, no callback */
    CHECK_STATUS(weft_lock_acquire_async(cb_lock, 5, NULL, release_from_callback, (void *)5, &op),
                 WEFT_OK);
    CHECK(op == NULL);
    CHECK(atomic_load(&cb_calls) == 0);
    CHECK_STATUS(weft_lock_acquire_async(cb_lock, 5, NULL, release_from_callback, (void *)5, &op),
                 WEFT_DEADLOCK);
    /* queued: the release by owner 5 hands it to 6, whose callback releases it */
    CHECK_STATUS(weft_lock_acquire_async(cb_lock, 6, NULL, release_from_callback, (void *)6, NULL),
                 WEFT_PENDING); /* op_out may be NULL: a detached op */
    CHECK(atomic_load(&cb_calls) == 0);
    OK(weft_lock_release_as(cb_lock, 5));
    CHECK(atomic_load(&cb_calls) == 1);
    uint64_t owner = 1;
    OK(weft_lock_owner(cb_lock, &owner));
    CHECK(owner == 0);
    OK(weft_lock_free(cb_lock));
}

/* FIFO across faces: thread waiters and async waiters are served in arrival order. */
static weft_lock *fifo_lock;
static atomic_int order[8];
static atomic_int order_len;
static void *fifo_thread(void *arg) {
    uint64_t token = (uint64_t)(uintptr_t)arg;
    OK(weft_lock_acquire_as(fifo_lock, token, WEFT_FOREVER));
    order[atomic_fetch_add(&order_len, 1)] = (int)token;
    OK(weft_lock_release_as(fifo_lock, token));
    return NULL;
}
static void fifo_async(void *arg, weft_status status) {
    CHECK(status == WEFT_OK);
    uint64_t token = (uint64_t)(uintptr_t)arg;
    order[atomic_fetch_add(&order_len, 1)] = (int)token;
    /* no barging: a third party cannot take it between handoffs */
    CHECK_STATUS(weft_lock_acquire_as(fifo_lock, 999, 0), WEFT_WOULD_BLOCK);
    OK(weft_lock_release_as(fifo_lock, token));
}

static void wait_for_waiting(weft_lock *lock, size_t n) {
    size_t waiting = 0;
    for (;;) {
        OK(weft_lock_waiting(lock, &waiting));
        if (waiting == n) return;
        usleep(100);
    }
}

static void fifo_mixed_faces(void) {
    OK(weft_lock_new(WEFT_LOCK_FIFO, &fifo_lock));
    OK(weft_lock_acquire_as(fifo_lock, 1, 0));
    pthread_t threads[3];
    int nthreads = 0;
    for (int i = 0; i < 6; i++) {
        uintptr_t token = 10 + (uintptr_t)i;
        if (i % 2 == 0) {
            pthread_create(&threads[nthreads++], NULL, fifo_thread, (void *)token);
        } else {
            CHECK_STATUS(weft_lock_acquire_async(fifo_lock, token, NULL, fifo_async, (void *)token, NULL),
                         WEFT_PENDING);
        }
        wait_for_waiting(fifo_lock, (size_t)i + 1);
    }
    OK(weft_lock_release_as(fifo_lock, 1));
    for (int i = 0; i < nthreads; i++) pthread_join(threads[i], NULL);
    CHECK(atomic_load(&order_len) == 6);
    for (int i = 0; i < 6; i++) CHECK(order[i] == 10 + i);
    OK(weft_lock_free(fifo_lock));
}

int main(void) {
    bad_input();
    ownership();
    rlock();
    async_callback_form();
    fifo_mixed_faces();
    puts("test_lock ok");
    return 0;
}
