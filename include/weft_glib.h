/**
 * \file
 * weft_glib.h: header-only GLib integration for weft (include/weft.h).
 *
 * One `weft_glib_source` per GMainContext: a custom GSource owning a weft port, which
 * watches the port's fd (g_source_add_unix_fd) and, when it is readable, dispatches the
 * port's completions (`weft_port_run`). Every async weft op started on this port therefore
 * completes on the thread iterating the context (inside g_main_loop_run /
 * g_main_context_iteration).
 *
 *     weft_glib_source *ws;
 *     weft_glib_source_new(NULL, &ws);                 // NULL: the global default context
 *     weft_glib_queue_get(ws, queue, 0, on_item, app, NULL);
 *     g_main_loop_run(main_loop);
 *     ...
 *     weft_glib_source_destroy(ws);
 *
 * Same two layers and the same contract as weft_uv.h:
 * - the source (`weft_glib_source_new` / `weft_glib_source_destroy`,
 *   `weft_glib_source_port`): use its `weft_port *` with any `*_async` call yourself; you
 *   free your `weft_op`s.
 * - helpers (`weft_glib_start`, `weft_glib_lock_acquire`, ...): the helper owns and frees
 *   the `weft_op`, arms an optional `g_timeout_source` that cancels the op when it fires
 *   (destroyed when the op ends first), and calls `done` exactly once on the context's
 *   thread, never inside the starting call (a fast-path grant is delivered from an idle
 *   source), with `WEFT_OK`, `WEFT_TIMEOUT`, `WEFT_CANCELLED` or the op's own final status.
 *
 * Thread rules: call every function here on the thread that iterates the context (its
 * owner); callbacks run there. Other threads share the primitives through weft.h.
 *
 * Memory: `weft_glib_source_new` gives you one reference to the source;
 * `weft_glib_source_destroy` drops it (after detaching the source); the port is freed
 * when GLib finalizes the source. Helper records are freed right after their `done`
 * returns. Link with libweft and glib-2.0 (pkg-config glib-2.0).
 */
#ifndef WEFT_GLIB_H
#define WEFT_GLIB_H

#include <stdint.h>
#include <stdlib.h>

#include <glib.h>

#include "weft.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The GSource of a weft port, one per GMainContext (`weft_glib_source_new`). */
typedef struct weft_glib_source weft_glib_source;
/** A helper op (`weft_glib_start` and the ready-made starters). */
typedef struct weft_glib_op weft_glib_op;

/** What a grant carries: `item`, the item of a queue get (unspecified for other ops), and
 * `value`, what `weft_op_value` gives (a barrier arrival's index; unspecified otherwise). */
typedef struct weft_glib_grant {
    void *item;      /**< a queue get's item; unspecified for other ops */
    uint64_t value;  /**< what `weft_op_value` gives (a barrier arrival's index) */
} weft_glib_grant;

/** Called exactly once per helper op, on the context's thread. `grant` is valid during
 * the call only and zeroed unless `status` is `WEFT_OK`. May start, cancel, or destroy. */
typedef void (*weft_glib_done_cb)(void *arg, weft_status status, const weft_glib_grant *grant);

/** Starts one weft async op for `weft_glib_start` (same contract as `weft_uv_start_fn`):
 * call any `*_async` with `port`, `cb`, `cb_arg`, `op_out`; on a fast `WEFT_OK` write what
 * was granted to `*fast`. */
typedef weft_status (*weft_glib_start_fn)(void *start_arg, weft_port *port, weft_callback cb,
                                          void *cb_arg, weft_op **op_out,
                                          weft_glib_grant *fast);

/** A helper op. Context thread only; valid from `weft_glib_start` until `done` returns. */
struct weft_glib_op {
    /** \cond INTERNAL */
    weft_glib_source *ws;
    weft_op *op;           /* NULL on the fast path */
    GSource *timer;        /* timeout or idle (fast grant) source, or NULL */
    weft_glib_done_cb done;
    void *arg;
    weft_glib_grant grant;
    weft_status status;
    int timed_out;
    weft_glib_op *prev, *next;
    /** \endcond */
};

/** The GSource. Fields are private: use the functions. */
struct weft_glib_source {
    /** \cond INTERNAL */
    GSource source;        /* first: this struct is g_source_new's allocation */
    weft_port *port;       /* freed in finalize */
    gpointer fd_tag;
    GMainContext *context;
    size_t batch;
    int closing;
    weft_glib_op *ops;
    size_t live;
    /** \endcond */
};

/* ---- the source ---------------------------------------------------------------- */

static inline gboolean weft_glib__dispatch(GSource *source, GSourceFunc callback,
                                           gpointer user_data) {
    weft_glib_source *ws = (weft_glib_source *)source;
    (void)callback;
    (void)user_data;
    if (ws->port != NULL) weft_port_run(ws->port, ws->batch, NULL);
    return G_SOURCE_CONTINUE;
}

static inline void weft_glib__finalize(GSource *source) {
    weft_glib_source *ws = (weft_glib_source *)source;
    /* Ops of your own still pending follow weft_port_free's rule from here: a grant is
     * given back, the callback hears WEFT_CANCELLED on the freeing/completing thread. */
    if (ws->port != NULL) weft_port_free(ws->port);
    ws->port = NULL;
}

/** prepare and check are NULL: GLib then polls the source's unix fd with no timeout of
 * its own and dispatches when the fd has an event (the port fd is readable exactly while
 * completions are pending). */
static GSourceFuncs weft_glib__funcs = {
    NULL, NULL, weft_glib__dispatch, weft_glib__finalize, NULL, NULL,
};

/**
 * Creates a weft port and a GSource watching its fd, attaches the source to `context`
 * (NULL: the global default context) and writes it to `*out` (one reference, yours).
 * `WEFT_OK`, `WEFT_INVALID` (NULL out), or `weft_port_new`'s error. Call it on the
 * context's thread (or before anyone iterates the context).
 */
static inline weft_status weft_glib_source_new(GMainContext *context, weft_glib_source **out) {
    if (out == NULL) return WEFT_INVALID;
    weft_port *port = NULL;
    weft_status s = weft_port_new(&port);
    if (s != WEFT_OK) return s;
    GSource *source = g_source_new(&weft_glib__funcs, sizeof(weft_glib_source));
    weft_glib_source *ws = (weft_glib_source *)source;
    ws->port = port;
    ws->batch = 64;
    ws->closing = 0;
    ws->ops = NULL;
    ws->live = 0;
    ws->context = context != NULL ? context : g_main_context_default();
    int32_t fd = -1;
    weft_port_fd(port, &fd);
    ws->fd_tag = g_source_add_unix_fd(source, fd, G_IO_IN);
    g_source_set_name(source, "weft port");
    /* Without this GLib "blocks" the source around every dispatch by removing its fd from
     * the poll set and adding it back, and each of those signals the context's wakeup fd:
     * two extra write(2)s and a read(2) per dispatch. weft_port_run is reentrant (a
     * callback may even iterate the context again), so recursion is safe. */
    g_source_set_can_recurse(source, TRUE);
    g_source_attach(source, ws->context);
    *out = ws;
    return WEFT_OK;
}

/** The weft port, for `*_async` calls of your own (callbacks then run in this source's
 * dispatch, on the context's thread). Borrowed: clone it to keep it past the destroy. */
static inline weft_port *weft_glib_source_port(const weft_glib_source *ws) {
    return ws ? ws->port : NULL;
}

/** The GSource itself (e.g. for g_source_set_priority). Borrowed. */
static inline GSource *weft_glib_source_gsource(weft_glib_source *ws) {
    return ws ? &ws->source : NULL;
}

/** Completions run per dispatch (>= 1; default 64); the rest wait for the next one. */
static inline void weft_glib_source_set_batch(weft_glib_source *ws, size_t batch) {
    if (ws != NULL && batch > 0) ws->batch = batch;
}

/** Number of live helper ops. */
static inline size_t weft_glib_source_live(const weft_glib_source *ws) {
    return ws ? ws->live : 0;
}

static inline void weft_glib__op_deliver(weft_glib_op *req);

/**
 * Detaches and releases the source. Safe anywhere on the context's thread, including in a
 * `done` or a weft callback of this port:
 * 1. every live helper op is cancelled and its `done` called before this returns
 *    (`WEFT_CANCELLED`, or `WEFT_OK` if its grant had already won: then it is yours);
 *    new helper starts return `WEFT_CLOSED`;
 * 2. completions already queued for ops of your own are run;
 * 3. the source is destroyed and your reference dropped; GLib finalizes it (freeing the
 *    weft port) once nothing else holds it. Your own ops still pending then follow
 *    `weft_port_free`'s rule (grant given back, callback hears `WEFT_CANCELLED` on the
 *    completing thread). `ws` must not be used afterwards.
 */
static inline void weft_glib_source_destroy(weft_glib_source *ws) {
    if (ws == NULL || ws->closing) return;
    ws->closing = 1;
    for (weft_glib_op *r = ws->ops; r != NULL; r = r->next) {
        if (r->op != NULL) weft_op_cancel(r->op);
    }
    while (ws->ops != NULL) {
        weft_glib_op *fast = NULL;
        for (weft_glib_op *r = ws->ops; r != NULL; r = r->next) {
            if (r->op == NULL) {
                fast = r;
                break;
            }
        }
        if (fast != NULL) {
            weft_glib__op_deliver(fast);
            continue;
        }
        /* a cancel that lost to a grant: its completion is being pushed right now */
        size_t ran = 0;
        weft_port_run(ws->port, SIZE_MAX, &ran);
        if (ran == 0 && ws->ops != NULL) weft_port_wait(ws->port, WEFT_MS);
    }
    weft_port_run(ws->port, SIZE_MAX, NULL);
    g_source_destroy(&ws->source);
    g_source_unref(&ws->source);
}

/* ---- helper ops ------------------------------------------------------------------ */

static inline void weft_glib__op_deliver(weft_glib_op *req) {
    weft_glib_source *ws = req->ws;
    if (req->prev != NULL) req->prev->next = req->next;
    else ws->ops = req->next;
    if (req->next != NULL) req->next->prev = req->prev;
    ws->live--;
    if (req->timer != NULL) {
        g_source_destroy(req->timer);
        g_source_unref(req->timer);
        req->timer = NULL;
    }
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
    weft_glib_grant none = {NULL, 0};
    req->done(req->arg, status, status == WEFT_OK ? &req->grant : &none);
    free(req);
}

static inline void weft_glib__op_complete(void *arg, weft_status status) {
    weft_glib_op *req = (weft_glib_op *)arg;
    req->status = status;
    weft_glib__op_deliver(req);
}

static inline gboolean weft_glib__on_timer(gpointer data) {
    weft_glib_op *req = (weft_glib_op *)data;
    if (req->op == NULL) { /* deferred fast grant */
        weft_glib__op_deliver(req);
        return G_SOURCE_REMOVE;
    }
    /* timeout: the completion (CANCELLED, or OK if the grant won) comes through the port;
     * the timer source is not needed any more */
    g_source_destroy(req->timer);
    g_source_unref(req->timer);
    req->timer = NULL;
    req->timed_out = 1;
    if (weft_op_cancel(req->op) != WEFT_CANCELLED) req->timed_out = 0;
    return G_SOURCE_REMOVE;
}

static inline GSource *weft_glib__timer(weft_glib_op *req, GSource *timer) {
    g_source_set_callback(timer, weft_glib__on_timer, req, NULL);
    g_source_attach(timer, req->ws->context);
    return timer;
}

/**
 * Starts an op through `start` on this source's port; `done(arg, status, grant)` follows
 * exactly once on the context's thread, never inside this call. `timeout_ms` > 0 arms a
 * g_timeout_source that cancels the op (`done` hears `WEFT_TIMEOUT`, or `WEFT_OK` if the
 * grant won the race); it is destroyed when the op ends first. Writes the helper op to
 * `*req_out` (may be NULL), valid until `done` returns. Returns `WEFT_OK` (done follows),
 * or an error and no `done`: `WEFT_INVALID`, `WEFT_CLOSED` (being destroyed),
 * `WEFT_NO_MEMORY`, or `start`'s error. Context thread only.
 */
static inline weft_status weft_glib_start(weft_glib_source *ws, weft_glib_start_fn start,
                                          void *start_arg, int64_t timeout_ms,
                                          weft_glib_done_cb done, void *arg,
                                          weft_glib_op **req_out) {
    if (ws == NULL || start == NULL || done == NULL) return WEFT_INVALID;
    if (ws->closing) return WEFT_CLOSED;
    weft_glib_op *req = (weft_glib_op *)calloc(1, sizeof *req);
    if (req == NULL) return WEFT_NO_MEMORY;
    req->ws = ws;
    req->done = done;
    req->arg = arg;
    req->status = WEFT_PENDING;
    weft_status s = start(start_arg, ws->port, weft_glib__op_complete, req, &req->op, &req->grant);
    if (s != WEFT_OK && s != WEFT_PENDING) {
        free(req);
        return s;
    }
    req->next = ws->ops;
    if (ws->ops != NULL) ws->ops->prev = req;
    ws->ops = req;
    ws->live++;
    if (s == WEFT_OK) {
        req->op = NULL;
        req->status = WEFT_OK;
        req->timer = weft_glib__timer(req, g_idle_source_new());
    } else if (timeout_ms > 0) {
        req->timer = weft_glib__timer(req, g_timeout_source_new((guint)timeout_ms));
    }
    if (req_out != NULL) *req_out = req;
    return WEFT_OK;
}

/** Cancels a live helper op, racing safely with its grant: `done` follows (not inside this
 * call) with `WEFT_CANCELLED`, or `WEFT_OK` if the grant won. Returns what
 * `weft_op_cancel` returned (`WEFT_OK` for a fast grant). Context thread only. */
static inline weft_status weft_glib_cancel(weft_glib_op *req) {
    if (req == NULL) return WEFT_INVALID;
    if (req->op == NULL) return WEFT_OK;
    if (req->timer != NULL) { /* a user cancel is not a timeout */
        g_source_destroy(req->timer);
        g_source_unref(req->timer);
        req->timer = NULL;
    }
    return weft_op_cancel(req->op);
}

/* ---- ready-made starters (same meaning as weft_uv.h's) ----------------------------- */

typedef struct weft_glib__lock_args {
    weft_lock *lock;
    uint64_t owner;
} weft_glib__lock_args;

static inline weft_status weft_glib__start_lock(void *a, weft_port *port, weft_callback cb,
                                                void *cb_arg, weft_op **op_out,
                                                weft_glib_grant *fast) {
    weft_glib__lock_args *args = (weft_glib__lock_args *)a;
    (void)fast;
    return weft_lock_acquire_async(args->lock, args->owner, port, cb, cb_arg, op_out);
}

/** Acquires `lock` for `owner` (nonzero); `WEFT_OK` in `done`: release with
 * `weft_lock_release_as(lock, owner)`. */
static inline weft_status weft_glib_lock_acquire(weft_glib_source *ws, weft_lock *lock,
                                                 uint64_t owner, int64_t timeout_ms,
                                                 weft_glib_done_cb done, void *arg,
                                                 weft_glib_op **req_out) {
    weft_glib__lock_args args = {lock, owner};
    return weft_glib_start(ws, weft_glib__start_lock, &args, timeout_ms, done, arg, req_out);
}

static inline weft_status weft_glib__start_sem(void *a, weft_port *port, weft_callback cb,
                                               void *cb_arg, weft_op **op_out,
                                               weft_glib_grant *fast) {
    (void)fast;
    return weft_sem_acquire_async((weft_sem *)a, port, cb, cb_arg, op_out);
}

/** Takes one permit; `WEFT_OK` in `done`: give it back with `weft_sem_release(sem, 1)`. */
static inline weft_status weft_glib_sem_acquire(weft_glib_source *ws, weft_sem *sem,
                                                int64_t timeout_ms, weft_glib_done_cb done,
                                                void *arg, weft_glib_op **req_out) {
    return weft_glib_start(ws, weft_glib__start_sem, sem, timeout_ms, done, arg, req_out);
}

static inline weft_status weft_glib__start_get(void *a, weft_port *port, weft_callback cb,
                                               void *cb_arg, weft_op **op_out,
                                               weft_glib_grant *fast) {
    return weft_queue_get_async((weft_queue *)a, &fast->item, port, cb, cb_arg, op_out);
}

/** Takes the next item: `WEFT_OK` with `grant->item` (yours now), `WEFT_CLOSED` (shut down
 * and empty), `WEFT_TIMEOUT`, `WEFT_CANCELLED`. On a shut-down empty queue the start
 * itself returns `WEFT_CLOSED` (no `done`). */
static inline weft_status weft_glib_queue_get(weft_glib_source *ws, weft_queue *queue,
                                              int64_t timeout_ms, weft_glib_done_cb done,
                                              void *arg, weft_glib_op **req_out) {
    return weft_glib_start(ws, weft_glib__start_get, queue, timeout_ms, done, arg, req_out);
}

static inline weft_status weft_glib__start_event(void *a, weft_port *port, weft_callback cb,
                                                 void *cb_arg, weft_op **op_out,
                                                 weft_glib_grant *fast) {
    (void)fast;
    return weft_event_wait_async((weft_event *)a, port, cb, cb_arg, op_out);
}

/** Waits for `event` to be set; `WEFT_OK` in `done` once it is. */
static inline weft_status weft_glib_event_wait(weft_glib_source *ws, weft_event *event,
                                               int64_t timeout_ms, weft_glib_done_cb done,
                                               void *arg, weft_glib_op **req_out) {
    return weft_glib_start(ws, weft_glib__start_event, event, timeout_ms, done, arg, req_out);
}

typedef struct weft_glib__put_args {
    weft_queue *queue;
    void *item;
    int64_t priority;
} weft_glib__put_args;

static inline weft_status weft_glib__start_put(void *a, weft_port *port, weft_callback cb,
                                               void *cb_arg, weft_op **op_out,
                                               weft_glib_grant *fast) {
    weft_glib__put_args *args = (weft_glib__put_args *)a;
    (void)fast;
    return weft_queue_put_async(args->queue, args->item, args->priority, port, cb, cb_arg,
                                op_out);
}

/** Puts `item`, waiting for room: `WEFT_OK` in `done` when it went in; on any other status
 * the item is still yours. On a shut-down queue the start returns `WEFT_CLOSED` (no
 * `done`). */
static inline weft_status weft_glib_queue_put(weft_glib_source *ws, weft_queue *queue,
                                              void *item, int64_t priority, int64_t timeout_ms,
                                              weft_glib_done_cb done, void *arg,
                                              weft_glib_op **req_out) {
    weft_glib__put_args args = {queue, item, priority};
    return weft_glib_start(ws, weft_glib__start_put, &args, timeout_ms, done, arg, req_out);
}

#ifdef __cplusplus
}
#endif

#endif /* WEFT_GLIB_H */
