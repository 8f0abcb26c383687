/**
 * \file
 * weft_glib.h: header-only GLib integration for weft (include/weft.h).
 *
 * One `weft_glib_source` per GMainContext: a custom GSource owning a weft port whose
 * notify hook (`weft_port_set_notify`) marks the source ready and calls
 * `g_main_context_wakeup`; the source then dispatches the port's completions
 * (`weft_port_run`). Every async weft op started on this port therefore completes on the
 * thread iterating the context (inside g_main_loop_run / g_main_context_iteration). The
 * port's fd is not used (a notify hook replaces it): the wake-up is GLib's own.
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
 * `weft_glib_source_destroy` drops it and detaches the source (at once, or on a later
 * iteration if a completion it waits for is still on its way); the port is freed when
 * GLib finalizes the source. Helper records are freed right after their `done` returns.
 *
 * What is not about GLib (the helper op records, their delivery, cancel and close, the
 * ready-made starters) lives in weft_loop.h, shared with weft_uv.h; this file adds the
 * GSource and its wake-up, and the timeout and idle sources.
 * Link with libweft and glib-2.0 (pkg-config glib-2.0).
 */
#ifndef WEFT_GLIB_H
#define WEFT_GLIB_H

#include <stdint.h>
#include <stdlib.h>

#include <glib.h>

#include "weft.h"
#include "weft_loop.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The GSource of a weft port, one per GMainContext (`weft_glib_source_new`). */
typedef struct weft_glib_source weft_glib_source;
/** A helper op (`weft_glib_start` and the ready-made starters). Context thread only;
 * valid from its start until `done` returns. */
typedef weft_loop_op weft_glib_op;
/** What a grant carries (see `weft_loop_grant`). */
typedef weft_loop_grant weft_glib_grant;
/** Called exactly once per helper op, on the context's thread (see `weft_loop_done_cb`).
 * `grant` is valid during the call only and zeroed unless `status` is `WEFT_OK`. May
 * start, cancel, or destroy. */
typedef weft_loop_done_cb weft_glib_done_cb;
/** Starts one weft async op for `weft_glib_start` (see `weft_loop_start_fn`). */
typedef weft_loop_start_fn weft_glib_start_fn;

/** The GSource. Fields are private: use the functions. */
struct weft_glib_source {
    /** \cond INTERNAL */
    GSource source;        /* first: this struct is g_source_new's allocation */
    weft_loop base;        /* the helper ops and the port (weft_loop.h) */
    GMainContext *context; /* one reference, dropped in finalize */
    guint woken;           /* set by the notify hook, cleared by dispatch */
    /** \endcond */
};

/* ---- the watcher: woken by g_main_context_wakeup ------------------------------------ */

/* The port's notify hook: any thread, no weft lock held. */
static inline void weft_glib__notify(void *source) {
    weft_glib_source *ws = (weft_glib_source *)source;
    g_atomic_int_set(&ws->woken, 1);
    g_main_context_wakeup(ws->context);
}

/* prepare and check: ready once the hook has run; no timeout of the source's own. */
static inline gboolean weft_glib__prepare(GSource *source, gint *timeout) {
    *timeout = -1;
    return g_atomic_int_get(&((weft_glib_source *)source)->woken);
}

static inline gboolean weft_glib__check(GSource *source) {
    return g_atomic_int_get(&((weft_glib_source *)source)->woken);
}

static inline gboolean weft_glib__dispatch(GSource *source, GSourceFunc callback,
                                           gpointer user_data) {
    weft_glib_source *ws = (weft_glib_source *)source;
    (void)callback;
    (void)user_data;
    /* Cleared before the run, by a read-modify-write: if it reads the hook's 1 it
     * synchronizes with the hook, so the run sees that hook's completion; if it reads 0,
     * a later hook's 1 stays set and brings the loop back. */
    g_atomic_int_and(&ws->woken, 0u);
    /* more queued than one batch: come back on the next iteration */
    if (weft_loop_run(&ws->base)) g_atomic_int_set(&ws->woken, 1);
    return G_SOURCE_CONTINUE;
}

static inline void weft_glib__finalize(GSource *source) {
    weft_glib_source *ws = (weft_glib_source *)source;
    /* Ops of your own still pending follow weft_port_free's rule from here: a grant is
     * given back, the callback hears WEFT_CANCELLED on the freeing/completing thread.
     * Once the port is freed its hook is never called again: the context may go. */
    weft_loop_release_port(&ws->base);
    g_main_context_unref(ws->context);
}

static GSourceFuncs weft_glib__funcs = {
    weft_glib__prepare, weft_glib__check, weft_glib__dispatch, weft_glib__finalize, NULL, NULL,
};

/* ---- the hooks: timeout and idle sources ------------------------------------------- */

static inline gboolean weft_glib__on_timer(gpointer req) {
    weft_loop_timer_fired((weft_glib_op *)req);
    return G_SOURCE_REMOVE;
}

static inline void weft_glib__arm_timer(weft_glib_op *req, int64_t ms) {
    weft_glib_source *ws = (weft_glib_source *)req->loop->owner;
    GSource *timer = ms == 0 ? g_idle_source_new() : g_timeout_source_new((guint)ms);
    g_source_set_callback(timer, weft_glib__on_timer, req, NULL);
    g_source_attach(timer, ws->context);
    req->timer = timer;
}

static inline void weft_glib__disarm_timer(weft_glib_op *req) {
    GSource *timer = (GSource *)req->timer;
    req->timer = NULL;
    g_source_destroy(timer);
    g_source_unref(timer);
}

static inline void weft_glib__closed(weft_loop *base) {
    weft_glib_source *ws = (weft_glib_source *)base->owner;
    g_source_destroy(&ws->source); /* the context's reference goes: then finalize */
}

static const weft_loop_hooks weft_glib__hooks = {
    weft_glib__arm_timer, weft_glib__disarm_timer, weft_glib__closed,
};

/* ---- the source ---------------------------------------------------------------- */

/**
 * Creates a weft port and a GSource woken by it, attaches the source to `context` (NULL:
 * the global default context) and writes it to `*out` (one reference, yours). `WEFT_OK`,
 * `WEFT_INVALID` (NULL out), or `weft_port_new`'s error. Call it on the context's thread
 * (or before anyone iterates the context).
 */
static inline weft_status weft_glib_source_new(GMainContext *context, weft_glib_source **out) {
    if (out == NULL) return WEFT_INVALID;
    GSource *source = g_source_new(&weft_glib__funcs, sizeof(weft_glib_source));
    weft_glib_source *ws = (weft_glib_source *)source;
    weft_status s = weft_loop_init(&ws->base, &weft_glib__hooks, ws);
    if (s != WEFT_OK) {
        ws->context = g_main_context_ref(g_main_context_default()); /* for finalize */
        g_source_unref(source);
        return s;
    }
    ws->context = g_main_context_ref(context != NULL ? context : g_main_context_default());
    ws->woken = 0;
    g_source_set_name(source, "weft port");
    /* A done callback may iterate the context again; weft_port_run is reentrant. */
    g_source_set_can_recurse(source, TRUE);
    g_source_attach(source, ws->context);
    weft_port_set_notify(ws->base.port, weft_glib__notify, ws);
    *out = ws;
    return WEFT_OK;
}

/** The weft port, for `*_async` calls of your own (callbacks then run in this source's
 * dispatch, on the context's thread). Borrowed: clone it to keep it past the destroy. Run
 * it only through this source (never `weft_port_run` it yourself), and leave its notify
 * hook alone. */
static inline weft_port *weft_glib_source_port(const weft_glib_source *ws) {
    return ws ? ws->base.port : NULL;
}

/** The GSource itself (e.g. for g_source_set_priority). Borrowed. */
static inline GSource *weft_glib_source_gsource(weft_glib_source *ws) {
    return ws ? &ws->source : NULL;
}

/** Completions run per dispatch (>= 1; default 64); the rest wait for the next one. */
static inline void weft_glib_source_set_batch(weft_glib_source *ws, size_t batch) {
    if (ws != NULL && batch > 0) ws->base.batch = batch;
}

/** Number of live helper ops. */
static inline size_t weft_glib_source_live(const weft_glib_source *ws) {
    return ws ? ws->base.live_count : 0;
}

/**
 * Releases the source. Safe anywhere on the context's thread, including in a `done` or
 * a weft callback of this port:
 * 1. every live helper op is cancelled and its `done` called before this returns
 *    (`WEFT_CANCELLED`, or `WEFT_OK` if its grant had already won: then it is yours);
 *    new helper starts return `WEFT_CLOSED`;
 * 2. completions already queued for ops of your own are run;
 * 3. your reference is dropped, and the source is detached once the completions of the
 *    helper ops answered in step 1 have all come in: at once, or, for one a granter on
 *    another thread was still handing over or one a dispatch further up the stack holds,
 *    on a later iteration of the context (keep iterating it). GLib then finalizes the
 *    source (freeing the weft port) once nothing else holds it. Your own ops still
 *    pending then follow `weft_port_free`'s rule (grant given back, callback hears
 *    `WEFT_CANCELLED` on the completing thread). `ws` must not be used afterwards.
 */
static inline void weft_glib_source_destroy(weft_glib_source *ws) {
    if (ws == NULL || ws->base.closing) return;
    weft_loop_close(&ws->base);
    g_source_unref(&ws->source);
}

/* ---- helper ops ------------------------------------------------------------------ */

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
    return weft_loop_start(ws ? &ws->base : NULL, start, start_arg, timeout_ms, done, arg,
                           req_out);
}

/** Cancels a live helper op, racing safely with its grant: `done` follows (not inside this
 * call) with `WEFT_CANCELLED`, or `WEFT_OK` if the grant won. Returns what the op's first
 * cancel answered (`weft_op_cancel`: `WEFT_CANCELLED`, or the status that had won),
 * `WEFT_ANSWERED` if the op was cancelled before (a second `weft_glib_cancel`, or its
 * timeout fired: `done` then hears what that cancel decided, e.g. `WEFT_TIMEOUT`), or
 * `WEFT_OK` for a fast grant. Context thread only; `req` must be live. */
static inline weft_status weft_glib_cancel(weft_glib_op *req) {
    return weft_loop_cancel(req);
}

/* ---- ready-made starters (same meaning as weft_uv.h's) ----------------------------- */

/** Acquires `lock` for `owner` (nonzero); `WEFT_OK` in `done`: release with
 * `weft_lock_release_as(lock, owner)`. */
static inline weft_status weft_glib_lock_acquire(weft_glib_source *ws, weft_lock *lock,
                                                 uint64_t owner, int64_t timeout_ms,
                                                 weft_glib_done_cb done, void *arg,
                                                 weft_glib_op **req_out) {
    return weft_loop_lock_acquire(ws ? &ws->base : NULL, lock, owner, timeout_ms, done, arg,
                                  req_out);
}

/** Takes one permit; `WEFT_OK` in `done`: give it back with `weft_sem_release(sem, 1)`. */
static inline weft_status weft_glib_sem_acquire(weft_glib_source *ws, weft_sem *sem,
                                                int64_t timeout_ms, weft_glib_done_cb done,
                                                void *arg, weft_glib_op **req_out) {
    return weft_loop_sem_acquire(ws ? &ws->base : NULL, sem, timeout_ms, done, arg, req_out);
}

/** Takes the next item: `WEFT_OK` with `grant->item` (yours now), `WEFT_CLOSED` (shut down
 * and empty), `WEFT_TIMEOUT`, `WEFT_CANCELLED`. On a shut-down empty queue the start
 * itself returns `WEFT_CLOSED` (no `done`). */
static inline weft_status weft_glib_queue_get(weft_glib_source *ws, weft_queue *queue,
                                              int64_t timeout_ms, weft_glib_done_cb done,
                                              void *arg, weft_glib_op **req_out) {
    return weft_loop_queue_get(ws ? &ws->base : NULL, queue, timeout_ms, done, arg, req_out);
}

/** Waits for `event` to be set; `WEFT_OK` in `done` once it is. */
static inline weft_status weft_glib_event_wait(weft_glib_source *ws, weft_event *event,
                                               int64_t timeout_ms, weft_glib_done_cb done,
                                               void *arg, weft_glib_op **req_out) {
    return weft_loop_event_wait(ws ? &ws->base : NULL, event, timeout_ms, done, arg, req_out);
}

/** Puts `item`, waiting for room: `WEFT_OK` in `done` when it went in; on any other status
 * the item is still yours. On a shut-down queue the start returns `WEFT_CLOSED` (no
 * `done`). */
static inline weft_status weft_glib_queue_put(weft_glib_source *ws, weft_queue *queue,
                                              void *item, int64_t priority, int64_t timeout_ms,
                                              weft_glib_done_cb done, void *arg,
                                              weft_glib_op **req_out) {
    return weft_loop_queue_put(ws ? &ws->base : NULL, queue, item, priority, timeout_ms, done,
                               arg, req_out);
}

#ifdef __cplusplus
}
#endif

#endif /* WEFT_GLIB_H */
