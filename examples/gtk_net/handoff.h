/*
 * How processed messages reach the GUI: worker threads put, the GTK main context is
 * called back with each message in the order they were put, then once with NULL after
 * the last worker closed the handoff. Two interchangeable ways, chosen at run time, so
 * the same program measures both (docs/performance.md):
 *
 * - handoff_weft_new: a bounded weft queue. Workers put with the blocking face (a full
 *   queue makes them wait: the GUI pushes back on the pipeline); the main context takes
 *   with the async face through weft_glib.h's GSource (weft_glib_queue_get), plus a
 *   non-blocking batch (weft_queue_try_get) per wake-up.
 * - handoff_gasync_new: the plain GLib way, a GAsyncQueue plus one g_idle_add per
 *   message. Unbounded: nothing pushes back.
 *
 * Thread rules: handoff_put and handoff_close from worker threads; the callback runs on
 * the default main context's thread (the GTK thread); handoff_free there, after the
 * callback has heard NULL.
 */
#ifndef GTK_NET_HANDOFF_H
#define GTK_NET_HANDOFF_H

#include <stddef.h>

#include "message.h"

/* Called on the GTK thread with each message (now the callee's) and, at the end, NULL. */
typedef void (*handoff_deliver_fn)(void *arg, struct message *message);

struct handoff;

struct handoff_ops {
    void (*put)(struct handoff *h, struct message *m);
    void (*close)(struct handoff *h);
    void (*free)(struct handoff *h);
};

struct handoff {
    const struct handoff_ops *ops;
    handoff_deliver_fn deliver;
    void *arg;
};

/* NULL on failure. Call on the GTK thread, before the main loop runs. */
struct handoff *handoff_weft_new(size_t capacity, handoff_deliver_fn deliver, void *arg);
struct handoff *handoff_gasync_new(handoff_deliver_fn deliver, void *arg);

static inline void handoff_put(struct handoff *h, struct message *m) { h->ops->put(h, m); }
static inline void handoff_close(struct handoff *h) { h->ops->close(h); }
static inline void handoff_free(struct handoff *h) { h->ops->free(h); }

#endif
