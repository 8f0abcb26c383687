/*
 * A byte-driven program over the whole C ABI, for random-argument testing.
 *
 * abi_drive(data, len) reads `data` as a program: each step takes one byte to pick a
 * function of weft.h and more bytes to pick its arguments from tables of edge values
 * (NULL or a live handle from a small pool, zero, one, negative, INT64_MIN/MAX,
 * UINT64_MAX/SIZE_MAX, short and huge timeouts). It checks, for every call:
 *
 *   - the status is one weft names (weft_status_str knows it) and never WEFT_INTERNAL
 *     (a panic caught at the boundary);
 *   - a NULL handle answers WEFT_INVALID;
 *   - an out-parameter keeps its old value unless the call returned WEFT_OK (or
 *     WEFT_PENDING for an op);
 *   - every async start that answered WEFT_PENDING completes exactly once: its callback
 *     runs once or the pull form (weft_port_poll) hands its completion out once (by the
 *     end, after the program cancels what is left and frees everything), and a start
 *     that did not answer WEFT_PENDING never calls back.
 *
 * A crash, a sanitizer report or a failed check aborts. The program only ever passes live
 * handles or NULL (never a freed one: that is undefined behaviour by contract), buffers
 * at least as long as the counts it passes with them, and blocks only where one thread
 * cannot hang: a live handle waits with a timeout of 0 or 1 us, and a huge or infinite
 * timeout goes with a live handle only where the wait is satisfied at once (a free lock,
 * a set event, ...). Single-threaded; used by tests/c/test_random_args.c (a deterministic
 * run on stable toolchains, plain and under ASan) and by the libFuzzer target in fuzz/.
 */
#ifndef WEFT_ABI_DRIVER_H
#define WEFT_ABI_DRIVER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <weft.h>

#define DRIVE_POOL 3    /* live handles of each kind */
#define DRIVE_OPS 8     /* op handle slots */
#define DRIVE_RECS 256  /* async starts recorded per program */
#define DRIVE_BUF 8     /* items / completions buffers */
#define DRIVE_STEPS 400 /* at most this many calls per program */

typedef struct {
    int calls;
    int pending;      /* its start answered WEFT_PENDING */
    const char *what; /* the start call, for the report */
} drive_rec_t;

typedef struct {
    void *h[DRIVE_POOL];
    int refs[DRIVE_POOL];
} drive_pool_t;

enum {
    K_LOCK, K_RLOCK, K_SEM, K_EVENT, K_COUNTDOWN, K_BARRIER, K_LIMITER, K_FLAG, K_GUARD,
    K_QUEUE, K_COND, K_PORT, K_KINDS
};

typedef struct {
    const uint8_t *data;
    size_t len;
    drive_pool_t pool[K_KINDS];
    weft_op *op[DRIVE_OPS];
    drive_rec_t recs[DRIVE_RECS];
    int nrecs;
    uint64_t calls;               /* calls made, for the figures */
    uint64_t seen[32];            /* how often each status came back */
} drive_t;

static void drive_fail(const char *what, const char *why, weft_status s) {
    fprintf(stderr, "abi_driver: %s: %s (status %d, %s)\n", what, why, (int)s,
            weft_status_str(s));
    abort();
}

/* ---- reading the program */

static uint8_t drive_byte(drive_t *d) {
    if (d->len == 0) return 0;
    d->len--;
    return *d->data++;
}

static int64_t drive_i64(drive_t *d) {
    static const int64_t table[] = {0, 1, 2, 3, -1, -2, INT64_MIN, INT64_MAX, 7, 64, 65536,
                                    65537, (int64_t)UINT32_MAX + 1, -65536, 1000, 100};
    return table[drive_byte(d) % (sizeof table / sizeof table[0])];
}

static uint64_t drive_u64(drive_t *d) {
    static const uint64_t table[] = {0, 1, 2, 3, UINT64_MAX, (uint64_t)INT64_MAX,
                                     (uint64_t)INT64_MAX + 1, 5, 1, 1, 2, 100};
    return table[drive_byte(d) % (sizeof table / sizeof table[0])];
}

/* A small size for a buffer of DRIVE_BUF (or anything with a NULL buffer). */
static size_t drive_count(drive_t *d, bool buffer) {
    static const size_t table[] = {0, 1, 2, DRIVE_BUF, SIZE_MAX, (size_t)INT64_MAX + 1};
    size_t n = table[drive_byte(d) % (sizeof table / sizeof table[0])];
    return buffer && n > DRIVE_BUF ? DRIVE_BUF : n;
}

static uint32_t drive_flags(drive_t *d) {
    static const uint32_t table[] = {0, 1, 2, 3, 4, UINT32_MAX, 0x80000000u, 0, 1};
    return table[drive_byte(d) % (sizeof table / sizeof table[0])];
}

/* A timeout a live handle can afford: 0 or 1 us. */
static int64_t drive_short(drive_t *d) {
    return (drive_byte(d) & 3) == 3 ? 1000 : 0;
}

/* Any timeout: for a NULL handle, or a wait known to be satisfied at once. */
static int64_t drive_any_timeout(drive_t *d) {
    static const int64_t table[] = {0, WEFT_FOREVER, INT64_MIN, INT64_MAX, 1000, -2};
    return table[drive_byte(d) % (sizeof table / sizeof table[0])];
}

/* A live handle of `kind` (slot picked by the program), or NULL one time in eight. */
static void *drive_handle(drive_t *d, int kind) {
    uint8_t b = drive_byte(d);
    if ((b & 7) == 7) return NULL;
    return d->pool[kind].h[(b >> 3) % DRIVE_POOL];
}

/* ---- checking what came back */

static int drive_trace = -1; /* WEFT_FUZZ_TRACE=1 prints every call */

static weft_status drive_check(drive_t *d, const char *what, const void *handle,
                               weft_status s) {
    d->calls++;
    if (drive_trace < 0) drive_trace = getenv("WEFT_FUZZ_TRACE") != NULL;
    if (drive_trace) fprintf(stderr, "  %s -> %s\n", what, weft_status_str(s));
    if (strcmp(weft_status_str(s), "WEFT_UNKNOWN") == 0) drive_fail(what, "unknown status", s);
    if (s == WEFT_INTERNAL) drive_fail(what, "a panic inside weft", s);
    if (handle == NULL && s != WEFT_INVALID) drive_fail(what, "a NULL handle not refused", s);
    d->seen[(unsigned)s & 31]++;
    return s;
}

/* A call whose first argument is `handle`. */
#define CALL(d, handle, expr) drive_check((d), #expr, (handle), (expr))
/* A call without a handle. */
#define CALL0(d, expr) drive_check((d), #expr, (const void *)1, (expr))

#define SENTINEL 0x5e175e17u
/* `out` (initialized to SENTINEL) must be unchanged unless `s` is WEFT_OK. */
#define OUT_KEPT(s, out)                                                               \
    do {                                                                               \
        if ((s) != WEFT_OK && (uint64_t)(uintptr_t)(out) != SENTINEL)                  \
            drive_fail(#out, "written by a call that failed", (s));                    \
    } while (0)

/* ---- callbacks and ops */

static void drive_callback(void *arg, weft_status status) {
    drive_rec_t *rec = arg;
    if (strcmp(weft_status_str(status), "WEFT_UNKNOWN") == 0 || status == WEFT_PENDING)
        drive_fail("callback", "called with a status that is not final", status);
    if (++rec->calls > 1) drive_fail("callback", "called twice", status);
}

typedef struct {
    weft_port *port;
    weft_callback callback;
    void *arg;
    weft_op **op_out;
    int slot;
    drive_rec_t *rec;
} drive_async_t;

/* Picks the completion route of an async start (port and/or callback, maybe neither)
 * and where its op goes: a slot (one holding an op is cancelled and freed first), or,
 * for a start on a NULL handle, maybe NULL. So no op is ever left pending without a
 * handle to cancel it at the end. */
static drive_async_t drive_async(drive_t *d, const void *handle) {
    drive_async_t a = {0};
    uint8_t b = drive_byte(d);
    a.port = (b & 1) ? drive_handle(d, K_PORT) : NULL;
    if ((b & 6) != 0 && d->nrecs < DRIVE_RECS) {
        a.rec = &d->recs[d->nrecs++];
        a.callback = drive_callback;
        a.arg = a.rec;
    }
    a.slot = (b >> 3) % DRIVE_OPS;
    if (handle != NULL || (b & 0xc0) != 0xc0) {
        weft_op **op = &d->op[a.slot];
        if (*op) {
            CALL(d, *op, weft_op_cancel(*op));
            CALL(d, *op, weft_op_free(*op));
            *op = NULL;
        }
        a.op_out = op;
    }
    return a;
}

/* Records what the start said: PENDING means one completion will follow. */
static void drive_started(drive_t *d, drive_async_t *a, weft_status s) {
    if (s == WEFT_PENDING) {
        if (a->op_out == NULL || *a->op_out == NULL)
            drive_fail("async start", "PENDING without an op", s);
        if (a->rec) a->rec->pending = 1;
    } else if (a->op_out && *a->op_out != NULL) {
        drive_fail("async start", "an op written by a start that did not pend", s);
    }
    (void)d;
}

#define START(d, handle, a, expr)                                                      \
    do {                                                                               \
        weft_status start_s_ = CALL(d, handle, expr);                                  \
        if ((a).rec) (a).rec->what = #expr;                                            \
        drive_started(d, &(a), start_s_);                                              \
    } while (0)

/* ---- handles: new, clone, free */

static void drive_keep(drive_t *d, int kind, void *handle) {
    drive_pool_t *p = &d->pool[kind];
    for (int i = 0; i < DRIVE_POOL; i++) {
        if (p->h[i] == NULL) {
            p->h[i] = handle;
            p->refs[i] = 1;
            return;
        }
    }
    abort(); /* callers check drive_room first */
}

static int drive_room(drive_t *d, int kind) {
    for (int i = 0; i < DRIVE_POOL; i++)
        if (d->pool[kind].h[i] == NULL) return 1;
    return 0;
}

typedef weft_status (*drive_ref_fn)(void *);

/* The clone / free functions of each kind, as plain `void *` calls. */
static weft_status drive_clone_any(int kind, void *h) {
    switch (kind) {
    case K_LOCK: return weft_lock_clone(h);
    case K_RLOCK: return weft_rlock_clone(h);
    case K_SEM: return weft_sem_clone(h);
    case K_EVENT: return weft_event_clone(h);
    case K_COUNTDOWN: return weft_countdown_clone(h);
    case K_BARRIER: return weft_barrier_clone(h);
    case K_LIMITER: return weft_limiter_clone(h);
    case K_FLAG: return weft_flag_clone(h);
    case K_GUARD: return weft_guard_clone(h);
    case K_QUEUE: return weft_queue_clone(h);
    case K_COND: return weft_cond_clone(h);
    default: return weft_port_clone(h);
    }
}

static weft_status drive_free_any(int kind, void *h) {
    switch (kind) {
    case K_LOCK: return weft_lock_free(h);
    case K_RLOCK: return weft_rlock_free(h);
    case K_SEM: return weft_sem_free(h);
    case K_EVENT: return weft_event_free(h);
    case K_COUNTDOWN: return weft_countdown_free(h);
    case K_BARRIER: return weft_barrier_free(h);
    case K_LIMITER: return weft_limiter_free(h);
    case K_FLAG: return weft_flag_free(h);
    case K_GUARD: return weft_guard_free(h);
    case K_QUEUE: return weft_queue_free(h);
    case K_COND: return weft_cond_free(h);
    default: return weft_port_free(h);
    }
}

static void drive_item_destructor(void *ctx, void *item) {
    (void)item;
    ++*(uint64_t *)ctx;
}

static uint64_t drive_discarded;

/* Creates a handle of a kind picked by the program (bad arguments included). */
static void drive_new(drive_t *d) {
    int kind = drive_byte(d) % K_KINDS;
    bool null_out = (drive_byte(d) & 15) == 15 || !drive_room(d, kind);
    void *h = (void *)(uintptr_t)SENTINEL;
    void **out = null_out ? NULL : &h;
    weft_status s;
    switch (kind) {
    case K_LOCK: s = CALL0(d, weft_lock_new(drive_flags(d), (weft_lock **)out)); break;
    case K_RLOCK: s = CALL0(d, weft_rlock_new(drive_flags(d), (weft_rlock **)out)); break;
    case K_SEM: {
        int64_t initial = drive_i64(d), max = drive_i64(d);
        s = CALL0(d, weft_sem_new(initial, max, (weft_sem **)out));
        break;
    }
    case K_EVENT: s = CALL0(d, weft_event_new(drive_flags(d), (weft_event **)out)); break;
    case K_COUNTDOWN:
        s = CALL0(d, weft_countdown_new(drive_i64(d), (weft_countdown **)out));
        break;
    case K_BARRIER: {
        int64_t parties = drive_i64(d);
        s = CALL0(d, weft_barrier_new(parties, drive_flags(d), (weft_barrier **)out));
        break;
    }
    case K_LIMITER: {
        int64_t total = drive_i64(d);
        s = CALL0(d, weft_limiter_new(total, drive_flags(d), (weft_limiter **)out));
        break;
    }
    case K_FLAG: s = CALL0(d, weft_flag_new((weft_flag **)out)); break;
    case K_GUARD: s = CALL0(d, weft_guard_new((weft_guard **)out)); break;
    case K_QUEUE: {
        uint32_t qkind = drive_flags(d);
        int64_t capacity = drive_i64(d);
        bool destructor = drive_byte(d) & 1;
        s = CALL0(d, weft_queue_new(qkind, capacity, destructor ? drive_item_destructor : NULL,
                                    &drive_discarded, (weft_queue **)out));
        break;
    }
    case K_COND:
        if (drive_byte(d) & 1) {
            s = CALL0(d, weft_cond_new_reentrant(drive_handle(d, K_RLOCK), (weft_cond **)out));
        } else {
            s = CALL0(d, weft_cond_new(drive_handle(d, K_LOCK), (weft_cond **)out));
        }
        break;
    default: s = CALL0(d, weft_port_new((weft_port **)out)); break;
    }
    if (null_out) {
        if (s != WEFT_INVALID) drive_fail("new", "a NULL out-pointer not refused", s);
        return;
    }
    OUT_KEPT(s, h);
    if (s == WEFT_OK) drive_keep(d, kind, h);
}

static void drive_clone_or_free(drive_t *d) {
    int kind = drive_byte(d) % K_KINDS;
    uint8_t b = drive_byte(d);
    int i = (b >> 1) % DRIVE_POOL;
    drive_pool_t *p = &d->pool[kind];
    if (p->h[i] == NULL) {
        CALL(d, NULL, (b & 1) ? drive_clone_any(kind, NULL) : drive_free_any(kind, NULL));
    } else if (b & 1) {
        CALL(d, p->h[i], drive_clone_any(kind, p->h[i]));
        p->refs[i]++;
    } else {
        CALL(d, p->h[i], drive_free_any(kind, p->h[i]));
        if (--p->refs[i] == 0) p->h[i] = NULL;
    }
}

/* ---- one step per object */

static uint64_t drive_owner(drive_t *d) {
    uint8_t b = drive_byte(d) & 7;
    return b == 7 ? 0 : b == 6 ? UINT64_MAX : (uint64_t)(1 + b % 3);
}

static void drive_lock(drive_t *d) {
    weft_lock *lock = drive_handle(d, K_LOCK);
    uint64_t u = SENTINEL;
    size_t z = SENTINEL;
    weft_status s;
    switch (drive_byte(d) % 9) {
    case 0: CALL(d, lock, weft_lock_acquire(lock, lock ? drive_short(d) : drive_any_timeout(d))); break;
    case 1: CALL(d, lock, weft_lock_try_acquire(lock)); break;
    case 2: {
        uint64_t owner = drive_owner(d);
        CALL(d, lock, weft_lock_acquire_as(lock, owner, lock ? drive_short(d) : drive_any_timeout(d)));
        break;
    }
    case 3: {
        drive_async_t a = drive_async(d, lock);
        START(d, lock, a, weft_lock_acquire_async(lock, drive_owner(d), a.port, a.callback, a.arg, a.op_out));
        break;
    }
    case 4: CALL(d, lock, weft_lock_release(lock)); break;
    case 5: CALL(d, lock, weft_lock_release_as(lock, drive_owner(d))); break;
    case 6:
        s = CALL(d, lock, weft_lock_owner(lock, (drive_byte(d) & 7) == 7 ? NULL : &u));
        OUT_KEPT(s, u);
        /* A free lock with nobody in line is taken at once, whatever the timeout. */
        if (s == WEFT_OK && u == 0 && weft_lock_waiting(lock, &z) == WEFT_OK && z == 0) {
            int64_t t = drive_any_timeout(d);
            if (CALL(d, lock, weft_lock_acquire_as(lock, 1, t)) != WEFT_OK)
                drive_fail("weft_lock_acquire_as", "a free lock not taken", WEFT_OK);
        }
        break;
    case 7:
        s = CALL(d, lock, weft_lock_waiting(lock, (drive_byte(d) & 7) == 7 ? NULL : &z));
        OUT_KEPT(s, z);
        break;
    default: break;
    }
}

static void drive_rlock(drive_t *d) {
    weft_rlock *rlock = drive_handle(d, K_RLOCK);
    uint64_t u = SENTINEL;
    size_t z = SENTINEL;
    weft_status s;
    switch (drive_byte(d) % 10) {
    case 0: {
        uint64_t n = drive_u64(d);
        CALL(d, rlock, weft_rlock_acquire(rlock, n, rlock ? drive_short(d) : drive_any_timeout(d)));
        break;
    }
    case 1: CALL(d, rlock, weft_rlock_try_acquire(rlock, drive_u64(d))); break;
    case 2: {
        uint64_t owner = drive_owner(d), n = drive_u64(d);
        CALL(d, rlock, weft_rlock_acquire_as(rlock, owner, n, rlock ? drive_short(d) : drive_any_timeout(d)));
        break;
    }
    case 3: {
        drive_async_t a = drive_async(d, rlock);
        uint64_t owner = drive_owner(d), n = drive_u64(d);
        START(d, rlock, a, weft_rlock_acquire_async(rlock, owner, n, a.port, a.callback, a.arg, a.op_out));
        break;
    }
    case 4: CALL(d, rlock, weft_rlock_release(rlock, drive_u64(d))); break;
    case 5: {
        uint64_t owner = drive_owner(d);
        CALL(d, rlock, weft_rlock_release_as(rlock, owner, drive_u64(d)));
        break;
    }
    case 6:
        s = CALL(d, rlock, weft_rlock_owner(rlock, (drive_byte(d) & 7) == 7 ? NULL : &u));
        OUT_KEPT(s, u);
        break;
    case 7: {
        uint64_t owner = drive_owner(d);
        s = CALL(d, rlock, weft_rlock_count(rlock, owner, (drive_byte(d) & 7) == 7 ? NULL : &u));
        OUT_KEPT(s, u);
        break;
    }
    case 8:
        s = CALL(d, rlock, weft_rlock_waiting(rlock, (drive_byte(d) & 7) == 7 ? NULL : &z));
        OUT_KEPT(s, z);
        break;
    default: break;
    }
}

static void drive_sem(drive_t *d) {
    weft_sem *sem = drive_handle(d, K_SEM);
    uint64_t u = SENTINEL;
    size_t z = SENTINEL;
    weft_status s;
    switch (drive_byte(d) % 6) {
    case 0: CALL(d, sem, weft_sem_acquire(sem, sem ? drive_short(d) : drive_any_timeout(d))); break;
    case 1: CALL(d, sem, weft_sem_try_acquire(sem)); break;
    case 2: {
        drive_async_t a = drive_async(d, sem);
        START(d, sem, a, weft_sem_acquire_async(sem, a.port, a.callback, a.arg, a.op_out));
        break;
    }
    case 3: CALL(d, sem, weft_sem_release(sem, drive_u64(d))); break;
    case 4:
        s = CALL(d, sem, weft_sem_value(sem, (drive_byte(d) & 7) == 7 ? NULL : &u));
        OUT_KEPT(s, u);
        /* A free permit is taken at once, whatever the timeout. */
        if (s == WEFT_OK && u > 0 && CALL(d, sem, weft_sem_acquire(sem, drive_any_timeout(d))) != WEFT_OK)
            drive_fail("weft_sem_acquire", "a free permit not taken", WEFT_OK);
        break;
    default:
        s = CALL(d, sem, weft_sem_waiting(sem, (drive_byte(d) & 7) == 7 ? NULL : &z));
        OUT_KEPT(s, z);
        break;
    }
}

static void drive_event(drive_t *d) {
    weft_event *event = drive_handle(d, K_EVENT);
    bool b = false;
    size_t z = SENTINEL;
    weft_status s;
    switch (drive_byte(d) % 6) {
    case 0:
        s = CALL(d, event, weft_event_set(event, (drive_byte(d) & 1) ? NULL : &z));
        break;
    case 1: CALL(d, event, weft_event_clear(event)); break;
    case 2:
        s = CALL(d, event, weft_event_is_set(event, (drive_byte(d) & 7) == 7 ? NULL : &b));
        /* A set event lets every wait through at once, whatever the timeout. */
        if (s == WEFT_OK && b && CALL(d, event, weft_event_wait(event, drive_any_timeout(d))) != WEFT_OK)
            drive_fail("weft_event_wait", "a set event did not let a wait through", WEFT_OK);
        break;
    case 3: CALL(d, event, weft_event_wait(event, event ? drive_short(d) : drive_any_timeout(d))); break;
    case 4: {
        drive_async_t a = drive_async(d, event);
        START(d, event, a, weft_event_wait_async(event, a.port, a.callback, a.arg, a.op_out));
        break;
    }
    default:
        s = CALL(d, event, weft_event_waiting(event, (drive_byte(d) & 7) == 7 ? NULL : &z));
        OUT_KEPT(s, z);
        break;
    }
}

static void drive_countdown(drive_t *d) {
    weft_countdown *cd = drive_handle(d, K_COUNTDOWN);
    uint64_t u = SENTINEL;
    size_t z = SENTINEL;
    weft_status s;
    switch (drive_byte(d) % 8) {
    case 0: CALL(d, cd, weft_countdown_up(cd, drive_u64(d))); break;
    case 1: CALL(d, cd, weft_countdown_down(cd)); break;
    case 2: CALL(d, cd, weft_countdown_clear(cd)); break;
    case 3:
        s = CALL(d, cd, weft_countdown_value(cd, (drive_byte(d) & 7) == 7 ? NULL : &u));
        OUT_KEPT(s, u);
        if (s == WEFT_OK && u == 0 && CALL(d, cd, weft_countdown_wait(cd, drive_any_timeout(d))) != WEFT_OK)
            drive_fail("weft_countdown_wait", "a countdown at zero did not let a wait through", WEFT_OK);
        break;
    case 4: CALL(d, cd, weft_countdown_wait(cd, cd ? drive_short(d) : drive_any_timeout(d))); break;
    case 5: {
        drive_async_t a = drive_async(d, cd);
        START(d, cd, a, weft_countdown_wait_async(cd, a.port, a.callback, a.arg, a.op_out));
        break;
    }
    default:
        s = CALL(d, cd, weft_countdown_waiting(cd, (drive_byte(d) & 7) == 7 ? NULL : &z));
        OUT_KEPT(s, z);
        break;
    }
}

static void drive_barrier(drive_t *d) {
    weft_barrier *barrier = drive_handle(d, K_BARRIER);
    uint64_t u = SENTINEL;
    size_t z = SENTINEL;
    bool b = false;
    weft_status s;
    switch (drive_byte(d) % 7) {
    case 0:
        s = CALL(d, barrier, weft_barrier_wait(barrier, barrier ? drive_short(d) : drive_any_timeout(d),
                                               (drive_byte(d) & 3) == 3 ? NULL : &u));
        break;
    case 1: {
        drive_async_t a = drive_async(d, barrier);
        START(d, barrier, a, weft_barrier_wait_async(barrier, a.port, a.callback, a.arg, a.op_out,
                                                     (drive_byte(d) & 3) == 3 ? NULL : &u));
        break;
    }
    case 2: CALL(d, barrier, weft_barrier_abort(barrier)); break;
    case 3: CALL(d, barrier, weft_barrier_reset(barrier)); break;
    case 4:
        s = CALL(d, barrier, weft_barrier_is_broken(barrier, (drive_byte(d) & 7) == 7 ? NULL : &b));
        break;
    default:
        s = CALL(d, barrier, weft_barrier_waiting(barrier, (drive_byte(d) & 7) == 7 ? NULL : &z));
        OUT_KEPT(s, z);
        break;
    }
}

static void drive_limiter(drive_t *d) {
    weft_limiter *lim = drive_handle(d, K_LIMITER);
    uint64_t u = SENTINEL, v = SENTINEL;
    size_t z = SENTINEL;
    weft_status s;
    switch (drive_byte(d) % 9) {
    case 0: {
        uint64_t owner = drive_owner(d), n = drive_u64(d);
        CALL(d, lim, weft_limiter_acquire_as(lim, owner, n, lim ? drive_short(d) : drive_any_timeout(d)));
        break;
    }
    case 1: {
        uint64_t n = drive_u64(d);
        CALL(d, lim, weft_limiter_acquire(lim, n, lim ? drive_short(d) : drive_any_timeout(d)));
        break;
    }
    case 2: {
        drive_async_t a = drive_async(d, lim);
        uint64_t owner = drive_owner(d), n = drive_u64(d);
        START(d, lim, a, weft_limiter_acquire_async(lim, owner, n, a.port, a.callback, a.arg, a.op_out));
        break;
    }
    case 3: {
        uint64_t owner = drive_owner(d);
        CALL(d, lim, weft_limiter_release_as(lim, owner, drive_u64(d)));
        break;
    }
    case 4: CALL(d, lim, weft_limiter_release(lim, drive_u64(d))); break;
    case 5: CALL(d, lim, weft_limiter_set_total(lim, drive_i64(d))); break;
    case 6: {
        bool nulls = (drive_byte(d) & 7) == 7;
        s = CALL(d, lim, weft_limiter_counts(lim, nulls ? NULL : &u, &v, &z));
        OUT_KEPT(s, u);
        OUT_KEPT(s, v);
        OUT_KEPT(s, z);
        break;
    }
    default: {
        uint64_t owner = drive_owner(d);
        s = CALL(d, lim, weft_limiter_held(lim, owner, (drive_byte(d) & 7) == 7 ? NULL : &u));
        OUT_KEPT(s, u);
        break;
    }
    }
}

static void drive_flag_guard(drive_t *d) {
    weft_flag *flag = drive_handle(d, K_FLAG);
    weft_guard *guard = drive_handle(d, K_GUARD);
    bool b = false;
    void *p = (void *)(uintptr_t)SENTINEL;
    weft_status s;
    switch (drive_byte(d) % 7) {
    case 0:
        CALL(d, flag, weft_flag_set(flag, (void *)(uintptr_t)drive_u64(d), (drive_byte(d) & 3) == 3 ? NULL : &b));
        break;
    case 1:
        s = CALL(d, flag, weft_flag_get(flag, (drive_byte(d) & 7) == 7 ? NULL : &b, &p));
        OUT_KEPT(s, p);
        break;
    case 2: CALL(d, flag, weft_flag_clear(flag, (drive_byte(d) & 3) == 3 ? NULL : &b)); break;
    case 3: CALL(d, guard, weft_guard_enter(guard)); break;
    case 4: CALL(d, guard, weft_guard_exit(guard)); break;
    default: CALL(d, guard, weft_guard_in_use(guard, (drive_byte(d) & 7) == 7 ? NULL : &b)); break;
    }
}

static uint64_t drive_next_item = 1;

static void drive_queue(drive_t *d) {
    weft_queue *q = drive_handle(d, K_QUEUE);
    void *item = (void *)(uintptr_t)SENTINEL;
    void *items[DRIVE_BUF];
    int64_t priorities[DRIVE_BUF];
    uint64_t u = SENTINEL;
    size_t z = SENTINEL, y = SENTINEL;
    int64_t cap = SENTINEL;
    bool b = false;
    weft_status s;
    for (int i = 0; i < DRIVE_BUF; i++) {
        items[i] = (void *)(uintptr_t)drive_next_item++;
        priorities[i] = i % 3 - 1;
    }
    void *mine = (void *)(uintptr_t)drive_next_item++;
    int64_t t = q ? drive_short(d) : drive_any_timeout(d);
    switch (drive_byte(d) % 20) {
    case 0: CALL(d, q, weft_queue_put(q, mine, drive_i64(d), t)); break;
    case 1: CALL(d, q, weft_queue_try_put(q, mine, drive_i64(d))); break;
    case 2: {
        drive_async_t a = drive_async(d, q);
        START(d, q, a, weft_queue_put_async(q, mine, drive_i64(d), a.port, a.callback, a.arg, a.op_out));
        break;
    }
    case 3:
        s = CALL(d, q, weft_queue_get(q, (drive_byte(d) & 7) == 7 ? NULL : &item, t));
        OUT_KEPT(s, item);
        break;
    case 4:
        s = CALL(d, q, weft_queue_try_get(q, (drive_byte(d) & 7) == 7 ? NULL : &item));
        OUT_KEPT(s, item);
        break;
    case 5: {
        drive_async_t a = drive_async(d, q);
        START(d, q, a, weft_queue_get_async(q, (drive_byte(d) & 7) == 7 ? NULL : &item, a.port,
                                           a.callback, a.arg, a.op_out));
        break;
    }
    case 6: {
        uint8_t c = drive_byte(d);
        size_t n = drive_count(d, !(c & 1));
        CALL(d, q, weft_queue_put_many(q, (c & 1) ? NULL : items, (c & 2) ? NULL : priorities, n, t,
                                       (c & 4) ? NULL : &z));
        break;
    }
    case 7: {
        uint8_t c = drive_byte(d);
        size_t n = drive_count(d, !(c & 1));
        s = CALL(d, q, weft_queue_get_many(q, (c & 1) ? NULL : items, n, t, (c & 4) ? NULL : &z));
        break;
    }
    case 8: CALL(d, q, weft_queue_shutdown(q, drive_byte(d) & 1)); break;
    case 9: CALL(d, q, weft_queue_is_shutdown(q, (drive_byte(d) & 7) == 7 ? NULL : &b)); break;
    case 10: CALL(d, q, weft_queue_task_done(q)); break;
    case 11:
        s = CALL(d, q, weft_queue_unfinished(q, (drive_byte(d) & 7) == 7 ? NULL : &u));
        OUT_KEPT(s, u);
        break;
    case 12: CALL(d, q, weft_queue_join(q, t)); break;
    case 13: {
        drive_async_t a = drive_async(d, q);
        START(d, q, a, weft_queue_join_async(q, a.port, a.callback, a.arg, a.op_out));
        break;
    }
    case 14:
        s = CALL(d, q, weft_queue_peek(q, (drive_byte(d) & 7) == 7 ? NULL : &item));
        OUT_KEPT(s, item);
        break;
    case 15: CALL(d, q, weft_queue_unget(q, mine)); break;
    case 16: CALL(d, q, weft_queue_clear(q, (drive_byte(d) & 3) == 3 ? NULL : &z)); break;
    case 17:
        s = CALL(d, q, weft_queue_size(q, (drive_byte(d) & 7) == 7 ? NULL : &z));
        OUT_KEPT(s, z);
        s = CALL(d, q, weft_queue_capacity(q, (drive_byte(d) & 7) == 7 ? NULL : &cap));
        OUT_KEPT(s, cap);
        break;
    case 18: CALL(d, q, weft_queue_set_capacity(q, drive_i64(d))); break;
    default: {
        bool nulls = (drive_byte(d) & 7) == 7;
        s = CALL(d, q, weft_queue_waiting(q, nulls ? NULL : &z, &y));
        OUT_KEPT(s, z);
        OUT_KEPT(s, y);
        break;
    }
    }
}

static void drive_cond(drive_t *d) {
    weft_cond *cond = drive_handle(d, K_COND);
    size_t z = SENTINEL;
    weft_status s;
    switch (drive_byte(d) % 6) {
    /* A wait gives the lock up: with a live handle only a zero timeout is safe for one
     * thread (taking the lock back could wait for an op that nobody will finish). */
    case 0: CALL(d, cond, weft_cond_wait(cond, cond ? 0 : drive_any_timeout(d))); break;
    case 1: {
        uint64_t owner = drive_owner(d);
        CALL(d, cond, weft_cond_wait_as(cond, owner, cond ? 0 : drive_any_timeout(d)));
        break;
    }
    case 2: {
        drive_async_t a = drive_async(d, cond);
        START(d, cond, a, weft_cond_wait_async(cond, drive_owner(d), a.port, a.callback, a.arg, a.op_out));
        break;
    }
    case 3: CALL(d, cond, weft_cond_notify(cond, drive_count(d, false), (drive_byte(d) & 3) == 3 ? NULL : &z)); break;
    case 4: CALL(d, cond, weft_cond_notify_all(cond, (drive_byte(d) & 3) == 3 ? NULL : &z)); break;
    default:
        s = CALL(d, cond, weft_cond_waiting(cond, (drive_byte(d) & 7) == 7 ? NULL : &z));
        OUT_KEPT(s, z);
        break;
    }
}

static void drive_port_op(drive_t *d) {
    weft_port *port = drive_handle(d, K_PORT);
    weft_completion out[DRIVE_BUF];
    size_t z = SENTINEL;
    int32_t fd = SENTINEL;
    uint64_t u = SENTINEL;
    void *p = (void *)(uintptr_t)SENTINEL;
    weft_status st = SENTINEL;
    weft_status s;
    uint8_t b = drive_byte(d);
    weft_op *op = (b & 0x80) ? NULL : d->op[(b >> 4) % DRIVE_OPS];
    switch (b & 15) {
    case 0:
        s = CALL(d, port, weft_port_fd(port, (drive_byte(d) & 7) == 7 ? NULL : &fd));
        OUT_KEPT(s, fd);
        break;
    case 1:
        s = CALL(d, port, weft_port_pending(port, (drive_byte(d) & 7) == 7 ? NULL : &z));
        OUT_KEPT(s, z);
        /* A port with completions waiting answers a wait at once, whatever the timeout. */
        if (s == WEFT_OK && z > 0 && CALL(d, port, weft_port_wait(port, drive_any_timeout(d))) != WEFT_OK)
            drive_fail("weft_port_wait", "a port with completions made a wait wait", WEFT_OK);
        break;
    case 2: {
        uint8_t c = drive_byte(d);
        size_t n = drive_count(d, !(c & 1));
        s = CALL(d, port, weft_port_poll(port, (c & 1) ? NULL : out, n, (c & 2) ? NULL : &z));
        /* The pull form calls nothing: what it hands out is the op's one delivery. */
        if (s == WEFT_OK && !(c & 1) && !(c & 2)) {
            if (z > n) drive_fail("weft_port_poll", "more completions than asked for", s);
            for (size_t i = 0; i < z; i++)
                if (out[i].arg) drive_callback(out[i].arg, out[i].status);
        } else if (s == WEFT_OK && !(c & 1) && n > 0) {
            drive_fail("weft_port_poll", "took completions without saying how many", s);
        }
        break;
    }
    case 3: {
        uint8_t c = drive_byte(d);
        CALL(d, port, weft_port_run(port, drive_count(d, false), (c & 1) ? NULL : &z));
        break;
    }
    case 4: CALL(d, port, weft_port_wait(port, port ? drive_short(d) : drive_any_timeout(d))); break;
    case 5: case 6: CALL(d, op, weft_op_cancel(op)); break;
    case 7:
        s = CALL(d, op, weft_op_status(op, (drive_byte(d) & 7) == 7 ? NULL : &st));
        OUT_KEPT(s, st);
        break;
    case 8:
        s = CALL(d, op, weft_op_value(op, (drive_byte(d) & 7) == 7 ? NULL : &u));
        break;
    case 9:
        s = CALL(d, op, weft_op_item(op, (drive_byte(d) & 7) == 7 ? NULL : &p));
        break;
    case 10:
        /* Freeing an op drops a reference only; a pending one is cancelled first so that
         * nothing is left pending without a handle at the end. */
        if (op) {
            CALL(d, op, weft_op_cancel(op));
            CALL(d, op, weft_op_free(op));
            d->op[(b >> 4) % DRIVE_OPS] = NULL;
        } else {
            CALL(d, NULL, weft_op_free(NULL));
        }
        break;
    case 11:
        s = CALL0(d, weft_thread_owner((drive_byte(d) & 7) == 7 ? NULL : &u));
        OUT_KEPT(s, u);
        break;
    case 12:
        s = CALL0(d, weft_owner_new((drive_byte(d) & 7) == 7 ? NULL : &u));
        OUT_KEPT(s, u);
        break;
    default: {
        const char *name = weft_status_str((weft_status)drive_i64(d));
        if (name == NULL) drive_fail("weft_status_str", "NULL name", 0);
        break;
    }
    }
}

/* Cancels what is pending, runs what is queued, frees everything, and checks that every
 * start that answered PENDING called back exactly once and no other start did. */
static void drive_teardown(drive_t *d) {
    for (int i = 0; i < DRIVE_OPS; i++) {
        if (d->op[i]) {
            CALL(d, d->op[i], weft_op_cancel(d->op[i]));
            CALL(d, d->op[i], weft_op_free(d->op[i]));
            d->op[i] = NULL;
        }
    }
    for (int i = 0; i < DRIVE_POOL; i++) {
        weft_port *port = d->pool[K_PORT].h[i];
        size_t ran = 0;
        if (port) CALL(d, port, weft_port_run(port, SIZE_MAX, &ran));
    }
    for (int kind = 0; kind < K_KINDS; kind++) {
        for (int i = 0; i < DRIVE_POOL; i++) {
            drive_pool_t *p = &d->pool[kind];
            while (p->h[i]) {
                CALL(d, p->h[i], drive_free_any(kind, p->h[i]));
                if (--p->refs[i] == 0) p->h[i] = NULL;
            }
        }
    }
    for (int i = 0; i < d->nrecs; i++) {
        const drive_rec_t *rec = &d->recs[i];
        if (rec->calls != rec->pending)
            drive_fail(rec->what, rec->pending ? "a pending op never called back"
                                               : "a start that did not pend called back",
                       WEFT_OK);
    }
}

/* Runs one program; returns the number of calls it made. */
static uint64_t abi_drive(const uint8_t *data, size_t len, uint64_t seen[32]) {
    drive_t *d = calloc(1, sizeof *d);
    if (!d) abort();
    d->data = data;
    d->len = len;
    for (int step = 0; step < DRIVE_STEPS && d->len > 0; step++) {
        switch (drive_byte(d) % 14) {
        case 0: case 1: drive_new(d); break;
        case 2: drive_clone_or_free(d); break;
        case 3: drive_lock(d); break;
        case 4: drive_rlock(d); break;
        case 5: drive_sem(d); break;
        case 6: drive_event(d); break;
        case 7: drive_countdown(d); break;
        case 8: drive_barrier(d); break;
        case 9: drive_limiter(d); break;
        case 10: drive_flag_guard(d); break;
        case 11: drive_queue(d); break;
        case 12: drive_cond(d); break;
        default: drive_port_op(d); break;
        }
    }
    drive_teardown(d);
    uint64_t calls = d->calls;
    if (seen)
        for (int i = 0; i < 32; i++) seen[i] += d->seen[i];
    free(d);
    return calls;
}

#endif
