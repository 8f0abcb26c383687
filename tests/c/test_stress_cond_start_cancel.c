/*
 * A cancel that lands while `weft_cond_wait_async` is still running. The start writes
 * `*op_out` just before A's op joins the condition's line (so that a callback can reach
 * its op), so a thread watching that pointer can cancel the op before the start has
 * returned. Every round: A holds the bound lock (a `weft_lock`, or a `weft_rlock` at depth
 * 2); a canceller thread spins on A's op pointer and cancels the moment it appears; A
 * starts its async wait with a callback. Nobody notifies, so every cancel wins, and A's
 * completion (run by the canceller, inside `weft_op_cancel`) must find the lock no longer
 * held in A's name: the lock's owner is not A, and A's token can take it (no
 * WEFT_DEADLOCK, no re-entry on a leftover hold). The loom model
 * `cancel_races_the_start` (tests/loom_condition.rs) is the exhaustive form; this is the
 * same race on real threads. The old window (between the op's link and the lock's release)
 * was a few instructions wide and is hit only when the starter is preempted inside it: on
 * the library before the fix, 7 of 8 runs of this test failed on the shared 2-core machine
 * (load ~2.7), and 0 of 8 after it (`LD_LIBRARY_PATH=<old libweft.so.0 dir>
 * ./build/test_stress_cond_start_cancel`, 8 times each).
 *
 * "cancelled during the start" counts the rounds whose `weft_op_cancel` began before the
 * start call had returned: the rounds where the cancel met the start at all.
 */
#include "check.h"

enum bound { BOUND_LOCK, BOUND_RLOCK, BOUND_KINDS };
static const char *bound_name[] = {"lock", "rlock"};

#define TOKEN_A 0xA000

struct round {
    enum bound kind;
    weft_lock *lock;
    weft_rlock *rlock;
    weft_cond *cond;
    weft_op *op_a; /* the start's `*op_out`: written by libweft, read by the canceller */
    atomic_int canceller_ready;
    atomic_int start_returned;
    atomic_int a_calls;
    atomic_int a_status;
    int during_start; /* the cancel began before the start had returned */
    weft_status cancel_answer;
};

static uint64_t owner_of(struct round *r) {
    uint64_t owner = 0;
    if (r->kind == BOUND_LOCK) OK(weft_lock_owner(r->lock, &owner));
    else OK(weft_rlock_owner(r->rlock, &owner));
    return owner;
}

/* A's completion, on the canceller's thread: A must hold nothing now. */
static void a_completed(void *arg, weft_status status) {
    struct round *r = arg;
    CHECK_MSG(status == WEFT_CANCELLED, "A completed %s", weft_status_str(status));
    CHECK_MSG(owner_of(r) != TOKEN_A,
              "a cancelled wait completed while the %s was still held in its name",
              bound_name[r->kind]);
    weft_status st = r->kind == BOUND_LOCK ? weft_lock_acquire_as(r->lock, TOKEN_A, 0)
                                           : weft_rlock_acquire_as(r->rlock, TOKEN_A, 1, 0);
    CHECK_MSG(st == WEFT_OK || st == WEFT_WOULD_BLOCK || st == WEFT_TIMEOUT,
              "taking the %s as A answered %s", bound_name[r->kind], weft_status_str(st));
    if (st == WEFT_OK) {
        if (r->kind == BOUND_LOCK) {
            OK(weft_lock_release_as(r->lock, TOKEN_A));
        } else {
            uint64_t depth = 0;
            OK(weft_rlock_count(r->rlock, TOKEN_A, &depth));
            CHECK_MSG(depth == 1, "A re-entered a leftover hold (depth %llu)",
                      (unsigned long long)depth);
            OK(weft_rlock_release_as(r->rlock, TOKEN_A, 1));
        }
    }
    atomic_store(&r->a_status, status);
    atomic_fetch_add(&r->a_calls, 1);
}

static void *canceller(void *arg) {
    struct round *r = arg;
    atomic_store(&r->canceller_ready, 1);
    weft_op *op;
    unsigned spins = 0;
    while ((op = __atomic_load_n(&r->op_a, __ATOMIC_ACQUIRE)) == NULL) {
        if (++spins > 100000) sched_yield(); /* 2 busy cores: do not spin for long */
    }
    r->during_start = !atomic_load(&r->start_returned);
    r->cancel_answer = weft_op_cancel(op);
    return NULL;
}

static void one_round(enum bound kind, long *during_start) {
    struct round *r = calloc(1, sizeof *r);
    CHECK(r != NULL);
    r->kind = kind;
    if (kind == BOUND_LOCK) {
        OK(weft_lock_new(WEFT_LOCK_FIFO, &r->lock));
        OK(weft_cond_new(r->lock, &r->cond));
        OK(weft_lock_acquire_as(r->lock, TOKEN_A, WEFT_FOREVER));
    } else {
        OK(weft_rlock_new(WEFT_LOCK_FIFO, &r->rlock));
        OK(weft_cond_new_reentrant(r->rlock, &r->cond));
        OK(weft_rlock_acquire_as(r->rlock, TOKEN_A, 2, WEFT_FOREVER));
    }

    pthread_t tid;
    CHECK(pthread_create(&tid, NULL, canceller, r) == 0);
    while (!atomic_load(&r->canceller_ready)) sched_yield();
    CHECK_STATUS(weft_cond_wait_async(r->cond, TOKEN_A, NULL, a_completed, r, &r->op_a),
                 WEFT_PENDING);
    atomic_store(&r->start_returned, 1);
    CHECK(pthread_join(tid, NULL) == 0);

    CHECK_STATUS(r->cancel_answer, WEFT_CANCELLED);
    CHECK(atomic_load(&r->a_calls) == 1);
    CHECK(atomic_load(&r->a_status) == WEFT_CANCELLED);
    CHECK(owner_of(r) == 0);
    size_t waiting = 1;
    OK(weft_cond_waiting(r->cond, &waiting));
    CHECK(waiting == 0);
    *during_start += r->during_start;

    OK(weft_op_free(r->op_a));
    OK(weft_cond_free(r->cond));
    if (r->lock) OK(weft_lock_free(r->lock));
    if (r->rlock) OK(weft_rlock_free(r->rlock));
    free(r);
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    start_watchdog(600);
    const char *env = getenv("WEFT_COND_ROUNDS");
    int rounds = env ? atoi(env) : 10000;
    rounds /= test_scale_down();
    if (rounds < 1) rounds = 1;
    for (int kind = 0; kind < BOUND_KINDS; kind++) {
        long during_start = 0;
        for (int i = 0; i < rounds; i++) one_round(kind, &during_start);
        printf("%-6s rounds %d: every cancel won, none completed holding the lock; "
               "cancelled during the start %ld\n",
               bound_name[kind], rounds, during_start);
    }
    return test_exit_code("test_stress_cond_start_cancel");
}
