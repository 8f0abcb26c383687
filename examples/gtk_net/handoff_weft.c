/* The GUI handoff through a bounded weft queue and the weft GLib source (handoff.h). */
#include <stdio.h>
#include <stdlib.h>

#include <glib.h>
#include <weft.h>
#include <weft_glib.h>

#include "handoff.h"

#define BATCH 64 /* messages delivered per wake-up at most, then back to the main loop */

struct handoff_weft {
    struct handoff base; /* first */
    weft_queue *queue;
    weft_glib_source *source;
};

static void get_next(struct handoff_weft *h);

/* The GTK thread, in the source's dispatch (or its deferred fast grant). */
static void on_item(void *arg, weft_status status, const weft_glib_grant *grant) {
    struct handoff_weft *h = arg;
    if (status == WEFT_CANCELLED) return; /* the source is being destroyed */
    if (status == WEFT_CLOSED) {
        h->base.deliver(h->base.arg, NULL);
        return;
    }
    if (status != WEFT_OK) {
        fprintf(stderr, "gtk_net: handoff get: %s\n", weft_status_str(status));
        abort();
    }
    h->base.deliver(h->base.arg, grant->item);
    /* What else is there already, without waiting; then wait in line again. */
    for (int i = 1; i < BATCH; i++) {
        void *item = NULL;
        weft_status s = weft_queue_try_get(h->queue, &item);
        if (s == WEFT_CLOSED) {
            h->base.deliver(h->base.arg, NULL);
            return;
        }
        if (s != WEFT_OK) break;
        h->base.deliver(h->base.arg, item);
    }
    get_next(h);
}

static void get_next(struct handoff_weft *h) {
    weft_status s = weft_glib_queue_get(h->source, h->queue, 0, on_item, h, NULL);
    if (s == WEFT_CLOSED) { /* already shut down and empty: no callback follows */
        h->base.deliver(h->base.arg, NULL);
        return;
    }
    if (s != WEFT_OK) {
        fprintf(stderr, "gtk_net: weft_glib_queue_get: %s\n", weft_status_str(s));
        abort();
    }
}

static void weft_put(struct handoff *base, struct message *m) {
    struct handoff_weft *h = (struct handoff_weft *)base;
    weft_status s = weft_queue_put(h->queue, m, 0, WEFT_FOREVER); /* waits while full */
    if (s != WEFT_OK) { /* only the last worker closes, after every put */
        fprintf(stderr, "gtk_net: handoff put: %s\n", weft_status_str(s));
        abort();
    }
}

static void weft_close(struct handoff *base) {
    struct handoff_weft *h = (struct handoff_weft *)base;
    weft_queue_shutdown(h->queue, false); /* the GUI drains it, then hears WEFT_CLOSED */
}

static void weft_free(struct handoff *base) {
    struct handoff_weft *h = (struct handoff_weft *)base;
    weft_glib_source_destroy(h->source);
    weft_queue_free(h->queue); /* frees what would be left inside (nothing, once drained) */
    free(h);
}

static const struct handoff_ops weft_ops = {weft_put, weft_close, weft_free};

struct handoff *handoff_weft_new(size_t capacity, handoff_deliver_fn deliver, void *arg) {
    struct handoff_weft *h = calloc(1, sizeof *h);
    if (h == NULL) return NULL;
    h->base = (struct handoff){&weft_ops, deliver, arg};
    if (weft_queue_new(WEFT_QUEUE_FIFO, (int64_t)capacity, message_free, NULL, &h->queue) != WEFT_OK) {
        free(h);
        return NULL;
    }
    if (weft_glib_source_new(NULL, &h->source) != WEFT_OK) {
        weft_queue_free(h->queue);
        free(h);
        return NULL;
    }
    /* The same priority as g_idle_add's, like the GAsyncQueue way: GTK's layout and
     * drawing (higher priority) go first when both are due. */
    g_source_set_priority(weft_glib_source_gsource(h->source), G_PRIORITY_DEFAULT_IDLE);
    get_next(h);
    return &h->base;
}
