/**
 * \file
 * weft_uv.h: header-only libuv integration for weft (include/weft.h).
 *
 * One `weft_uv_port` per uv loop: a weft port whose fd a `uv_poll_t` watches; when it is
 * readable the loop runs the port's completions (`weft_port_run`), so every async weft op
 * started on this port completes on the loop's thread, inside `uv_run`.
 *
 *     weft_uv_port *wuv;
 *     weft_uv_port_new(loop, &wuv);
 *     weft_uv_lock_acquire(wuv, lock, task_id, 500, on_locked, task, NULL);   // 500 ms max
 *     uv_run(loop, UV_RUN_DEFAULT);
 *     ...
 *     void on_locked(void *task, weft_status st, const weft_uv_grant *g) {
 *         if (st == WEFT_OK) { ... weft_lock_release_as(lock, task_id); }
 *         else { ... st is WEFT_TIMEOUT or WEFT_CANCELLED ... }
 *     }
 *
 * Two layers:
 * - the port (`weft_uv_port_new` / `weft_uv_port_close`, `weft_uv_port_weft`): use its
 *   `weft_port *` with any `*_async` call yourself; your weft callback then runs on the
 *   loop thread. You free the `weft_op` yourself.
 * - helpers (`weft_uv_start` and the `weft_uv_lock_acquire` ... family): "start this op,
 *   call me on my loop when it ends". The helper owns the `weft_op` and frees it, arms an
 *   optional uv timer that cancels the op on timeout (and is stopped when the op ends
 *   first), and calls your `done` callback exactly once, always from the loop (never
 *   inside the starting call, even when weft granted at once), with
 *   `WEFT_OK` (granted: the lock/permit/item is yours), `WEFT_TIMEOUT` (the timer won),
 *   `WEFT_CANCELLED` (`weft_uv_cancel`, or the port was closed), or the op's own final
 *   status (`WEFT_CLOSED` for a shut-down queue, `WEFT_BROKEN` for a barrier...).
 *
 * Thread rules: every function here must be called on the loop's thread (the thread that
 * runs `uv_run` for that loop), like libuv's own handle functions; callbacks run there.
 * Other threads share the *primitives* (locks, queues...) freely, through weft.h.
 *
 * Memory: `weft_uv_port_new` allocates the port with malloc; `weft_uv_port_close` frees it
 * asynchronously (after libuv's close callback), so run the loop until the close callback
 * has been called (or until `uv_run` returns) before `uv_loop_close`. Helper records
 * (`weft_uv_op`) are allocated by the helper and freed by it after `done` returned (their
 * uv timer is closed first, so the loop must keep running a little after the last `done`).
 *
 * Requires libuv >= 1.x (`uv_poll_t`, `uv_timer_t`). Compile with -I include and link
 * with libweft and libuv (pkg-config libuv).
 */
#ifndef WEFT_UV_H
#define WEFT_UV_H

#include <stdint.h>
#include <stdlib.h>

#include <uv.h>

#include "weft.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The uv side of a weft port, one per loop (`weft_uv_port_new`). */
typedef struct weft_uv_port weft_uv_port;
/** A helper op (`weft_uv_start` and the ready-made starters). */
typedef struct weft_uv_op weft_uv_op;

/** What a grant carries: `item`, the item of a queue get (unspecified for other ops), and
 * `value`, what `weft_op_value` gives (a barrier arrival's index; unspecified for other
 * ops, 0 on a fast-path grant unless the starter wrote it). */
typedef struct weft_uv_grant {
    void *item;      /**< a queue get's item; unspecified for other ops */
    uint64_t value;  /**< what `weft_op_value` gives (a barrier arrival's index) */
} weft_uv_grant;

/** Called exactly once per helper op, on the loop thread, with the final status (see the
 * top of this file). `grant` is valid during the call only; for statuses other than
 * `WEFT_OK` it is zeroed. The callback may start new ops, cancel others, or close the
 * port. */
typedef void (*weft_uv_done_cb)(void *arg, weft_status status, const weft_uv_grant *grant);

/** Starts one weft async op for `weft_uv_start`: call any `*_async` function with `port`,
 * `cb`, `cb_arg` and `op_out` as its port, callback, arg and op out-pointer, and return
 * its status. On a fast-path `WEFT_OK`, write what was granted to `*fast` (e.g. a queue
 * get's item to `fast->item`); leave it alone otherwise. Runs inside `weft_uv_start`. */
typedef weft_status (*weft_uv_start_fn)(void *start_arg, weft_port *port, weft_callback cb,
                                        void *cb_arg, weft_op **op_out, weft_uv_grant *fast);

/** Called once the port is fully closed (its memory is freed right after it returns). */
typedef void (*weft_uv_close_cb)(weft_uv_port *wuv, void *arg);

/** A helper op. Loop-thread only; valid from `weft_uv_start` until its `done` returns. */
struct weft_uv_op {
    /** \cond INTERNAL */
    uv_timer_t timer;        /* the timeout, or the deferred delivery of a fast grant */
    weft_uv_port *wuv;
    weft_op *op;             /* NULL on the fast path (granted at once) */
    weft_uv_done_cb done;
    void *arg;
    weft_uv_grant grant;
    weft_status status;      /* WEFT_PENDING until known */
    int timed_out;           /* the timer cancelled it */
    int timer_armed;
    weft_uv_op *prev, *next; /* the port's list of live helper ops */
    /** \endcond */
};

/** The uv side of a weft port. Fields are private: use the functions. */
struct weft_uv_port {
    /** \cond INTERNAL */
    uv_poll_t poll;           /* watches the port fd for UV_READABLE */
    uv_loop_t *loop;
    weft_port *port;          /* one reference, freed when the close completes */
    size_t batch;             /* completions run per readiness (default 64) */
    int closing;
    weft_uv_op *ops;          /* live helper ops */
    size_t live;
    weft_uv_close_cb close_cb;
    void *close_arg;
    /** \endcond */
};

/* ---- the port ------------------------------------------------------------------ */

static inline void weft_uv__on_readable(uv_poll_t *poll, int status, int events) {
    weft_uv_port *wuv = (weft_uv_port *)poll->data;
    (void)status; /* on a poll error the run below is still right: it takes what is queued */
    (void)events;
    weft_port_run(wuv->port, wuv->batch, NULL);
}

static inline void weft_uv__op_deliver(weft_uv_op *req);

static inline void weft_uv__on_poll_closed(uv_handle_t *handle) {
    weft_uv_port *wuv = (weft_uv_port *)handle->data;
    /* Completions of your own ops that arrive from now on follow weft_port_free's rule:
     * not delivered here; a grant is given back and the callback, if any, hears
     * WEFT_CANCELLED on the thread that frees or completes. */
    if (wuv->port != NULL) weft_port_free(wuv->port);
    wuv->port = NULL;
    if (wuv->close_cb != NULL) wuv->close_cb(wuv, wuv->close_arg);
    free(wuv);
}

/**
 * Creates a weft port, starts watching its fd on `loop`, and writes the new object to
 * `*out`. Returns `WEFT_OK`, `WEFT_INVALID` (NULL argument), `WEFT_NO_MEMORY`,
 * `WEFT_SYSTEM` (the port or the uv poll handle could not be created; if the handle was
 * made but could not start, the loop's next turn frees what was made). The poll handle is
 * active, so `uv_run(UV_RUN_DEFAULT)` keeps running until `weft_uv_port_close`. One per
 * loop is enough (any number of ops share it). Loop thread only.
 */
static inline weft_status weft_uv_port_new(uv_loop_t *loop, weft_uv_port **out) {
    if (loop == NULL || out == NULL) return WEFT_INVALID;
    weft_uv_port *wuv = (weft_uv_port *)calloc(1, sizeof *wuv);
    if (wuv == NULL) return WEFT_NO_MEMORY;
    weft_status s = weft_port_new(&wuv->port);
    if (s != WEFT_OK) {
        free(wuv);
        return s;
    }
    int32_t fd = -1;
    weft_port_fd(wuv->port, &fd);
    if (uv_poll_init(loop, &wuv->poll, fd) != 0) {
        weft_port_free(wuv->port);
        free(wuv);
        return WEFT_SYSTEM;
    }
    wuv->loop = loop;
    wuv->batch = 64;
    wuv->poll.data = wuv;
    if (uv_poll_start(&wuv->poll, UV_READABLE, weft_uv__on_readable) != 0) {
        /* the handle is initialized: it must be closed through the loop */
        uv_close((uv_handle_t *)&wuv->poll, weft_uv__on_poll_closed); /* frees port and wuv */
        return WEFT_SYSTEM;
    }
    *out = wuv;
    return WEFT_OK;
}

/** The weft port, for `*_async` calls of your own (their callbacks then run on the loop
 * thread, inside uv_run). Borrowed: do not free it; clone it to keep it past the close. */
static inline weft_port *weft_uv_port_weft(const weft_uv_port *wuv) {
    return wuv ? wuv->port : NULL;
}

/** The loop the port was created on. */
static inline uv_loop_t *weft_uv_port_loop(const weft_uv_port *wuv) {
    return wuv ? wuv->loop : NULL;
}

/** Sets how many completions one readiness of the fd runs (>= 1; default 64). More stay
 * queued and the fd stays readable, so the loop comes back to them after other events. */
static inline void weft_uv_port_set_batch(weft_uv_port *wuv, size_t batch) {
    if (wuv != NULL && batch > 0) wuv->batch = batch;
}

/** Number of live helper ops (started and not yet delivered to `done`). */
static inline size_t weft_uv_port_live(const weft_uv_port *wuv) {
    return wuv ? wuv->live : 0;
}

/**
 * Closes the port. Asynchronous and safe at any point, including inside a `done`
 * callback or a weft callback running on this port:
 * 1. every live helper op is cancelled and its `done` called, here, before this returns
 *    (`WEFT_CANCELLED`, or `WEFT_OK`/... if its grant had already won: then what was
 *    granted is yours, as always). New helper starts return `WEFT_CLOSED`.
 * 2. completions already queued for ops of your own are run (their callbacks run here).
 * 3. the fd watch stops; once libuv has closed the handle, the weft port reference is
 *    freed, `close_cb(wuv, close_arg)` (may be NULL) is called, and the memory is freed.
 * Ops of your own still pending after step 2 then follow `weft_port_free`'s rule: a grant
 * is given back (nothing stays locked, no item is lost) and their callback hears
 * `WEFT_CANCELLED` on whatever thread completes them, so cancel them first or make their
 * callback safe off the loop thread. A second call is ignored. Loop thread only.
 */
static inline void weft_uv_port_close(weft_uv_port *wuv, weft_uv_close_cb close_cb,
                                      void *close_arg) {
    if (wuv == NULL || wuv->closing) return;
    wuv->closing = 1;
    wuv->close_cb = close_cb;
    wuv->close_arg = close_arg;
    /* 1: cancel, then drain until every helper op has delivered. A cancel that lost to a
     * grant means the grant's completion is on its way into the port (the granter decided
     * and is pushing it): wait for it with weft_port_wait, a bounded, rare wait. */
    for (weft_uv_op *r = wuv->ops; r != NULL; r = r->next) {
        if (r->op != NULL) weft_op_cancel(r->op);
    }
    while (wuv->ops != NULL) {
        /* fast grants have no op: deliver them now */
        weft_uv_op *fast = NULL;
        for (weft_uv_op *r = wuv->ops; r != NULL; r = r->next) {
            if (r->op == NULL) {
                fast = r;
                break;
            }
        }
        if (fast != NULL) {
            weft_uv__op_deliver(fast);
            continue;
        }
        size_t ran = 0;
        weft_port_run(wuv->port, SIZE_MAX, &ran);
        if (ran == 0 && wuv->ops != NULL) weft_port_wait(wuv->port, WEFT_MS);
    }
    /* 2: completions of the user's own ops that are already here */
    weft_port_run(wuv->port, SIZE_MAX, NULL);
    /* 3 */
    uv_poll_stop(&wuv->poll);
    uv_close((uv_handle_t *)&wuv->poll, weft_uv__on_poll_closed);
}

/* ---- helper ops ------------------------------------------------------------------ */

static inline void weft_uv__on_timer_closed(uv_handle_t *handle) {
    free(handle->data);
}

/** Delivers a finished helper op once: unlink, stop its timer, free its weft_op, call
 * done, then close the timer (which frees the record). */
static inline void weft_uv__op_deliver(weft_uv_op *req) {
    weft_uv_port *wuv = req->wuv;
    if (req->prev != NULL) req->prev->next = req->next;
    else wuv->ops = req->next;
    if (req->next != NULL) req->next->prev = req->prev;
    req->prev = req->next = NULL;
    wuv->live--;
    uv_timer_stop(&req->timer);
    weft_status status = req->status;
    if (req->op != NULL) {
        if (status == WEFT_OK) {
            weft_op_value(req->op, &req->grant.value);
            req->grant.item = (void *)(uintptr_t)req->grant.value;
        }
        weft_op_free(req->op);
        req->op = NULL;
    }
    if (status == WEFT_CANCELLED && req->timed_out) status = WEFT_TIMEOUT;
    weft_uv_grant none = {NULL, 0};
    req->done(req->arg, status, status == WEFT_OK ? &req->grant : &none);
    uv_close((uv_handle_t *)&req->timer, weft_uv__on_timer_closed);
}

/** The weft callback of every helper op: runs inside weft_port_run, on the loop thread. */
static inline void weft_uv__op_complete(void *arg, weft_status status) {
    weft_uv_op *req = (weft_uv_op *)arg;
    req->status = status;
    weft_uv__op_deliver(req);
}

static inline void weft_uv__on_timer(uv_timer_t *timer) {
    weft_uv_op *req = (weft_uv_op *)timer->data;
    if (req->op == NULL) { /* deferred fast grant */
        weft_uv__op_deliver(req);
        return;
    }
    /* Timeout: cancel. If the cancel won, the WEFT_CANCELLED completion comes through the
     * port (reported as WEFT_TIMEOUT); if the grant won, its WEFT_OK completion does. */
    req->timed_out = 1;
    if (weft_op_cancel(req->op) != WEFT_CANCELLED) req->timed_out = 0;
}

/**
 * Starts a weft async op through `start` (see `weft_uv_start_fn`) bound to this port, and
 * arranges for `done(arg, status, grant)` to be called exactly once on the loop thread,
 * never inside this call. `timeout_ms` > 0 arms a uv timer that cancels the op when it
 * fires (`done` then hears `WEFT_TIMEOUT`, unless the grant won the race: then
 * `WEFT_OK`); 0 or negative: no timeout. The timer is stopped when the op ends first; the
 * weft_op is freed by the helper. Writes the helper op to `*req_out` (may be NULL) for
 * `weft_uv_cancel`; it is valid until `done` returns.
 * Returns `WEFT_OK` (done follows), or an error and `done` is never called:
 * `WEFT_INVALID` (NULL wuv/start/done), `WEFT_CLOSED` (the port is closing),
 * `WEFT_NO_MEMORY`, or whatever error `start` returned (e.g. `WEFT_DEADLOCK`).
 * Loop thread only.
 */
static inline weft_status weft_uv_start(weft_uv_port *wuv, weft_uv_start_fn start,
                                        void *start_arg, int64_t timeout_ms,
                                        weft_uv_done_cb done, void *arg, weft_uv_op **req_out) {
    if (wuv == NULL || start == NULL || done == NULL) return WEFT_INVALID;
    if (wuv->closing) return WEFT_CLOSED;
    weft_uv_op *req = (weft_uv_op *)calloc(1, sizeof *req);
    if (req == NULL) return WEFT_NO_MEMORY;
    req->wuv = wuv;
    req->done = done;
    req->arg = arg;
    req->status = WEFT_PENDING;
    weft_status s = start(start_arg, wuv->port, weft_uv__op_complete, req, &req->op, &req->grant);
    if (s != WEFT_OK && s != WEFT_PENDING) {
        free(req);
        return s;
    }
    uv_timer_init(wuv->loop, &req->timer);
    req->timer.data = req;
    req->next = wuv->ops;
    if (wuv->ops != NULL) wuv->ops->prev = req;
    wuv->ops = req;
    wuv->live++;
    if (s == WEFT_OK) {
        req->op = NULL;
        req->status = WEFT_OK;
        uv_timer_start(&req->timer, weft_uv__on_timer, 0, 0); /* deliver on the next turn */
    } else if (timeout_ms > 0) {
        uv_timer_start(&req->timer, weft_uv__on_timer, (uint64_t)timeout_ms, 0);
    }
    if (req_out != NULL) *req_out = req;
    return WEFT_OK;
}

/**
 * Cancels a live helper op, racing safely with its grant: `done` follows (not inside
 * this call) with `WEFT_CANCELLED`, or with `WEFT_OK` if the grant had already won (then
 * what was granted is yours). Returns the status `weft_op_cancel` returned (`WEFT_OK` for
 * a fast grant, which cannot be cancelled). Loop thread only; `req` must be live.
 */
static inline weft_status weft_uv_cancel(weft_uv_op *req) {
    if (req == NULL) return WEFT_INVALID;
    if (req->op == NULL) return WEFT_OK;
    uv_timer_stop(&req->timer); /* a user cancel is not a timeout */
    return weft_op_cancel(req->op);
}

/* ---- ready-made starters ---------------------------------------------------------- */

typedef struct weft_uv__lock_args {
    weft_lock *lock;
    uint64_t owner;
} weft_uv__lock_args;

static inline weft_status weft_uv__start_lock(void *a, weft_port *port, weft_callback cb, void *cb_arg,
                                       weft_op **op_out, weft_uv_grant *fast) {
    weft_uv__lock_args *args = (weft_uv__lock_args *)a;
    (void)fast;
    return weft_lock_acquire_async(args->lock, args->owner, port, cb, cb_arg, op_out);
}

/** "Acquire `lock` for `owner` (nonzero), then call me on my loop." `WEFT_OK` in `done`:
 * the lock is `owner`'s; release it with `weft_lock_release_as(lock, owner)`. Returns as
 * `weft_uv_start` (e.g. `WEFT_DEADLOCK` at once if `owner` holds it). */
static inline weft_status weft_uv_lock_acquire(weft_uv_port *wuv, weft_lock *lock,
                                               uint64_t owner, int64_t timeout_ms,
                                               weft_uv_done_cb done, void *arg,
                                               weft_uv_op **req_out) {
    weft_uv__lock_args args = {lock, owner};
    return weft_uv_start(wuv, weft_uv__start_lock, &args, timeout_ms, done, arg, req_out);
}

static inline weft_status weft_uv__start_sem(void *a, weft_port *port, weft_callback cb, void *cb_arg,
                                      weft_op **op_out, weft_uv_grant *fast) {
    (void)fast;
    return weft_sem_acquire_async((weft_sem *)a, port, cb, cb_arg, op_out);
}

/** Takes one permit of `sem`; `WEFT_OK` in `done`: the permit is yours (give it back with
 * `weft_sem_release(sem, 1)`). */
static inline weft_status weft_uv_sem_acquire(weft_uv_port *wuv, weft_sem *sem,
                                              int64_t timeout_ms, weft_uv_done_cb done,
                                              void *arg, weft_uv_op **req_out) {
    return weft_uv_start(wuv, weft_uv__start_sem, sem, timeout_ms, done, arg, req_out);
}

static inline weft_status weft_uv__start_event(void *a, weft_port *port, weft_callback cb,
                                        void *cb_arg, weft_op **op_out, weft_uv_grant *fast) {
    (void)fast;
    return weft_event_wait_async((weft_event *)a, port, cb, cb_arg, op_out);
}

/** Waits for `event` to be set; `WEFT_OK` in `done` once it is. */
static inline weft_status weft_uv_event_wait(weft_uv_port *wuv, weft_event *event,
                                             int64_t timeout_ms, weft_uv_done_cb done,
                                             void *arg, weft_uv_op **req_out) {
    return weft_uv_start(wuv, weft_uv__start_event, event, timeout_ms, done, arg, req_out);
}

static inline weft_status weft_uv__start_get(void *a, weft_port *port, weft_callback cb, void *cb_arg,
                                      weft_op **op_out, weft_uv_grant *fast) {
    return weft_queue_get_async((weft_queue *)a, &fast->item, port, cb, cb_arg, op_out);
}

/** Takes the next item of `queue`: `done` hears `WEFT_OK` with the item in `grant->item`
 * (now yours), `WEFT_CLOSED` (shut down and empty), `WEFT_TIMEOUT` or `WEFT_CANCELLED`
 * (no item was taken). A start on a shut-down, empty queue returns `WEFT_CLOSED` at once
 * (no `done`). */
static inline weft_status weft_uv_queue_get(weft_uv_port *wuv, weft_queue *queue,
                                            int64_t timeout_ms, weft_uv_done_cb done, void *arg,
                                            weft_uv_op **req_out) {
    return weft_uv_start(wuv, weft_uv__start_get, queue, timeout_ms, done, arg, req_out);
}

typedef struct weft_uv__put_args {
    weft_queue *queue;
    void *item;
    int64_t priority;
} weft_uv__put_args;

static inline weft_status weft_uv__start_put(void *a, weft_port *port, weft_callback cb, void *cb_arg,
                                      weft_op **op_out, weft_uv_grant *fast) {
    weft_uv__put_args *args = (weft_uv__put_args *)a;
    (void)fast;
    return weft_queue_put_async(args->queue, args->item, args->priority, port, cb, cb_arg,
                                op_out);
}

/** Puts `item` into `queue`, waiting for room: `WEFT_OK` in `done` when it went in; on any
 * other status (`WEFT_CLOSED`, `WEFT_TIMEOUT`, `WEFT_CANCELLED`) the item is still yours.
 * A start on a shut-down queue returns `WEFT_CLOSED` at once (no `done`). */
static inline weft_status weft_uv_queue_put(weft_uv_port *wuv, weft_queue *queue, void *item,
                                            int64_t priority, int64_t timeout_ms,
                                            weft_uv_done_cb done, void *arg,
                                            weft_uv_op **req_out) {
    weft_uv__put_args args = {queue, item, priority};
    return weft_uv_start(wuv, weft_uv__start_put, &args, timeout_ms, done, arg, req_out);
}

#ifdef __cplusplus
}
#endif

#endif /* WEFT_UV_H */
