/*
 * bench_wake: what it costs a plain thread to wake an event loop through weft, against the
 * loop's own bare wake-up primitive. One round trip = the thread sends a token to the loop,
 * the loop wakes, handles it and answers, the thread wakes with the answer. One token in
 * flight at a time (ping-pong), so this measures latency, wake-ups included.
 *
 * Thread -> loop (what differs between the variants):
 *   uv   weft (raw op): the thread does weft_queue_put(q1); the loop's pending
 *                       weft_queue_get_async on its weft_uv_port completes (the port's
 *                       notify hook: uv_async_send -> weft_port_run -> callback); the loop
 *                       starts its next get.
 *   uv   weft (helper): the same through weft_uv_queue_get (a helper op record, malloc'd
 *                       and freed, per op; no timer without a timeout).
 *   uv   bare         : the thread stores the token in an atomic slot and calls
 *                       uv_async_send; the loop's uv_async callback takes it.
 *   glib weft (raw op): as uv weft (raw op), on a GMainContext through weft_glib_source
 *                       (its notify hook: a flag + g_main_context_wakeup -> the source's
 *                       dispatch -> weft_port_run).
 *   glib bare         : the thread stores the token, g_main_context_wakeup(ctx); the
 *                       context's thread runs g_main_context_iteration(ctx, TRUE) and checks
 *                       the slot after each iteration.
 *   glib invoke       : g_main_context_invoke(ctx, fn, token): GLib's own "run this on that
 *                       loop" (an idle GSource per call), for reference.
 * Loop -> thread (the same for every variant, measured both ways): a POSIX sem_t (sem_post
 * / sem_wait, the answer in a plain slot), or a second weft queue (weft_queue_put /
 * blocking weft_queue_get).
 *
 * The bare peers carry one word through an atomic slot and queue nothing (uv_async_send
 * coalesces); weft carries it through a real FIFO queue (any number in flight).
 *
 * Usage: bench_wake [rounds [reps]]   (default 20000 round trips x 10 repetitions;
 *                                      WEFT_BENCH_QUICK=1: 2000 x 1, a smoke run)
 * The variants run interleaved, repetition by repetition, each way back in turn; prints
 * the min and the median ns per round trip over the repetitions, and weft / bare ratios.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>
#include <uv.h>
#include <weft.h>
#include <weft_glib.h>
#include <weft_uv.h>

static long rounds = 20000;

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void check(weft_status s, const char *what) {
    if (s != WEFT_OK) {
        fprintf(stderr, "bench_wake: %s returned %s\n", what, weft_status_str(s));
        exit(1);
    }
}

#define STOP ((void *)(uintptr_t)1) /* the last token: the loop answers and leaves */
#define TOKEN(i) ((void *)(uintptr_t)(((uintptr_t)(i) << 1) | 0x10))

/* The way back, loop -> thread, for every variant: a POSIX semaphore (sem_t) or a weft
 * queue (blocking get). With the same way back, only the thread -> loop wake differs. */
static sem_t back_sem;
static void *back_slot;
static int back_weft;
static weft_queue *back_q;

static void bare_answer(sem_t *sem, void **answer_slot, void *item) {
    if (back_weft) {
        check(weft_queue_put(back_q, item, 0, 0), "put back");
    } else {
        *answer_slot = item;
        sem_post(sem);
    }
}

static void *bare_wait_answer(sem_t *sem, void **answer_slot) {
    if (back_weft) {
        void *item = NULL;
        check(weft_queue_get(back_q, &item, WEFT_FOREVER), "get back");
        return item;
    }
    while (sem_wait(sem) != 0) {
    }
    return *answer_slot;
}


/* ---- the thread side of the weft variants --------------------------------------------- */

struct weft_pair {
    weft_queue *q1; /* to the loop */
};

static double weft_pinger(struct weft_pair *p) {
    uint64_t t0 = now_ns();
    for (long i = 0; i < rounds; i++) {
        check(weft_queue_put(p->q1, TOKEN(i), 0, WEFT_FOREVER), "put q1");
        void *back = bare_wait_answer(&back_sem, &back_slot);
        if (back != TOKEN(i)) {
            fprintf(stderr, "bench_wake: wrong answer\n");
            exit(1);
        }
    }
    double ns = (double)(now_ns() - t0) / (double)rounds;
    check(weft_queue_put(p->q1, STOP, 0, WEFT_FOREVER), "put stop");
    bare_wait_answer(&back_sem, &back_slot);
    return ns;
}

/* ---- uv, weft through the port (raw ops) ---------------------------------------------- */

struct uv_weft {
    struct weft_pair pair;
    uv_loop_t loop;
    weft_uv_port *wuv;
    weft_op *op;
    int helper;
};

static void uv_weft_next(struct uv_weft *s);

static void uv_weft_answer(struct uv_weft *s, void *item) {
    if (item == STOP) {
        weft_uv_port_close(s->wuv, NULL, NULL);
    } else {
        uv_weft_next(s); /* be waiting again before the thread can send the next */
    }
    bare_answer(&back_sem, &back_slot, item);
}

static void uv_weft_on_item(void *arg, weft_status status) {
    struct uv_weft *s = arg;
    void *item = NULL;
    check(status, "async get");
    check(weft_op_item(s->op, &item), "weft_op_item");
    weft_op_free(s->op);
    s->op = NULL;
    uv_weft_answer(s, item);
}

static void uv_weft_on_done(void *arg, weft_status status, const weft_uv_grant *grant) {
    check(status, "helper get");
    uv_weft_answer(arg, grant->item);
}

static void uv_weft_next(struct uv_weft *s) {
    if (s->helper) {
        check(weft_uv_queue_get(s->wuv, s->pair.q1, 0, uv_weft_on_done, s, NULL), "uv get");
        return;
    }
    void *item = NULL;
    weft_status st = weft_queue_get_async(s->pair.q1, &item, weft_uv_port_weft(s->wuv),
                                          uv_weft_on_item, s, &s->op);
    if (st == WEFT_OK) {
        uv_weft_answer(s, item);
        return;
    }
    if (st != WEFT_PENDING) check(st, "weft_queue_get_async");
}

static void *uv_weft_loop(void *arg) {
    struct uv_weft *s = arg;
    uv_run(&s->loop, UV_RUN_DEFAULT);
    return NULL;
}

static double run_uv_weft(int helper) {
    struct uv_weft s = {.helper = helper};
    check(weft_queue_new(WEFT_QUEUE_FIFO, WEFT_UNBOUNDED, NULL, NULL, &s.pair.q1), "q1");
    uv_loop_init(&s.loop);
    check(weft_uv_port_new(&s.loop, &s.wuv), "weft_uv_port_new");
    uv_weft_next(&s);
    pthread_t t;
    pthread_create(&t, NULL, uv_weft_loop, &s);
    double ns = weft_pinger(&s.pair);
    pthread_join(t, NULL);
    uv_loop_close(&s.loop);
    weft_queue_free(s.pair.q1);
    return ns;
}

/* ---- uv, bare uv_async_send ------------------------------------------------------------ */

struct uv_bare {
    uv_loop_t loop;
    uv_async_t async;
    _Atomic(void *) slot;
};

static void uv_bare_on_async(uv_async_t *a) {
    struct uv_bare *s = a->data;
    void *item = atomic_exchange(&s->slot, NULL);
    if (item == NULL) return; /* coalesced or spurious */
    if (item == STOP) uv_close((uv_handle_t *)&s->async, NULL);
    bare_answer(&back_sem, &back_slot, item);
}

static void *uv_bare_loop(void *arg) {
    struct uv_bare *s = arg;
    uv_run(&s->loop, UV_RUN_DEFAULT);
    return NULL;
}

static double run_uv_bare(void) {
    struct uv_bare s;
    memset(&s, 0, sizeof s);
    uv_loop_init(&s.loop);
    uv_async_init(&s.loop, &s.async, uv_bare_on_async);
    s.async.data = &s;
    pthread_t t;
    pthread_create(&t, NULL, uv_bare_loop, &s);
    uint64_t t0 = now_ns();
    for (long i = 0; i < rounds; i++) {
        atomic_store(&s.slot, TOKEN(i));
        uv_async_send(&s.async);
        if (bare_wait_answer(&back_sem, &back_slot) != TOKEN(i)) exit(1);
    }
    double ns = (double)(now_ns() - t0) / (double)rounds;
    atomic_store(&s.slot, STOP);
    uv_async_send(&s.async);
    bare_wait_answer(&back_sem, &back_slot);
    pthread_join(t, NULL);
    uv_loop_close(&s.loop);
    return ns;
}

/* ---- glib, weft through the source's port ---------------------------------------------- */

struct glib_weft {
    struct weft_pair pair;
    GMainContext *ctx;
    weft_glib_source *ws;
    weft_op *op;
    int stop;
};

static void glib_weft_next(struct glib_weft *s);

static void glib_weft_answer(struct glib_weft *s, void *item) {
    if (item == STOP) s->stop = 1;
    else glib_weft_next(s);
    bare_answer(&back_sem, &back_slot, item);
}

static void glib_weft_on_item(void *arg, weft_status status) {
    struct glib_weft *s = arg;
    void *item = NULL;
    check(status, "async get");
    check(weft_op_item(s->op, &item), "weft_op_item");
    weft_op_free(s->op);
    s->op = NULL;
    glib_weft_answer(s, item);
}

static void glib_weft_next(struct glib_weft *s) {
    void *item = NULL;
    weft_status st = weft_queue_get_async(s->pair.q1, &item, weft_glib_source_port(s->ws),
                                          glib_weft_on_item, s, &s->op);
    if (st == WEFT_OK) {
        glib_weft_answer(s, item);
        return;
    }
    if (st != WEFT_PENDING) check(st, "weft_queue_get_async");
}

static void *glib_weft_loop(void *arg) {
    struct glib_weft *s = arg;
    g_main_context_push_thread_default(s->ctx);
    while (!s->stop) g_main_context_iteration(s->ctx, TRUE);
    weft_glib_source_destroy(s->ws);
    while (g_main_context_iteration(s->ctx, FALSE)) {
    }
    g_main_context_pop_thread_default(s->ctx);
    return NULL;
}

static double run_glib_weft(void) {
    struct glib_weft s;
    memset(&s, 0, sizeof s);
    check(weft_queue_new(WEFT_QUEUE_FIFO, WEFT_UNBOUNDED, NULL, NULL, &s.pair.q1), "q1");
    s.ctx = g_main_context_new();
    check(weft_glib_source_new(s.ctx, &s.ws), "weft_glib_source_new");
    glib_weft_next(&s);
    pthread_t t;
    pthread_create(&t, NULL, glib_weft_loop, &s);
    double ns = weft_pinger(&s.pair);
    pthread_join(t, NULL);
    g_main_context_unref(s.ctx);
    weft_queue_free(s.pair.q1);
    return ns;
}

/* ---- glib, bare g_main_context_wakeup --------------------------------------------------- */

struct glib_bare {
    GMainContext *ctx;
    _Atomic(void *) slot;
};

static void *glib_bare_loop(void *arg) {
    struct glib_bare *s = arg;
    g_main_context_push_thread_default(s->ctx);
    for (;;) {
        g_main_context_iteration(s->ctx, TRUE);
        void *item = atomic_exchange(&s->slot, NULL);
        if (item == NULL) continue;
        bare_answer(&back_sem, &back_slot, item);
        if (item == STOP) break;
    }
    g_main_context_pop_thread_default(s->ctx);
    return NULL;
}

static double run_glib_bare(void) {
    struct glib_bare s;
    memset(&s, 0, sizeof s);
    s.ctx = g_main_context_new();
    pthread_t t;
    pthread_create(&t, NULL, glib_bare_loop, &s);
    uint64_t t0 = now_ns();
    for (long i = 0; i < rounds; i++) {
        atomic_store(&s.slot, TOKEN(i));
        g_main_context_wakeup(s.ctx);
        if (bare_wait_answer(&back_sem, &back_slot) != TOKEN(i)) exit(1);
    }
    double ns = (double)(now_ns() - t0) / (double)rounds;
    atomic_store(&s.slot, STOP);
    g_main_context_wakeup(s.ctx);
    bare_wait_answer(&back_sem, &back_slot);
    pthread_join(t, NULL);
    g_main_context_unref(s.ctx);
    return ns;
}

/* ---- glib, g_main_context_invoke (an idle source per call) --------------------------- */

struct glib_invoke {
    GMainContext *ctx;
    int stop;
};
static struct glib_invoke *invoke_state;

static gboolean glib_invoked(gpointer data) {
    if (data == STOP) invoke_state->stop = 1;
    bare_answer(&back_sem, &back_slot, data);
    return G_SOURCE_REMOVE;
}

static void *glib_invoke_loop(void *arg) {
    struct glib_invoke *s = arg;
    g_main_context_push_thread_default(s->ctx);
    while (!s->stop) g_main_context_iteration(s->ctx, TRUE);
    g_main_context_pop_thread_default(s->ctx);
    return NULL;
}

static double run_glib_invoke(void) {
    struct glib_invoke s = {g_main_context_new(), 0};
    invoke_state = &s;
    pthread_t t;
    pthread_create(&t, NULL, glib_invoke_loop, &s);
    uint64_t t0 = now_ns();
    for (long i = 0; i < rounds; i++) {
        g_main_context_invoke(s.ctx, glib_invoked, TOKEN(i));
        if (bare_wait_answer(&back_sem, &back_slot) != TOKEN(i)) exit(1);
    }
    double ns = (double)(now_ns() - t0) / (double)rounds;
    g_main_context_invoke(s.ctx, glib_invoked, STOP);
    bare_wait_answer(&back_sem, &back_slot);
    pthread_join(t, NULL);
    g_main_context_unref(s.ctx);
    return ns;
}

/* ---- main ---------------------------------------------------------------------------------- */

static double uv_weft_port(void) { return run_uv_weft(0); }
static double uv_weft_helper(void) { return run_uv_weft(1); }

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

#define VARIANTS 6
#define MAX_REPS 100

int main(int argc, char **argv) {
    int reps = 10;
    if (getenv("WEFT_BENCH_QUICK") != NULL) {
        rounds = 2000;
        reps = 1;
    }
    if (argc > 1) rounds = atol(argv[1]);
    if (argc > 2) reps = atoi(argv[2]);
    if (rounds < 1) rounds = 1;
    if (reps < 1) reps = 1;
    if (reps > MAX_REPS) reps = MAX_REPS;
    static const char *names[VARIANTS] = {
        "uv   bare uv_async_send (atomic slot)",
        "uv   weft queue -> weft_uv_port (raw op)",
        "uv   weft queue -> weft_uv_queue_get helper",
        "glib bare g_main_context_wakeup (slot)",
        "glib weft queue -> weft_glib_source (raw)",
        "glib g_main_context_invoke (idle source)",
    };
    static double (*const fns[VARIANTS])(void) = {run_uv_bare, uv_weft_port, uv_weft_helper,
                                                   run_glib_bare, run_glib_weft, run_glib_invoke};
    printf("bench_wake: thread -> loop -> thread round trips; %d repetitions of %ld round trips "
           "per variant and way back, interleaved (noise hits every variant alike)\n",
           reps, rounds);
    check(weft_queue_new(WEFT_QUEUE_FIFO, WEFT_UNBOUNDED, NULL, NULL, &back_q), "back_q");
    sem_init(&back_sem, 0, 0);
    /* WEFT_BENCH_VARIANT=<0..5> runs that variant only, WEFT_BENCH_BACK=<0|1> that way
     * back only (for strace/perf); the others print as 0. */
    int only = getenv("WEFT_BENCH_VARIANT") ? atoi(getenv("WEFT_BENCH_VARIANT")) : -1;
    int only_back = getenv("WEFT_BENCH_BACK") ? atoi(getenv("WEFT_BENCH_BACK")) : -1;
    static double samples[2][VARIANTS][MAX_REPS];
    for (int r = 0; r < reps; r++)
        for (back_weft = 0; back_weft < 2; back_weft++)
            for (int v = 0; v < VARIANTS; v++)
                if ((only < 0 || only == v) && (only_back < 0 || only_back == back_weft))
                    samples[back_weft][v][r] = fns[v]();
    double best[2][VARIANTS], median[2][VARIANTS];
    for (int b = 0; b < 2; b++)
        for (int v = 0; v < VARIANTS; v++) {
            qsort(samples[b][v], (size_t)reps, sizeof(double), cmp_double);
            best[b][v] = samples[b][v][0];
            median[b][v] = samples[b][v][reps / 2];
        }
    printf("ns per round trip, min / median:  %-19s %-19s\n", "back by sem_t", "back by weft queue");
    for (int v = 0; v < VARIANTS; v++)
        printf("%-44s %7.0f / %-7.0f   %7.0f / %-7.0f\n", names[v], best[0][v], median[0][v],
               best[1][v], median[1][v]);
    for (int b = 0; b < 2; b++)
        if (best[b][0] > 0 && best[b][3] > 0 && best[b][1] > 0 && best[b][4] > 0)
        printf("ratio weft/bare (min, median), back by %-4s: uv raw %.2f %.2f, uv helper %.2f "
               "%.2f, glib %.2f %.2f\n",
               b ? "weft" : "sem", best[b][1] / best[b][0], median[b][1] / median[b][0],
               best[b][2] / best[b][0], median[b][2] / median[b][0], best[b][4] / best[b][3],
               median[b][4] / median[b][3]);
    for (int b = 0; b < 2; b++)
        if (best[b][4] > 0 && best[b][5] > 0)
            printf("ratio glib weft / g_main_context_invoke (min, median), back by %-4s: %.2f %.2f\n",
                   b ? "weft" : "sem", best[b][4] / best[b][5], median[b][4] / median[b][5]);
    weft_queue_free(back_q);
    sem_destroy(&back_sem);
    return 0;
}
