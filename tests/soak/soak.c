/*
 * Soak: every primitive and every queue kind at once, for a bounded time, with random
 * timeouts, cancels, queue shutdowns and port closes, checking invariants as it goes and
 * the books at the end.
 *
 *   soak [--seconds S] [--threads N] [--ports M] [--seed X]     (default 60 s, 4, 2)
 *
 * N worker threads use the blocking faces with timeouts of 0 to 1 ms. M loop threads each
 * own a port and start async ops on it (locks, permits, tokens, events, countdowns,
 * barriers, condition waits, queue puts, gets and joins), run their completions, cancel
 * some at random (as a timer would), and now and then free their port with ops in flight
 * and open a new one. The main thread replaces a queue now and then: the old one is shut
 * down (immediately or not) while producers and consumers still hold it.
 *
 * Checked as it goes: no lock (plain, throughput, reentrant, condition-bound) or guard is
 * held twice; never more permits or limiter tokens out than exist; no item is got twice;
 * every async op completes exactly once. Checked at the end: every item accepted by a
 * put was got or discarded exactly once (lost = 0, duplicated = 0) and no refused item
 * ever came out; permits and tokens all came back; locks and the guard are free; a
 * condition never woke more waiters than its notifies counted. The totals are printed.
 * Exit status 0 only if everything held.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <weft.h>

/* ---------------------------------------------------------------- failing */

static atomic_int failures;

#define FAIL(...)                                                                      \
    do {                                                                               \
        fprintf(stderr, "soak: " __VA_ARGS__);                                         \
        fputc('\n', stderr);                                                           \
        atomic_fetch_add(&failures, 1);                                                \
    } while (0)

#define MUST(expr)                                                                     \
    do {                                                                               \
        weft_status must_ = (expr);                                                    \
        if (must_ != WEFT_OK) {                                                        \
            fprintf(stderr, "soak: %s:%d: %s returned %s\n", __FILE__, __LINE__, #expr, \
                    weft_status_str(must_));                                           \
            abort();                                                                   \
        }                                                                              \
    } while (0)

/* ---------------------------------------------------------------- totals */

static struct {
    atomic_ullong ops, grants, timeouts, refused;
    atomic_ullong async_started, async_completed, cancels_won, cancels_lost;
    atomic_ullong put, got, discarded, ungot, refused_puts;
    atomic_ullong port_closes, queue_shutdowns, barrier_phases, barrier_breaks;
    atomic_ullong notifies_counted, notified_returned;
} totals;

#define COUNT(field) atomic_fetch_add(&totals.field, 1)

/* ---------------------------------------------------------------- exclusion checks */

typedef struct {
    atomic_int holders;
    const char *name;
} excl_t;

static void excl_enter(excl_t *e) {
    if (atomic_fetch_add(&e->holders, 1) != 0) FAIL("%s held twice at once", e->name);
}

static void excl_exit(excl_t *e) {
    atomic_fetch_sub(&e->holders, 1);
}

/* A counted resource: never more than `limit` out. */
typedef struct {
    atomic_int out;
    int limit;
    const char *name;
} quota_t;

static void quota_take(quota_t *q) {
    int now = atomic_fetch_add(&q->out, 1) + 1;
    if (now > q->limit) FAIL("%s: %d out of %d", q->name, now, q->limit);
}

static void quota_give(quota_t *q) {
    atomic_fetch_sub(&q->out, 1);
}

/* ---------------------------------------------------------------- the item ledger */

/* One byte per item id: bit 7 = accepted by a put, bits 0-6 = times it came out (got or
 * discarded). Ids come from one counter; the table grows in chunks. */
#define LEDGER_CHUNK (1u << 20)
#define LEDGER_CHUNKS 4096
static _Atomic(atomic_uchar *) ledger[LEDGER_CHUNKS];
static atomic_ullong next_item = 1;

static atomic_uchar *ledger_byte(uint64_t id) {
    uint64_t c = id / LEDGER_CHUNK;
    if (c >= LEDGER_CHUNKS) {
        fprintf(stderr, "soak: item ledger full\n");
        abort();
    }
    atomic_uchar *chunk = atomic_load(&ledger[c]);
    if (!chunk) {
        atomic_uchar *fresh = calloc(LEDGER_CHUNK, 1);
        if (!fresh) abort();
        atomic_uchar *expected = NULL;
        if (atomic_compare_exchange_strong(&ledger[c], &expected, fresh)) chunk = fresh;
        else {
            free(fresh);
            chunk = expected;
        }
    }
    return &chunk[id % LEDGER_CHUNK];
}

static uint64_t new_item(void) {
    uint64_t id = atomic_fetch_add(&next_item, 1);
    ledger_byte(id); /* allocate before anyone can see it */
    return id;
}

static void item_accepted(uint64_t id) {
    atomic_fetch_or(ledger_byte(id), 0x80);
    COUNT(put);
}

static void item_out(uint64_t id, bool discarded) {
    if (id == 0 || id >= atomic_load(&next_item)) {
        FAIL("an item that was never made came out: %llu", (unsigned long long)id);
        return;
    }
    unsigned char before = atomic_fetch_add(ledger_byte(id), 1);
    if ((before & 0x7f) != 0) FAIL("item %llu came out twice", (unsigned long long)id);
    if (discarded) COUNT(discarded);
    else COUNT(got);
}

/* Before an item goes back in (unget), its coming out is undone. */
static void item_back(uint64_t id) {
    atomic_fetch_sub(ledger_byte(id), 1);
    atomic_fetch_sub(&totals.got, 1);
    COUNT(ungot);
}

static void discard_item(void *ctx, void *item) {
    (void)ctx;
    item_out((uint64_t)(uintptr_t)item, true);
}

/* ---------------------------------------------------------------- the objects */

#define SEM_PERMITS 3
#define LIMITER_TOKENS 2
#define BARRIER_PARTIES 3
#define NQUEUES 3

static weft_lock *lock_fifo, *lock_fast, *cond_lock;
static weft_rlock *rlock;
static weft_sem *sem;
static weft_limiter *limiter;
static weft_event *event;
static weft_countdown *countdown;
static weft_barrier *barrier;
static weft_cond *cond;
static weft_flag *flag;
static weft_guard *guard;

static excl_t in_fifo = {0, "the FIFO lock"}, in_fast = {0, "the throughput lock"},
              in_rlock = {0, "the reentrant lock"}, in_cond = {0, "the condition's lock"},
              in_guard = {0, "the guard"};
static quota_t permits = {0, SEM_PERMITS, "semaphore permits"};
static quota_t tokens = {0, LIMITER_TOKENS, "limiter tokens"};

/* Queues are replaced now and then: users take a reference under the slot's mutex. */
typedef struct {
    pthread_mutex_t m;
    weft_queue *q;
    uint32_t kind;
    int64_t capacity;
} qslot_t;

static qslot_t queues[NQUEUES] = {
    {PTHREAD_MUTEX_INITIALIZER, NULL, WEFT_QUEUE_FIFO, 16},
    {PTHREAD_MUTEX_INITIALIZER, NULL, WEFT_QUEUE_LIFO, WEFT_UNBOUNDED},
    {PTHREAD_MUTEX_INITIALIZER, NULL, WEFT_QUEUE_PRIORITY, 8},
};

static weft_queue *queue_new(const qslot_t *slot) {
    weft_queue *q;
    MUST(weft_queue_new(slot->kind, slot->capacity, discard_item, NULL, &q));
    return q;
}

static weft_queue *queue_take(int i) {
    pthread_mutex_lock(&queues[i].m);
    weft_queue *q = queues[i].q;
    MUST(weft_queue_clone(q));
    pthread_mutex_unlock(&queues[i].m);
    return q;
}

/* Takes what is left in a shut-down queue, then frees it. */
static void queue_drain_and_free(weft_queue *q) {
    void *item;
    weft_status s;
    while ((s = weft_queue_get(q, &item, 0)) == WEFT_OK) {
        item_out((uint64_t)(uintptr_t)item, false);
        weft_queue_task_done(q);
    }
    if (s != WEFT_CLOSED) FAIL("a drained shut-down queue answered %s", weft_status_str(s));
    MUST(weft_queue_free(q));
}

static void queue_replace(int i, bool immediate) {
    weft_queue *fresh = queue_new(&queues[i]);
    pthread_mutex_lock(&queues[i].m);
    weft_queue *old = queues[i].q;
    queues[i].q = fresh;
    pthread_mutex_unlock(&queues[i].m);
    MUST(weft_queue_shutdown(old, immediate));
    COUNT(queue_shutdowns);
    queue_drain_and_free(old);
}

/* ---------------------------------------------------------------- randomness, time */

static uint64_t rnd(uint64_t *s) {
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1Dull;
}

static int64_t rnd_timeout(uint64_t *s) {
    static const int64_t t[] = {0, 0, 10 * WEFT_US, 100 * WEFT_US, WEFT_MS};
    return t[rnd(s) % 5];
}

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static atomic_bool stopping;

/* Counts a status from a wait. */
static void tally(weft_status s) {
    COUNT(ops);
    if (s == WEFT_OK) COUNT(grants);
    else if (s == WEFT_TIMEOUT) COUNT(timeouts);
    else COUNT(refused);
}

/* ---------------------------------------------------------------- workers (blocking) */

static void worker_queue(uint64_t *r) {
    int i = (int)(rnd(r) % NQUEUES);
    weft_queue *q = queue_take(i);
    int64_t t = rnd_timeout(r);
    switch (rnd(r) % 5) {
    case 0: case 1: {
        uint64_t item = new_item();
        weft_status s = weft_queue_put(q, (void *)(uintptr_t)item, (int64_t)(rnd(r) % 5) - 2, t);
        tally(s);
        if (s == WEFT_OK) item_accepted(item);
        else COUNT(refused_puts);
        break;
    }
    case 2: {
        void *item;
        weft_status s = weft_queue_get(q, &item, t);
        tally(s);
        if (s == WEFT_OK) {
            item_out((uint64_t)(uintptr_t)item, false);
            if (rnd(r) % 8 == 0) {
                item_back((uint64_t)(uintptr_t)item);
                MUST(weft_queue_unget(q, item));
            } else {
                weft_queue_task_done(q);
            }
        }
        break;
    }
    case 3: {
        void *items[4];
        uint64_t ids[4];
        for (int k = 0; k < 4; k++) {
            ids[k] = new_item();
            items[k] = (void *)(uintptr_t)ids[k];
        }
        size_t put = 0;
        weft_status s = weft_queue_put_many(q, items, NULL, 4, t, &put);
        tally(s);
        for (size_t k = 0; k < put; k++) item_accepted(ids[k]);
        for (size_t k = put; k < 4; k++) COUNT(refused_puts);
        break;
    }
    default: {
        void *items[4];
        size_t got = 0;
        weft_status s = weft_queue_get_many(q, items, 4, t, &got);
        tally(s);
        for (size_t k = 0; k < got; k++) {
            item_out((uint64_t)(uintptr_t)items[k], false);
            weft_queue_task_done(q);
        }
        break;
    }
    }
    MUST(weft_queue_free(q));
}

static void worker_step(uint64_t *r) {
    int64_t t = rnd_timeout(r);
    weft_status s;
    switch (rnd(r) % 12) {
    case 0:
        s = weft_lock_acquire(lock_fifo, t);
        tally(s);
        if (s == WEFT_OK) {
            excl_enter(&in_fifo);
            excl_exit(&in_fifo);
            MUST(weft_lock_release(lock_fifo));
        }
        break;
    case 1:
        s = weft_lock_acquire(lock_fast, t);
        tally(s);
        if (s == WEFT_OK) {
            excl_enter(&in_fast);
            excl_exit(&in_fast);
            MUST(weft_lock_release(lock_fast));
        }
        break;
    case 2: {
        uint64_t n = 1 + rnd(r) % 3;
        s = weft_rlock_acquire(rlock, n, t);
        tally(s);
        if (s == WEFT_OK) {
            excl_enter(&in_rlock);
            MUST(weft_rlock_acquire(rlock, 1, 0)); /* reentry never waits */
            excl_exit(&in_rlock);
            MUST(weft_rlock_release(rlock, n + 1));
        }
        break;
    }
    case 3:
        s = weft_sem_acquire(sem, t);
        tally(s);
        if (s == WEFT_OK) {
            quota_take(&permits);
            quota_give(&permits);
            MUST(weft_sem_release(sem, 1));
        }
        break;
    case 4:
        s = weft_limiter_acquire(limiter, 1, t);
        tally(s);
        if (s == WEFT_OK) {
            quota_take(&tokens);
            quota_give(&tokens);
            MUST(weft_limiter_release(limiter, 1));
        }
        break;
    case 5:
        switch (rnd(r) % 3) {
        case 0: MUST(weft_event_set(event, NULL)); break;
        case 1: MUST(weft_event_clear(event)); break;
        default: tally(weft_event_wait(event, t)); break;
        }
        break;
    case 6:
        if (rnd(r) & 1) {
            MUST(weft_countdown_up(countdown, 1));
            tally(weft_countdown_wait(countdown, t));
            weft_status down = weft_countdown_down(countdown);
            if (down != WEFT_OK && down != WEFT_OVERFLOW) FAIL("countdown_down: %s", weft_status_str(down));
        } else {
            tally(weft_countdown_wait(countdown, t));
        }
        break;
    case 7: {
        uint64_t index;
        s = weft_barrier_wait(barrier, t ? t : WEFT_MS, &index);
        tally(s);
        if (s == WEFT_OK) {
            if (index >= BARRIER_PARTIES) FAIL("barrier index %llu", (unsigned long long)index);
            if (index == BARRIER_PARTIES - 1) COUNT(barrier_phases);
        } else if (s == WEFT_BROKEN || s == WEFT_TIMEOUT) {
            COUNT(barrier_breaks);
            MUST(weft_barrier_reset(barrier));
        }
        break;
    }
    case 8:
        s = weft_lock_acquire(cond_lock, t);
        tally(s);
        if (s != WEFT_OK) break;
        excl_enter(&in_cond);
        if (rnd(r) % 3 == 0) {
            size_t woken = 0;
            if (rnd(r) & 1) MUST(weft_cond_notify(cond, 1 + rnd(r) % 2, &woken));
            else MUST(weft_cond_notify_all(cond, &woken));
            atomic_fetch_add(&totals.notifies_counted, woken);
            excl_exit(&in_cond);
        } else {
            excl_exit(&in_cond);
            s = weft_cond_wait(cond, t ? t : 100 * WEFT_US);
            tally(s);
            if (s == WEFT_OK) COUNT(notified_returned);
            /* Notified or timed out, the lock is ours again. */
            excl_enter(&in_cond);
            excl_exit(&in_cond);
        }
        MUST(weft_lock_release(cond_lock));
        break;
    case 9:
        s = weft_guard_enter(guard);
        COUNT(ops);
        if (s == WEFT_OK) {
            excl_enter(&in_guard);
            excl_exit(&in_guard);
            MUST(weft_guard_exit(guard));
        } else if (s != WEFT_BUSY) {
            FAIL("guard_enter: %s", weft_status_str(s));
        }
        break;
    case 10: {
        bool b;
        void *v;
        if (rnd(r) & 1) MUST(weft_flag_set(flag, (void *)(uintptr_t)(rnd(r) | 1), &b));
        else MUST(weft_flag_clear(flag, &b));
        MUST(weft_flag_get(flag, &b, &v));
        COUNT(ops);
        break;
    }
    default:
        worker_queue(r);
        break;
    }
}

static void *worker(void *arg) {
    uint64_t r = (uint64_t)(uintptr_t)arg;
    while (!atomic_load(&stopping)) worker_step(&r);
    return NULL;
}

/* ---------------------------------------------------------------- loops (async) */

enum kind { A_LOCK, A_FAST, A_RLOCK, A_SEM, A_LIMITER, A_EVENT, A_COUNTDOWN, A_BARRIER,
            A_COND, A_PUT, A_GET, A_JOIN, A_KINDS };

typedef struct op_ctx {
    enum kind kind;
    uint64_t owner;
    uint64_t item;
    weft_queue *queue;
    weft_op *op;
    atomic_int calls;
    atomic_bool done;
    bool cancelled; /* the loop cancelled it once (a second cancel answers nothing new) */
    struct op_ctx *next;
} op_ctx;

/* Runs exactly once per op: in weft_port_run on the loop, or, for an op whose port was
 * freed, on whichever thread completed it. */
static void on_complete(void *arg, weft_status status) {
    op_ctx *c = arg;
    if (atomic_fetch_add(&c->calls, 1) != 0) FAIL("an async op completed twice");
    if (status == WEFT_PENDING) FAIL("a callback heard WEFT_PENDING");
    COUNT(async_completed);
    tally(status);
    if (status == WEFT_OK) {
        switch (c->kind) {
        case A_LOCK:
            excl_enter(&in_fifo);
            excl_exit(&in_fifo);
            MUST(weft_lock_release_as(lock_fifo, c->owner));
            break;
        case A_FAST:
            excl_enter(&in_fast);
            excl_exit(&in_fast);
            MUST(weft_lock_release_as(lock_fast, c->owner));
            break;
        case A_RLOCK:
            excl_enter(&in_rlock);
            excl_exit(&in_rlock);
            MUST(weft_rlock_release_as(rlock, c->owner, 2));
            break;
        case A_SEM:
            quota_take(&permits);
            quota_give(&permits);
            MUST(weft_sem_release(sem, 1));
            break;
        case A_LIMITER:
            quota_take(&tokens);
            quota_give(&tokens);
            MUST(weft_limiter_release_as(limiter, c->owner, 1));
            break;
        case A_COND:
            COUNT(notified_returned);
            excl_enter(&in_cond);
            excl_exit(&in_cond);
            MUST(weft_lock_release_as(cond_lock, c->owner));
            break;
        case A_PUT:
            item_accepted(c->item);
            break;
        case A_GET: {
            void *item = NULL;
            MUST(weft_op_item(c->op, &item));
            item_out((uint64_t)(uintptr_t)item, false);
            weft_queue_task_done(c->queue);
            break;
        }
        case A_BARRIER: {
            uint64_t index = 0;
            MUST(weft_op_value(c->op, &index));
            if (index >= BARRIER_PARTIES) FAIL("barrier index %llu", (unsigned long long)index);
            break;
        }
        default:
            break;
        }
    } else if (c->kind == A_PUT) {
        COUNT(refused_puts);
    }
    atomic_store(&c->done, true); /* last touch: the loop frees the context after this */
}

typedef struct {
    uint64_t r;
    weft_port *port;
    op_ctx *live; /* started, not yet reaped */
    int nlive;
} loop_t;

static void loop_start(loop_t *l) {
    op_ctx *c = calloc(1, sizeof *c);
    if (!c) abort();
    c->kind = (enum kind)(rnd(&l->r) % A_KINDS);
    MUST(weft_owner_new(&c->owner));
    weft_status s = WEFT_INVALID;
    weft_port *p = l->port;
    switch (c->kind) {
    case A_LOCK: s = weft_lock_acquire_async(lock_fifo, c->owner, p, on_complete, c, &c->op); break;
    case A_FAST: s = weft_lock_acquire_async(lock_fast, c->owner, p, on_complete, c, &c->op); break;
    case A_RLOCK: s = weft_rlock_acquire_async(rlock, c->owner, 2, p, on_complete, c, &c->op); break;
    case A_SEM: s = weft_sem_acquire_async(sem, p, on_complete, c, &c->op); break;
    case A_LIMITER: s = weft_limiter_acquire_async(limiter, c->owner, 1, p, on_complete, c, &c->op); break;
    case A_EVENT: s = weft_event_wait_async(event, p, on_complete, c, &c->op); break;
    case A_COUNTDOWN: s = weft_countdown_wait_async(countdown, p, on_complete, c, &c->op); break;
    case A_BARRIER: {
        uint64_t index;
        s = weft_barrier_wait_async(barrier, p, on_complete, c, &c->op, &index);
        if (s == WEFT_BROKEN) MUST(weft_barrier_reset(barrier));
        break;
    }
    case A_COND:
        /* A wait needs the lock: try it (a loop never blocks), then wait for a notify. */
        s = weft_lock_acquire_as(cond_lock, c->owner, 0);
        if (s != WEFT_OK) break;
        excl_enter(&in_cond);
        excl_exit(&in_cond);
        s = weft_cond_wait_async(cond, c->owner, p, on_complete, c, &c->op);
        if (s != WEFT_PENDING) {
            FAIL("cond_wait_async by the lock's owner answered %s", weft_status_str(s));
            MUST(weft_lock_release_as(cond_lock, c->owner));
        }
        s = WEFT_WOULD_BLOCK; /* counted as the wait it was */
        if (c->op) s = WEFT_PENDING;
        break;
    case A_PUT: {
        c->queue = queue_take((int)(rnd(&l->r) % NQUEUES));
        c->item = new_item();
        s = weft_queue_put_async(c->queue, (void *)(uintptr_t)c->item, (int64_t)(rnd(&l->r) % 5) - 2,
                                 p, on_complete, c, &c->op);
        break;
    }
    case A_GET: {
        void *item;
        c->queue = queue_take((int)(rnd(&l->r) % NQUEUES));
        s = weft_queue_get_async(c->queue, &item, p, on_complete, c, &c->op);
        if (s == WEFT_OK) {
            item_out((uint64_t)(uintptr_t)item, false);
            weft_queue_task_done(c->queue);
        }
        break;
    }
    default:
        c->queue = queue_take((int)(rnd(&l->r) % NQUEUES));
        s = weft_queue_join_async(c->queue, p, on_complete, c, &c->op);
        break;
    }
    if (s == WEFT_PENDING) {
        COUNT(async_started);
        c->next = l->live;
        l->live = c;
        l->nlive++;
        return;
    }
    /* Done at once: no callback follows. Finish what the grant means here. */
    tally(s);
    if (s == WEFT_OK) {
        switch (c->kind) {
        case A_LOCK: MUST(weft_lock_release_as(lock_fifo, c->owner)); break;
        case A_FAST: MUST(weft_lock_release_as(lock_fast, c->owner)); break;
        case A_RLOCK: MUST(weft_rlock_release_as(rlock, c->owner, 2)); break;
        case A_SEM: MUST(weft_sem_release(sem, 1)); break;
        case A_LIMITER: MUST(weft_limiter_release_as(limiter, c->owner, 1)); break;
        case A_PUT: item_accepted(c->item); break;
        default: break;
        }
    } else if (c->kind == A_PUT) {
        COUNT(refused_puts);
    }
    if (c->queue) MUST(weft_queue_free(c->queue));
    free(c);
}

/* Frees the contexts whose callback has run. */
static void loop_reap(loop_t *l) {
    op_ctx **link = &l->live;
    while (*link) {
        op_ctx *c = *link;
        if (atomic_load(&c->done)) {
            *link = c->next;
            l->nlive--;
            MUST(weft_op_free(c->op));
            if (c->queue) MUST(weft_queue_free(c->queue));
            free(c);
        } else {
            link = &c->next;
        }
    }
}

static void loop_cancel_one(loop_t *l) {
    if (l->nlive == 0) return;
    int k = (int)(rnd(&l->r) % (uint64_t)l->nlive);
    op_ctx *c = l->live;
    while (k-- > 0) c = c->next;
    if (atomic_load(&c->done) || c->cancelled) return; /* nothing left to race */
    c->cancelled = true;
    weft_status s = weft_op_cancel(c->op);
    if (s == WEFT_CANCELLED) COUNT(cancels_won);
    else COUNT(cancels_lost); /* the grant (or a close, or a shutdown) won: its callback tells */
}

static void *loop_thread(void *arg) {
    loop_t l = {.r = (uint64_t)(uintptr_t)arg};
    MUST(weft_port_new(&l.port));
    while (!atomic_load(&stopping)) {
        int starts = 1 + (int)(rnd(&l.r) % 3);
        for (int i = 0; i < starts && l.nlive < 64; i++) loop_start(&l);
        weft_port_wait(l.port, WEFT_MS);
        MUST(weft_port_run(l.port, 64, NULL));
        if (rnd(&l.r) % 4 == 0) loop_cancel_one(&l);
        if (rnd(&l.r) % 200 == 0) {
            /* Close the port with ops in flight: their grants are given back. */
            MUST(weft_port_free(l.port));
            COUNT(port_closes);
            MUST(weft_port_new(&l.port));
        }
        loop_reap(&l);
    }
    /* Cancel what is left, and wait until every op has completed. */
    for (op_ctx *c = l.live; c; c = c->next)
        if (!c->cancelled) weft_op_cancel(c->op);
    uint64_t start = now_ns();
    while (l.nlive > 0) {
        MUST(weft_port_run(l.port, 1024, NULL));
        loop_reap(&l);
        if (now_ns() - start > 30000000000ull) {
            FAIL("%d async ops never completed", l.nlive);
            break;
        }
        if (l.nlive > 0) usleep(100);
    }
    MUST(weft_port_free(l.port));
    return NULL;
}

/* ---------------------------------------------------------------- the end */

static void check_books(void) {
    uint64_t lost = 0, duplicated = 0, phantom = 0, n = atomic_load(&next_item);
    for (uint64_t id = 1; id < n; id++) {
        unsigned char b = atomic_load(ledger_byte(id));
        int out = b & 0x7f;
        if (b & 0x80) {
            if (out == 0) lost++;
            if (out > 1) duplicated++;
        } else if (out > 0) {
            phantom++;
        }
    }
    uint64_t u;
    size_t z, w;
    MUST(weft_sem_value(sem, &u));
    if (u != SEM_PERMITS) FAIL("semaphore: %llu permits came back of %d", (unsigned long long)u, SEM_PERMITS);
    uint64_t total, borrowed;
    MUST(weft_limiter_counts(limiter, &total, &borrowed, &z));
    if (borrowed != 0 || z != 0) FAIL("limiter: %llu tokens still out, %zu waiting", (unsigned long long)borrowed, z);
    MUST(weft_lock_owner(lock_fifo, &u));
    if (u) FAIL("the FIFO lock is still held");
    MUST(weft_lock_owner(lock_fast, &u));
    if (u) FAIL("the throughput lock is still held");
    MUST(weft_lock_owner(cond_lock, &u));
    if (u) FAIL("the condition's lock is still held");
    MUST(weft_rlock_owner(rlock, &u));
    if (u) FAIL("the reentrant lock is still held");
    MUST(weft_lock_waiting(lock_fifo, &w));
    if (w) FAIL("%zu still waiting for the FIFO lock", w);
    bool in_use;
    MUST(weft_guard_in_use(guard, &in_use));
    if (in_use) FAIL("the guard is still in use");
    uint64_t counted = atomic_load(&totals.notifies_counted);
    uint64_t returned = atomic_load(&totals.notified_returned);
    if (returned > counted)
        FAIL("a condition woke %llu waiters on %llu counted notifications",
             (unsigned long long)returned, (unsigned long long)counted);

    printf("soak totals:\n");
    printf("  operations        %llu (grants %llu, timeouts %llu, other statuses %llu)\n",
           (unsigned long long)totals.ops, (unsigned long long)totals.grants,
           (unsigned long long)totals.timeouts, (unsigned long long)totals.refused);
    printf("  async ops         %llu started pending, %llu completed (exactly once each)\n",
           (unsigned long long)totals.async_started, (unsigned long long)totals.async_completed);
    printf("  cancels           won %llu, lost %llu\n", (unsigned long long)totals.cancels_won,
           (unsigned long long)totals.cancels_lost);
    printf("  items             put %llu, got %llu, discarded %llu, ungot %llu, refused %llu\n",
           (unsigned long long)totals.put, (unsigned long long)totals.got,
           (unsigned long long)totals.discarded, (unsigned long long)totals.ungot,
           (unsigned long long)totals.refused_puts);
    printf("  lost = %llu, duplicated = %llu, never-accepted items out = %llu\n",
           (unsigned long long)lost, (unsigned long long)duplicated, (unsigned long long)phantom);
    printf("  port closes %llu, queue shutdowns %llu, barrier phases %llu, breaks %llu\n",
           (unsigned long long)totals.port_closes, (unsigned long long)totals.queue_shutdowns,
           (unsigned long long)totals.barrier_phases, (unsigned long long)totals.barrier_breaks);
    printf("  condition: notifications counted %llu, waiters returned notified %llu\n",
           (unsigned long long)counted, (unsigned long long)returned);
    if (lost || duplicated || phantom) atomic_fetch_add(&failures, 1);
    if (totals.put != totals.got + totals.discarded)
        FAIL("items put %llu != got %llu + discarded %llu", (unsigned long long)totals.put,
             (unsigned long long)totals.got, (unsigned long long)totals.discarded);
}

static void on_alarm(int sig) {
    (void)sig;
    static const char msg[] = "soak: hung past its time (a lost wakeup or a deadlock)\n";
    ssize_t ignored = write(2, msg, sizeof msg - 1);
    (void)ignored;
    _Exit(2);
}

int main(int argc, char **argv) {
    double seconds = 60;
    int nthreads = 4, nports = 2;
    uint64_t seed = (uint64_t)time(NULL);
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--seconds")) seconds = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--threads")) nthreads = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--ports")) nports = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--seed")) seed = strtoull(argv[i + 1], NULL, 0);
        else {
            fprintf(stderr, "usage: soak [--seconds S] [--threads N] [--ports M] [--seed X]\n");
            return 2;
        }
    }
    if (nthreads < 1 || nports < 0 || nthreads + nports > 64) return 2;
    signal(SIGALRM, on_alarm);
    alarm((unsigned)seconds + 120);
    printf("soak: %.0f s, %d threads, %d ports, seed %llu\n", seconds, nthreads, nports,
           (unsigned long long)seed);

    MUST(weft_lock_new(WEFT_LOCK_FIFO, &lock_fifo));
    MUST(weft_lock_new(WEFT_LOCK_THROUGHPUT, &lock_fast));
    MUST(weft_lock_new(WEFT_LOCK_FIFO, &cond_lock));
    MUST(weft_rlock_new(WEFT_LOCK_FIFO, &rlock));
    MUST(weft_sem_new(SEM_PERMITS, SEM_PERMITS, &sem));
    MUST(weft_limiter_new(LIMITER_TOKENS, WEFT_LIMITER_PLAIN, &limiter));
    MUST(weft_event_new(WEFT_EVENT_REUSABLE, &event));
    MUST(weft_countdown_new(0, &countdown));
    MUST(weft_barrier_new(BARRIER_PARTIES, WEFT_BARRIER_RESETTABLE, &barrier));
    MUST(weft_cond_new(cond_lock, &cond));
    MUST(weft_flag_new(&flag));
    MUST(weft_guard_new(&guard));
    for (int i = 0; i < NQUEUES; i++) queues[i].q = queue_new(&queues[i]);

    pthread_t threads[64];
    int n = 0;
    for (int i = 0; i < nthreads; i++, n++)
        pthread_create(&threads[n], NULL, worker, (void *)(uintptr_t)(seed * 64 + (uint64_t)n + 1));
    for (int i = 0; i < nports; i++, n++)
        pthread_create(&threads[n], NULL, loop_thread, (void *)(uintptr_t)(seed * 64 + (uint64_t)n + 1));

    uint64_t r = seed | 1, end = now_ns() + (uint64_t)(seconds * 1e9);
    while (now_ns() < end) {
        usleep(50000);
        if (rnd(&r) % 5 == 0) queue_replace((int)(rnd(&r) % NQUEUES), rnd(&r) & 1);
        if (rnd(&r) % 5 == 0) {
            size_t woken;
            MUST(weft_barrier_abort(barrier)); /* break it under its waiters now and then */
            MUST(weft_barrier_waiting(barrier, &woken));
        }
    }
    atomic_store(&stopping, true);
    /* Wake whoever could still be waiting for long: none waits forever, but be quick. */
    MUST(weft_event_set(event, NULL));
    for (int i = 0; i < n; i++) pthread_join(threads[i], NULL);

    for (int i = 0; i < NQUEUES; i++) {
        MUST(weft_queue_shutdown(queues[i].q, false));
        queue_drain_and_free(queues[i].q);
    }
    check_books();

    weft_lock_free(lock_fifo);
    weft_lock_free(lock_fast);
    weft_cond_free(cond);
    weft_lock_free(cond_lock);
    weft_rlock_free(rlock);
    weft_sem_free(sem);
    weft_limiter_free(limiter);
    weft_event_free(event);
    weft_countdown_free(countdown);
    weft_barrier_free(barrier);
    weft_flag_free(flag);
    weft_guard_free(guard);
    for (int i = 0; i < LEDGER_CHUNKS; i++) free((void *)atomic_load(&ledger[i]));

    int failed = atomic_load(&failures);
    printf("soak: %s\n", failed ? "FAILED" : "ok");
    return failed ? 1 : 0;
}
