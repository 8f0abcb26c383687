/*
 * Stress with invariant checks: blocking threads and event-loop threads (ports) hammer a
 * FIFO lock, a throughput-mode reentrant lock and a bounded semaphore, with random
 * timeouts and random cancels racing grants.
 *
 * Invariants: never two owners; permits conserved; every async op completes exactly once
 * and with the status its cancel reported; no lost wakeup (every wait returns: a hang
 * fails the test through ctest's timeout); everything drained at the end.
 */
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>

#include "check.h"

#define PERMITS 3
#define LOOPS 2
#define THREADS 3
#define MAX_OUTSTANDING 16

static weft_lock *lock;
static weft_rlock *rlock;
static weft_sem *sem;
static atomic_int lock_holders, rlock_holders, sem_holders;
static atomic_long grants, timeouts, cancels_won, cancels_lost, pending_started;
static int iterations = 200000;

static uint64_t next_random(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static int64_t random_timeout(uint64_t *s) {
    switch (next_random(s) % 4) {
    case 0: return 0;
    case 1: return WEFT_FOREVER;
    default: return (int64_t)(next_random(s) % 50) * WEFT_US;
    }
}

static void enter(atomic_int *holders, int limit) {
    int before = atomic_fetch_add(holders, 1);
    CHECK(before < limit);
    atomic_fetch_add(&grants, 1);
}

static void leave(atomic_int *holders) { atomic_fetch_sub(holders, 1); }

static void *blocking_thread(void *arg) {
    uint64_t seed = 0x9E3779B97F4A7C15ull ^ (uint64_t)(uintptr_t)arg;
    for (int i = 0; i < iterations; i++) {
        int64_t timeout = random_timeout(&seed);
        weft_status st;
        switch (next_random(&seed) % 3) {
        case 0:
            st = weft_lock_acquire(lock, timeout);
            if (st == WEFT_OK) {
                enter(&lock_holders, 1);
                leave(&lock_holders);
                OK(weft_lock_release(lock));
            } else {
                CHECK(st == WEFT_TIMEOUT || st == WEFT_WOULD_BLOCK);
                atomic_fetch_add(&timeouts, st == WEFT_TIMEOUT);
            }
            break;
        case 1: {
            uint64_t depth = 1 + next_random(&seed) % 3;
            st = weft_rlock_acquire(rlock, depth, timeout);
            if (st == WEFT_OK) {
                enter(&rlock_holders, 1);
                OK(weft_rlock_acquire(rlock, 1, 0)); /* reentrant: immediate */
                leave(&rlock_holders);
                OK(weft_rlock_release(rlock, depth + 1));
            } else {
                CHECK(st == WEFT_TIMEOUT || st == WEFT_WOULD_BLOCK);
            }
            break;
        }
        default:
            st = weft_sem_acquire(sem, timeout);
            if (st == WEFT_OK) {
                enter(&sem_holders, PERMITS);
                leave(&sem_holders);
                OK(weft_sem_release(sem, 1));
            } else {
                CHECK(st == WEFT_TIMEOUT || st == WEFT_WOULD_BLOCK);
            }
        }
    }
    return NULL;
}

/* One async operation of a loop; its address is its owner token and its arg. */
struct pending {
    weft_op *op;
    int kind;               /* 0 lock, 1 rlock, 2 sem */
    int depth;
    atomic_int completions;
    weft_status cancel_result; /* WEFT_PENDING if not cancelled */
};

static void on_granted(struct pending *p) {
    uint64_t token = (uint64_t)(uintptr_t)p;
    switch (p->kind) {
    case 0:
        enter(&lock_holders, 1);
        leave(&lock_holders);
        OK(weft_lock_release_as(lock, token));
        break;
    case 1:
        enter(&rlock_holders, 1);
        leave(&rlock_holders);
        OK(weft_rlock_release_as(rlock, token, (uint64_t)p->depth));
        break;
    default:
        enter(&sem_holders, PERMITS);
        leave(&sem_holders);
        OK(weft_sem_release(sem, 1));
    }
}

static weft_status start(struct pending *p, weft_port *port, uint64_t *seed) {
    uint64_t token = (uint64_t)(uintptr_t)p;
    p->kind = (int)(next_random(seed) % 3);
    p->depth = 1 + (int)(next_random(seed) % 2);
    atomic_store(&p->completions, 0);
    p->cancel_result = WEFT_PENDING;
    p->op = NULL;
    switch (p->kind) {
    case 0: return weft_lock_acquire_async(lock, token, port, NULL, p, &p->op);
    case 1: return weft_rlock_acquire_async(rlock, token, (uint64_t)p->depth, port, NULL, p, &p->op);
    default: return weft_sem_acquire_async(sem, port, NULL, p, &p->op);
    }
}

/* Takes completions; returns how many ops finished. */
static int drain(weft_port *port) {
    weft_completion rec[8];
    size_t n = 0;
    int finished = 0;
    OK(weft_port_poll(port, rec, 8, &n));
    for (size_t i = 0; i < n; i++) {
        struct pending *p = rec[i].arg;
        CHECK(atomic_fetch_add(&p->completions, 1) == 0); /* exactly once */
        if (p->cancel_result != WEFT_PENDING) CHECK(rec[i].status == p->cancel_result);
        if (rec[i].status == WEFT_OK) {
            on_granted(p);
        } else {
            CHECK(rec[i].status == WEFT_CANCELLED);
        }
        weft_status st;
        OK(weft_op_status(p->op, &st));
        CHECK(st == rec[i].status);
        OK(weft_op_free(p->op));
        p->op = NULL;
        finished++;
    }
    return finished;
}

static void *loop_thread(void *arg) {
    uint64_t seed = 0xD1B54A32D192ED03ull ^ (uint64_t)(uintptr_t)arg;
    weft_port *port;
    int fd;
    OK(weft_port_new(&port));
    OK(weft_port_fd(port, &fd));
    struct pending *slots = calloc(MAX_OUTSTANDING, sizeof *slots);
    int busy[MAX_OUTSTANDING] = {0};
    int outstanding = 0;
    int rounds = iterations / 2;
    for (int i = 0; i < rounds || outstanding > 0; i++) {
        /* start new work while there is room */
        for (int s = 0; i < rounds && s < MAX_OUTSTANDING; s++) {
            if (busy[s] || next_random(&seed) % 2) continue;
            weft_status st = start(&slots[s], port, &seed);
            if (st == WEFT_OK) {
                on_granted(&slots[s]); /* granted at once: no completion follows */
                CHECK(slots[s].op == NULL);
            } else {
                CHECK_STATUS(st, WEFT_PENDING);
                atomic_fetch_add(&pending_started, 1);
                busy[s] = 1;
                outstanding++;
            }
        }
        /* cancel some, racing the grants (and all of them at the end) */
        for (int s = 0; s < MAX_OUTSTANDING; s++) {
            if (!busy[s] || slots[s].op == NULL || slots[s].cancel_result != WEFT_PENDING) continue;
            if (i >= rounds || next_random(&seed) % 4 == 0) {
                if (next_random(&seed) % 2) sched_yield();
                slots[s].cancel_result = weft_op_cancel(slots[s].op);
                CHECK(slots[s].cancel_result == WEFT_CANCELLED || slots[s].cancel_result == WEFT_OK);
                atomic_fetch_add(slots[s].cancel_result == WEFT_OK ? &cancels_lost : &cancels_won, 1);
            }
        }
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int ready = poll(&pfd, 1, i >= rounds ? 1000 : 0);
        CHECK(ready >= 0);
        if (ready == 1) {
            int before = outstanding;
            outstanding -= drain(port);
            for (int s = 0; s < MAX_OUTSTANDING; s++)
                if (busy[s] && slots[s].op == NULL) busy[s] = 0;
            CHECK(outstanding <= before);
        }
    }
    size_t left;
    OK(weft_port_pending(port, &left));
    CHECK(left == 0);
    free(slots);
    OK(weft_port_free(port));
    return NULL;
}

/* A line of many thousand async waiters forms and drains; then one all cancelled. */
static void huge_line(void) {
    int n = 10000 / test_scale_down();
    weft_sem *s;
    weft_port *port;
    OK(weft_sem_new(0, -1, &s));
    OK(weft_port_new(&port));
    weft_op **ops = calloc((size_t)n, sizeof *ops);
    for (int i = 0; i < n; i++)
        CHECK_STATUS(weft_sem_acquire_async(s, port, NULL, (void *)(uintptr_t)(i + 1), &ops[i]), WEFT_PENDING);
    size_t waiting;
    OK(weft_sem_waiting(s, &waiting));
    CHECK(waiting == (size_t)n);
    OK(weft_sem_release(s, (uint64_t)n));
    weft_completion rec[256];
    int seen = 0;
    size_t got;
    do {
        OK(weft_port_poll(port, rec, 256, &got));
        for (size_t i = 0; i < got; i++) {
            CHECK(rec[i].arg == (void *)(uintptr_t)(seen + 1)); /* FIFO */
            CHECK(rec[i].status == WEFT_OK);
            seen++;
        }
    } while (got > 0);
    CHECK(seen == n);
    for (int i = 0; i < n; i++) OK(weft_op_free(ops[i]));

    for (int i = 0; i < n; i++)
        CHECK_STATUS(weft_sem_acquire_async(s, port, NULL, NULL, &ops[i]), WEFT_PENDING);
    for (int i = n - 1; i >= 0; i--) CHECK_STATUS(weft_op_cancel(ops[i]), WEFT_CANCELLED);
    OK(weft_sem_waiting(s, &waiting));
    CHECK(waiting == 0);
    OK(weft_port_pending(port, &waiting));
    CHECK(waiting == (size_t)n);
    for (int i = 0; i < n; i++) OK(weft_op_free(ops[i]));
    free(ops);
    OK(weft_port_free(port)); /* frees the queued cancelled completions */
    uint64_t value;
    OK(weft_sem_value(s, &value));
    CHECK(value == 0);
    OK(weft_sem_free(s));
}

int main(void) {
    iterations /= test_scale_down();
    OK(weft_lock_new(WEFT_LOCK_FIFO, &lock));
    OK(weft_rlock_new(WEFT_LOCK_THROUGHPUT, &rlock));
    OK(weft_sem_new(PERMITS, PERMITS, &sem));
    pthread_t threads[THREADS], loops[LOOPS];
    for (uintptr_t i = 0; i < LOOPS; i++) pthread_create(&loops[i], NULL, loop_thread, (void *)(i + 1));
    for (uintptr_t i = 0; i < THREADS; i++) pthread_create(&threads[i], NULL, blocking_thread, (void *)(i + 1));
    for (int i = 0; i < THREADS; i++) pthread_join(threads[i], NULL);
    for (int i = 0; i < LOOPS; i++) pthread_join(loops[i], NULL);

    uint64_t owner, value;
    size_t waiting;
    OK(weft_lock_owner(lock, &owner));
    CHECK(owner == 0);
    OK(weft_lock_waiting(lock, &waiting));
    CHECK(waiting == 0);
    OK(weft_rlock_owner(rlock, &owner));
    CHECK(owner == 0);
    OK(weft_rlock_waiting(rlock, &waiting));
    CHECK(waiting == 0);
    OK(weft_sem_value(sem, &value));
    CHECK(value == PERMITS); /* permits conserved */
    OK(weft_sem_waiting(sem, &waiting));
    CHECK(waiting == 0);
    CHECK(atomic_load(&grants) > 0);
    OK(weft_lock_free(lock));
    OK(weft_rlock_free(rlock));
    OK(weft_sem_free(sem));

    huge_line();
    printf("test_stress ok: %ld grants, %ld lock timeouts, %ld async waits, %ld cancels won, "
           "%ld cancels lost to a grant\n",
           (long)atomic_load(&grants), (long)atomic_load(&timeouts), (long)atomic_load(&pending_started),
           (long)atomic_load(&cancels_won), (long)atomic_load(&cancels_lost));
    return 0;
}
