/* The GUI handoff the plain GLib way, GAsyncQueue + g_idle_add (handoff.h): the
 * comparison for handoff_weft.c. */
#include <stdlib.h>

#include <glib.h>

#include "handoff.h"

struct handoff_gasync {
    struct handoff base; /* first */
    GAsyncQueue *queue;
};

static char end_marker; /* pushed by close, after the last message */

/* One idle per push; each pops one item, so the idle that pops the end marker is the
 * last one to run. */
static gboolean deliver_one(gpointer data) {
    struct handoff_gasync *h = data;
    void *item = g_async_queue_try_pop(h->queue);
    if (item != NULL) h->base.deliver(h->base.arg, item == &end_marker ? NULL : item);
    return G_SOURCE_REMOVE;
}

static void gasync_put(struct handoff *base, struct message *m) {
    struct handoff_gasync *h = (struct handoff_gasync *)base;
    g_async_queue_push(h->queue, m);
    g_idle_add(deliver_one, h);
}

static void gasync_close(struct handoff *base) {
    struct handoff_gasync *h = (struct handoff_gasync *)base;
    g_async_queue_push(h->queue, &end_marker);
    g_idle_add(deliver_one, h);
}

static void gasync_free(struct handoff *base) {
    struct handoff_gasync *h = (struct handoff_gasync *)base;
    void *item;
    while ((item = g_async_queue_try_pop(h->queue)) != NULL)
        if (item != &end_marker) message_free(NULL, item);
    g_async_queue_unref(h->queue);
    free(h);
}

static const struct handoff_ops gasync_ops = {gasync_put, gasync_close, gasync_free};

struct handoff *handoff_gasync_new(handoff_deliver_fn deliver, void *arg) {
    struct handoff_gasync *h = calloc(1, sizeof *h);
    if (h == NULL) return NULL;
    h->base = (struct handoff){&gasync_ops, deliver, arg};
    h->queue = g_async_queue_new();
    return &h->base;
}
