/**
 * \file
 * weft_loop.h: the loop-independent half of weft_uv.h and weft_glib.h (header-only).
 *
 * weft_uv.h and weft_glib.h include it; include it yourself only to integrate another
 * loop the same way (embed a `weft_loop`, supply `weft_loop_hooks`). It holds what every
 * loop integration shares: the helper op record (`weft_loop_op`), the list of live helper
 * ops, their start, delivery, cancel and the drain at close, the grant a helper op
 * reports (`weft_loop_grant`), and the ready-made starters (lock, semaphore, event, queue
 * get and put). A loop header adds only its own part: how the loop is woken (it sets the
 * port's notify hook, `weft_port_set_notify`, to the loop's own cross-thread wake-up and
 * runs the port when woken) and the hooks of `weft_loop_hooks` (arm a timer or defer a
 * delivery to the next loop turn, disarm it, and finish a close).
 *
 * The contract the loop headers promise (exactly one `done` per helper op, always from
 * the loop, never inside the starting call; close safe anywhere on the loop thread) is
 * kept here. The pieces, in the order an op lives:
 * - start: the op is started through a `weft_loop_start_fn` on the loop's port with
 *   `weft_loop__complete` as its weft callback; a fast grant (the op was granted at once)
 *   is deferred to the next loop turn; a timeout arms a timer that cancels the op.
 * - delivery: the weft completion runs `weft_loop__complete` inside `weft_port_run`; it
 *   unlinks the record, disarms its timer, calls `done` and frees the record.
 * - close (`weft_loop_close`): every live op is cancelled and answered before the call
 *   returns. An op whose completion the port cannot hand over yet (it sits in the batch
 *   of a `weft_port_run` further up the stack, or a granter on another thread is pushing
 *   it) is answered from its op's status, and its record waits for that completion to
 *   free it; the port is released only after the last such completion, so a grant is
 *   never handed both to `done` and back to the primitive.
 *
 * Thread rules: everything here runs on the loop's thread, except the notify hook the loop
 * header sets, which only wakes the loop.
 */
#ifndef WEFT_LOOP_H
#define WEFT_LOOP_H

#include <stdint.h>
#include <stdlib.h>

#include "weft.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A loop integration's shared state, embedded in `weft_uv_port` and `weft_glib_source`. */
typedef struct weft_loop weft_loop;
/** A helper op (`weft_uv_op`, `weft_glib_op`). */
typedef struct weft_loop_op weft_loop_op;

/** What a grant carries (`weft_uv_grant`, `weft_glib_grant`): `item`, the item of a queue
 * get (unspecified for other ops), and `value`, what `weft_op_value` gives (a barrier
 * arrival's index; unspecified for other ops, 0 on a fast-path grant unless the starter
 * wrote it). */
typedef struct weft_loop_grant {
    void *item;      /**< a queue get's item; unspecified for other ops */
    uint64_t value;  /**< what `weft_op_value` gives (a barrier arrival's index) */
} weft_loop_grant;

/** Called exactly once per helper op, on the loop thread, with the final status: `WEFT_OK`
 * (granted: the lock/permit/item is yours), `WEFT_TIMEOUT` (the timer won),
 * `WEFT_CANCELLED` (a cancel, or the loop's port was closed), or the op's own final
 * status (`WEFT_CLOSED` for a shut-down queue, `WEFT_BROKEN` for a barrier...). `grant`
 * is valid during the call only and zeroed unless `status` is `WEFT_OK`. The callback may
 * start new ops, cancel others, or close the loop's port. */
typedef void (*weft_loop_done_cb)(void *arg, weft_status status, const weft_loop_grant *grant);

/** Starts one weft async op for a helper start (`weft_uv_start`, `weft_glib_start`): call
 * any `*_async` function with `port`, `cb`, `cb_arg` and `op_out` as its port, callback,
 * arg and op out-pointer, and return its status. On a fast-path `WEFT_OK`, write what was
 * granted to `*fast` (e.g. a queue get's item to `fast->item`); leave it alone otherwise.
 * Runs inside the start call. */
typedef weft_status (*weft_loop_start_fn)(void *start_arg, weft_port *port, weft_callback cb,
                                          void *cb_arg, weft_op **op_out,
                                          weft_loop_grant *fast);

/** What a loop header supplies. Each hook runs on the loop thread. */
typedef struct weft_loop_hooks {
    /** Arms `req`'s timer (`req->timer` is the loop header's to use, NULL when disarmed):
     * after `ms` > 0 milliseconds call `weft_loop_timer_fired(req)`; `ms` == 0 defers a
     * delivery: call it on the loop's next turn, never inside this hook. */
    void (*arm_timer)(weft_loop_op *req, int64_t ms);
    /** Stops and disposes of `req`'s armed timer (only called when `req->timer` is set);
     * sets `req->timer` to NULL. */
    void (*disarm_timer)(weft_loop_op *req);
    /** The close has answered every helper op and no completion of theirs is still on
     * its way: stop waking the loop and release the port (`weft_loop_release_port`),
     * possibly later, from the loop. Called once, maybe inside `weft_port_run`. */
    void (*closed)(weft_loop *loop);
} weft_loop_hooks;

/** A helper op. Loop-thread only; valid from its start until its `done` returns. */
struct weft_loop_op {
    /** \cond INTERNAL */
    weft_loop *loop;         /* NULL once orphaned: the port went away before completing */
    weft_op *op;             /* NULL on the fast path (granted at once) */
    void *timer;             /* the loop header's timer, or NULL */
    weft_loop_done_cb done;
    void *arg;
    weft_loop_grant grant;
    weft_status status;      /* WEFT_PENDING until known */
    int timed_out;           /* the timer's cancel won */
    int cancelled;           /* a cancel (the timer's, the user's or the close's) was made */
    int answered;            /* done was called before the weft completion arrived */
    weft_loop_op *prev, *next; /* the list it is in: live ops, or answered ones */
    /** \endcond */
};

/** The shared state of a loop integration. Fields are private: use the loop header's
 * functions. */
struct weft_loop {
    /** \cond INTERNAL */
    weft_port *port;          /* one reference, released by weft_loop_release_port */
    const weft_loop_hooks *hooks;
    void *owner;              /* the weft_uv_port / weft_glib_source around this */
    size_t batch;             /* completions run per wake-up (default 64) */
    int closing;              /* new starts return WEFT_CLOSED */
    int finished;             /* hooks->closed was called */
    weft_loop_op *live;       /* started, done not yet called */
    size_t live_count;
    weft_loop_op *answered;   /* done called by the close, completion still to come */
    /** \endcond */
};

/* ---- the record list ----------------------------------------------------------------- */

static inline void weft_loop__link(weft_loop_op **list, weft_loop_op *req) {
    req->prev = NULL;
    req->next = *list;
    if (*list != NULL) (*list)->prev = req;
    *list = req;
}

static inline void weft_loop__unlink(weft_loop_op **list, weft_loop_op *req) {
    if (req->prev != NULL) req->prev->next = req->next;
    else *list = req->next;
    if (req->next != NULL) req->next->prev = req->prev;
    req->prev = req->next = NULL;
}

/* ---- the loop's state ------------------------------------------------------------------ */

/** Initializes `loop` around a new weft port. `WEFT_OK` or `weft_port_new`'s error. */
static inline weft_status weft_loop_init(weft_loop *loop, const weft_loop_hooks *hooks,
                                         void *owner) {
    weft_status s = weft_port_new(&loop->port);
    if (s != WEFT_OK) return s;
    loop->hooks = hooks;
    loop->owner = owner;
    loop->batch = 64;
    loop->closing = 0;
    loop->finished = 0;
    loop->live = NULL;
    loop->live_count = 0;
    loop->answered = NULL;
    return WEFT_OK;
}

/** Runs up to one batch of the port's completions (the loop was woken). Returns whether
 * completions may remain queued: then the loop must come back by itself, because the
 * port's notify hook is called only when its queue was empty. */
static inline int weft_loop_run(weft_loop *loop) {
    weft_port *port = loop->port;
    size_t ran = 0, pending = 0;
    if (port == NULL) return 0;
    weft_port_run(port, loop->batch, &ran);
    if (ran < loop->batch || loop->finished) return 0;
    weft_port_pending(port, &pending);
    return pending > 0;
}

/** Frees the loop's weft port reference. Records still waiting for their completion (only
 * when the loop went away unfinished, e.g. a GMainContext freed with the source attached)
 * are orphaned first: their completion, wherever it runs, then only frees them. */
static inline void weft_loop_release_port(weft_loop *loop) {
    for (weft_loop_op *r = loop->answered; r != NULL; r = r->next) r->loop = NULL;
    loop->answered = NULL;
    if (loop->port != NULL) weft_port_free(loop->port);
    loop->port = NULL;
}

static inline void weft_loop__finish_if_done(weft_loop *loop) {
    if (loop->closing && !loop->finished && loop->live == NULL && loop->answered == NULL) {
        loop->finished = 1;
        loop->hooks->closed(loop);
    }
}

/* ---- delivery ---------------------------------------------------------------------------- */

/** Calls `done` for a record whose final status is known, after unlinking it from the live
 * list and disarming its timer. The caller frees or parks the record afterwards. */
static inline void weft_loop__answer(weft_loop_op *req) {
    weft_loop *loop = req->loop;
    weft_loop__unlink(&loop->live, req);
    loop->live_count--;
    if (req->timer != NULL) loop->hooks->disarm_timer(req);
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
    weft_loop_grant none = {NULL, 0};
    req->done(req->arg, status, status == WEFT_OK ? &req->grant : &none);
}

/** Delivers a record whose weft completion is in (or that never had one: a fast grant). */
static inline void weft_loop__deliver(weft_loop_op *req) {
    weft_loop *loop = req->loop;
    weft_loop__answer(req);
    free(req);
    weft_loop__finish_if_done(loop);
}

/** The weft callback of every helper op: runs inside `weft_port_run`, on the loop thread
 * (or, for an orphaned record, wherever the port's last reference was dropped or the op
 * was completed). */
static inline void weft_loop__complete(void *arg, weft_status status) {
    weft_loop_op *req = (weft_loop_op *)arg;
    weft_loop *loop = req->loop;
    if (loop == NULL) { /* orphaned: nobody is left to tell */
        free(req);
        return;
    }
    if (req->answered) { /* the close answered it already: this completion only frees it */
        weft_loop__unlink(&loop->answered, req);
        free(req);
        weft_loop__finish_if_done(loop);
        return;
    }
    req->status = status;
    weft_loop__deliver(req);
}

/** Cancels `req`'s op once; returns what `weft_op_cancel` answered, or `WEFT_ANSWERED` if
 * an earlier cancel of this record was made. */
static inline weft_status weft_loop__cancel_op(weft_loop_op *req) {
    if (req->cancelled) return WEFT_ANSWERED;
    req->cancelled = 1;
    return weft_op_cancel(req->op);
}

/** What a loop header's timer calls when it fires (see `weft_loop_hooks.arm_timer`). A
 * deferred fast grant is delivered; a timeout cancels the op: if the cancel won, the
 * `WEFT_CANCELLED` completion comes through the port (and `done` hears `WEFT_TIMEOUT`);
 * if the grant won, its `WEFT_OK` completion does. The timer is disarmed either way. */
static inline void weft_loop_timer_fired(weft_loop_op *req) {
    req->loop->hooks->disarm_timer(req);
    if (req->op == NULL) {
        weft_loop__deliver(req);
        return;
    }
    if (weft_loop__cancel_op(req) == WEFT_CANCELLED) req->timed_out = 1;
}

/* ---- the three verbs: start, cancel, close --------------------------------------------- */

/** Starts a helper op (what `weft_uv_start` and `weft_glib_start` do; see there). */
static inline weft_status weft_loop_start(weft_loop *loop, weft_loop_start_fn start,
                                          void *start_arg, int64_t timeout_ms,
                                          weft_loop_done_cb done, void *arg,
                                          weft_loop_op **req_out) {
    if (loop == NULL || start == NULL || done == NULL) return WEFT_INVALID;
    if (loop->closing) return WEFT_CLOSED;
    weft_loop_op *req = (weft_loop_op *)calloc(1, sizeof *req);
    if (req == NULL) return WEFT_NO_MEMORY;
    req->loop = loop;
    req->done = done;
    req->arg = arg;
    req->status = WEFT_PENDING;
    weft_status s = start(start_arg, loop->port, weft_loop__complete, req, &req->op, &req->grant);
    if (s != WEFT_OK && s != WEFT_PENDING) {
        free(req);
        return s;
    }
    weft_loop__link(&loop->live, req);
    loop->live_count++;
    if (s == WEFT_OK) {
        req->op = NULL;
        req->status = WEFT_OK;
        loop->hooks->arm_timer(req, 0); /* deliver on the next turn */
    } else if (timeout_ms > 0) {
        loop->hooks->arm_timer(req, timeout_ms);
    }
    if (req_out != NULL) *req_out = req;
    return WEFT_OK;
}

/** Cancels a live helper op (what `weft_uv_cancel` and `weft_glib_cancel` do; see there). */
static inline weft_status weft_loop_cancel(weft_loop_op *req) {
    if (req == NULL) return WEFT_INVALID;
    if (req->op == NULL) return WEFT_OK;
    if (req->timer != NULL) req->loop->hooks->disarm_timer(req); /* not a timeout */
    return weft_loop__cancel_op(req);
}

/** Starts closing the loop (what `weft_uv_port_close` and `weft_glib_source_destroy` do;
 * see there): cancels and answers every live helper op before it returns, runs the
 * completions already queued, and calls `hooks->closed` once no completion of a helper
 * op is still to come (here, or later from the loop). A second call does nothing. */
static inline void weft_loop_close(weft_loop *loop) {
    if (loop == NULL || loop->closing) return;
    loop->closing = 1;
    for (weft_loop_op *r = loop->live; r != NULL; r = r->next) {
        if (r->op != NULL) weft_loop__cancel_op(r);
    }
    /* Completions already queued: the cancels just made, grants that had won, and those of
     * the user's own ops. Their done/callbacks run here. */
    weft_port_run(loop->port, SIZE_MAX, NULL);
    /* Whatever is still live is a fast grant waiting for its turn, or an op whose
     * completion the port cannot hand over now: it sits in the batch of a weft_port_run
     * further up this stack, or a granter on another thread is still pushing it. The op is
     * decided (a cancel was made), so its status is final: answer it now, and let the
     * completion free the record when it comes. */
    while (loop->live != NULL) {
        weft_loop_op *req = loop->live;
        if (req->op == NULL) {
            weft_loop__answer(req);
            free(req);
            continue;
        }
        weft_op_status(req->op, &req->status);
        weft_loop__answer(req);
        req->answered = 1;
        weft_loop__link(&loop->answered, req);
    }
    weft_loop__finish_if_done(loop);
}

/* ---- ready-made starters ------------------------------------------------------------------ */

/** The arguments of `weft_loop__start_lock`. */
typedef struct weft_loop__lock_args {
    weft_lock *lock;
    uint64_t owner;
} weft_loop__lock_args;

static inline weft_status weft_loop__start_lock(void *a, weft_port *port, weft_callback cb,
                                                void *cb_arg, weft_op **op_out,
                                                weft_loop_grant *fast) {
    weft_loop__lock_args *args = (weft_loop__lock_args *)a;
    (void)fast;
    return weft_lock_acquire_async(args->lock, args->owner, port, cb, cb_arg, op_out);
}

static inline weft_status weft_loop__start_sem(void *a, weft_port *port, weft_callback cb,
                                               void *cb_arg, weft_op **op_out,
                                               weft_loop_grant *fast) {
    (void)fast;
    return weft_sem_acquire_async((weft_sem *)a, port, cb, cb_arg, op_out);
}

static inline weft_status weft_loop__start_event(void *a, weft_port *port, weft_callback cb,
                                                 void *cb_arg, weft_op **op_out,
                                                 weft_loop_grant *fast) {
    (void)fast;
    return weft_event_wait_async((weft_event *)a, port, cb, cb_arg, op_out);
}

static inline weft_status weft_loop__start_get(void *a, weft_port *port, weft_callback cb,
                                               void *cb_arg, weft_op **op_out,
                                               weft_loop_grant *fast) {
    return weft_queue_get_async((weft_queue *)a, &fast->item, port, cb, cb_arg, op_out);
}

/** The arguments of `weft_loop__start_put`. */
typedef struct weft_loop__put_args {
    weft_queue *queue;
    void *item;
    int64_t priority;
} weft_loop__put_args;

static inline weft_status weft_loop__start_put(void *a, weft_port *port, weft_callback cb,
                                               void *cb_arg, weft_op **op_out,
                                               weft_loop_grant *fast) {
    weft_loop__put_args *args = (weft_loop__put_args *)a;
    (void)fast;
    return weft_queue_put_async(args->queue, args->item, args->priority, port, cb, cb_arg,
                                op_out);
}

/** Acquires `lock` for `owner` (what `weft_uv_lock_acquire` and `weft_glib_lock_acquire`
 * do; see there). */
static inline weft_status weft_loop_lock_acquire(weft_loop *loop, weft_lock *lock,
                                                 uint64_t owner, int64_t timeout_ms,
                                                 weft_loop_done_cb done, void *arg,
                                                 weft_loop_op **req_out) {
    weft_loop__lock_args args = {lock, owner};
    return weft_loop_start(loop, weft_loop__start_lock, &args, timeout_ms, done, arg, req_out);
}

/** Takes one permit of `sem` (what `weft_uv_sem_acquire` and `weft_glib_sem_acquire` do). */
static inline weft_status weft_loop_sem_acquire(weft_loop *loop, weft_sem *sem,
                                                int64_t timeout_ms, weft_loop_done_cb done,
                                                void *arg, weft_loop_op **req_out) {
    return weft_loop_start(loop, weft_loop__start_sem, sem, timeout_ms, done, arg, req_out);
}

/** Waits for `event` (what `weft_uv_event_wait` and `weft_glib_event_wait` do). */
static inline weft_status weft_loop_event_wait(weft_loop *loop, weft_event *event,
                                               int64_t timeout_ms, weft_loop_done_cb done,
                                               void *arg, weft_loop_op **req_out) {
    return weft_loop_start(loop, weft_loop__start_event, event, timeout_ms, done, arg, req_out);
}

/** Takes the next item of `queue` (what `weft_uv_queue_get` and `weft_glib_queue_get` do). */
static inline weft_status weft_loop_queue_get(weft_loop *loop, weft_queue *queue,
                                              int64_t timeout_ms, weft_loop_done_cb done,
                                              void *arg, weft_loop_op **req_out) {
    return weft_loop_start(loop, weft_loop__start_get, queue, timeout_ms, done, arg, req_out);
}

/** Puts `item` into `queue` (what `weft_uv_queue_put` and `weft_glib_queue_put` do). */
static inline weft_status weft_loop_queue_put(weft_loop *loop, weft_queue *queue, void *item,
                                              int64_t priority, int64_t timeout_ms,
                                              weft_loop_done_cb done, void *arg,
                                              weft_loop_op **req_out) {
    weft_loop__put_args args = {queue, item, priority};
    return weft_loop_start(loop, weft_loop__start_put, &args, timeout_ms, done, arg, req_out);
}

#ifdef __cplusplus
}
#endif

#endif /* WEFT_LOOP_H */
