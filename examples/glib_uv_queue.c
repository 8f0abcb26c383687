/*
 * weft example: a GLib main loop consumes, through ONE weft queue, what plain worker
 * threads and a libuv loop (in its own thread) produce.
 *
 * - 3 worker threads put items with the blocking face (weft_queue_put);
 * - a libuv loop puts items with the async face through its weft port (weft_uv_queue_put:
 *   it never blocks; when the bounded queue is full its put waits in line);
 * - the GLib main loop takes items with the async face through its weft GSource
 *   (weft_glib_queue_get) and, once every producer is done, a closer thread shuts the
 *   queue down (weft_queue_shutdown, not immediate): the consumer drains what is left, then
 *   its get ends WEFT_CLOSED and it quits the main loop.
 *
 * The queue is bounded (capacity 8) so producers really wait for the consumer. Items are
 * malloc'ed records (producer, sequence number) owned by whoever holds them; the queue's
 * destructor frees anything it would discard. Checked (exit 1 on failure): every item
 * produced was consumed exactly once, in per-producer order (FIFO), nothing was left over,
 * and the consumer was woken by its GLib source, never by blocking.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <uv.h>
#include <weft.h>
#include <weft_glib.h>
#include <weft_uv.h>

#define WORKERS 3
#define PRODUCERS (WORKERS + 1) /* the uv loop is producer WORKERS */
#define PER_PRODUCER 2000
#define CAPACITY 8

struct item {
    int producer;
    int seq;
};

static weft_queue *queue;
static atomic_int destroyed; /* items the queue discarded: must stay 0 */
static int failures;

static void check_ok(weft_status s, const char *what) {
    if (s != WEFT_OK) {
        fprintf(stderr, "glib_uv_queue: %s returned %s\n", what, weft_status_str(s));
        exit(1);
    }
}

static void on_discard(void *ctx, void *item) {
    (void)ctx;
    atomic_fetch_add(&destroyed, 1);
    free(item);
}

static struct item *make_item(int producer, int seq) {
    struct item *it = malloc(sizeof *it);
    if (it == NULL) exit(1);
    it->producer = producer;
    it->seq = seq;
    return it;
}

/* ---- producers: threads (blocking puts) -------------------------------------------- */

static void *worker(void *arg) {
    int id = (int)(intptr_t)arg;
    for (int i = 0; i < PER_PRODUCER; i++) {
        struct item *it = make_item(id, i);
        check_ok(weft_queue_put(queue, it, 0, WEFT_FOREVER), "weft_queue_put");
    }
    return NULL;
}

/* ---- producer: a libuv loop (async puts through its weft port) ---------------------- */

struct uv_producer {
    uv_loop_t loop;
    weft_uv_port *wuv;
    int next;
    int pended;   /* puts started while the queue was full (they wait in line) */
    struct item *in_flight;
};

static void uv_put_next(struct uv_producer *p);

static void on_put(void *arg, weft_status status, const weft_uv_grant *grant) {
    struct uv_producer *p = arg;
    (void)grant;
    check_ok(status, "the uv loop's async put");
    p->in_flight = NULL; /* the queue's now */
    uv_put_next(p);
}

static void uv_put_next(struct uv_producer *p) {
    if (p->next == PER_PRODUCER) {
        weft_uv_port_close(p->wuv, NULL, NULL); /* the loop then has nothing left: uv_run returns */
        return;
    }
    p->in_flight = make_item(WORKERS, p->next++);
    size_t full = 0;
    weft_queue_size(queue, &full);
    if (full >= CAPACITY) p->pended++;
    check_ok(weft_uv_queue_put(p->wuv, queue, p->in_flight, 0, 0, on_put, p, NULL),
             "weft_uv_queue_put");
}

static void *uv_thread(void *arg) {
    struct uv_producer *p = arg;
    if (uv_loop_init(&p->loop) != 0) exit(1);
    check_ok(weft_uv_port_new(&p->loop, &p->wuv), "weft_uv_port_new");
    uv_put_next(p);
    uv_run(&p->loop, UV_RUN_DEFAULT);
    if (uv_loop_close(&p->loop) != 0) {
        fprintf(stderr, "glib_uv_queue: the uv loop still has handles\n");
        exit(1);
    }
    return NULL;
}

/* ---- the closer: once every producer is done, shut the queue down ------------------ */

static pthread_t producers[PRODUCERS];

static void *closer(void *arg) {
    (void)arg;
    for (int i = 0; i < PRODUCERS; i++) pthread_join(producers[i], NULL);
    check_ok(weft_queue_shutdown(queue, false), "weft_queue_shutdown"); /* drain, then CLOSED */
    return NULL;
}

/* ---- the consumer: a GLib main loop ------------------------------------------------ */

struct consumer {
    GMainLoop *main_loop;
    weft_glib_source *ws;
    int next_seq[PRODUCERS];
    long consumed;
    int closed;
};

static void get_next(struct consumer *c);

static void on_item(void *arg, weft_status status, const weft_glib_grant *grant) {
    struct consumer *c = arg;
    if (status == WEFT_CLOSED) { /* shut down and drained */
        c->closed = 1;
        g_main_loop_quit(c->main_loop);
        return;
    }
    check_ok(status, "the GLib loop's async get");
    struct item *it = grant->item;
    if (it->producer < 0 || it->producer >= PRODUCERS) {
        fprintf(stderr, "glib_uv_queue: a corrupt item\n");
        exit(1);
    }
    /* per-producer FIFO order implies exactly once: a duplicate or a loss breaks it */
    if (it->seq != c->next_seq[it->producer]) {
        fprintf(stderr, "glib_uv_queue: producer %d: got item %d, expected %d\n", it->producer,
                it->seq, c->next_seq[it->producer]);
        failures++;
    }
    c->next_seq[it->producer] = it->seq + 1;
    c->consumed++;
    free(it);
    get_next(c);
}

static void get_next(struct consumer *c) {
    weft_status s = weft_glib_queue_get(c->ws, queue, 0, on_item, c, NULL);
    if (s == WEFT_CLOSED) { /* already shut down and empty */
        on_item(c, WEFT_CLOSED, NULL);
        return;
    }
    check_ok(s, "weft_glib_queue_get");
}

int main(void) {
    check_ok(weft_queue_new(WEFT_QUEUE_FIFO, CAPACITY, on_discard, NULL, &queue),
             "weft_queue_new");
    printf("weft: %d worker threads and a libuv loop produce %d items each; a GLib main loop "
           "consumes them through one weft queue (capacity %d)\n",
           WORKERS, PER_PRODUCER, CAPACITY);

    GMainContext *context = g_main_context_new();
    g_main_context_push_thread_default(context);
    struct consumer c = {0};
    c.main_loop = g_main_loop_new(context, FALSE);
    check_ok(weft_glib_source_new(context, &c.ws), "weft_glib_source_new");
    get_next(&c);

    static struct uv_producer uvp;
    for (int i = 0; i < WORKERS; i++)
        if (pthread_create(&producers[i], NULL, worker, (void *)(intptr_t)i) != 0) exit(1);
    if (pthread_create(&producers[WORKERS], NULL, uv_thread, &uvp) != 0) exit(1);
    pthread_t closer_tid;
    if (pthread_create(&closer_tid, NULL, closer, NULL) != 0) exit(1);

    g_main_loop_run(c.main_loop);
    pthread_join(closer_tid, NULL);

    weft_glib_source_destroy(c.ws);
    while (g_main_context_iteration(context, FALSE)) {
    }
    g_main_loop_unref(c.main_loop);
    g_main_context_pop_thread_default(context);
    g_main_context_unref(context);

    size_t left = 1;
    check_ok(weft_queue_size(queue, &left), "weft_queue_size");
    check_ok(weft_queue_free(queue), "weft_queue_free");

    long expected = (long)PRODUCERS * PER_PRODUCER;
    printf("consumed %ld of %ld items (the uv loop found the queue full %d times); "
           "left in the queue: %zu; discarded: %d\n",
           c.consumed, expected, uvp.pended, left, atomic_load(&destroyed));
    for (int i = 0; i < PRODUCERS; i++) {
        if (c.next_seq[i] != PER_PRODUCER) {
            fprintf(stderr, "glib_uv_queue: producer %d: %d of %d items consumed\n", i,
                    c.next_seq[i], PER_PRODUCER);
            failures++;
        }
    }
    if (!c.closed || c.consumed != expected || left != 0 || atomic_load(&destroyed) != 0)
        failures++;
    if (failures != 0) {
        puts("FAILED");
        return 1;
    }
    puts("ok: every item produced was consumed exactly once, in order per producer; "
         "the shutdown ended the consumer cleanly");
    return 0;
}
