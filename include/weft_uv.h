/**
 * \file
 * weft_uv.h: header-only libuv integration for weft (include/weft.h).
 *
 * One `weft_uv_port` per uv loop: a weft port whose fd a `uv_poll_t` watches; when it is
 * readable the loop runs the port's completions (`weft_port_run`), so every async weft op
 * started on this port completes on the loop's thread, inside `uv_run`. (The port's
 * notify hook, `weft_port_set_notify`, could wake the loop with `uv_async_send` instead;
 * measured, that was slower: see docs/performance.md, "Issue 15: loop wake-ups".)
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
 * (`weft_uv_op`) are allocated by the helper and freed by it after `done` returned; a
 * timer's memory is freed in its uv close callback, so the loop must keep running a
 * little after the last `done`.
 *
 * What is not about libuv (the helper op records, their delivery, cancel and close, the
 * ready-made starters) lives in weft_loop.h, shared with weft_glib.h; this file adds the
 * `uv_poll_t` watcher and the uv timers.
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
#include "weft_loop.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The uv side of a weft port, one per loop (`weft_uv_port_new`). */
typedef struct weft_uv_port weft_uv_port;
/** A helper op (`weft_uv_start` and the ready-made starters). Loop-thread only; valid
 * from its start until its `done` returns. */
typedef weft_loop_op weft_uv_op;
/** What a grant carries (see `weft_loop_grant`). */
typedef weft_loop_grant weft_uv_grant;
/** Called exactly once per helper op, on the loop thread, with the final status (see the
 * top of this file and `weft_loop_done_cb`). `grant` is valid during the call only; for
 * statuses other than `WEFT_OK` it is zeroed. The callback may start new ops, cancel
 * others, or close the port. */
typedef weft_loop_done_cb weft_uv_done_cb;
/** Starts one weft async op for `weft_uv_start` (see `weft_loop_start_fn`). */
typedef weft_loop_start_fn weft_uv_start_fn;

/** Called once the port is fully closed (its memory is freed right after it returns). */
typedef void (*weft_uv_close_cb)(weft_uv_port *wuv, void *arg);

/** The uv side of a weft port. Fields are private: use the functions. */
struct weft_uv_port {
    /** \cond INTERNAL */
    weft_loop base;           /* the helper ops and the port (weft_loop.h) */
    uv_poll_t poll;           /* watches the port fd for UV_READABLE */
    uv_loop_t *loop;
    weft_uv_close_cb close_cb;
    void *close_arg;
    /** \endcond */
};

/* ---- the watcher: a uv_poll_t on the port fd ------------------------------------------ */

static inline void weft_uv__on_readable(uv_poll_t *poll, int status, int events) {
    weft_uv_port *wuv = (weft_uv_port *)poll->data;
    (void)status; /* on a poll error the run below is still right: it takes what is queued */
    (void)events;
    /* more queued than one batch: the fd stays readable, so the poll fires again after
     * the loop's other events */
    (void)weft_loop_run(&wuv->base);
}

static inline void weft_uv__on_poll_closed(uv_handle_t *handle) {
    weft_uv_port *wuv = (weft_uv_port *)handle->data;
    /* Completions of your own ops that arrive from now on follow weft_port_free's rule:
     * not delivered here; a grant is given back and the callback, if any, hears
     * WEFT_CANCELLED on the thread that frees or completes. */
    weft_loop_release_port(&wuv->base);
    if (wuv->close_cb != NULL) wuv->close_cb(wuv, wuv->close_arg);
    free(wuv);
}

/* ---- the hooks: uv timers ----------------------------------------------------------- */

static inline void weft_uv__on_timer(uv_timer_t *timer) {
    weft_loop_timer_fired((weft_uv_op *)timer->data);
}

static inline void weft_uv__free_handle(uv_handle_t *handle) {
    free(handle);
}

static inline void weft_uv__arm_timer(weft_uv_op *req, int64_t ms) {
    weft_uv_port *wuv = (weft_uv_port *)req->loop->owner;
    uv_timer_t *timer = (uv_timer_t *)malloc(sizeof *timer);
    if (timer == NULL) abort(); /* as weft itself does when allocation fails */
    uv_timer_init(wuv->loop, timer);
    timer->data = req;
    req->timer = timer;
    uv_timer_start(timer, weft_uv__on_timer, (uint64_t)ms, 0); /* 0: the next turn */
}

static inline void weft_uv__disarm_timer(weft_uv_op *req) {
    uv_timer_t *timer = (uv_timer_t *)req->timer;
    req->timer = NULL;
    uv_timer_stop(timer);
    uv_close((uv_handle_t *)timer, weft_uv__free_handle);
}

static inline void weft_uv__closed(weft_loop *base) {
    weft_uv_port *wuv = (weft_uv_port *)base->owner;
    uv_poll_stop(&wuv->poll);
    uv_close((uv_handle_t *)&wuv->poll, weft_uv__on_poll_closed);
}

static const weft_loop_hooks weft_uv__hooks = {
    weft_uv__arm_timer, weft_uv__disarm_timer, weft_uv__closed,
};

/* ---- the port ------------------------------------------------------------------------- */

/**
 * Creates a weft port watched by a `uv_poll_t` on `loop` and writes the new object to
 * `*out`. Returns `WEFT_OK`, `WEFT_INVALID` (NULL argument), `WEFT_NO_MEMORY`,
 * `WEFT_SYSTEM` (the port or the uv handle could not be created). The poll handle is
 * active, so `uv_run(UV_RUN_DEFAULT)` keeps running until `weft_uv_port_close`. One per
 * loop is enough (any number of ops share it). Loop thread only.
 */
static inline weft_status weft_uv_port_new(uv_loop_t *loop, weft_uv_port **out) {
    if (loop == NULL || out == NULL) return WEFT_INVALID;
    weft_uv_port *wuv = (weft_uv_port *)calloc(1, sizeof *wuv);
    if (wuv == NULL) return WEFT_NO_MEMORY;
    weft_status s = weft_loop_init(&wuv->base, &weft_uv__hooks, wuv);
    if (s != WEFT_OK) {
        free(wuv);
        return s;
    }
    int32_t fd = -1;
    weft_port_fd(wuv->base.port, &fd);
    if (uv_poll_init(loop, &wuv->poll, fd) != 0) {
        weft_loop_release_port(&wuv->base);
        free(wuv);
        return WEFT_SYSTEM;
    }
    wuv->loop = loop;
    wuv->poll.data = wuv;
    if (uv_poll_start(&wuv->poll, UV_READABLE, weft_uv__on_readable) != 0) {
        /* the handle is initialized: it must be closed through the loop */
        uv_close((uv_handle_t *)&wuv->poll, weft_uv__on_poll_closed);
        return WEFT_SYSTEM;
    }
    *out = wuv;
    return WEFT_OK;
}

/** The weft port, for `*_async` calls of your own (their callbacks then run on the loop
 * thread, inside uv_run). Borrowed: do not free it; clone it to keep it past the close.
 * Run it only through this object (never `weft_port_run` it yourself), and leave its
 * notify hook alone. */
static inline weft_port *weft_uv_port_weft(const weft_uv_port *wuv) {
    return wuv ? wuv->base.port : NULL;
}

/** The loop the port was created on. */
static inline uv_loop_t *weft_uv_port_loop(const weft_uv_port *wuv) {
    return wuv ? wuv->loop : NULL;
}

/** Sets how many completions one wake-up runs (>= 1; default 64). More stay queued and
 * the loop comes back to them after its other events. */
static inline void weft_uv_port_set_batch(weft_uv_port *wuv, size_t batch) {
    if (wuv != NULL && batch > 0) wuv->base.batch = batch;
}

/** Number of live helper ops (started and not yet delivered to `done`). */
static inline size_t weft_uv_port_live(const weft_uv_port *wuv) {
    return wuv ? wuv->base.live_count : 0;
}

/**
 * Closes the port. Asynchronous and safe at any point, including inside a `done`
 * callback or a weft callback running on this port:
 * 1. every live helper op is cancelled and its `done` called, here, before this returns
 *    (`WEFT_CANCELLED`, or `WEFT_OK`/... if its grant had already won: then what was
 *    granted is yours, as always). New helper starts return `WEFT_CLOSED`.
 * 2. completions already queued for ops of your own are run (their callbacks run here).
 * 3. once the completions of the helper ops answered in step 1 have all come in (at once,
 *    or, for one a granter on another thread was still handing over, or one a run further
 *    up the stack holds, on a later loop turn), the wake-up handle is closed; once libuv
 *    has closed it, the weft port reference is freed, `close_cb(wuv, close_arg)` (may be
 *    NULL) is called, and the memory is freed.
 * Ops of your own still pending after step 2 then follow `weft_port_free`'s rule: a grant
 * is given back (nothing stays locked, no item is lost) and their callback hears
 * `WEFT_CANCELLED` on whatever thread completes them, so cancel them first or make their
 * callback safe off the loop thread. A second call is ignored. Loop thread only.
 */
static inline void weft_uv_port_close(weft_uv_port *wuv, weft_uv_close_cb close_cb,
                                      void *close_arg) {
    if (wuv == NULL || wuv->base.closing) return;
    wuv->close_cb = close_cb;
    wuv->close_arg = close_arg;
    weft_loop_close(&wuv->base);
}

/* ---- helper ops ------------------------------------------------------------------ */

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
    return weft_loop_start(wuv ? &wuv->base : NULL, start, start_arg, timeout_ms, done, arg,
                           req_out);
}

/**
 * Cancels a live helper op, racing safely with its grant: `done` follows (not inside
 * this call) with `WEFT_CANCELLED`, or with `WEFT_OK` if the grant had already won (then
 * what was granted is yours). Returns what the op's first cancel answered
 * (`weft_op_cancel`: `WEFT_CANCELLED`, or the status that had won), `WEFT_ANSWERED` if
 * the op was cancelled before (a second `weft_uv_cancel`, or its timeout fired: `done`
 * then hears what that cancel decided, e.g. `WEFT_TIMEOUT`), or `WEFT_OK` for a fast
 * grant, which cannot be cancelled. Loop thread only; `req` must be live.
 */
static inline weft_status weft_uv_cancel(weft_uv_op *req) {
    return weft_loop_cancel(req);
}

/* ---- ready-made starters ---------------------------------------------------------- */

/** "Acquire `lock` for `owner` (nonzero), then call me on my loop." `WEFT_OK` in `done`:
 * the lock is `owner`'s; release it with `weft_lock_release_as(lock, owner)`. Returns as
 * `weft_uv_start` (e.g. `WEFT_DEADLOCK` at once if `owner` holds it). */
static inline weft_status weft_uv_lock_acquire(weft_uv_port *wuv, weft_lock *lock,
                                               uint64_t owner, int64_t timeout_ms,
                                               weft_uv_done_cb done, void *arg,
                                               weft_uv_op **req_out) {
    return weft_loop_lock_acquire(wuv ? &wuv->base : NULL, lock, owner, timeout_ms, done, arg,
                                  req_out);
}

/** Takes one permit of `sem`; `WEFT_OK` in `done`: the permit is yours (give it back with
 * `weft_sem_release(sem, 1)`). */
static inline weft_status weft_uv_sem_acquire(weft_uv_port *wuv, weft_sem *sem,
                                              int64_t timeout_ms, weft_uv_done_cb done,
                                              void *arg, weft_uv_op **req_out) {
    return weft_loop_sem_acquire(wuv ? &wuv->base : NULL, sem, timeout_ms, done, arg, req_out);
}

/** Waits for `event` to be set; `WEFT_OK` in `done` once it is. */
static inline weft_status weft_uv_event_wait(weft_uv_port *wuv, weft_event *event,
                                             int64_t timeout_ms, weft_uv_done_cb done,
                                             void *arg, weft_uv_op **req_out) {
    return weft_loop_event_wait(wuv ? &wuv->base : NULL, event, timeout_ms, done, arg,
                                req_out);
}

/** Takes the next item of `queue`: `done` hears `WEFT_OK` with the item in `grant->item`
 * (now yours), `WEFT_CLOSED` (shut down and empty), `WEFT_TIMEOUT` or `WEFT_CANCELLED`
 * (no item was taken). A start on a shut-down, empty queue returns `WEFT_CLOSED` at once
 * (no `done`). */
static inline weft_status weft_uv_queue_get(weft_uv_port *wuv, weft_queue *queue,
                                            int64_t timeout_ms, weft_uv_done_cb done, void *arg,
                                            weft_uv_op **req_out) {
    return weft_loop_queue_get(wuv ? &wuv->base : NULL, queue, timeout_ms, done, arg, req_out);
}

/** Puts `item` into `queue`, waiting for room: `WEFT_OK` in `done` when it went in; on any
 * other status (`WEFT_CLOSED`, `WEFT_TIMEOUT`, `WEFT_CANCELLED`) the item is still yours.
 * A start on a shut-down queue returns `WEFT_CLOSED` at once (no `done`). */
static inline weft_status weft_uv_queue_put(weft_uv_port *wuv, weft_queue *queue, void *item,
                                            int64_t priority, int64_t timeout_ms,
                                            weft_uv_done_cb done, void *arg,
                                            weft_uv_op **req_out) {
    return weft_loop_queue_put(wuv ? &wuv->base : NULL, queue, item, priority, timeout_ms, done,
                               arg, req_out);
}

#ifdef __cplusplus
}
#endif

#endif /* WEFT_UV_H */
