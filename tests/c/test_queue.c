/*
 * weft_queue from C: each operation, each face, each kind, and bad input.
 *
 * Items are small integers cast to pointers; a destructor records what the queue
 * discards, so every test can check that each item went exactly one way (got, discarded,
 * or still the caller's after a refused put).
 */
#include "check.h"

#define ITEM(n) ((void *)(uintptr_t)(n))
#define NUM(p) ((int)(uintptr_t)(p))

typedef struct {
    pthread_mutex_t mutex;
    int items[64];
    int count;
} discarded_t;

static void on_discard(void *ctx, void *item) {
    discarded_t *d = ctx;
    pthread_mutex_lock(&d->mutex);
    CHECK(d->count < 64);
    d->items[d->count++] = NUM(item);
    pthread_mutex_unlock(&d->mutex);
}

static int discarded_count(discarded_t *d) {
    pthread_mutex_lock(&d->mutex);
    int n = d->count;
    pthread_mutex_unlock(&d->mutex);
    return n;
}


static weft_queue *new_queue(uint32_t kind, int64_t capacity) {
    weft_queue *q = NULL;
    OK(weft_queue_new(kind, capacity, NULL, NULL, &q));
    CHECK(q != NULL);
    return q;
}

static size_t poll_one(weft_port *port, weft_completion *out) {
    size_t n = 0;
    OK(weft_port_poll(port, out, 1, &n));
    return n;
}

static void test_bad_input(void) {
    weft_queue *q = (weft_queue *)ITEM(0x5EA7);
    CHECK_STATUS(weft_queue_new(7, -1, NULL, NULL, &q), WEFT_INVALID);
    CHECK_STATUS(weft_queue_new(WEFT_QUEUE_FIFO, 0, NULL, NULL, &q), WEFT_INVALID);
    CHECK_STATUS(weft_queue_new(WEFT_QUEUE_FIFO, 1, NULL, NULL, NULL), WEFT_INVALID);
    CHECK(q == (weft_queue *)ITEM(0x5EA7));

    void *out = ITEM(0x5EA7);
    size_t n = 77;
    CHECK_STATUS(weft_queue_put(NULL, ITEM(1), 0, -1), WEFT_INVALID);
    CHECK_STATUS(weft_queue_get(NULL, &out, -1), WEFT_INVALID);
    CHECK_STATUS(weft_queue_try_get(NULL, &out), WEFT_INVALID);
    CHECK_STATUS(weft_queue_get_many(NULL, &out, 1, 0, &n), WEFT_INVALID);
    CHECK_STATUS(weft_queue_shutdown(NULL, true), WEFT_INVALID);
    CHECK_STATUS(weft_queue_free(NULL), WEFT_INVALID);
    CHECK(out == ITEM(0x5EA7) && n == 77);

    q = new_queue(WEFT_QUEUE_FIFO, 1);
    weft_port *port;
    OK(weft_port_new(&port));
    weft_op *op = (weft_op *)ITEM(0x5EA7);
    CHECK_STATUS(weft_queue_get(q, NULL, 0), WEFT_INVALID);
    CHECK_STATUS(weft_queue_put_many(q, NULL, NULL, 2, 0, &n), WEFT_INVALID);
    CHECK_STATUS(weft_queue_get_many(q, NULL, 2, 0, &n), WEFT_INVALID);
    void *one[1] = {ITEM(1)};
    CHECK_STATUS(weft_queue_put_many(q, one, NULL, SIZE_MAX, 0, &n), WEFT_INVALID);
    CHECK_STATUS(weft_queue_get_many(q, one, SIZE_MAX, 0, &n), WEFT_INVALID);
    CHECK_STATUS(weft_queue_get_async(q, &out, NULL, NULL, NULL, &op), WEFT_INVALID);
    CHECK_STATUS(weft_queue_put_async(q, ITEM(1), 0, NULL, NULL, NULL, &op), WEFT_INVALID);
    CHECK_STATUS(weft_queue_set_capacity(q, 0), WEFT_INVALID);
    CHECK_STATUS(weft_queue_waiting(q, NULL, NULL), WEFT_INVALID);
    CHECK(op == (weft_op *)ITEM(0x5EA7) && n == 77);
    /* zero-sized batches are fine and do nothing */
    OK(weft_queue_put_many(q, NULL, NULL, 0, 0, &n));
    CHECK(n == 0);
    OK(weft_queue_get_many(q, NULL, 0, 0, &n));
    CHECK(n == 0);
    int64_t cap = 0;
    OK(weft_queue_capacity(q, &cap));
    CHECK(cap == 1);
    OK(weft_queue_free(q));
    OK(weft_port_free(port));
}

static void test_orders(void) {
    static const struct {
        uint32_t kind;
        int want[5];
    } cases[] = {
        {WEFT_QUEUE_FIFO, {1, 2, 3, 4, 5}},
        {WEFT_QUEUE_LIFO, {5, 4, 3, 2, 1}},
        {WEFT_QUEUE_PRIORITY, {4, 2, 5, 1, 3}},
    };
    const int64_t priority[5] = {7, 0, 9, -3, 0};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        weft_queue *q = new_queue(cases[c].kind, WEFT_UNBOUNDED);
        for (int i = 0; i < 5; i++) OK(weft_queue_put(q, ITEM(i + 1), priority[i], 0));
        void *peeked;
        OK(weft_queue_peek(q, &peeked));
        CHECK(NUM(peeked) == cases[c].want[0]);
        for (int i = 0; i < 5; i++) {
            void *item;
            OK(weft_queue_try_get(q, &item));
            CHECK_MSG(NUM(item) == cases[c].want[i], "kind %u: got %d at %d", cases[c].kind,
                      NUM(item), i);
        }
        CHECK_STATUS(weft_queue_peek(q, &peeked), WEFT_WOULD_BLOCK);
        OK(weft_queue_free(q));
    }
}

typedef struct {
    weft_queue *q;
    int item;
    weft_status status;
    void *got;
} blocker_t;

static void *blocking_put(void *arg) {
    blocker_t *b = arg;
    b->status = weft_queue_put(b->q, ITEM(b->item), 0, -1);
    return NULL;
}

static void *blocking_get(void *arg) {
    blocker_t *b = arg;
    b->status = weft_queue_get(b->q, &b->got, -1);
    return NULL;
}

static void wait_waiting(weft_queue *q, size_t putters, size_t getters) {
    size_t p = 0, g = 0;
    do {
        usleep(100);
        OK(weft_queue_waiting(q, &p, &g));
    } while (p != putters || g != getters);
}

/* Blocked putters of every face are let in in line order; a try never overtakes them. */
static void test_fifo_service_of_putters(void) {
    weft_queue *q = new_queue(WEFT_QUEUE_FIFO, 1);
    weft_port *port;
    OK(weft_port_new(&port));
    OK(weft_queue_put(q, ITEM(1), 0, 0));
    CHECK_STATUS(weft_queue_put(q, ITEM(9), 0, 0), WEFT_WOULD_BLOCK);
    CHECK_STATUS(weft_queue_put(q, ITEM(9), 0, WEFT_MS), WEFT_TIMEOUT);

    blocker_t b = {.q = q, .item = 2};
    pthread_t t;
    CHECK(pthread_create(&t, NULL, blocking_put, &b) == 0);
    wait_waiting(q, 1, 0);
    weft_op *op3, *op4;
    CHECK_STATUS(weft_queue_put_async(q, ITEM(3), 0, port, NULL, ITEM(3), &op3), WEFT_PENDING);
    record_t r4 = {0};
    CHECK_STATUS(weft_queue_put_async(q, ITEM(4), 0, NULL, record_callback, &r4, &op4), WEFT_PENDING);
    wait_waiting(q, 3, 0);

    void *item;
    OK(weft_queue_get(q, &item, 0));
    CHECK(NUM(item) == 1);
    CHECK_STATUS(weft_queue_try_put(q, ITEM(9), 0), WEFT_WOULD_BLOCK); /* line first */
    CHECK(pthread_join(t, NULL) == 0);
    OK(b.status);
    /* growing the capacity lets the other two in */
    OK(weft_queue_set_capacity(q, 10));
    weft_completion done;
    CHECK(poll_one(port, &done) == 1 && done.status == WEFT_OK && NUM(done.arg) == 3);
    CHECK(atomic_load(&r4.calls) == 1 && atomic_load(&r4.status) == WEFT_OK);
    for (int want = 2; want <= 4; want++) {
        OK(weft_queue_get(q, &item, 0));
        CHECK(NUM(item) == want);
    }
    OK(weft_op_free(op3));
    OK(weft_op_free(op4));
    OK(weft_queue_free(q));
    OK(weft_port_free(port));
}

/* Blocked getters of every face are served in line order, straight from the put. */
static void test_fifo_service_of_getters(void) {
    weft_queue *q = new_queue(WEFT_QUEUE_FIFO, 4);
    weft_port *port;
    OK(weft_port_new(&port));
    blocker_t b = {.q = q};
    pthread_t t;
    CHECK(pthread_create(&t, NULL, blocking_get, &b) == 0);
    wait_waiting(q, 0, 1);
    void *item = NULL;
    weft_op *op2, *op3, *cancelled;
    CHECK_STATUS(weft_queue_get_async(q, &item, port, NULL, ITEM(2), &op2), WEFT_PENDING);
    CHECK_STATUS(weft_queue_get_async(q, &item, port, NULL, ITEM(99), &cancelled), WEFT_PENDING);
    record_t r3 = {0};
    CHECK_STATUS(weft_queue_get_async(q, &item, NULL, record_callback, &r3, &op3), WEFT_PENDING);
    CHECK(item == NULL); /* not written for PENDING */
    wait_waiting(q, 0, 4);
    CHECK_STATUS(weft_op_cancel(cancelled), WEFT_CANCELLED);
    CHECK_STATUS(weft_queue_try_get(q, &item), WEFT_WOULD_BLOCK);

    OK(weft_queue_put(q, ITEM(1), 0, 0));
    OK(weft_queue_put(q, ITEM(2), 0, 0));
    OK(weft_queue_put(q, ITEM(3), 0, 0));
    CHECK(pthread_join(t, NULL) == 0);
    OK(b.status);
    CHECK(NUM(b.got) == 1);
    weft_completion done[3];
    size_t n = 0;
    OK(weft_port_poll(port, done, 3, &n));
    CHECK(n == 2); /* the cancel's completion, then op2's */
    CHECK(NUM(done[0].arg) == 99 && done[0].status == WEFT_CANCELLED);
    CHECK(NUM(done[1].arg) == 2 && done[1].status == WEFT_OK);
    OK(weft_op_item(op2, &item));
    CHECK(NUM(item) == 2);
    CHECK(atomic_load(&r3.calls) == 1);
    OK(weft_op_item(op3, &item));
    CHECK(NUM(item) == 3);
    size_t size = 9;
    OK(weft_queue_size(q, &size));
    CHECK(size == 0);
    OK(weft_op_free(op2));
    OK(weft_op_free(op3));
    OK(weft_op_free(cancelled));
    OK(weft_queue_free(q));
    OK(weft_port_free(port));
}

/* A cancel that loses to the grant: the item is the caller's. */
static void test_cancel_after_grant(void) {
    weft_queue *q = new_queue(WEFT_QUEUE_FIFO, WEFT_UNBOUNDED);
    weft_port *port;
    OK(weft_port_new(&port));
    void *item = NULL;
    weft_op *op;
    CHECK_STATUS(weft_queue_get_async(q, &item, port, NULL, NULL, &op), WEFT_PENDING);
    OK(weft_queue_put(q, ITEM(5), 0, 0));
    OK(weft_op_cancel(op)); /* lost: the grant was first */
    OK(weft_op_item(op, &item));
    CHECK(NUM(item) == 5);
    weft_completion done;
    CHECK(poll_one(port, &done) == 1 && done.status == WEFT_OK);
    CHECK_STATUS(weft_queue_try_get(q, &item), WEFT_WOULD_BLOCK);
    OK(weft_op_free(op));
    OK(weft_queue_free(q));
    OK(weft_port_free(port));
}

/* Freeing a port: a got item it held goes back; a put it held stays put. */
static void test_port_freed_with_completions(void) {
    weft_queue *q = new_queue(WEFT_QUEUE_FIFO, 1);
    weft_port *port;
    OK(weft_port_new(&port));
    void *item = NULL;
    weft_op *get_op;
    CHECK_STATUS(weft_queue_get_async(q, &item, port, NULL, NULL, &get_op), WEFT_PENDING);
    OK(weft_queue_put(q, ITEM(7), 0, 0)); /* granted to get_op, waiting in the port */
    OK(weft_port_free(port));             /* undeliverable: 7 goes back */
    weft_status status;
    OK(weft_op_status(get_op, &status));
    CHECK(status == WEFT_CANCELLED);
    OK(weft_queue_get(q, &item, 0));
    CHECK(NUM(item) == 7);

    OK(weft_port_new(&port));
    OK(weft_queue_put(q, ITEM(8), 0, 0));
    weft_op *put_op;
    CHECK_STATUS(weft_queue_put_async(q, ITEM(9), 0, port, NULL, NULL, &put_op), WEFT_PENDING);
    OK(weft_queue_get(q, &item, 0)); /* 8 out, 9 in: put_op granted, waiting in the port */
    OK(weft_port_free(port));
    OK(weft_op_status(put_op, &status));
    CHECK(status == WEFT_OK); /* a put that went in is never taken back */
    OK(weft_queue_get(q, &item, 0));
    CHECK(NUM(item) == 9);
    OK(weft_op_free(get_op));
    OK(weft_op_free(put_op));
    OK(weft_queue_free(q));
}

static void test_shutdown(void) {
    discarded_t d = {.mutex = PTHREAD_MUTEX_INITIALIZER};
    weft_queue *q;
    OK(weft_queue_new(WEFT_QUEUE_FIFO, 2, on_discard, &d, &q));
    weft_port *port;
    OK(weft_port_new(&port));
    OK(weft_queue_put(q, ITEM(1), 0, 0));
    OK(weft_queue_put(q, ITEM(2), 0, 0));
    blocker_t b = {.q = q, .item = 3};
    pthread_t t;
    CHECK(pthread_create(&t, NULL, blocking_put, &b) == 0);
    weft_op *op;
    CHECK_STATUS(weft_queue_put_async(q, ITEM(4), 0, port, NULL, NULL, &op), WEFT_PENDING);
    wait_waiting(q, 2, 0);
    OK(weft_queue_shutdown(q, false));
    CHECK(pthread_join(t, NULL) == 0);
    CHECK(b.status == WEFT_CLOSED);
    weft_completion done;
    CHECK(poll_one(port, &done) == 1 && done.status == WEFT_CLOSED);
    OK(weft_op_free(op));
    bool shut = false;
    OK(weft_queue_is_shutdown(q, &shut));
    CHECK(shut);
    CHECK_STATUS(weft_queue_try_put(q, ITEM(5), 0), WEFT_CLOSED);
    void *item;
    OK(weft_queue_get(q, &item, -1)); /* drains */
    CHECK(NUM(item) == 1);
    OK(weft_queue_shutdown(q, true)); /* immediate: discards the rest */
    CHECK(discarded_count(&d) == 1 && d.items[0] == 2);
    CHECK_STATUS(weft_queue_get(q, &item, -1), WEFT_CLOSED);
    CHECK_STATUS(weft_queue_get_async(q, &item, port, NULL, NULL, &op), WEFT_CLOSED);
    uint64_t unfinished = 9;
    OK(weft_queue_unfinished(q, &unfinished));
    CHECK(unfinished == 1); /* 1 was got but not marked done; 2 was discarded */
    OK(weft_queue_task_done(q));
    OK(weft_queue_join(q, 0));

    /* blocked getters of every face wake with CLOSED */
    weft_queue *e = new_queue(WEFT_QUEUE_LIFO, WEFT_UNBOUNDED);
    blocker_t g = {.q = e};
    CHECK(pthread_create(&t, NULL, blocking_get, &g) == 0);
    record_t r = {0};
    CHECK_STATUS(weft_queue_get_async(e, &item, NULL, record_callback, &r, &op), WEFT_PENDING);
    wait_waiting(e, 0, 2);
    OK(weft_queue_shutdown(e, true));
    CHECK(pthread_join(t, NULL) == 0);
    CHECK(g.status == WEFT_CLOSED);
    CHECK(atomic_load(&r.calls) == 1 && atomic_load(&r.status) == WEFT_CLOSED);
    OK(weft_op_free(op));
    OK(weft_queue_free(e));
    OK(weft_queue_free(q));
    OK(weft_port_free(port));
    CHECK(discarded_count(&d) == 1);
}

typedef struct {
    weft_queue *q;
    weft_status status;
} joiner_t;

static void *joiner(void *arg) {
    joiner_t *j = arg;
    j->status = weft_queue_join(j->q, -1);
    return NULL;
}

static void test_tasks(void) {
    weft_queue *q = new_queue(WEFT_QUEUE_FIFO, WEFT_UNBOUNDED);
    weft_port *port;
    OK(weft_port_new(&port));
    CHECK_STATUS(weft_queue_task_done(q), WEFT_OVERFLOW);
    OK(weft_queue_join(q, 0));
    weft_op *op = (weft_op *)ITEM(1);
    OK(weft_queue_join_async(q, port, NULL, NULL, &op));
    CHECK(op == NULL);
    OK(weft_queue_put(q, ITEM(1), 0, 0));
    OK(weft_queue_put(q, ITEM(2), 0, 0));
    CHECK_STATUS(weft_queue_join(q, 0), WEFT_WOULD_BLOCK);
    CHECK_STATUS(weft_queue_join(q, WEFT_MS), WEFT_TIMEOUT);
    joiner_t j = {.q = q};
    pthread_t t;
    CHECK(pthread_create(&t, NULL, joiner, &j) == 0);
    CHECK_STATUS(weft_queue_join_async(q, port, NULL, ITEM(42), &op), WEFT_PENDING);
    void *item;
    OK(weft_queue_get(q, &item, 0));
    OK(weft_queue_task_done(q));
    weft_completion done;
    CHECK(poll_one(port, &done) == 0); /* one task left */
    OK(weft_queue_get(q, &item, 0));
    OK(weft_queue_task_done(q));
    CHECK(pthread_join(t, NULL) == 0);
    OK(j.status);
    CHECK(poll_one(port, &done) == 1 && NUM(done.arg) == 42 && done.status == WEFT_OK);
    CHECK_STATUS(weft_queue_task_done(q), WEFT_OVERFLOW);
    OK(weft_op_free(op));
    OK(weft_queue_free(q));
    OK(weft_port_free(port));
}

static void test_batches_clear_and_free(void) {
    discarded_t d = {.mutex = PTHREAD_MUTEX_INITIALIZER};
    weft_queue *q;
    OK(weft_queue_new(WEFT_QUEUE_PRIORITY, 3, on_discard, &d, &q));
    void *items[5] = {ITEM(1), ITEM(2), ITEM(3), ITEM(4), ITEM(5)};
    int64_t prio[5] = {3, 2, 1, 0, -1};
    size_t n = 77;
    CHECK_STATUS(weft_queue_put_many(q, items, prio, 5, 0, &n), WEFT_WOULD_BLOCK);
    CHECK(n == 3); /* a prefix */
    CHECK_STATUS(weft_queue_put_many(q, items + 3, prio + 3, 2, WEFT_MS, &n), WEFT_TIMEOUT);
    CHECK(n == 0);
    void *out[8];
    OK(weft_queue_get_many(q, out, 2, 0, &n));
    CHECK(n == 2 && NUM(out[0]) == 3 && NUM(out[1]) == 2);
    OK(weft_queue_put_many(q, items + 3, prio + 3, 2, -1, &n));
    CHECK(n == 2);
    size_t cleared = 0;
    OK(weft_queue_clear(q, &cleared));
    CHECK(cleared == 3 && discarded_count(&d) == 3);
    CHECK(d.items[0] == 5 && d.items[1] == 4 && d.items[2] == 1);
    OK(weft_queue_clear(q, NULL));
    CHECK_STATUS(weft_queue_get_many(q, out, 8, 0, &n), WEFT_WOULD_BLOCK);
    CHECK(n == 0);
    CHECK_STATUS(weft_queue_get_many(q, out, 8, WEFT_MS, &n), WEFT_TIMEOUT);
    OK(weft_queue_put(q, ITEM(6), 0, 0));
    OK(weft_queue_clone(q));
    OK(weft_queue_free(q));
    CHECK(discarded_count(&d) == 3); /* a reference is left */
    OK(weft_queue_free(q));
    CHECK(discarded_count(&d) == 4 && d.items[3] == 6);
}

/* unget: a got item goes back to be the next out, beyond the capacity and ahead of a
 * waiting putter, to a waiting getter first; no new task; discarded after an immediate
 * shutdown. */
static void test_unget(void) {
    CHECK_STATUS(weft_queue_unget(NULL, ITEM(1)), WEFT_INVALID);
    discarded_t d = {.mutex = PTHREAD_MUTEX_INITIALIZER};
    weft_queue *q;
    OK(weft_queue_new(WEFT_QUEUE_FIFO, 2, on_discard, &d, &q));
    OK(weft_queue_put(q, ITEM(1), 0, 0));
    OK(weft_queue_put(q, ITEM(2), 0, 0));
    void *item = NULL;
    OK(weft_queue_get(q, &item, 0));
    CHECK(NUM(item) == 1);
    OK(weft_queue_put(q, ITEM(3), 0, 0)); /* full again */
    OK(weft_queue_unget(q, item));        /* beyond the capacity: it was inside */
    size_t size = 0;
    OK(weft_queue_size(q, &size));
    CHECK(size == 3);
    uint64_t unfinished = 0;
    OK(weft_queue_unfinished(q, &unfinished));
    CHECK(unfinished == 3); /* no new task */
    for (int want = 1; want <= 3; want++) {
        OK(weft_queue_get(q, &item, 0));
        CHECK_MSG(NUM(item) == want, "got %d, wanted %d", (int)NUM(item), want);
    }
    /* a waiting getter receives it directly */
    weft_port *port;
    OK(weft_port_new(&port));
    weft_op *op = NULL;
    CHECK_STATUS(weft_queue_get_async(q, &item, port, NULL, NULL, &op), WEFT_PENDING);
    OK(weft_queue_unget(q, ITEM(7)));
    weft_status status = WEFT_PENDING;
    OK(weft_op_status(op, &status));
    CHECK(status == WEFT_OK);
    OK(weft_op_item(op, &item));
    CHECK(NUM(item) == 7);
    weft_completion done[1];
    size_t n = 0;
    OK(weft_port_poll(port, done, 1, &n)); /* taken: freeing the port gives nothing back */
    CHECK(n == 1 && done[0].status == WEFT_OK);
    OK(weft_op_free(op));
    OK(weft_port_free(port));
    /* after an immediate shutdown it is discarded (and counted done) */
    OK(weft_queue_shutdown(q, true));
    OK(weft_queue_unget(q, ITEM(8)));
    CHECK_MSG(discarded_count(&d) == 1 && d.items[0] == 8, "discarded %d, first %d", discarded_count(&d), d.items[0]);
    OK(weft_queue_free(q));
}

/* A callback-form get completed on another thread at once still finds its op: `*op_out`
 * is written before the op can complete, so the callback reaches it through its arg. */
typedef struct {
    weft_op *_Atomic op; /* where weft_queue_get_async writes the op */
    atomic_int calls;
    atomic_int saw_op;
    atomic_int item;
} early_t;

static void early_done(void *arg, weft_status status) {
    early_t *e = arg;
    weft_op *op = atomic_load(&e->op);
    if (op != NULL && status == WEFT_OK) {
        void *item = NULL;
        if (weft_op_item(op, &item) == WEFT_OK) atomic_store(&e->item, NUM(item));
        atomic_store(&e->saw_op, 1);
    }
    atomic_fetch_add(&e->calls, 1);
}

static weft_queue *early_q;
static atomic_int early_stop;

static void *early_putter(void *arg) {
    (void)arg;
    int n = 1;
    while (!atomic_load(&early_stop)) {
        if (weft_queue_try_put(early_q, ITEM(n), 0) == WEFT_OK) n++;
        else sched_yield();
    }
    return NULL;
}

static void test_op_out_before_completion(void) {
    OK(weft_queue_new(WEFT_QUEUE_FIFO, 1, NULL, NULL, &early_q));
    atomic_store(&early_stop, 0);
    pthread_t t;
    CHECK(pthread_create(&t, NULL, early_putter, NULL) == 0);
    int pending = 0;
    for (int i = 0; i < 2000 / test_scale_down() + 20; i++) {
        early_t e = {0};
        void *item = NULL;
        weft_status st = weft_queue_get_async(early_q, &item, NULL, early_done, &e, (weft_op **)&e.op);
        if (st != WEFT_PENDING) {
            CHECK(st == WEFT_OK);
            continue;
        }
        pending++;
        while (atomic_load(&e.calls) == 0) sched_yield();
        CHECK_MSG(atomic_load(&e.saw_op) == 1, "the callback ran before *op_out was written");
        CHECK(atomic_load(&e.item) > 0);
        OK(weft_op_free(atomic_load(&e.op)));
    }
    atomic_store(&early_stop, 1);
    CHECK(pthread_join(t, NULL) == 0);
    OK(weft_queue_free(early_q));
    printf("op_out before completion: %d pending gets checked\n", pending);
}

/* A callback that runs inside another start (a put handing its item to a waiting getter
 * fires that getter's callback on the putting thread, during the put) and starts an op of
 * its own: each start writes its own `*op_out`, neither clobbers the other. */
typedef struct {
    weft_queue *other;
    weft_op *inner; /* the op the callback starts */
    record_t inner_done;
    void *item;
    int calls;
} nested_t;

static void nested_done(void *arg, weft_status status) {
    nested_t *n = arg;
    n->calls++;
    CHECK(status == WEFT_OK);
    CHECK_STATUS(weft_queue_get_async(n->other, &n->item, NULL, record_callback, &n->inner_done,
                                      &n->inner),
                 WEFT_PENDING);
}

static void test_callback_starting_an_op_inside_a_start(void) {
    weft_queue *q, *other;
    OK(weft_queue_new(WEFT_QUEUE_FIFO, 4, NULL, NULL, &q));
    OK(weft_queue_new(WEFT_QUEUE_FIFO, 4, NULL, NULL, &other));
    nested_t n = {.other = other};
    weft_op *getter = NULL;
    void *item = NULL;
    CHECK_STATUS(weft_queue_get_async(q, &item, NULL, nested_done, &n, &getter), WEFT_PENDING);
    weft_op *put_op = (weft_op *)&n; /* must become NULL: the put completes at once */
    record_t put_done = {0};
    OK(weft_queue_put_async(q, ITEM(5), 0, NULL, record_callback, &put_done, &put_op));
    CHECK(atomic_load(&put_done.calls) == 0); /* done at once: no callback */
    CHECK(put_op == NULL);
    CHECK(n.calls == 1 && n.inner != NULL && n.inner != getter);
    weft_status status = WEFT_PENDING;
    OK(weft_op_status(n.inner, &status));
    CHECK(status == WEFT_PENDING);
    CHECK_STATUS(weft_op_cancel(n.inner), WEFT_CANCELLED);
    wait_record(&n.inner_done);
    CHECK(atomic_load(&n.inner_done.status) == WEFT_CANCELLED);
    OK(weft_op_free(n.inner));
    OK(weft_op_item(getter, &item));
    CHECK(NUM(item) == 5);
    OK(weft_op_free(getter));
    OK(weft_queue_free(other));
    OK(weft_queue_free(q));
}

int main(void) {
    start_watchdog(60);
    test_bad_input();
    test_orders();
    test_fifo_service_of_putters();
    test_fifo_service_of_getters();
    test_cancel_after_grant();
    test_port_freed_with_completions();
    test_shutdown();
    test_tasks();
    test_batches_clear_and_free();
    test_unget();
    test_op_out_before_completion();
    test_callback_starting_an_op_inside_a_start();
    return test_exit_code("test_queue");
}
