/*
 * gtk_net: weft's GUI-plus-network example. A GTK 4 window, a libuv TCP server in its own
 * thread and a pool of worker threads, coordinated by weft primitives:
 *
 *   TCP clients --> [server.c: libuv thread] --async put--> inbound weft queue (bounded)
 *       --blocking get--> [workers.c: W threads, at most K processing at once: weft limiter]
 *       --> [handoff*.c: a second weft queue, drained on the GTK main context through
 *            weft_glib.h]  --> [reorder.c] --> [gui.c: the window]
 *
 * A weft event tells every party to shut down; a weft lock guards the shared counters
 * (shared_state.c). This file wires them together and runs the shutdown sequence:
 *
 *   Quit / close --> shutdown event set --> the server stops, shuts the inbound queue down
 *   --> the workers drain it and exit, the last closes the handoff --> the GUI drains
 *   that and hears the end --> every thread is joined, everything freed.
 *
 * Usage: gtk_net [--mode weft|gasync] [--workers W] [--limit K] [--work-us US] [--gui-work-us US]
 *                [--inbound-capacity N] [--results-capacity N] [--backlog N]
 *                [--quit-after N [--quit-by button|close]] [--log FILE]
 *                [--screenshot FILE [--screenshot-at N]]
 * SIGINT and SIGTERM shut it down like the Quit button.
 * --gui-work-us US: the GUI spends US more microseconds on each message shown (a heavier
 * view), to see what happens when the GUI is the slowest stage (docs/performance.md).
 * --quit-after N: once N messages have been shown, quit as a user would (click Quit, or
 * close the window with --quit-by close); what is still in the pipeline then is drained
 * and shown, so more than N may be shown. --log writes each message shown, in order, as
 * "<conn> <seq> <digest>". It prints "gtk_net: listening on 127.0.0.1:<port>" once it
 * listens, and a summary line at the end; the exit status is 1 if a check failed
 * (accepted == processed == shown, nothing held back or duplicated, at most K processed
 * at once, the screenshot written).
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib-unix.h>
#include <gtk/gtk.h>
#include <weft.h>

#include "gui.h"
#include "handoff.h"
#include "message.h"
#include "reorder.h"
#include "screenshot.h"
#include "server.h"
#include "shared_state.h"
#include "stall_meter.h"
#include "workers.h"

#define HEARTBEAT_MS 5
#define REFRESH_MS 100

struct options {
    const char *mode;
    int workers, limit, work_us, gui_work_us;
    long inbound_capacity, results_capacity, backlog;
    uint64_t quit_after, screenshot_at;
    int quit_by_close;
    const char *log_path, *screenshot_path;
};

struct app {
    struct options opt;
    /* the weft primitives */
    weft_queue *inbound;
    weft_limiter *limiter;
    weft_event *shutdown;
    struct shared_state shared;
    /* the parties */
    struct server *server;
    struct workers *workers;
    struct handoff *handoff;
    struct gui *gui;
    /* the GTK side */
    GMainLoop *loop;
    struct reorder reorder;
    struct stall_meter stall;
    guint refresh_id;
    FILE *log;
    int shutting_down;
    uint64_t accepted;  /* the server's count, once joined */
    uint64_t shown;
    uint64_t first_received_ns, last_shown_ns, longest_latency_ns;
    int screenshot_result; /* 1: not asked for, 2: asked for, 0: written, -1: failed */
};

static int usage(void) {
    fprintf(stderr, "usage: gtk_net [--mode weft|gasync] [--workers W] [--limit K] [--work-us US]\n"
                    "  [--gui-work-us US]\n"
                    "  [--inbound-capacity N] [--results-capacity N] [--backlog N]\n"
                    "  [--quit-after N [--quit-by button|close]] [--log FILE]\n"
                    "  [--screenshot FILE [--screenshot-at N]]\n");
    return 2;
}

static int parse_options(int argc, char **argv, struct options *o) {
    *o = (struct options){.mode = "weft", .workers = 4, .limit = 2, .work_us = 200,
                          .inbound_capacity = 64, .results_capacity = 256, .backlog = 64};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (v == NULL) return -1;
        i++;
        if (!strcmp(a, "--mode")) o->mode = v;
        else if (!strcmp(a, "--workers")) o->workers = atoi(v);
        else if (!strcmp(a, "--limit")) o->limit = atoi(v);
        else if (!strcmp(a, "--work-us")) o->work_us = atoi(v);
        else if (!strcmp(a, "--gui-work-us")) o->gui_work_us = atoi(v);
        else if (!strcmp(a, "--inbound-capacity")) o->inbound_capacity = atol(v);
        else if (!strcmp(a, "--results-capacity")) o->results_capacity = atol(v);
        else if (!strcmp(a, "--backlog")) o->backlog = atol(v);
        else if (!strcmp(a, "--quit-after")) o->quit_after = strtoull(v, NULL, 10);
        else if (!strcmp(a, "--screenshot-at")) o->screenshot_at = strtoull(v, NULL, 10);
        else if (!strcmp(a, "--quit-by")) o->quit_by_close = !strcmp(v, "close");
        else if (!strcmp(a, "--log")) o->log_path = v;
        else if (!strcmp(a, "--screenshot")) o->screenshot_path = v;
        else return -1;
    }
    if (strcmp(o->mode, "weft") && strcmp(o->mode, "gasync")) return -1;
    if (o->workers < 1 || o->limit < 1 || o->work_us < 0 || o->gui_work_us < 0 || o->inbound_capacity < 1 ||
        o->results_capacity < 1 || o->backlog < 1)
        return -1;
    if (o->screenshot_path != NULL && o->screenshot_at == 0)
        o->screenshot_at = o->quit_after > 1 ? o->quit_after / 2 : 1;
    return 0;
}

/* ---- the shutdown sequence (GTK thread) ------------------------------------------- */

/* The Quit button or the window's close: tell every party. */
static void begin_shutdown(void *arg) {
    struct app *app = arg;
    if (app->shutting_down) return;
    app->shutting_down = 1;
    stall_meter_measure(&app->stall, false);
    gui_set_status(app->gui, "shutting down: draining the queues");
    weft_event_set(app->shutdown, NULL);
}

/* The handoff has delivered its last message: every worker has exited and the server
 * thread has shut the inbound queue down, so the joins below wait for threads that are
 * returning. */
static gboolean finish(gpointer data) {
    struct app *app = data;
    app->accepted = server_join(app->server);
    app->server = NULL;
    workers_join(app->workers);
    app->workers = NULL;
    g_main_loop_quit(app->loop);
    return G_SOURCE_REMOVE;
}

/* SIGINT / SIGTERM (Ctrl-C in the terminal): the same clean shutdown as Quit. */
static gboolean on_signal(gpointer data) {
    begin_shutdown(data);
    return G_SOURCE_CONTINUE;
}

static gboolean request_quit(gpointer data) {
    struct app *app = data;
    if (app->opt.quit_by_close) gui_close_window(app->gui);
    else gui_click_quit(app->gui);
    return G_SOURCE_REMOVE;
}

/* ---- messages reaching the GUI ---------------------------------------------------- */

static void screenshot_taken(void *arg, int result) {
    struct app *app = arg;
    app->screenshot_result = result;
    stall_meter_skip(&app->stall); /* the test's own pause, not the loop's */
}

/* A message in its connection's order: show it, log it, free it. */
static void show(void *arg, struct message *m) {
    struct app *app = arg;
    uint64_t now = monotonic_ns();
    if (app->shown++ == 0) stall_meter_measure(&app->stall, true);
    if (app->first_received_ns == 0 || m->received_ns < app->first_received_ns)
        app->first_received_ns = m->received_ns;
    if (now - m->received_ns > app->longest_latency_ns) app->longest_latency_ns = now - m->received_ns;
    app->last_shown_ns = now;
    gui_show_message(app->gui, m);
    while (app->opt.gui_work_us > 0 && monotonic_ns() - now < (uint64_t)app->opt.gui_work_us * 1000u) {
    }
    if (app->log != NULL)
        fprintf(app->log, "%" PRIu32 " %" PRIu64 " %016" PRIx64 "\n", m->conn, m->seq, m->digest);
    message_free(NULL, m);

    if (app->opt.screenshot_path != NULL && app->shown == app->opt.screenshot_at) {
        app->screenshot_result = 2; /* asked for */
        if (screenshot_save_png(gui_window(app->gui), app->opt.screenshot_path, screenshot_taken, app) != 0)
            app->screenshot_result = -1;
    }
    if (app->opt.quit_after != 0 && app->shown == app->opt.quit_after) {
        stall_meter_measure(&app->stall, false);
        g_idle_add(request_quit, app);
    }
}

/* From the handoff: a processed message (any order within a connection), or the end. */
static void deliver(void *arg, struct message *m) {
    struct app *app = arg;
    if (m == NULL) {
        g_idle_add(finish, app);
        return;
    }
    if (reorder_push(&app->reorder, m, show, app) != 0) {
        fprintf(stderr, "gtk_net: out of memory\n");
        abort();
    }
}

static gboolean refresh(gpointer data) {
    struct app *app = data;
    gui_refresh(app->gui, app->shown, (double)app->stall.longest_gap_ns / 1e6);
    return G_SOURCE_CONTINUE;
}

/* ---- set-up, run, tear-down ------------------------------------------------------- */

static void check(int ok, const char *what) {
    if (!ok) {
        fprintf(stderr, "gtk_net: %s failed\n", what);
        exit(1);
    }
}

/* Prints the summary; returns the number of failed checks. */
static int summarize(struct app *app) {
    uint64_t processed = app->shared.processed, max_in_flight = app->shared.max_in_flight;
    double span_s = app->shown ? (double)(app->last_shown_ns - app->first_received_ns) / 1e9 : 0;
    printf("gtk_net: summary mode=%s received=%" PRIu64 " processed=%" PRIu64 " shown=%" PRIu64
           " reordered=%" PRIu64 " held_most=%" PRIu64 " duplicates=%" PRIu64
           " max_in_flight=%" PRIu64 " limit=%d workers=%d longest_stall_ms=%.2f heartbeats=%" PRIu64
           " messages_per_s=%.0f longest_latency_ms=%.2f screenshot=%s\n",
           app->opt.mode, app->accepted, processed, app->shown, app->reorder.reordered,
           app->reorder.held_most, app->reorder.duplicates, max_in_flight, app->opt.limit,
           app->opt.workers, (double)app->stall.longest_gap_ns / 1e6, app->stall.ticks,
           span_s > 0 ? (double)app->shown / span_s : 0.0, (double)app->longest_latency_ns / 1e6,
           app->screenshot_result == 1   ? "none"
           : app->screenshot_result == 0 ? "ok"
           : app->screenshot_result == 2 ? "pending"
                                         : "failed");
    int failures = 0;
#define EXPECT(cond, ...)                                  \
    do {                                                   \
        if (!(cond)) {                                     \
            fprintf(stderr, "gtk_net: FAILED: " __VA_ARGS__); \
            fputc('\n', stderr);                           \
            failures++;                                    \
        }                                                  \
    } while (0)
    EXPECT(app->accepted == processed, "%" PRIu64 " accepted but %" PRIu64 " processed", app->accepted, processed);
    EXPECT(processed == app->shown, "%" PRIu64 " processed but %" PRIu64 " shown", processed, app->shown);
    EXPECT(app->reorder.held == 0, "%" PRIu64 " messages still wait for an earlier one", app->reorder.held);
    EXPECT(app->reorder.duplicates == 0, "%" PRIu64 " duplicates", app->reorder.duplicates);
    EXPECT(max_in_flight <= (uint64_t)app->opt.limit, "%" PRIu64 " processed at once, limit %d",
           max_in_flight, app->opt.limit);
    EXPECT(app->shared.in_flight == 0, "messages still in flight");
    EXPECT(app->screenshot_result == 1 || app->screenshot_result == 0, "the screenshot %s",
           app->screenshot_result == 2 ? "was never taken (no frame came)" : "could not be written");
#undef EXPECT
    return failures;
}

int main(int argc, char **argv) {
    static struct app app;
    if (parse_options(argc, argv, &app.opt) != 0) return usage();
    app.screenshot_result = 1;
    if (!gtk_init_check()) {
        fprintf(stderr, "gtk_net: cannot open a display (run it under X, Wayland or xvfb-run)\n");
        return 1;
    }
    if (app.opt.log_path != NULL) check((app.log = fopen(app.opt.log_path, "w")) != NULL, "opening the log");

    check(weft_queue_new(WEFT_QUEUE_FIFO, app.opt.inbound_capacity, message_free, NULL, &app.inbound) == WEFT_OK,
          "weft_queue_new");
    check(weft_limiter_new(app.opt.limit, WEFT_LIMITER_PLAIN, &app.limiter) == WEFT_OK, "weft_limiter_new");
    check(weft_event_new(WEFT_EVENT_ONE_TIME, &app.shutdown) == WEFT_OK, "weft_event_new");
    check(shared_state_init(&app.shared, app.opt.workers) == 0, "shared_state_init");
    reorder_init(&app.reorder);
    app.loop = g_main_loop_new(NULL, FALSE);

    int use_weft = !strcmp(app.opt.mode, "weft");
    app.handoff = use_weft ? handoff_weft_new((size_t)app.opt.results_capacity, deliver, &app)
                           : handoff_gasync_new(deliver, &app);
    check(app.handoff != NULL, "creating the handoff");

    struct server_config server_config = {app.inbound, app.shutdown, &app.shared, (size_t)app.opt.backlog};
    int port = 0;
    check(server_start(&server_config, &app.server, &port) == 0, "starting the server");
    struct workers_config workers_config = {app.inbound, app.limiter, app.handoff, &app.shared,
                                            app.opt.workers, app.opt.work_us};
    check(workers_start(&workers_config, &app.workers) == 0, "starting the workers");

    struct gui_config gui_config = {&app.shared, app.opt.limit, port, app.opt.mode, begin_shutdown, &app};
    app.gui = gui_new(&gui_config);
    check(app.gui != NULL, "creating the window");
    stall_meter_start(&app.stall, HEARTBEAT_MS);
    guint sigint_id = g_unix_signal_add(SIGINT, on_signal, &app);
    guint sigterm_id = g_unix_signal_add(SIGTERM, on_signal, &app);
    app.refresh_id = g_timeout_add(REFRESH_MS, refresh, &app);

    printf("gtk_net: listening on 127.0.0.1:%d (mode %s, %d workers, at most %d processing)\n", port,
           app.opt.mode, app.opt.workers, app.opt.limit);
    fflush(stdout);

    g_main_loop_run(app.loop);

    /* Every thread is joined; what is left is the GTK thread's own. */
    g_source_remove(app.refresh_id);
    g_source_remove(sigint_id);
    g_source_remove(sigterm_id);
    stall_meter_stop(&app.stall);
    gui_free(app.gui);
    handoff_free(app.handoff);
    while (g_main_context_pending(NULL)) g_main_context_iteration(NULL, FALSE);
    g_main_loop_unref(app.loop);
    if (app.log != NULL) fclose(app.log);

    int failures = summarize(&app);
    reorder_destroy(&app.reorder);
    shared_state_destroy(&app.shared);
    weft_event_free(app.shutdown);
    weft_limiter_free(app.limiter);
    weft_queue_free(app.inbound);
    return failures ? 1 : 0;
}
