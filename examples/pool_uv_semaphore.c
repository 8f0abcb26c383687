/*
 * weft example: a thread pool and a libuv loop share one weft semaphore as a concurrency
 * limit (at most LIMIT jobs run at once, whoever runs them).
 *
 * - POOL threads take a permit with the blocking face (weft_sem_acquire), "work" a little,
 *   and release it;
 * - the uv loop runs TASKS tasks; each takes a permit with the async face through the
 *   loop's weft port (weft_uv_sem_acquire) with a short timeout enforced by a uv timer
 *   that cancels the wait. A task whose wait timed out counts it and asks again; one that
 *   got a permit holds it with a uv timer (the loop never sleeps) and releases it.
 * - in the middle, the pool hogs every permit for a while (a "burst"), so the loop's waits
 *   do time out for sure, and the cancels race with real grants from then on.
 *
 * Checked (exit 1 on failure): never more than LIMIT jobs at once; every job done; at
 * least one loop wait timed out and was cancelled cleanly; no permit leaked or invented
 * (the final value equals the initial one, nobody waiting).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <uv.h>
#include <weft.h>
#include <weft_uv.h>

#define LIMIT 3
#define POOL 4
#define POOL_JOBS 200
#define TASKS 6
#define TASK_JOBS 40
#define WAIT_MS 3   /* a loop task's patience */
#define HOLD_MS 1   /* a loop job's length (uv timer) */
#define BURST_MS 40 /* the pool holds every permit this long, once */

static weft_sem *sem;
static atomic_int running;     /* jobs running now */
static atomic_int max_running;
static atomic_int failures;

static void check_ok(weft_status s, const char *what) {
    if (s != WEFT_OK) {
        fprintf(stderr, "pool_uv_semaphore: %s returned %s\n", what, weft_status_str(s));
        exit(1);
    }
}

static void job_begins(void) {
    int now = atomic_fetch_add(&running, 1) + 1;
    if (now > LIMIT) {
        fprintf(stderr, "pool_uv_semaphore: %d jobs at once (limit %d)\n", now, LIMIT);
        atomic_fetch_add(&failures, 1);
    }
    int seen = atomic_load(&max_running);
    while (now > seen && !atomic_compare_exchange_weak(&max_running, &seen, now)) {
    }
}
static void job_ends(void) { atomic_fetch_sub(&running, 1); }

/* ---- the pool ---------------------------------------------------------------------- */

static atomic_int pool_jobs;
static atomic_int burst_started;

static void *pool_thread(void *arg) {
    int id = (int)(intptr_t)arg;
    if (id == 0) {
        /* the burst: take every permit (blocking), hold them, give them back at once */
        usleep(20000);
        for (int i = 0; i < LIMIT; i++) check_ok(weft_sem_acquire(sem, WEFT_FOREVER), "burst");
        atomic_store(&burst_started, 1);
        usleep(BURST_MS * 1000);
        check_ok(weft_sem_release(sem, LIMIT), "burst release");
    }
    for (int j = 0; j < POOL_JOBS; j++) {
        check_ok(weft_sem_acquire(sem, WEFT_FOREVER), "weft_sem_acquire");
        job_begins();
        usleep(100 + (unsigned)(j % 5) * 50);
        job_ends();
        check_ok(weft_sem_release(sem, 1), "weft_sem_release");
        atomic_fetch_add(&pool_jobs, 1);
    }
    return NULL;
}

/* ---- the loop ---------------------------------------------------------------------- */

struct task {
    weft_uv_port *wuv;
    uv_timer_t hold;
    int jobs;
    int timeouts;
};

static int loop_tasks_done;
static weft_uv_port *the_port;

static void ask(struct task *t);

static void on_job_done(uv_timer_t *timer) {
    struct task *t = timer->data;
    job_ends();
    check_ok(weft_sem_release(sem, 1), "weft_sem_release (loop)");
    if (++t->jobs < TASK_JOBS) {
        ask(t);
        return;
    }
    uv_close((uv_handle_t *)&t->hold, NULL);
    if (++loop_tasks_done == TASKS) weft_uv_port_close(the_port, NULL, NULL);
}

static void on_permit(void *arg, weft_status status, const weft_uv_grant *grant) {
    struct task *t = arg;
    (void)grant;
    if (status == WEFT_TIMEOUT) { /* the uv timer cancelled the wait: no permit is ours */
        t->timeouts++;
        ask(t);
        return;
    }
    check_ok(status, "the loop's permit wait");
    job_begins();
    uv_timer_start(&t->hold, on_job_done, HOLD_MS, 0);
}

static void ask(struct task *t) {
    check_ok(weft_uv_sem_acquire(t->wuv, sem, WAIT_MS, on_permit, t, NULL),
             "weft_uv_sem_acquire");
}

int main(void) {
    check_ok(weft_sem_new(LIMIT, LIMIT, &sem), "weft_sem_new");
    printf("weft: %d pool threads and a libuv loop with %d tasks share a semaphore of %d "
           "permits; the loop waits at most %d ms (a uv timer cancels the wait)\n",
           POOL, TASKS, LIMIT, WAIT_MS);

    pthread_t pool[POOL];
    for (int i = 0; i < POOL; i++)
        if (pthread_create(&pool[i], NULL, pool_thread, (void *)(intptr_t)i) != 0) exit(1);

    uv_loop_t loop;
    if (uv_loop_init(&loop) != 0) exit(1);
    check_ok(weft_uv_port_new(&loop, &the_port), "weft_uv_port_new");
    static struct task tasks[TASKS];
    for (int i = 0; i < TASKS; i++) {
        tasks[i].wuv = the_port;
        uv_timer_init(&loop, &tasks[i].hold);
        tasks[i].hold.data = &tasks[i];
        ask(&tasks[i]);
    }
    uv_run(&loop, UV_RUN_DEFAULT);
    if (uv_loop_close(&loop) != 0) {
        fprintf(stderr, "pool_uv_semaphore: the loop still has handles\n");
        atomic_fetch_add(&failures, 1);
    }
    for (int i = 0; i < POOL; i++) pthread_join(pool[i], NULL);

    int timeouts = 0, jobs = 0;
    for (int i = 0; i < TASKS; i++) {
        timeouts += tasks[i].timeouts;
        jobs += tasks[i].jobs;
    }
    uint64_t value = 0;
    size_t waiting = 1;
    check_ok(weft_sem_value(sem, &value), "weft_sem_value");
    check_ok(weft_sem_waiting(sem, &waiting), "weft_sem_waiting");
    printf("pool jobs %d/%d, loop jobs %d/%d, loop waits that timed out: %d; most jobs at "
           "once: %d (limit %d); final permits %llu (initial %d), waiting %zu\n",
           atomic_load(&pool_jobs), POOL * POOL_JOBS, jobs, TASKS * TASK_JOBS, timeouts,
           atomic_load(&max_running), LIMIT, (unsigned long long)value, LIMIT, waiting);
    if (atomic_load(&pool_jobs) != POOL * POOL_JOBS || jobs != TASKS * TASK_JOBS) {
        fprintf(stderr, "pool_uv_semaphore: jobs missing\n");
        atomic_fetch_add(&failures, 1);
    }
    if (timeouts == 0 || !atomic_load(&burst_started)) {
        fprintf(stderr, "pool_uv_semaphore: no loop wait ever timed out (the burst should "
                        "have made some)\n");
        atomic_fetch_add(&failures, 1);
    }
    if (value != LIMIT || waiting != 0) {
        fprintf(stderr, "pool_uv_semaphore: a permit leaked or was invented\n");
        atomic_fetch_add(&failures, 1);
    }
    check_ok(weft_sem_free(sem), "weft_sem_free");
    if (atomic_load(&failures) != 0) {
        puts("FAILED");
        return 1;
    }
    puts("ok: the limit held, timed-out waits were cancelled cleanly, every permit came back");
    return 0;
}
