/*
 * GLib integration (include/weft_glib.h): the same edges as test_uv_loops.c on a
 * GMainContext: many concurrent helper ops on two contexts in two threads with timeouts
 * (g_timeout_source) and cancels racing grants; a source destroyed with ops pending, with
 * completions queued, racing a releasing thread; a context nobody iterates any more; a
 * destroy inside a done while another op's completion is in the same batch; two cancels
 * of one op (WEFT_ANSWERED) and a destroy after a cancel that won or lost.
 * Invariants: every done exactly once, every permit back, no leak, no hang.
 */
#include "check.h"

#include <glib.h>
#include <weft_glib.h>

#define PERMITS 4

/* ---- contract ------------------------------------------------------------------------ */

struct getter {
    int calls;
    weft_status status;
    void *item;
};
static void getter_done(void *arg, weft_status status, const weft_glib_grant *grant) {
    struct getter *g = arg;
    g->calls++;
    g->status = status;
    g->item = grant->item;
}

static void iterate_until(GMainContext *ctx, const int *calls, int want) {
    while (*calls < want) g_main_context_iteration(ctx, TRUE);
}

static void test_contract(void) {
    GMainContext *ctx = g_main_context_new();
    weft_glib_source *ws;
    OK(weft_glib_source_new(ctx, &ws));
    weft_queue *q;
    OK(weft_queue_new(WEFT_QUEUE_FIFO, WEFT_UNBOUNDED, NULL, NULL, &q));

    struct getter a = {0}, b = {0}, c = {0}, d = {0};
    OK(weft_glib_queue_get(ws, q, 5, getter_done, &a, NULL)); /* nothing comes */
    iterate_until(ctx, &a.calls, 1);
    CHECK(a.status == WEFT_TIMEOUT && a.item == NULL);

    OK(weft_queue_put(q, (void *)0x10, 0, 0));
    OK(weft_glib_queue_get(ws, q, 0, getter_done, &b, NULL)); /* fast path: deferred */
    CHECK(b.calls == 0);
    iterate_until(ctx, &b.calls, 1);
    CHECK(b.status == WEFT_OK && b.item == (void *)0x10);

    OK(weft_glib_queue_get(ws, q, 1000, getter_done, &c, NULL)); /* completed by a put */
    OK(weft_queue_put(q, (void *)0x20, 0, 0));
    iterate_until(ctx, &c.calls, 1);
    CHECK(c.status == WEFT_OK && c.item == (void *)0x20);

    weft_glib_op *req = NULL;
    OK(weft_glib_queue_get(ws, q, 1000, getter_done, &d, &req)); /* cancelled by us */
    CHECK_STATUS(weft_glib_cancel(req), WEFT_CANCELLED);
    CHECK(d.calls == 0);
    iterate_until(ctx, &d.calls, 1);
    CHECK(d.status == WEFT_CANCELLED);

    weft_lock *lock;
    OK(weft_lock_new(WEFT_LOCK_FIFO, &lock));
    uint64_t owner;
    OK(weft_owner_new(&owner));
    struct getter l = {0};
    OK(weft_glib_lock_acquire(ws, lock, owner, 0, getter_done, &l, NULL));
    CHECK_STATUS(weft_glib_lock_acquire(ws, lock, owner, 0, getter_done, &l, NULL),
                 WEFT_DEADLOCK);
    iterate_until(ctx, &l.calls, 1);
    CHECK(l.status == WEFT_OK);
    OK(weft_lock_release_as(lock, owner));
    OK(weft_lock_free(lock));

    /* put (bounded queue of 1: the second put waits for a get) and event wait */
    weft_queue *bq;
    OK(weft_queue_new(WEFT_QUEUE_FIFO, 1, NULL, NULL, &bq));
    struct getter p1 = {0}, p2 = {0}, e = {0};
    OK(weft_glib_queue_put(ws, bq, (void *)0x1, 0, 0, getter_done, &p1, NULL));
    OK(weft_glib_queue_put(ws, bq, (void *)0x2, 0, 1000, getter_done, &p2, NULL));
    iterate_until(ctx, &p1.calls, 1);
    CHECK(p1.status == WEFT_OK && p2.calls == 0);
    void *got = NULL;
    OK(weft_queue_get(bq, &got, 0));
    CHECK(got == (void *)0x1);
    iterate_until(ctx, &p2.calls, 1);
    CHECK(p2.status == WEFT_OK);
    OK(weft_queue_free(bq)); /* 0x2 still inside: no destructor, nothing to free */
    weft_event *ev;
    OK(weft_event_new(WEFT_EVENT_ONE_TIME, &ev));
    OK(weft_glib_event_wait(ws, ev, 1000, getter_done, &e, NULL));
    OK(weft_event_set(ev, NULL));
    iterate_until(ctx, &e.calls, 1);
    CHECK(e.status == WEFT_OK);
    OK(weft_event_free(ev));

    CHECK(weft_glib_source_live(ws) == 0);
    weft_glib_source_destroy(ws);
    while (g_main_context_iteration(ctx, FALSE)) {
    }
    g_main_context_unref(ctx);
    OK(weft_queue_free(q));
}

/* ---- many ops on two contexts ---------------------------------------------------------- */

struct many {
    GMainContext *ctx;
    weft_glib_source *ws;
    weft_sem *sem;
    int n_ops, started, finished, granted, timeouts, cancelled, held;
    int *calls;
    weft_glib_op **live;
    unsigned seed;
};

struct opctx {
    struct many *m;
    int index;
};

static void many_start(struct many *m);

static void many_done(void *arg, weft_status status, const weft_glib_grant *grant) {
    struct opctx *c = arg;
    struct many *m = c->m;
    (void)grant;
    CHECK(++m->calls[c->index] == 1);
    m->live[c->index] = NULL;
    m->finished++;
    switch (status) {
    case WEFT_OK: m->granted++; m->held++; break;
    case WEFT_TIMEOUT: m->timeouts++; break;
    case WEFT_CANCELLED: m->cancelled++; break;
    default: CHECK_MSG(0, "unexpected status %s", weft_status_str(status));
    }
    free(c);
    if (m->started < m->n_ops) many_start(m);
}

static void many_start(struct many *m) {
    struct opctx *c = malloc(sizeof *c);
    CHECK(c != NULL);
    c->m = m;
    c->index = m->started++;
    int64_t timeout = (int64_t)(rand_r(&m->seed) % 4);
    OK(weft_glib_sem_acquire(m->ws, m->sem, timeout, many_done, c, &m->live[c->index]));
}

static gboolean on_tick(gpointer data) {
    struct many *m = data;
    if (m->held > 0) {
        OK(weft_sem_release(m->sem, (uint64_t)m->held));
        m->held = 0;
    }
    for (int k = 0; k < 8; k++) {
        int i = (int)(rand_r(&m->seed) % (unsigned)m->n_ops);
        if (m->live[i] != NULL) {
            weft_status s = weft_glib_cancel(m->live[i]);
            CHECK(s == WEFT_CANCELLED || s == WEFT_OK || s == WEFT_ANSWERED); /* ANSWERED: cancelled here before */
        }
    }
    return G_SOURCE_CONTINUE;
}

static void *many_thread(void *arg) {
    struct many *m = arg;
    m->ctx = g_main_context_new();
    g_main_context_push_thread_default(m->ctx);
    OK(weft_glib_source_new(m->ctx, &m->ws));
    m->calls = calloc((size_t)m->n_ops, sizeof *m->calls);
    m->live = calloc((size_t)m->n_ops, sizeof *m->live);
    CHECK(m->calls && m->live);
    GSource *tick = g_timeout_source_new(1);
    g_source_set_callback(tick, on_tick, m, NULL);
    g_source_attach(tick, m->ctx);
    for (int i = 0; i < 64 && m->started < m->n_ops; i++) many_start(m);
    while (m->finished < m->n_ops) g_main_context_iteration(m->ctx, TRUE);
    if (m->held > 0) OK(weft_sem_release(m->sem, (uint64_t)m->held));
    g_source_destroy(tick);
    g_source_unref(tick);
    CHECK(weft_glib_source_live(m->ws) == 0);
    weft_glib_source_destroy(m->ws);
    while (g_main_context_iteration(m->ctx, FALSE)) {
    }
    g_main_context_pop_thread_default(m->ctx);
    g_main_context_unref(m->ctx);
    for (int i = 0; i < m->n_ops; i++) CHECK(m->calls[i] == 1);
    free(m->calls);
    free(m->live);
    return NULL;
}

static atomic_int stop_competitor;
static void *competitor(void *arg) {
    weft_sem *sem = arg;
    while (!atomic_load(&stop_competitor)) {
        if (weft_sem_acquire(sem, 200 * WEFT_US) == WEFT_OK) {
            usleep(50);
            OK(weft_sem_release(sem, 1));
        }
    }
    return NULL;
}

static void test_many_ops(void) {
    weft_sem *sem;
    OK(weft_sem_new(PERMITS, PERMITS, &sem));
    static struct many ms[2];
    pthread_t tids[3];
    int n = 3000 / test_scale_down();
    for (int i = 0; i < 2; i++) {
        ms[i].sem = sem;
        ms[i].n_ops = n;
        ms[i].seed = 777u + (unsigned)i;
        CHECK(pthread_create(&tids[i], NULL, many_thread, &ms[i]) == 0);
    }
    CHECK(pthread_create(&tids[2], NULL, competitor, sem) == 0);
    pthread_join(tids[0], NULL);
    pthread_join(tids[1], NULL);
    atomic_store(&stop_competitor, 1);
    pthread_join(tids[2], NULL);
    uint64_t value = 0;
    size_t waiting = 1;
    OK(weft_sem_value(sem, &value));
    OK(weft_sem_waiting(sem, &waiting));
    CHECK_MSG(value == PERMITS && waiting == 0, "permits %llu waiting %zu",
              (unsigned long long)value, waiting);
    printf("  many ops: 2 contexts x %d ops: granted %d+%d, timed out %d+%d, cancelled %d+%d\n",
           n, ms[0].granted, ms[1].granted, ms[0].timeouts, ms[1].timeouts, ms[0].cancelled,
           ms[1].cancelled);
    EXPECT(ms[0].timeouts + ms[1].timeouts > 0);
    OK(weft_sem_free(sem));
}

/* ---- destroy with pending / queued / racing ------------------------------------------- */

struct close_state {
    weft_sem *sem;
    int ok, cancelled, other;
};
static void close_done(void *arg, weft_status status, const weft_glib_grant *grant) {
    struct close_state *s = arg;
    (void)grant;
    if (status == WEFT_OK) {
        s->ok++;
        OK(weft_sem_release(s->sem, 1));
    } else if (status == WEFT_CANCELLED) {
        s->cancelled++;
    } else {
        s->other++;
    }
}

static atomic_int raw_calls, raw_ok;
static void raw_cb(void *arg, weft_status status) {
    (void)arg;
    atomic_fetch_add(&raw_calls, 1);
    if (status == WEFT_OK) atomic_fetch_add(&raw_ok, 1);
}

struct race {
    weft_sem *sem;
    atomic_int go;
};
static void *releaser(void *arg) {
    struct race *r = arg;
    while (!atomic_load(&r->go)) {
    }
    for (int i = 0; i < 40; i++) {
        OK(weft_sem_release(r->sem, 1));
        if (i % 8 == 0) sched_yield();
    }
    return NULL;
}

static void test_destroy(void) {
    int rounds = 200 / test_scale_down();
    for (int round = 0; round < rounds; round++) {
        GMainContext *ctx = g_main_context_new();
        weft_glib_source *ws;
        OK(weft_glib_source_new(ctx, &ws));
        struct race r = {0};
        OK(weft_sem_new(0, -1, &r.sem));
        struct close_state st = {.sem = r.sem};
        for (int i = 0; i < 40; i++)
            OK(weft_glib_sem_acquire(ws, r.sem, i % 2 ? 10000 : 0, close_done, &st, NULL));
        weft_op *raw[4];
        atomic_store(&raw_calls, 0);
        atomic_store(&raw_ok, 0);
        for (int i = 0; i < 4; i++)
            CHECK_STATUS(weft_sem_acquire_async(r.sem, weft_glib_source_port(ws), raw_cb, NULL,
                                                &raw[i]),
                         WEFT_PENDING);
        pthread_t t;
        CHECK(pthread_create(&t, NULL, releaser, &r) == 0);
        atomic_store(&r.go, 1);
        if (round % 3 == 1) g_main_context_iteration(ctx, FALSE);
        if (round % 3 == 2) usleep(100); /* let grants queue up in the port */
        weft_glib_source_destroy(ws);
        CHECK(st.ok + st.cancelled == 40 && st.other == 0);
        pthread_join(t, NULL);
        while (g_main_context_iteration(ctx, FALSE)) {
        }
        g_main_context_unref(ctx); /* finalizes the source: the port goes */
        OK(weft_sem_release(r.sem, 4)); /* raw ops still pending get them, give them back */
        CHECK_MSG(atomic_load(&raw_calls) == 4, "raw callbacks %d", atomic_load(&raw_calls));
        for (int i = 0; i < 4; i++) OK(weft_op_free(raw[i]));
        uint64_t value = 0;
        size_t waiting = 1;
        OK(weft_sem_value(r.sem, &value));
        OK(weft_sem_waiting(r.sem, &waiting));
        CHECK_MSG(value + (uint64_t)atomic_load(&raw_ok) == 44 && waiting == 0,
                  "round %d: %llu permits (+%d held by raw ops) of 44", round,
                  (unsigned long long)value, atomic_load(&raw_ok));
        OK(weft_sem_free(r.sem));
    }
}

/* ---- destroying the source from inside a done, with ops still live ------------------- */

struct nested {
    weft_glib_source *ws;
    weft_sem *sem;
    int ok, cancelled, destroyed;
};

static void nested_done(void *arg, weft_status status, const weft_glib_grant *grant) {
    struct nested *n = arg;
    (void)grant;
    if (status == WEFT_OK) {
        n->ok++;
        OK(weft_sem_release(n->sem, 1));
        if (!n->destroyed) {
            n->destroyed = 1;
            weft_glib_source_destroy(n->ws); /* inside the source's own dispatch */
            CHECK(n->ok + n->cancelled == 10);
        }
    } else {
        CHECK(status == WEFT_CANCELLED);
        n->cancelled++;
    }
}

static void test_destroy_inside_done(void) {
    GMainContext *ctx = g_main_context_new();
    struct nested n = {0};
    OK(weft_glib_source_new(ctx, &n.ws));
    OK(weft_sem_new(0, -1, &n.sem));
    for (int i = 0; i < 10; i++)
        OK(weft_glib_sem_acquire(n.ws, n.sem, 1000, nested_done, &n, NULL));
    OK(weft_sem_release(n.sem, 1));
    while (!n.destroyed) g_main_context_iteration(ctx, TRUE);
    while (g_main_context_iteration(ctx, FALSE)) {
    }
    g_main_context_unref(ctx);
    CHECK(n.ok + n.cancelled == 10 && n.ok >= 1);
    uint64_t value = 0;
    OK(weft_sem_value(n.sem, &value));
    CHECK(value == 1);
    OK(weft_sem_free(n.sem));
}

/* ---- destroying from a done while another op's completion sits in the same batch ----
 * (see test_uv_loops.c, test_close_inside_done_in_batch: the same bug, the same fix) */

struct batch {
    weft_glib_source *ws;
    weft_sem *sem;
    int calls, ok;
    int in_destroy;    /* set while the first done's destroy runs */
    int second_inside; /* the second done ran inside that destroy */
};

static void batch_done(void *arg, weft_status status, const weft_glib_grant *grant) {
    struct batch *b = arg;
    (void)grant;
    CHECK_STATUS(status, WEFT_OK);
    b->ok++;
    OK(weft_sem_release(b->sem, 1)); /* each permit given back exactly once */
    if (b->calls++ == 0) {
        b->in_destroy = 1;
        weft_glib_source_destroy(b->ws);
        b->in_destroy = 0;
        CHECK(b->calls == 2); /* the other op was answered inside the destroy */
    } else {
        b->second_inside = b->in_destroy;
    }
}

static void test_destroy_inside_done_in_batch(void) {
    GMainContext *ctx = g_main_context_new();
    struct batch b = {0};
    OK(weft_glib_source_new(ctx, &b.ws));
    OK(weft_sem_new(0, -1, &b.sem));
    OK(weft_glib_sem_acquire(b.ws, b.sem, 0, batch_done, &b, NULL));
    OK(weft_glib_sem_acquire(b.ws, b.sem, 0, batch_done, &b, NULL));
    OK(weft_sem_release(b.sem, 2)); /* both completions wait in the port: one batch */
    iterate_until(ctx, &b.calls, 2); /* a hang here is the bug (the watchdog fails it) */
    CHECK(b.ok == 2 && b.second_inside == 1);
    while (g_main_context_iteration(ctx, FALSE)) {
    }
    g_main_context_unref(ctx);
    uint64_t value = 0;
    OK(weft_sem_value(b.sem, &value));
    CHECK(value == 2); /* not 3: the closing port did not also give the grant back */
    OK(weft_sem_free(b.sem));
}

/* ---- two cancels of one op, and a destroy after a cancel (WEFT_ANSWERED) ------------ */

struct outcome {
    int calls;
    weft_status status;
};

static void outcome_done(void *arg, weft_status status, const weft_glib_grant *grant) {
    struct outcome *o = arg;
    (void)grant;
    o->calls++;
    o->status = status;
}

static void test_double_cancel(void) {
    GMainContext *ctx = g_main_context_new();
    weft_glib_source *ws;
    OK(weft_glib_source_new(ctx, &ws));
    weft_sem *sem;
    OK(weft_sem_new(0, -1, &sem));
    weft_glib_op *req;

    /* the user cancels twice: the first answers, the second is WEFT_ANSWERED */
    struct outcome a = {0};
    OK(weft_glib_sem_acquire(ws, sem, 1000, outcome_done, &a, &req));
    CHECK_STATUS(weft_glib_cancel(req), WEFT_CANCELLED);
    CHECK_STATUS(weft_glib_cancel(req), WEFT_ANSWERED);
    iterate_until(ctx, &a.calls, 1);
    CHECK(a.status == WEFT_CANCELLED);

    /* a cancel that lost to the grant, then the destroy: done hears WEFT_OK once */
    struct outcome c = {0};
    OK(weft_glib_sem_acquire(ws, sem, 0, outcome_done, &c, &req));
    OK(weft_sem_release(sem, 1));
    CHECK_STATUS(weft_glib_cancel(req), WEFT_OK);
    /* a cancel that won, then the destroy: done hears WEFT_CANCELLED once */
    struct outcome d = {0};
    OK(weft_glib_sem_acquire(ws, sem, 0, outcome_done, &d, &req));
    CHECK_STATUS(weft_glib_cancel(req), WEFT_CANCELLED);
    weft_glib_source_destroy(ws);
    CHECK(c.calls == 1 && c.status == WEFT_OK);
    CHECK(d.calls == 1 && d.status == WEFT_CANCELLED);
    while (g_main_context_iteration(ctx, FALSE)) {
    }
    g_main_context_unref(ctx);
    CHECK(c.calls == 1 && d.calls == 1);
    uint64_t value = 1;
    OK(weft_sem_value(sem, &value));
    CHECK(value == 0); /* c's permit is c's: the destroy did not give it back */
    OK(weft_sem_free(sem));
}

int main(void) {
    start_watchdog(240);
    test_contract();
    test_destroy();
    test_destroy_inside_done();
    test_destroy_inside_done_in_batch();
    test_double_cancel();
    test_many_ops();
    return test_exit_code("test_glib_loops");
}
