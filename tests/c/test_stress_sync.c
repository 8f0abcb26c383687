/*
 * Stress for issue 3's waiting primitives, threads and an event-loop thread (a port)
 * mixed, with random timeouts and cancels:
 * - cyclic barrier: a phase completes for all or the barrier breaks for all, and stays
 *   broken; every async arrival completes exactly once; nobody is left waiting;
 * - condition: producers notify consumers (a thread with random timeouts, a loop with
 *   async waits it randomly cancels); every item is consumed once, no notify is lost.
 */
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>

#include "check.h"

static uint64_t next_random(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static weft_status wait_one(weft_port *port, int fd, uint64_t *value_out, weft_op *op) {
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    CHECK(poll(&pfd, 1, 20000) == 1); /* a hang here is a lost wakeup */
    weft_completion rec[2];
    size_t n;
    OK(weft_port_poll(port, rec, 2, &n));
    CHECK(n == 1); /* exactly one completion per op */
    if (value_out) OK(weft_op_value(op, value_out));
    return rec[0].status;
}

/* ---- barrier */
#define PARTIES 3
static weft_barrier *barrier;
static int rounds;
static atomic_int ok_index_counts[PARTIES];

struct outcome_log {
    int saw_failure;
    int ok;
};

static void record(struct outcome_log *log, weft_status st, uint64_t index) {
    if (st == WEFT_OK) {
        CHECK(!log->saw_failure); /* broken stays broken */
        CHECK(index < PARTIES);
        atomic_fetch_add(&ok_index_counts[index], 1);
        log->ok++;
    } else {
        CHECK(st == WEFT_BROKEN || st == WEFT_TIMEOUT || st == WEFT_CANCELLED);
        if (log->saw_failure) CHECK(st == WEFT_BROKEN);
        log->saw_failure = 1;
    }
}

static void *barrier_thread(void *arg) {
    uint64_t seed = 0x1234567ull * (uint64_t)(uintptr_t)arg;
    struct outcome_log *log = calloc(1, sizeof *log);
    for (int i = 0; i < rounds; i++) {
        int64_t timeout = next_random(&seed) % 500 == 0 ? 20 * WEFT_US : 2 * WEFT_SECOND;
        uint64_t index = 0;
        weft_status st = weft_barrier_wait(barrier, timeout, &index);
        record(log, st, index);
        if (log->saw_failure) break;
    }
    return log;
}

static void *barrier_loop(void *arg) {
    (void)arg;
    uint64_t seed = 0xFEEDull;
    weft_port *port;
    int fd;
    OK(weft_port_new(&port));
    OK(weft_port_fd(port, &fd));
    struct outcome_log *log = calloc(1, sizeof *log);
    for (int i = 0; i < rounds && !log->saw_failure; i++) {
        weft_op *op = NULL;
        uint64_t index = 0;
        weft_status st = weft_barrier_wait_async(barrier, port, NULL, NULL, &op, &index);
        if (st == WEFT_PENDING) {
            weft_status cancel = WEFT_PENDING;
            if (next_random(&seed) % 500 == 0) cancel = weft_op_cancel(op);
            st = wait_one(port, fd, &index, op);
            if (cancel != WEFT_PENDING) CHECK(st == cancel);
            OK(weft_op_free(op));
        }
        record(log, st, index);
    }
    OK(weft_port_free(port));
    return log;
}

static void barrier_stress(void) {
    rounds = 3000 / test_scale_down();
    OK(weft_barrier_new(PARTIES, WEFT_BARRIER_CYCLIC, &barrier));
    pthread_t t[PARTIES];
    pthread_create(&t[0], NULL, barrier_loop, NULL);
    for (uintptr_t i = 1; i < PARTIES; i++) pthread_create(&t[i], NULL, barrier_thread, (void *)i);
    int any_failure = 0, oks = 0;
    for (int i = 0; i < PARTIES; i++) {
        struct outcome_log *log;
        pthread_join(t[i], (void **)&log);
        any_failure |= log->saw_failure;
        oks += log->ok;
        free(log);
    }
    bool broken;
    OK(weft_barrier_is_broken(barrier, &broken));
    CHECK(broken == (bool)any_failure);
    /* every phase that passed handed out each index once */
    int phases = atomic_load(&ok_index_counts[0]);
    for (int k = 0; k < PARTIES; k++) CHECK(atomic_load(&ok_index_counts[k]) == phases);
    CHECK(oks == PARTIES * phases);
    if (!any_failure) CHECK(phases == rounds);
    size_t waiting;
    OK(weft_barrier_waiting(barrier, &waiting));
    CHECK(waiting == 0);
    OK(weft_barrier_free(barrier));
    printf("barrier: %d phases passed, %s\n", phases, any_failure ? "then broken by a timeout/cancel" : "never broken");
}

/* ---- condition */
static weft_lock *lock;
static weft_cond *cond;
static int items, consumed; /* guarded by lock */
static int total_items;
static atomic_int producers_done;

static void *producer(void *arg) {
    (void)arg;
    for (int i = 0; i < total_items / 2; i++) {
        OK(weft_lock_acquire(lock, WEFT_FOREVER));
        items++;
        OK(weft_cond_notify(cond, 1, NULL));
        OK(weft_lock_release(lock));
    }
    atomic_fetch_add(&producers_done, 1);
    return NULL;
}

static int done_locked(void) { return consumed == total_items; }

static void *thread_consumer(void *arg) {
    (void)arg;
    uint64_t seed = 99;
    OK(weft_lock_acquire(lock, WEFT_FOREVER));
    while (!done_locked()) {
        if (items > 0) {
            items--;
            consumed++;
            continue;
        }
        weft_status st = weft_cond_wait(cond, (next_random(&seed) % 3) ? WEFT_FOREVER : 30 * WEFT_US);
        CHECK(st == WEFT_OK || st == WEFT_TIMEOUT);
        /* at the very end the other consumer may have taken the last items */
        if (st == WEFT_TIMEOUT && atomic_load(&producers_done) == 2 && items == 0 && done_locked()) break;
    }
    OK(weft_cond_notify_all(cond, NULL)); /* wake the other consumer to see it is done */
    OK(weft_lock_release(lock));
    return NULL;
}

static void *loop_consumer(void *arg) {
    (void)arg;
    uint64_t seed = 7, token;
    OK(weft_owner_new(&token));
    weft_port *port;
    int fd;
    OK(weft_port_new(&port));
    OK(weft_port_fd(port, &fd));
    for (;;) {
        /* take the lock without blocking the loop */
        weft_op *op = NULL;
        weft_status st = weft_lock_acquire_async(lock, token, port, NULL, NULL, &op);
        if (st == WEFT_PENDING) {
            st = wait_one(port, fd, NULL, op);
            OK(weft_op_free(op));
        }
        OK(st);
        while (items > 0) {
            items--;
            consumed++;
        }
        if (done_locked()) {
            OK(weft_cond_notify_all(cond, NULL));
            OK(weft_lock_release_as(lock, token));
            break;
        }
        /* wait for a notify; sometimes give up (cancel), which passes a notify on */
        CHECK_STATUS(weft_cond_wait_async(cond, token, port, NULL, NULL, &op), WEFT_PENDING);
        weft_status cancel = WEFT_PENDING;
        if (next_random(&seed) % 4 == 0) cancel = weft_op_cancel(op);
        st = wait_one(port, fd, NULL, op);
        if (cancel != WEFT_PENDING) CHECK(st == cancel);
        OK(weft_op_free(op));
        if (st == WEFT_OK) {
            OK(weft_lock_release_as(lock, token)); /* woken holding it: loop round again */
        } else {
            CHECK(st == WEFT_CANCELLED); /* not holding it */
        }
    }
    OK(weft_port_free(port));
    return NULL;
}

static void cond_stress(void) {
    total_items = 20000 / test_scale_down();
    OK(weft_lock_new(WEFT_LOCK_FIFO, &lock));
    OK(weft_cond_new(lock, &cond));
    pthread_t t[4];
    pthread_create(&t[0], NULL, thread_consumer, NULL);
    pthread_create(&t[1], NULL, loop_consumer, NULL);
    pthread_create(&t[2], NULL, producer, NULL);
    pthread_create(&t[3], NULL, producer, NULL);
    for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
    CHECK(consumed == total_items && items == 0);
    size_t waiting;
    OK(weft_cond_waiting(cond, &waiting));
    CHECK(waiting == 0);
    OK(weft_lock_waiting(lock, &waiting));
    CHECK(waiting == 0);
    uint64_t owner;
    OK(weft_lock_owner(lock, &owner));
    CHECK(owner == 0);
    OK(weft_cond_free(cond));
    OK(weft_lock_free(lock));
    printf("condition: %d items consumed once each\n", consumed);
}

int main(void) {
    barrier_stress();
    cond_stress();
    puts("test_stress_sync ok");
    return 0;
}
