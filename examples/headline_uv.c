/*
 * weft headline demo: two threads, each running its own libuv loop with two tasks; all four
 * tasks share ONE weft lock. Each task asks for the lock asynchronously through its loop's
 * weft port (include/weft_uv.h), holds it for a while with a uv timer (never sleep), and
 * releases it. The lock hands off in FIFO order across both loops, and neither loop ever
 * blocks: each runs a heartbeat timer that keeps ticking while its tasks wait.
 *
 * Checked, not just printed (exit status 1 on any failure):
 * - never two holders at once, and the lock's owner is always the task that holds it;
 * - FIFO: the lock is granted in exactly the order the tasks got in line;
 * - every task gets all its turns, and the lock is free at the end;
 * - no loop blocked: every wait that lasted longer than a few heartbeats saw its own loop's
 *   heartbeat tick meanwhile.
 *
 * Build: cmake target `headline_uv` (or scripts/demo.sh). Run: build/headline_uv
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <uv.h>
#include <weft.h>
#include <weft_uv.h>

#define LOOPS 2
#define TASKS_PER_LOOP 2
#define ROUNDS 2
#define HOLD_MS 40      /* how long a task holds the lock (a uv timer) */
#define STAGGER_MS 10   /* task k first asks at k * STAGGER_MS */
#define PAUSE_MS 5      /* between release and asking again */
#define HEARTBEAT_MS 2

static weft_lock *lock;
static atomic_int holders;
static atomic_int failures;
static uint64_t t0_ns;

/* Verification only: taking a ticket and getting in line must be one step, or the FIFO
 * check could race between the two loops. The lock is held around a call that never
 * blocks (weft_uv_lock_acquire returns at once), so no loop waits on it. */
static pthread_mutex_t line_mutex = PTHREAD_MUTEX_INITIALIZER;
static int next_ticket;         /* guarded by line_mutex */
static atomic_int next_grant;   /* the ticket the next grant must carry */

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
static double ms_since(uint64_t t) { return (double)(int64_t)(now_ns() - t) / 1e6; }

#define FAIL(...)                                        \
    do {                                                 \
        fprintf(stderr, "headline_uv: FAILED: ");        \
        fprintf(stderr, __VA_ARGS__);                    \
        fputc('\n', stderr);                             \
        atomic_fetch_add(&failures, 1);                  \
    } while (0)

static void check_ok(weft_status s, const char *what) {
    if (s != WEFT_OK) {
        fprintf(stderr, "headline_uv: %s returned %s\n", what, weft_status_str(s));
        exit(1);
    }
}

struct loop_ctx;

struct task {
    struct loop_ctx *loop;
    int index;             /* 1-based within its loop */
    uint64_t owner;        /* weft_owner_new(): the lock records this task as owner */
    int turns;
    int ticket;
    uint64_t asked_ns;
    uint64_t beats_at_ask;
    uv_timer_t timer;      /* start delay, hold time, pause: one timer per task */
};

struct loop_ctx {
    char name;             /* 'A', 'B' */
    uv_loop_t loop;
    weft_uv_port *wuv;
    uv_timer_t heartbeat;
    uint64_t beats;
    uint64_t last_beat_ns;
    uint64_t max_gap_ns;
    int tasks_done;
    struct task tasks[TASKS_PER_LOOP];
    int order;             /* start order of its first task (0, 1) */
};

static void on_heartbeat(uv_timer_t *t) {
    struct loop_ctx *l = t->data;
    uint64_t now = now_ns();
    if (l->last_beat_ns != 0 && now - l->last_beat_ns > l->max_gap_ns)
        l->max_gap_ns = now - l->last_beat_ns;
    l->last_beat_ns = now;
    l->beats++;
}

static void ask(struct task *t);

static void on_pause_over(uv_timer_t *timer) { ask(timer->data); }

static void on_hold_over(uv_timer_t *timer) {
    struct task *t = timer->data;
    struct loop_ctx *l = t->loop;
    atomic_fetch_sub(&holders, 1);
    printf("[%7.1f ms] task %d of loop %c releases the lock\n", ms_since(t0_ns), t->index,
           l->name);
    fflush(stdout);
    check_ok(weft_lock_release_as(lock, t->owner), "weft_lock_release_as");
    if (t->turns < ROUNDS) {
        uv_timer_start(&t->timer, on_pause_over, PAUSE_MS, 0);
        return;
    }
    uv_close((uv_handle_t *)&t->timer, NULL);
    if (++l->tasks_done == TASKS_PER_LOOP) {
        /* this loop is finished: stop the heartbeat, close the port; uv_run then returns */
        uv_close((uv_handle_t *)&l->heartbeat, NULL);
        weft_uv_port_close(l->wuv, NULL, NULL);
    }
}

/* Runs on the task's loop thread, inside uv_run, once the lock is the task's. */
static void on_locked(void *arg, weft_status status, const weft_uv_grant *grant) {
    struct task *t = arg;
    struct loop_ctx *l = t->loop;
    (void)grant;
    if (status != WEFT_OK) {
        FAIL("task %d of loop %c: acquire ended %s", t->index, l->name, weft_status_str(status));
        exit(1);
    }
    if (atomic_fetch_add(&holders, 1) != 0) FAIL("two tasks hold the lock at once");
    uint64_t owner = 0;
    check_ok(weft_lock_owner(lock, &owner), "weft_lock_owner");
    if (owner != t->owner) FAIL("the lock's owner is not the task holding it");
    int expected = atomic_fetch_add(&next_grant, 1);
    if (t->ticket != expected)
        FAIL("FIFO broken: task %d of loop %c had ticket %d, but ticket %d was next", t->index,
             l->name, t->ticket, expected);

    double waited = ms_since(t->asked_ns);
    uint64_t beats = l->beats - t->beats_at_ask;
    /* a wait of more than 5 heartbeats that saw none means the loop was blocked */
    if (waited > 5.0 * HEARTBEAT_MS + 20.0 && beats == 0)
        FAIL("loop %c's heartbeat did not tick during a %.1f ms wait", l->name, waited);
    t->turns++;
    printf("[%7.1f ms] task %d of loop %c got the lock (ticket %d, turn %d/%d; waited %5.1f ms "
           "while loop %c's heartbeat ticked %" PRIu64 " times)\n",
           ms_since(t0_ns), t->index, l->name, t->ticket, t->turns, ROUNDS, waited, l->name,
           beats);
    fflush(stdout);
    uv_timer_start(&t->timer, on_hold_over, HOLD_MS, 0); /* hold it: a timer, not a sleep */
}

static void ask(struct task *t) {
    struct loop_ctx *l = t->loop;
    pthread_mutex_lock(&line_mutex);
    t->ticket = next_ticket++;
    t->asked_ns = now_ns();
    t->beats_at_ask = l->beats;
    weft_status s = weft_uv_lock_acquire(l->wuv, lock, t->owner, 0, on_locked, t, NULL);
    pthread_mutex_unlock(&line_mutex);
    check_ok(s, "weft_uv_lock_acquire");
    printf("[%7.1f ms] task %d of loop %c waits for the lock (ticket %d)\n", ms_since(t0_ns),
           t->index, l->name, t->ticket);
    fflush(stdout);
}

static void on_start(uv_timer_t *timer) { ask(timer->data); }

static void *loop_thread(void *arg) {
    struct loop_ctx *l = arg;
    if (uv_loop_init(&l->loop) != 0) exit(1);
    check_ok(weft_uv_port_new(&l->loop, &l->wuv), "weft_uv_port_new");
    uv_timer_init(&l->loop, &l->heartbeat);
    l->heartbeat.data = l;
    uv_timer_start(&l->heartbeat, on_heartbeat, HEARTBEAT_MS, HEARTBEAT_MS);
    for (int i = 0; i < TASKS_PER_LOOP; i++) {
        struct task *t = &l->tasks[i];
        t->loop = l;
        t->index = i + 1;
        check_ok(weft_owner_new(&t->owner), "weft_owner_new");
        uv_timer_init(&l->loop, &t->timer);
        t->timer.data = t;
        /* interleave the loops: A1, B1, A2, B2 */
        int k = i * LOOPS + l->order;
        uint64_t due = t0_ns + (uint64_t)k * STAGGER_MS * 1000000u;
        uint64_t now = now_ns();
        uv_timer_start(&t->timer, on_start, due > now ? (due - now) / 1000000u : 0, 0);
    }
    uv_run(&l->loop, UV_RUN_DEFAULT);
    if (uv_loop_close(&l->loop) != 0) FAIL("loop %c still has handles", l->name);
    return NULL;
}

int main(void) {
    static struct loop_ctx loops[LOOPS];
    pthread_t tids[LOOPS];
    puts("weft headline: 2 threads x 1 libuv loop x 2 tasks share one weft lock (FIFO, async)");
    check_ok(weft_lock_new(WEFT_LOCK_FIFO, &lock), "weft_lock_new");
    t0_ns = now_ns() + 20 * 1000000u; /* give both threads time to start */
    for (int i = 0; i < LOOPS; i++) {
        loops[i].name = (char)('A' + i);
        loops[i].order = i;
        if (pthread_create(&tids[i], NULL, loop_thread, &loops[i]) != 0) exit(1);
    }
    for (int i = 0; i < LOOPS; i++) pthread_join(tids[i], NULL);

    uint64_t owner = 1;
    check_ok(weft_lock_owner(lock, &owner), "weft_lock_owner");
    if (owner != 0) FAIL("the lock is still held at the end");
    check_ok(weft_lock_free(lock), "weft_lock_free");

    puts("summary:");
    for (int i = 0; i < LOOPS; i++) {
        struct loop_ctx *l = &loops[i];
        printf("  loop %c: heartbeat ticked %" PRIu64 " times (longest gap %.1f ms)", l->name,
               l->beats, (double)l->max_gap_ns / 1e6);
        for (int j = 0; j < TASKS_PER_LOOP; j++) {
            printf("; task %d: %d/%d turns", j + 1, l->tasks[j].turns, ROUNDS);
            if (l->tasks[j].turns != ROUNDS) FAIL("a task missed turns");
        }
        putchar('\n');
        if (l->beats == 0) FAIL("loop %c's heartbeat never ticked", l->name);
    }
    if (atomic_load(&next_grant) != LOOPS * TASKS_PER_LOOP * ROUNDS) FAIL("grants missing");
    if (atomic_load(&failures) != 0) {
        puts("FAILED");
        return 1;
    }
    puts("ok: all 4 tasks got the lock in FIFO order, one at a time; no loop ever blocked");
    return 0;
}
