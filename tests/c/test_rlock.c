/*
 * weft_rlock: counts add up and must all be released; over-release is WEFT_OVERFLOW with
 * the count unchanged; NOT_OWNER / NOT_LOCKED; the depth bound (INT64_MAX); an owner
 * re-acquires at once even with others in line; handoffs carry the waiter's count, for
 * threads and async ops alike, in FIFO order; throughput-mode mutual exclusion.
 */
#include "check.h"

#include <sched.h>

static uint64_t owner_of(weft_rlock *rl) {
    uint64_t owner = SIZE_MAX;
    OK(weft_rlock_owner(rl, &owner));
    return owner;
}

static uint64_t count_of(weft_rlock *rl, uint64_t owner) {
    uint64_t n = SIZE_MAX;
    OK(weft_rlock_count(rl, owner, &n));
    return n;
}

static size_t waiting_on(weft_rlock *rl) {
    size_t n = SIZE_MAX;
    OK(weft_rlock_waiting(rl, &n));
    return n;
}

struct acquirer {
    weft_rlock *rl;
    uint64_t token; /* 0: as the thread itself */
    uint64_t count;
    int64_t timeout;
    weft_status result;
    uint64_t count_seen;
    int release_after;
    int id;
    int *order;
    atomic_int *order_len;
    atomic_int done;
    pthread_t thread;
};

static void *acquirer_main(void *arg) {
    struct acquirer *a = arg;
    uint64_t me = a->token ? a->token : my_token();
    a->result = a->token ? weft_rlock_acquire_as(a->rl, a->token, a->count, a->timeout)
                         : weft_rlock_acquire(a->rl, a->count, a->timeout);
    if (a->result == WEFT_OK) {
        a->count_seen = count_of(a->rl, me);
        CHECK(owner_of(a->rl) == me);
        if (a->order) a->order[atomic_fetch_add(a->order_len, 1)] = a->id;
        if (a->release_after) {
            if (a->token) OK(weft_rlock_release_as(a->rl, a->token, a->count));
            else OK(weft_rlock_release(a->rl, a->count));
        }
    }
    atomic_store(&a->done, 1);
    return NULL;
}

static void *not_owner_thread(void *arg) {
    weft_rlock *rl = arg;
    CHECK_STATUS(weft_rlock_release(rl, 1), WEFT_NOT_OWNER);
    CHECK_STATUS(weft_rlock_try_acquire(rl, 1), WEFT_WOULD_BLOCK);
    CHECK_STATUS(weft_rlock_acquire(rl, 1, 0), WEFT_WOULD_BLOCK);
    CHECK_STATUS(weft_rlock_acquire(rl, 1, 1 * WEFT_MS), WEFT_TIMEOUT);
    return NULL;
}

static void counts(uint32_t flags) {
    weft_rlock *rl;
    uint64_t me = my_token();
    OK(weft_rlock_new(flags, &rl));
    CHECK(owner_of(rl) == 0 && count_of(rl, me) == 0 && waiting_on(rl) == 0);
    CHECK_STATUS(weft_rlock_release(rl, 1), WEFT_NOT_LOCKED);
    CHECK_STATUS(weft_rlock_release_as(rl, 5, 1), WEFT_NOT_LOCKED);

    /* every way of acquiring adds up */
    OK(weft_rlock_acquire(rl, 2, WEFT_FOREVER));
    OK(weft_rlock_try_acquire(rl, 3));
    OK(weft_rlock_acquire(rl, 1, 0));
    OK(weft_rlock_acquire(rl, 4, 5 * WEFT_MS));
    OK(weft_rlock_acquire_as(rl, me, 5, WEFT_FOREVER));
    CHECK(count_of(rl, me) == 15 && owner_of(rl) == me);
    CHECK(count_of(rl, 12345) == 0);
    CHECK(count_of(rl, 0) == 0);

    /* over-release: OVERFLOW, nothing changes */
    CHECK_STATUS(weft_rlock_release(rl, 16), WEFT_OVERFLOW);
    CHECK_STATUS(weft_rlock_release(rl, UINT64_MAX), WEFT_OVERFLOW);
    CHECK(count_of(rl, me) == 15 && owner_of(rl) == me);

    /* not the owner */
    CHECK_STATUS(weft_rlock_release_as(rl, 9, 1), WEFT_NOT_OWNER);
    CHECK_STATUS(weft_rlock_acquire_as(rl, 9, 1, 0), WEFT_WOULD_BLOCK);
    CHECK_STATUS(weft_rlock_acquire_as(rl, 9, 1, 1 * WEFT_MS), WEFT_TIMEOUT);
    pthread_t t;
    CHECK(pthread_create(&t, NULL, not_owner_thread, rl) == 0);
    pthread_join(t, NULL);
    CHECK(count_of(rl, me) == 15 && waiting_on(rl) == 0);

    /* partial releases keep it; the last level unlocks */
    OK(weft_rlock_release(rl, 10));
    CHECK(count_of(rl, me) == 5 && owner_of(rl) == me);
    OK(weft_rlock_release_as(rl, me, 4));
    CHECK(count_of(rl, me) == 1);
    OK(weft_rlock_release(rl, 1));
    CHECK(owner_of(rl) == 0 && count_of(rl, me) == 0);
    CHECK_STATUS(weft_rlock_release(rl, 1), WEFT_NOT_LOCKED);

    /* the depth bound: INT64_MAX levels, not one more */
    OK(weft_rlock_acquire_as(rl, 7, (uint64_t)INT64_MAX, 0));
    CHECK(count_of(rl, 7) == (uint64_t)INT64_MAX);
    CHECK_STATUS(weft_rlock_acquire_as(rl, 7, 1, 0), WEFT_OVERFLOW);
    CHECK_STATUS(weft_rlock_acquire_as(rl, 7, 1, WEFT_FOREVER), WEFT_OVERFLOW);
    CHECK_STATUS(weft_rlock_acquire_as(rl, 7, UINT64_MAX, WEFT_FOREVER), WEFT_OVERFLOW);
    CHECK(count_of(rl, 7) == (uint64_t)INT64_MAX);
    OK(weft_rlock_release_as(rl, 7, (uint64_t)INT64_MAX));
    CHECK(owner_of(rl) == 0);

    OK(weft_rlock_clone(rl));
    OK(weft_rlock_free(rl));
    OK(weft_rlock_acquire(rl, 1, 0)); /* still usable after free-after-clone */
    OK(weft_rlock_release(rl, 1));
    OK(weft_rlock_free(rl));
}

/* A first acquire of more than INT64_MAX levels: the header's bound says OVERFLOW. */
static void first_acquire_past_the_bound(void) {
    weft_rlock *rl;
    weft_port *port;
    OK(weft_rlock_new(WEFT_LOCK_FIFO, &rl));
    OK(weft_port_new(&port));
    uint64_t too_many = (uint64_t)INT64_MAX + 1;
    /* BUG: on an unlocked rlock these succeed and record a depth above INT64_MAX (the
     * bound is only checked when an owner adds levels). Expected WEFT_OVERFLOW (or
     * WEFT_INVALID, as weft_limiter does) and the lock left unlocked. */
    weft_status st = weft_rlock_try_acquire(rl, too_many);
    EXPECT_STATUS(st, WEFT_OVERFLOW);
    if (st == WEFT_OK) {
        EXPECT(count_of(rl, my_token()) <= (uint64_t)INT64_MAX);
        OK(weft_rlock_release(rl, too_many));
    }
    st = weft_rlock_acquire_as(rl, 5, UINT64_MAX, WEFT_FOREVER);
    EXPECT_STATUS(st, WEFT_OVERFLOW);
    if (st == WEFT_OK) OK(weft_rlock_release_as(rl, 5, UINT64_MAX));
    weft_op *op = NULL;
    st = weft_rlock_acquire_async(rl, 6, too_many, port, NULL, NULL, &op);
    EXPECT_STATUS(st, WEFT_OVERFLOW);
    if (st == WEFT_OK) OK(weft_rlock_release_as(rl, 6, too_many));
    /* and through a handoff to a queued async waiter */
    OK(weft_rlock_acquire_as(rl, 1, 1, 0));
    st = weft_rlock_acquire_async(rl, 8, too_many, port, NULL, NULL, &op);
    EXPECT_STATUS(st, WEFT_OVERFLOW);
    if (st == WEFT_PENDING) {
        OK(weft_rlock_release_as(rl, 1, 1));
        weft_completion rec;
        size_t n;
        OK(weft_port_poll(port, &rec, 1, &n));
        CHECK(n == 1);
        if (rec.status == WEFT_OK) {
            EXPECT(count_of(rl, 8) <= (uint64_t)INT64_MAX);
            OK(weft_rlock_release_as(rl, 8, too_many));
        }
        OK(weft_op_free(op));
    } else {
        OK(weft_rlock_release_as(rl, 1, 1));
    }
    CHECK(owner_of(rl) == 0);
    OK(weft_port_free(port));
    OK(weft_rlock_free(rl));
}

/* The owner gets more levels at once, even with a line behind it; handoffs carry counts. */
static void reentry_and_handoff(void) {
    weft_rlock *rl;
    weft_port *port;
    OK(weft_rlock_new(WEFT_LOCK_FIFO, &rl));
    OK(weft_port_new(&port));
    uint64_t me = my_token();
    OK(weft_rlock_acquire(rl, 3, 0));
    struct acquirer b = {.rl = rl, .token = 0, .count = 2, .timeout = WEFT_FOREVER};
    CHECK(pthread_create(&b.thread, NULL, acquirer_main, &b) == 0);
    WAIT_UNTIL(waiting_on(rl) == 1);
    weft_op *op = NULL;
    CHECK_STATUS(weft_rlock_acquire_async(rl, 77, 4, port, NULL, (void *)77, &op), WEFT_PENDING);
    CHECK(waiting_on(rl) == 2);
    /* the owner re-enters ahead of the line, by every face */
    OK(weft_rlock_acquire(rl, 1, WEFT_FOREVER));
    OK(weft_rlock_try_acquire(rl, 1));
    weft_op *immediate = (weft_op *)0x1;
    CHECK_STATUS(weft_rlock_acquire_async(rl, me, 2, port, NULL, NULL, &immediate), WEFT_OK);
    CHECK(immediate == NULL);
    CHECK(count_of(rl, me) == 7 && waiting_on(rl) == 2);
    /* partial releases hand nothing over */
    OK(weft_rlock_release(rl, 6));
    CHECK(owner_of(rl) == me && waiting_on(rl) == 2);
    /* the last level hands it to the thread with its count */
    OK(weft_rlock_release(rl, 1));
    pthread_join(b.thread, NULL);
    CHECK_STATUS(b.result, WEFT_OK);
    CHECK(b.count_seen == 2);
    /* b did not release: it exited holding 2 levels as its thread token, so release them as it */
    uint64_t b_token = owner_of(rl);
    CHECK(b_token != me && count_of(rl, b_token) == 2);
    OK(weft_rlock_release_as(rl, b_token, 1));
    size_t n;
    OK(weft_port_pending(port, &n));
    CHECK(n == 0); /* one level left: still b's */
    OK(weft_rlock_release_as(rl, b_token, 1));
    CHECK(owner_of(rl) == 77 && count_of(rl, 77) == 4);
    weft_completion rec[2];
    OK(weft_port_poll(port, rec, 2, &n));
    CHECK(n == 1 && rec[0].arg == (void *)77 && rec[0].status == WEFT_OK);
    /* the new owner re-enters at once too, and releases in two steps */
    CHECK_STATUS(weft_rlock_acquire_async(rl, 77, 1, port, NULL, NULL, NULL), WEFT_OK);
    CHECK(count_of(rl, 77) == 5);
    CHECK_STATUS(weft_rlock_release_as(rl, 77, 6), WEFT_OVERFLOW);
    OK(weft_rlock_release_as(rl, 77, 2));
    OK(weft_rlock_release_as(rl, 77, 3));
    CHECK(owner_of(rl) == 0);
    OK(weft_op_free(op));
    OK(weft_port_free(port));
    OK(weft_rlock_free(rl));
}

/* A callback (no port) is granted with its count and may release from inside. */
static weft_rlock *cb_rl;
static atomic_int cb_calls;
static void cb_release(void *arg, weft_status status) {
    atomic_fetch_add(&cb_calls, 1);
    if (status != WEFT_OK) return;
    uint64_t token = (uint64_t)(uintptr_t)arg;
    CHECK(count_of(cb_rl, token) == 3);
    OK(weft_rlock_acquire_as(cb_rl, token, 1, 0)); /* re-enter from the callback */
    OK(weft_rlock_release_as(cb_rl, token, 4));
}

static void callback_and_cancel(void) {
    weft_port *port;
    OK(weft_port_new(&port));
    OK(weft_rlock_new(WEFT_LOCK_THROUGHPUT, &cb_rl));
    OK(weft_rlock_acquire_as(cb_rl, 1, 2, 0));
    weft_op *cancelled, *granted;
    CHECK_STATUS(weft_rlock_acquire_async(cb_rl, 2, 5, port, NULL, (void *)2, &cancelled), WEFT_PENDING);
    CHECK_STATUS(weft_rlock_acquire_async(cb_rl, 3, 3, NULL, cb_release, (void *)3, &granted), WEFT_PENDING);
    CHECK_STATUS(weft_op_cancel(cancelled), WEFT_CANCELLED);
    CHECK(count_of(cb_rl, 2) == 0 && waiting_on(cb_rl) == 1);
    OK(weft_rlock_release_as(cb_rl, 1, 1));
    CHECK(atomic_load(&cb_calls) == 0);
    OK(weft_rlock_release_as(cb_rl, 1, 1)); /* to 3 (2 was skipped), whose callback releases */
    CHECK(atomic_load(&cb_calls) == 1);
    CHECK(owner_of(cb_rl) == 0 && waiting_on(cb_rl) == 0);
    weft_status st;
    OK(weft_op_status(granted, &st));
    CHECK(st == WEFT_OK);
    OK(weft_op_status(cancelled, &st));
    CHECK(st == WEFT_CANCELLED);
    weft_completion rec[2];
    size_t n;
    OK(weft_port_poll(port, rec, 2, &n));
    CHECK(n == 1 && rec[0].arg == (void *)2 && rec[0].status == WEFT_CANCELLED);
    OK(weft_op_free(cancelled));
    OK(weft_op_free(granted));
    OK(weft_rlock_free(cb_rl));
    OK(weft_port_free(port));
}

/* FIFO across faces: threads and async ops with different counts, one timed out. */
static void fifo_faces(void) {
    weft_rlock *rl;
    weft_port *port;
    OK(weft_rlock_new(WEFT_LOCK_FIFO, &rl));
    OK(weft_port_new(&port));
    OK(weft_rlock_acquire_as(rl, 1000, 1, 0));
    int order[8];
    atomic_int order_len = 0;
    struct acquirer t1 = {.rl = rl, .token = 1, .count = 2, .timeout = WEFT_FOREVER, .release_after = 1,
                          .id = 1, .order = order, .order_len = &order_len};
    CHECK(pthread_create(&t1.thread, NULL, acquirer_main, &t1) == 0);
    WAIT_UNTIL(waiting_on(rl) == 1);
    weft_op *op2;
    CHECK_STATUS(weft_rlock_acquire_async(rl, 2, 3, port, NULL, (void *)2, &op2), WEFT_PENDING);
    struct acquirer t3 = {.rl = rl, .token = 3, .count = 1, .timeout = 300 * WEFT_MS};
    CHECK(pthread_create(&t3.thread, NULL, acquirer_main, &t3) == 0);
    WAIT_UNTIL(waiting_on(rl) == 3 || atomic_load(&t3.done)); /* it may give up early */
    struct acquirer t4 = {.rl = rl, .token = 0, .count = 4, .timeout = WEFT_FOREVER, .release_after = 1,
                          .id = 4, .order = order, .order_len = &order_len};
    CHECK(pthread_create(&t4.thread, NULL, acquirer_main, &t4) == 0);
    pthread_join(t3.thread, NULL); /* gives up before anything is released */
    CHECK_STATUS(t3.result, WEFT_TIMEOUT);
    WAIT_UNTIL(waiting_on(rl) == 3);
    OK(weft_rlock_release_as(rl, 1000, 1));
    pthread_join(t1.thread, NULL);
    CHECK(t1.count_seen == 2);
    CHECK(owner_of(rl) == 2 && count_of(rl, 2) == 3); /* the op's turn: t4 waits behind it */
    weft_completion rec;
    size_t n;
    OK(weft_port_poll(port, &rec, 1, &n));
    CHECK(n == 1 && rec.arg == (void *)2 && rec.status == WEFT_OK);
    order[atomic_fetch_add(&order_len, 1)] = 2;
    OK(weft_rlock_release_as(rl, 2, 3));
    pthread_join(t4.thread, NULL);
    CHECK_STATUS(t4.result, WEFT_OK);
    CHECK(t4.count_seen == 4);
    CHECK(atomic_load(&order_len) == 3 && order[0] == 1 && order[1] == 2 && order[2] == 4);
    CHECK(owner_of(rl) == 0 && waiting_on(rl) == 0);
    OK(weft_op_free(op2));
    OK(weft_port_free(port));
    OK(weft_rlock_free(rl));
}

/* Throughput mode: mutual exclusion with reentry, progress for everyone. */
static weft_rlock *hammer_rl;
static atomic_int inside;
static int rounds;
static void *hammer(void *arg) {
    int id = (int)(intptr_t)arg;
    uint64_t me = my_token();
    for (int i = 0; i < rounds; i++) {
        uint64_t depth = 1 + (uint64_t)((i + id) % 3);
        weft_status st = (i % 3 == 0) ? weft_rlock_try_acquire(hammer_rl, depth)
                         : (i % 3 == 1) ? weft_rlock_acquire(hammer_rl, depth, 10 * WEFT_US)
                                        : weft_rlock_acquire(hammer_rl, depth, WEFT_FOREVER);
        if (st != WEFT_OK) {
            CHECK(st == WEFT_WOULD_BLOCK || st == WEFT_TIMEOUT);
            continue;
        }
        CHECK(atomic_fetch_add(&inside, 1) == 0);
        OK(weft_rlock_acquire(hammer_rl, 1, 0)); /* reentry is immediate */
        CHECK(count_of(hammer_rl, me) == depth + 1);
        if (i % 50 == 0) sched_yield();
        CHECK(atomic_fetch_sub(&inside, 1) == 1);
        OK(weft_rlock_release(hammer_rl, 1));
        OK(weft_rlock_release(hammer_rl, depth));
    }
    return NULL;
}

static void throughput_hammer(void) {
    OK(weft_rlock_new(WEFT_LOCK_THROUGHPUT, &hammer_rl));
    rounds = 60000 / test_scale_down();
    pthread_t t[3];
    for (intptr_t i = 0; i < 3; i++) CHECK(pthread_create(&t[i], NULL, hammer, (void *)i) == 0);
    for (int i = 0; i < 3; i++) pthread_join(t[i], NULL);
    CHECK(owner_of(hammer_rl) == 0 && waiting_on(hammer_rl) == 0);
    OK(weft_rlock_free(hammer_rl));
}

int main(void) {
    start_watchdog(120);
    counts(WEFT_LOCK_FIFO);
    counts(WEFT_LOCK_THROUGHPUT);
    first_acquire_past_the_bound();
    reentry_and_handoff();
    callback_and_cancel();
    fifo_faces();
    throughput_hammer();
    return test_exit_code("test_rlock");
}
