/*
 * weft_lock: ownership rules (DEADLOCK, NOT_OWNER, NOT_LOCKED), timeouts, reference
 * counts, the async faces (at once / pending / callback on the releasing thread, calling
 * weft from inside), FIFO across faces with timed-out and cancelled waiters skipped, no
 * barging after a handoff, and throughput mode's mutual exclusion and progress.
 */
#include "check.h"

#include <sched.h>

static uint64_t owner_of(weft_lock *lock) {
    uint64_t owner = SIZE_MAX;
    OK(weft_lock_owner(lock, &owner));
    return owner;
}

static size_t waiting_on(weft_lock *lock) {
    size_t n = SIZE_MAX;
    OK(weft_lock_waiting(lock, &n));
    return n;
}

/* A thread that acquires (as itself if token == 0), records what happened, and
 * optionally releases at once. */
struct acquirer {
    weft_lock *lock;
    uint64_t token;
    int64_t timeout;
    int release_after;
    weft_status result;
    uint64_t thread_token;
    int *order;         /* where to record its id when granted, or NULL */
    atomic_int *order_len;
    int id;
    atomic_int done;
    pthread_t thread;
};

static void *acquirer_main(void *arg) {
    struct acquirer *a = arg;
    a->thread_token = my_token();
    a->result = a->token ? weft_lock_acquire_as(a->lock, a->token, a->timeout)
                         : weft_lock_acquire(a->lock, a->timeout);
    if (a->result == WEFT_OK) {
        uint64_t expected = a->token ? a->token : a->thread_token;
        CHECK(owner_of(a->lock) == expected);
        if (a->order) a->order[atomic_fetch_add(a->order_len, 1)] = a->id;
        if (a->release_after) {
            if (a->token) OK(weft_lock_release_as(a->lock, a->token));
            else OK(weft_lock_release(a->lock));
        }
    }
    atomic_store(&a->done, 1);
    return NULL;
}

static void start_acquirer(struct acquirer *a) {
    CHECK(pthread_create(&a->thread, NULL, acquirer_main, a) == 0);
}

static void *release_other_thread(void *arg) {
    /* weft_lock_release acts for the calling thread: not the owner */
    CHECK_STATUS(weft_lock_release(arg), WEFT_NOT_OWNER);
    CHECK_STATUS(weft_lock_try_acquire(arg), WEFT_WOULD_BLOCK);
    CHECK_STATUS(weft_lock_acquire(arg, 0), WEFT_WOULD_BLOCK);
    return NULL;
}

static void ownership(uint32_t flags) {
    weft_lock *lock;
    weft_port *port;
    uint64_t me = my_token();
    OK(weft_lock_new(flags, &lock));
    OK(weft_port_new(&port));
    CHECK(owner_of(lock) == 0 && waiting_on(lock) == 0);
    CHECK_STATUS(weft_lock_release(lock), WEFT_NOT_LOCKED);
    CHECK_STATUS(weft_lock_release_as(lock, me), WEFT_NOT_LOCKED);
    CHECK_STATUS(weft_lock_release_as(lock, 5), WEFT_NOT_LOCKED);

    OK(weft_lock_acquire(lock, WEFT_FOREVER));
    CHECK(owner_of(lock) == me);
    /* re-acquire by the owner, every way: DEADLOCK at once, never a hang */
    CHECK_STATUS(weft_lock_acquire(lock, WEFT_FOREVER), WEFT_DEADLOCK);
    CHECK_STATUS(weft_lock_acquire(lock, 0), WEFT_DEADLOCK);
    CHECK_STATUS(weft_lock_acquire(lock, 10 * WEFT_MS), WEFT_DEADLOCK);
    CHECK_STATUS(weft_lock_try_acquire(lock), WEFT_DEADLOCK);
    CHECK_STATUS(weft_lock_acquire_as(lock, me, WEFT_FOREVER), WEFT_DEADLOCK);
    weft_op *op = (weft_op *)0x1;
    CHECK_STATUS(weft_lock_acquire_async(lock, me, port, NULL, NULL, &op), WEFT_DEADLOCK);
    CHECK(op == (weft_op *)0x1); /* untouched on errors */
    CHECK(waiting_on(lock) == 0);
    size_t pending;
    OK(weft_port_pending(port, &pending));
    CHECK(pending == 0);

    /* someone else: would block / times out; nothing left in line */
    CHECK_STATUS(weft_lock_acquire_as(lock, 42, 0), WEFT_WOULD_BLOCK);
    CHECK_STATUS(weft_lock_acquire_as(lock, 42, 2 * WEFT_MS), WEFT_TIMEOUT);
    CHECK(waiting_on(lock) == 0);

    /* release by a non-owner: NOT_OWNER, nothing changes */
    CHECK_STATUS(weft_lock_release_as(lock, 42), WEFT_NOT_OWNER);
    pthread_t t;
    CHECK(pthread_create(&t, NULL, release_other_thread, lock) == 0);
    pthread_join(t, NULL);
    CHECK(owner_of(lock) == me);

    /* a thread's token works with _as too */
    OK(weft_lock_release_as(lock, me));
    CHECK(owner_of(lock) == 0);
    CHECK_STATUS(weft_lock_release(lock), WEFT_NOT_LOCKED);
    OK(weft_lock_acquire_as(lock, me, 0));
    CHECK_STATUS(weft_lock_try_acquire(lock), WEFT_DEADLOCK);
    OK(weft_lock_release(lock));

    /* a token owner: this thread is not it */
    OK(weft_lock_acquire_as(lock, 7, WEFT_FOREVER));
    CHECK(owner_of(lock) == 7);
    CHECK_STATUS(weft_lock_release(lock), WEFT_NOT_OWNER);
    CHECK_STATUS(weft_lock_try_acquire(lock), WEFT_WOULD_BLOCK);
    CHECK_STATUS(weft_lock_acquire_as(lock, 7, 0), WEFT_DEADLOCK);
    OK(weft_lock_release_as(lock, 7));
    CHECK_STATUS(weft_lock_release_as(lock, 7), WEFT_NOT_LOCKED);

    /* the largest timeouts are fine when it is free; INT64_MIN is "forever" */
    OK(weft_lock_acquire(lock, INT64_MAX));
    OK(weft_lock_release(lock));
    OK(weft_lock_acquire(lock, INT64_MIN));
    OK(weft_lock_release(lock));
    OK(weft_lock_try_acquire(lock));
    OK(weft_lock_release(lock));
    OK(weft_lock_free(lock));
    OK(weft_port_free(port));
}

/* Timeouts leave the line; a waiter with a huge or negative timeout waits until handed. */
static void timeouts(void) {
    weft_lock *lock;
    OK(weft_lock_new(WEFT_LOCK_FIFO, &lock));
    uint64_t me = my_token();
    OK(weft_lock_acquire(lock, 0));
    struct acquirer a = {.lock = lock, .timeout = 20 * WEFT_MS};
    start_acquirer(&a);
    pthread_join(a.thread, NULL);
    CHECK_STATUS(a.result, WEFT_TIMEOUT);
    CHECK(waiting_on(lock) == 0 && owner_of(lock) == me);

    struct acquirer big = {.lock = lock, .timeout = INT64_MAX, .release_after = 1};
    struct acquirer neg = {.lock = lock, .timeout = INT64_MIN, .release_after = 1};
    start_acquirer(&big);
    WAIT_UNTIL(waiting_on(lock) == 1);
    start_acquirer(&neg);
    WAIT_UNTIL(waiting_on(lock) == 2);
    OK(weft_lock_release(lock));
    pthread_join(big.thread, NULL);
    pthread_join(neg.thread, NULL);
    CHECK_STATUS(big.result, WEFT_OK);
    CHECK_STATUS(neg.result, WEFT_OK);
    CHECK(owner_of(lock) == 0 && waiting_on(lock) == 0);
    OK(weft_lock_free(lock));
}

static void *clone_use_free(void *arg) {
    weft_lock *lock = arg;
    OK(weft_lock_acquire(lock, WEFT_FOREVER));
    OK(weft_lock_release(lock));
    OK(weft_lock_free(lock)); /* drops the reference main cloned for us */
    return NULL;
}

static void refcounts(void) {
    weft_lock *lock;
    OK(weft_lock_new(WEFT_LOCK_FIFO, &lock));
    OK(weft_lock_clone(lock));
    OK(weft_lock_clone(lock));
    OK(weft_lock_free(lock));
    OK(weft_lock_free(lock));
    /* one reference left: still usable */
    OK(weft_lock_acquire(lock, 0));
    OK(weft_lock_release(lock));
    pthread_t t[4];
    for (int i = 0; i < 4; i++) {
        OK(weft_lock_clone(lock));
        CHECK(pthread_create(&t[i], NULL, clone_use_free, lock) == 0);
    }
    for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
    OK(weft_lock_acquire(lock, 0));
    OK(weft_lock_free(lock)); /* freeing a held lock with nobody waiting: no leak */
}

/* ---- async faces ---- */

static weft_lock *cb_lock;
static atomic_int cb_calls;
static atomic_int cb_last_status;
static pthread_t cb_expected_thread;
static atomic_int cb_thread_ok;

static void release_from_callback(void *arg, weft_status status) {
    atomic_fetch_add(&cb_calls, 1);
    atomic_store(&cb_last_status, status);
    if (pthread_equal(pthread_self(), cb_expected_thread)) atomic_fetch_add(&cb_thread_ok, 1);
    if (status == WEFT_OK) {
        uint64_t token = (uint64_t)(uintptr_t)arg;
        CHECK(owner_of(cb_lock) == token); /* it is ours when we are told */
        OK(weft_lock_release_as(cb_lock, token)); /* weft may be called from here */
    }
}

static void *release_as_1(void *arg) {
    (void)arg;
    cb_expected_thread = pthread_self();
    OK(weft_lock_release_as(cb_lock, 1));
    return NULL;
}

static void async_forms(void) {
    weft_port *port;
    OK(weft_port_new(&port));
    OK(weft_lock_new(WEFT_LOCK_FIFO, &cb_lock));

    /* free: WEFT_OK at once, *op_out set to NULL, no callback, no completion */
    weft_op *op = (weft_op *)0x1;
    CHECK_STATUS(weft_lock_acquire_async(cb_lock, 5, NULL, release_from_callback, (void *)5, &op), WEFT_OK);
    CHECK(op == NULL);
    CHECK(owner_of(cb_lock) == 5 && atomic_load(&cb_calls) == 0);
    OK(weft_lock_release_as(cb_lock, 5));
    op = (weft_op *)0x1;
    CHECK_STATUS(weft_lock_acquire_async(cb_lock, 5, port, NULL, NULL, &op), WEFT_OK);
    CHECK(op == NULL);
    size_t n;
    OK(weft_port_pending(port, &n));
    CHECK(n == 0);
    /* the owner again: DEADLOCK, op_out untouched */
    op = (weft_op *)0x1;
    CHECK_STATUS(weft_lock_acquire_async(cb_lock, 5, port, NULL, NULL, &op), WEFT_DEADLOCK);
    CHECK(op == (weft_op *)0x1);
    /* free again with NULL op_out */
    OK(weft_lock_release_as(cb_lock, 5));
    CHECK_STATUS(weft_lock_acquire_async(cb_lock, 5, port, NULL, NULL, NULL), WEFT_OK);
    OK(weft_lock_release_as(cb_lock, 5));

    /* held: WEFT_PENDING with an op, status PENDING until granted */
    OK(weft_lock_acquire_as(cb_lock, 1, 0));
    CHECK_STATUS(weft_lock_acquire_async(cb_lock, 2, port, NULL, (void *)2, &op), WEFT_PENDING);
    CHECK(op != NULL && op != (weft_op *)0x1);
    weft_status st = -1;
    OK(weft_op_status(op, &st));
    CHECK(st == WEFT_PENDING);
    CHECK(waiting_on(cb_lock) == 1);
    OK(weft_lock_release_as(cb_lock, 1));
    CHECK(owner_of(cb_lock) == 2); /* handed over before the loop even looks */
    OK(weft_op_status(op, &st));
    CHECK(st == WEFT_OK);
    weft_completion rec[4];
    OK(weft_port_poll(port, rec, 4, &n));
    CHECK(n == 1 && rec[0].arg == (void *)2 && rec[0].status == WEFT_OK);
    OK(weft_op_free(op));
    OK(weft_lock_release_as(cb_lock, 2));

    /* callback form: runs once, on the releasing thread, and may release from inside */
    OK(weft_lock_acquire_as(cb_lock, 1, 0));
    CHECK_STATUS(weft_lock_acquire_async(cb_lock, 6, NULL, release_from_callback, (void *)6, NULL),
                 WEFT_PENDING); /* op_out NULL: a detached op, still completes once */
    CHECK(atomic_load(&cb_calls) == 0);
    pthread_t releaser;
    CHECK(pthread_create(&releaser, NULL, release_as_1, NULL) == 0);
    pthread_join(releaser, NULL);
    CHECK(atomic_load(&cb_calls) == 1 && atomic_load(&cb_last_status) == WEFT_OK);
    CHECK(atomic_load(&cb_thread_ok) == 1); /* ran on the releasing thread */
    CHECK(owner_of(cb_lock) == 0);          /* the callback released it */

    /* the main thread releases: the callback runs here, inside the release */
    atomic_store(&cb_thread_ok, 0);
    cb_expected_thread = pthread_self();
    OK(weft_lock_acquire_as(cb_lock, 1, 0));
    CHECK_STATUS(weft_lock_acquire_async(cb_lock, 7, NULL, release_from_callback, (void *)7, &op), WEFT_PENDING);
    OK(weft_lock_release_as(cb_lock, 1));
    CHECK(atomic_load(&cb_calls) == 2 && atomic_load(&cb_thread_ok) == 1);
    OK(weft_op_status(op, &st));
    CHECK(st == WEFT_OK);
    CHECK_STATUS(weft_op_cancel(op), WEFT_OK); /* already granted (and released by the callback) */
    CHECK(atomic_load(&cb_calls) == 2);     /* cancel after completion calls nothing */
    OK(weft_op_free(op));

    /* a callback on a port runs only in weft_port_run, on the running thread */
    OK(weft_lock_acquire_as(cb_lock, 1, 0));
    CHECK_STATUS(weft_lock_acquire_async(cb_lock, 8, port, release_from_callback, (void *)8, &op), WEFT_PENDING);
    OK(weft_lock_release_as(cb_lock, 1));
    CHECK(atomic_load(&cb_calls) == 2 && owner_of(cb_lock) == 8);
    OK(weft_port_run(port, 10, &n));
    CHECK(n == 1 && atomic_load(&cb_calls) == 3 && atomic_load(&cb_thread_ok) == 2);
    CHECK(owner_of(cb_lock) == 0);
    OK(weft_op_free(op));

    OK(weft_lock_free(cb_lock));
    OK(weft_port_free(port));
}

/* A line of callback-form waiters whose callbacks release: each release runs the next
 * waiter's callback from inside the previous one's. */
static void callback_chain(int length);
static weft_lock *chain_lock;
static atomic_int chain_next;
static int chain_ok = 1;
static void chain_callback(void *arg, weft_status status) {
    int id = (int)(intptr_t)arg;
    CHECK(status == WEFT_OK);
    if (atomic_fetch_add(&chain_next, 1) != id) chain_ok = 0;
    OK(weft_lock_release_as(chain_lock, (uint64_t)id + 100));
}

static void callback_chain_in_child(void *arg) {
    callback_chain((int)(intptr_t)arg);
}

static void callback_chain(int length) {
    OK(weft_lock_new(WEFT_LOCK_FIFO, &chain_lock));
    atomic_store(&chain_next, 0);
    OK(weft_lock_acquire_as(chain_lock, 1, 0));
    for (int i = 0; i < length; i++)
        CHECK_STATUS(weft_lock_acquire_async(chain_lock, (uint64_t)i + 100, NULL, chain_callback,
                                             (void *)(intptr_t)i, NULL),
                     WEFT_PENDING);
    CHECK(waiting_on(chain_lock) == (size_t)length);
    OK(weft_lock_release_as(chain_lock, 1));
    CHECK(atomic_load(&chain_next) == length && chain_ok);
    CHECK(owner_of(chain_lock) == 0 && waiting_on(chain_lock) == 0);
    OK(weft_lock_free(chain_lock));
}

/* ---- FIFO across faces ---- */

static int order[16];
static atomic_int order_len;
static weft_lock *fifo_lock;

static void fifo_callback(void *arg, weft_status status) {
    CHECK(status == WEFT_OK);
    int id = (int)(intptr_t)arg;
    order[atomic_fetch_add(&order_len, 1)] = id;
    /* no barging: between handoffs a third party cannot take it */
    CHECK_STATUS(weft_lock_acquire_as(fifo_lock, 999, 0), WEFT_WOULD_BLOCK);
    OK(weft_lock_release_as(fifo_lock, (uint64_t)id));
}

/*
 * Line: T1 (thread), C2 (callback op), P3 (port op), X4 (thread, short timeout: gives up),
 * T5 (thread, as itself), Y6 (port op, cancelled), C7 (callback op), T8 (thread).
 * Expected grant order: 1 2 3 5 7 8, with 4 and 6 skipped.
 */
static void fifo_mixed_faces(void) {
    weft_port *port;
    OK(weft_port_new(&port));
    OK(weft_lock_new(WEFT_LOCK_FIFO, &fifo_lock));
    atomic_store(&order_len, 0);
    OK(weft_lock_acquire_as(fifo_lock, 1000, 0));
    struct acquirer t[9] = {{0}};
    weft_op *p3, *y6;
    for (int id = 1; id <= 8; id++) {
        switch (id) {
        case 2:
        case 7:
            CHECK_STATUS(weft_lock_acquire_async(fifo_lock, (uint64_t)id, NULL, fifo_callback,
                                                 (void *)(intptr_t)id, NULL),
                         WEFT_PENDING);
            break;
        case 3:
            CHECK_STATUS(weft_lock_acquire_async(fifo_lock, 3, port, NULL, (void *)3, &p3), WEFT_PENDING);
            break;
        case 6:
            CHECK_STATUS(weft_lock_acquire_async(fifo_lock, 6, port, NULL, (void *)6, &y6), WEFT_PENDING);
            break;
        default:
            t[id] = (struct acquirer){.lock = fifo_lock,
                                      .token = id == 5 ? 0 : (uint64_t)id,
                                      .timeout = id == 4 ? 20 * WEFT_MS : WEFT_FOREVER,
                                      .release_after = 1,
                                      .order = order,
                                      .order_len = &order_len,
                                      .id = id};
            start_acquirer(&t[id]);
        }
        /* X4 may give up early, but only after it stood in line */
        WAIT_UNTIL(waiting_on(fifo_lock) == (size_t)id - (size_t)(id >= 4 && atomic_load(&t[4].done)));
    }
    pthread_join(t[4].thread, NULL); /* gave up: left the line */
    CHECK_STATUS(t[4].result, WEFT_TIMEOUT);
    CHECK_STATUS(weft_op_cancel(y6), WEFT_CANCELLED);
    CHECK(waiting_on(fifo_lock) == 6);

    OK(weft_lock_release_as(fifo_lock, 1000));
    /* T1 owns it (handoff), runs, releases to C2, whose callback releases to P3, which
     * waits in the port: the chain stops there until the loop takes it */
    pthread_join(t[1].thread, NULL);
    CHECK(owner_of(fifo_lock) == 3);
    CHECK_STATUS(weft_lock_try_acquire(fifo_lock), WEFT_WOULD_BLOCK); /* no barging */
    weft_completion rec[4];
    size_t n;
    OK(weft_port_poll(port, rec, 4, &n));
    CHECK(n == 2);
    CHECK(rec[0].arg == (void *)6 && rec[0].status == WEFT_CANCELLED); /* cancelled first */
    CHECK(rec[1].arg == (void *)3 && rec[1].status == WEFT_OK);
    order[atomic_fetch_add(&order_len, 1)] = 3;
    OK(weft_lock_release_as(fifo_lock, 3));
    pthread_join(t[5].thread, NULL);
    pthread_join(t[8].thread, NULL);
    static const int expected[] = {1, 2, 3, 5, 7, 8};
    CHECK(atomic_load(&order_len) == 6);
    for (int i = 0; i < 6; i++) CHECK_MSG(order[i] == expected[i], "grant %d went to %d", i, order[i]);
    CHECK(owner_of(fifo_lock) == 0 && waiting_on(fifo_lock) == 0);
    OK(weft_op_free(p3));
    OK(weft_op_free(y6));
    OK(weft_lock_free(fifo_lock));
    OK(weft_port_free(port));
}

/* No barging: right after a release to a blocked thread, the lock is already the
 * waiter's, whether or not it has woken yet. */
static void no_barging(void) {
    weft_lock *lock;
    OK(weft_lock_new(WEFT_LOCK_FIFO, &lock));
    for (int round = 0; round < 50; round++) {
        OK(weft_lock_acquire_as(lock, 1, 0));
        struct acquirer a = {.lock = lock, .token = 2, .timeout = WEFT_FOREVER};
        start_acquirer(&a);
        WAIT_UNTIL(waiting_on(lock) == 1);
        OK(weft_lock_release_as(lock, 1));
        CHECK(owner_of(lock) == 2);
        CHECK_STATUS(weft_lock_try_acquire(lock), WEFT_WOULD_BLOCK);
        CHECK_STATUS(weft_lock_acquire_as(lock, 1, 0), WEFT_WOULD_BLOCK);
        CHECK_STATUS(weft_lock_release_as(lock, 1), WEFT_NOT_OWNER);
        pthread_join(a.thread, NULL);
        CHECK_STATUS(a.result, WEFT_OK);
        OK(weft_lock_release_as(lock, 2));
    }
    OK(weft_lock_free(lock));
}

/* ---- throughput mode: mutual exclusion and progress, not FIFO ---- */

static weft_lock *tp_lock;
static atomic_int tp_inside;
static long tp_counter; /* guarded by tp_lock */
static atomic_long tp_grants;
static int tp_rounds;

static void *tp_hammer(void *arg) {
    int id = (int)(intptr_t)arg;
    uint64_t token = 0;
    if (id % 2) OK(weft_owner_new(&token));
    for (int i = 0; i < tp_rounds; i++) {
        weft_status st;
        switch ((i + id) % 4) {
        case 0: st = token ? weft_lock_acquire_as(tp_lock, token, 0) : weft_lock_try_acquire(tp_lock); break;
        case 1: st = token ? weft_lock_acquire_as(tp_lock, token, 20 * WEFT_US) : weft_lock_acquire(tp_lock, 20 * WEFT_US); break;
        default: st = token ? weft_lock_acquire_as(tp_lock, token, WEFT_FOREVER) : weft_lock_acquire(tp_lock, WEFT_FOREVER);
        }
        if (st != WEFT_OK) {
            CHECK_MSG(st == WEFT_WOULD_BLOCK || st == WEFT_TIMEOUT, "%s", weft_status_str(st));
            continue;
        }
        CHECK(atomic_fetch_add(&tp_inside, 1) == 0); /* alone inside */
        if (i % 64 == 0) sched_yield(); /* let the others pile up behind us */
        tp_counter++;
        atomic_fetch_add(&tp_grants, 1);
        CHECK(atomic_fetch_sub(&tp_inside, 1) == 1);
        if (token) OK(weft_lock_release_as(tp_lock, token));
        else OK(weft_lock_release(tp_lock));
    }
    return NULL;
}

/* A loop whose async waiters are handed the lock directly, mixed with the hammering. */
static void *tp_loop(void *arg) {
    (void)arg;
    weft_port *port;
    int fd;
    OK(weft_port_new(&port));
    OK(weft_port_fd(port, &fd));
    uint64_t token;
    OK(weft_owner_new(&token));
    for (int i = 0; i < tp_rounds / 4; i++) {
        weft_op *op = NULL;
        weft_status st = weft_lock_acquire_async(tp_lock, token, port, NULL, NULL, &op);
        if (st == WEFT_PENDING) {
            struct pollfd pfd = {.fd = fd, .events = POLLIN};
            CHECK(poll(&pfd, 1, -1) == 1); /* a lost completion hangs: the watchdog fails it */
            weft_completion rec;
            size_t n;
            OK(weft_port_poll(port, &rec, 1, &n));
            CHECK(n == 1 && rec.status == WEFT_OK);
            CHECK(owner_of(tp_lock) == token); /* handed directly */
            OK(weft_op_free(op));
        } else {
            CHECK_STATUS(st, WEFT_OK);
        }
        CHECK(atomic_fetch_add(&tp_inside, 1) == 0);
        tp_counter++;
        atomic_fetch_add(&tp_grants, 1);
        CHECK(atomic_fetch_sub(&tp_inside, 1) == 1);
        OK(weft_lock_release_as(tp_lock, token));
    }
    OK(weft_port_free(port));
    return NULL;
}

static void throughput_mode(void) {
    OK(weft_lock_new(WEFT_LOCK_THROUGHPUT, &tp_lock));
    /* async waiters are handed the lock directly */
    weft_port *port;
    OK(weft_port_new(&port));
    OK(weft_lock_acquire_as(tp_lock, 1, 0));
    weft_op *op;
    CHECK_STATUS(weft_lock_acquire_async(tp_lock, 2, port, NULL, NULL, &op), WEFT_PENDING);
    OK(weft_lock_release_as(tp_lock, 1));
    CHECK(owner_of(tp_lock) == 2);
    CHECK_STATUS(weft_lock_acquire_as(tp_lock, 3, 0), WEFT_WOULD_BLOCK);
    OK(weft_lock_release_as(tp_lock, 2));
    OK(weft_op_free(op));
    size_t n;
    weft_completion rec;
    OK(weft_port_poll(port, &rec, 1, &n));
    CHECK(n == 1 && rec.status == WEFT_OK);
    OK(weft_port_free(port));

    /* a blocked thread is not stranded by a release that only invites it to retry */
    OK(weft_lock_acquire_as(tp_lock, 1, 0));
    struct acquirer a = {.lock = tp_lock, .timeout = WEFT_FOREVER, .release_after = 1};
    start_acquirer(&a);
    WAIT_UNTIL(waiting_on(tp_lock) == 1);
    OK(weft_lock_release_as(tp_lock, 1));
    pthread_join(a.thread, NULL);
    CHECK_STATUS(a.result, WEFT_OK);

    /* hammer: 4 threads (thread and token owners) + 1 loop */
    tp_rounds = 200000 / test_scale_down();
    tp_counter = 0;
    pthread_t t[5];
    for (intptr_t i = 0; i < 4; i++) CHECK(pthread_create(&t[i], NULL, tp_hammer, (void *)i) == 0);
    CHECK(pthread_create(&t[4], NULL, tp_loop, NULL) == 0);
    for (int i = 0; i < 5; i++) pthread_join(t[i], NULL); /* progress: everyone finishes */
    CHECK(tp_counter == atomic_load(&tp_grants));
    printf("throughput mode: %ld grants in %d attempts\n", tp_counter, 4 * tp_rounds + tp_rounds / 4);
    CHECK(owner_of(tp_lock) == 0 && waiting_on(tp_lock) == 0);
    OK(weft_lock_free(tp_lock));
}

int main(void) {
    start_watchdog(120);
    ownership(WEFT_LOCK_FIFO);
    ownership(WEFT_LOCK_THROUGHPUT);
    timeouts();
    refcounts();
    async_forms();
    callback_chain(100);
    /* BUG: every callback's release runs the next callback inside it, so the stack grows
     * with the line: ~15 000 waiters overflow an 8 MiB main-thread stack (SIGSEGV). The
     * header invites releasing from the callback; a line this long must not crash. */
    run_in_child(callback_chain_in_child, (void *)(intptr_t)20000, /* not scaled: the size is the point */
                 "a line of 20000 callback waiters that release from their callbacks");
    fifo_mixed_faces();
    no_barging();
    throughput_mode();
    return test_exit_code("test_lock");
}
