/*
 * weft_port_set_notify: the hook is called once per change of the queue from empty to
 * non-empty (not per completion, not for a run that stops early), with its ctx, on the
 * completing thread, with no weft lock held (it calls weft on the same port and
 * primitive); the fd stays unreadable while a hook is set; a hook set on a non-empty
 * queue is called at once, a hook removed from one leaves the fd readable; weft_port_wait
 * checks but does not sleep; set_notify and the last weft_port_free return only once no
 * call of the hook is running; a loop woken only by the hook never misses a completion
 * (producer threads against a loop thread, thousands of rounds).
 */
#include "check.h"

static size_t pending_in(weft_port *port) {
    size_t n = SIZE_MAX;
    OK(weft_port_pending(port, &n));
    return n;
}

static int port_fd_readable(weft_port *port) {
    int32_t fd = -1;
    OK(weft_port_fd(port, &fd));
    return fd_readable(fd);
}

static size_t run_all(weft_port *port, size_t max) {
    size_t ran = SIZE_MAX;
    OK(weft_port_run(port, max, &ran));
    return ran;
}

/* ---- a counting hook that calls weft from inside -------------------------------- */

struct counter {
    weft_port *port;        /* looked at from inside the hook: no weft lock may be held */
    weft_sem *sem;
    atomic_int calls;
    atomic_size_t pending_seen;
    pthread_t last_thread;
};

static void count_hook(void *ctx) {
    struct counter *c = ctx;
    size_t n = 0;
    uint64_t v = 0;
    OK(weft_port_pending(c->port, &n)); /* would deadlock under the port's mutex */
    OK(weft_sem_value(c->sem, &v));     /* ... or the semaphore's */
    atomic_store(&c->pending_seen, n);
    c->last_thread = pthread_self();
    atomic_fetch_add(&c->calls, 1);
}

static void on_done(void *arg, weft_status st) {
    atomic_int *n = arg;
    CHECK_STATUS(st, WEFT_OK);
    atomic_fetch_add(n, 1);
}

static void *release_one(void *sem) {
    OK(weft_sem_release((weft_sem *)sem, 1));
    return NULL;
}

static void test_once_per_transition(void) {
    struct counter c = {0};
    OK(weft_port_new(&c.port));
    OK(weft_sem_new(0, -1, &c.sem));
    OK(weft_port_set_notify(c.port, count_hook, &c));
    atomic_int done = 0;
    weft_op *ops[3];
    for (int i = 0; i < 3; i++) {
        CHECK_STATUS(weft_sem_acquire_async(c.sem, c.port, on_done, &done, &ops[i]),
                     WEFT_PENDING);
    }
    CHECK(atomic_load(&c.calls) == 0);

    /* first completion, from another thread: one call, there, after the push */
    pthread_t t;
    CHECK(pthread_create(&t, NULL, release_one, c.sem) == 0);
    CHECK(pthread_join(t, NULL) == 0);
    CHECK(atomic_load(&c.calls) == 1);
    CHECK(pthread_equal(c.last_thread, t));
    CHECK(atomic_load(&c.pending_seen) == 1);
    CHECK(!port_fd_readable(c.port));

    /* a second one into the non-empty queue: no call */
    OK(weft_sem_release(c.sem, 1));
    CHECK(atomic_load(&c.calls) == 1);
    CHECK(pending_in(c.port) == 2);

    /* a run that stops early leaves one queued and calls nothing */
    CHECK(run_all(c.port, 1) == 1);
    CHECK(atomic_load(&c.calls) == 1);
    CHECK(run_all(c.port, 8) == 1);
    CHECK(atomic_load(&done) == 2);

    /* empty again: the next completion calls again, on this thread */
    OK(weft_sem_release(c.sem, 1));
    CHECK(atomic_load(&c.calls) == 2);
    CHECK(pthread_equal(c.last_thread, pthread_self()));
    CHECK(!port_fd_readable(c.port));
    CHECK(run_all(c.port, 8) == 1);
    CHECK(atomic_load(&done) == 3);

    for (int i = 0; i < 3; i++) OK(weft_op_free(ops[i]));
    OK(weft_sem_free(c.sem));
    OK(weft_port_free(c.port));
}

/* ---- setting and removing with completions queued ------------------------------- */

static void test_set_and_remove_with_queued(void) {
    struct counter c = {0};
    OK(weft_port_new(&c.port));
    OK(weft_sem_new(0, -1, &c.sem));
    atomic_int done = 0;
    weft_op *ops[2];
    for (int i = 0; i < 2; i++) {
        CHECK_STATUS(weft_sem_acquire_async(c.sem, c.port, on_done, &done, &ops[i]),
                     WEFT_PENDING);
    }
    OK(weft_sem_release(c.sem, 1));
    CHECK(port_fd_readable(c.port)); /* no hook yet: the fd */

    OK(weft_port_set_notify(c.port, count_hook, &c)); /* queued: called at once */
    CHECK(atomic_load(&c.calls) == 1);
    CHECK(pthread_equal(c.last_thread, pthread_self()));
    CHECK(!port_fd_readable(c.port));

    /* weft_port_wait: the check works, sleeping is refused (the fd is not raised) */
    OK(weft_port_wait(c.port, 0));
    OK(weft_port_wait(c.port, WEFT_FOREVER)); /* something is pending: no sleep needed */
    CHECK(run_all(c.port, 8) == 1);
    CHECK_STATUS(weft_port_wait(c.port, 0), WEFT_WOULD_BLOCK);
    CHECK_STATUS(weft_port_wait(c.port, WEFT_MS), WEFT_INVALID);

    /* removed while a completion is queued: the fd is readable again, no hook call */
    OK(weft_sem_release(c.sem, 1));
    CHECK(atomic_load(&c.calls) == 2);
    OK(weft_port_set_notify(c.port, NULL, NULL));
    CHECK(port_fd_readable(c.port));
    OK(weft_port_wait(c.port, WEFT_FOREVER));
    CHECK(run_all(c.port, 8) == 1);
    CHECK(!port_fd_readable(c.port));
    CHECK(atomic_load(&c.calls) == 2);
    CHECK(atomic_load(&done) == 2);

    CHECK_STATUS(weft_port_set_notify(NULL, count_hook, &c), WEFT_INVALID);
    for (int i = 0; i < 2; i++) OK(weft_op_free(ops[i]));
    OK(weft_sem_free(c.sem));
    OK(weft_port_free(c.port));
}

/* ---- no call still running after set_notify / free returns ---------------------- */

struct slow {
    atomic_int inside;  /* 1 while a call runs */
    atomic_int entered;
};

static void slow_hook(void *ctx) {
    struct slow *s = ctx;
    atomic_store(&s->inside, 1);
    atomic_fetch_add(&s->entered, 1);
    struct timespec ts = {0, 50 * 1000 * 1000};
    nanosleep(&ts, NULL); /* a hook that takes long: set_notify must wait it out */
    atomic_store(&s->inside, 0);
}

struct completer {
    weft_sem *sem;
};

static void *release_async(void *arg) {
    OK(weft_sem_release(((struct completer *)arg)->sem, 1));
    return NULL;
}

/* `free_port`: end with the port's last weft_port_free instead of set_notify(NULL). */
static void test_waits_for_running_calls(int free_port) {
    weft_port *port;
    weft_sem *sem;
    OK(weft_port_new(&port));
    OK(weft_sem_new(0, -1, &sem));
    struct slow s = {0};
    OK(weft_port_set_notify(port, slow_hook, &s));
    weft_op *op;
    CHECK_STATUS(weft_sem_acquire_async(sem, port, NULL, NULL, &op), WEFT_PENDING);
    struct completer c = {sem};
    pthread_t t;
    CHECK(pthread_create(&t, NULL, release_async, &c) == 0);
    WAIT_UNTIL(atomic_load(&s.entered) == 1); /* the hook is running on `t` */
    if (free_port) {
        OK(weft_port_free(port)); /* closes: the queued grant is given back */
    } else {
        OK(weft_port_set_notify(port, NULL, NULL));
    }
    CHECK(atomic_load(&s.inside) == 0); /* returned only after the call did */
    CHECK(pthread_join(t, NULL) == 0);
    if (!free_port) {
        CHECK(run_all(port, 8) == 1);
        OK(weft_port_free(port));
    }
    CHECK(atomic_load(&s.entered) == 1);
    OK(weft_op_free(op));
    OK(weft_sem_free(sem));
}

/* ---- a loop woken only by the hook never misses a completion ---------------------- */

/* The "loop": sleeps on a condition variable its hook signals, runs the port when woken,
 * and stops once it has seen every completion. */
struct loop {
    weft_port *port;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int woken;
    atomic_long completed;
    long expected;
};

static void loop_hook(void *ctx) {
    struct loop *l = ctx;
    pthread_mutex_lock(&l->mu);
    l->woken = 1;
    pthread_cond_signal(&l->cv);
    pthread_mutex_unlock(&l->mu);
}

static void loop_on_done(void *arg, weft_status st) {
    struct loop *l = arg;
    CHECK_STATUS(st, WEFT_OK);
    atomic_fetch_add(&l->completed, 1);
}

static void *loop_thread(void *arg) {
    struct loop *l = arg;
    while (atomic_load(&l->completed) < l->expected) {
        pthread_mutex_lock(&l->mu);
        while (!l->woken) pthread_cond_wait(&l->cv, &l->mu);
        l->woken = 0;
        pthread_mutex_unlock(&l->mu);
        /* small batches: a run that stops early must come back by itself */
        while (run_all(l->port, 3) == 3) {
        }
    }
    return NULL;
}

struct producer {
    weft_sem *sem;
    long releases;
};

static void *producer_thread(void *arg) {
    struct producer *p = arg;
    for (long i = 0; i < p->releases; i++) {
        OK(weft_sem_release(p->sem, 1));
        if (i % 7 == 0) sched_yield();
    }
    return NULL;
}

static void test_loop_never_misses(void) {
    enum { PRODUCERS = 2 };
    long per_producer = 4000 / test_scale_down();
    struct loop l = {.expected = PRODUCERS * per_producer};
    pthread_mutex_init(&l.mu, NULL);
    pthread_cond_init(&l.cv, NULL);
    OK(weft_port_new(&l.port));
    OK(weft_port_set_notify(l.port, loop_hook, &l));
    weft_sem *sem;
    OK(weft_sem_new(0, -1, &sem));
    /* every op is started up front: each release completes one */
    weft_op **ops = calloc((size_t)l.expected, sizeof *ops);
    CHECK(ops != NULL);
    for (long i = 0; i < l.expected; i++) {
        CHECK_STATUS(weft_sem_acquire_async(sem, l.port, loop_on_done, &l, &ops[i]),
                     WEFT_PENDING);
    }
    pthread_t lt, pt[PRODUCERS];
    CHECK(pthread_create(&lt, NULL, loop_thread, &l) == 0);
    struct producer p = {sem, per_producer};
    for (int i = 0; i < PRODUCERS; i++) CHECK(pthread_create(&pt[i], NULL, producer_thread, &p) == 0);
    for (int i = 0; i < PRODUCERS; i++) CHECK(pthread_join(pt[i], NULL) == 0);
    CHECK(pthread_join(lt, NULL) == 0); /* a missed wake-up hangs here: the watchdog fails it */
    CHECK(atomic_load(&l.completed) == l.expected);
    CHECK(pending_in(l.port) == 0);
    for (long i = 0; i < l.expected; i++) OK(weft_op_free(ops[i]));
    free(ops);
    OK(weft_sem_free(sem));
    OK(weft_port_free(l.port));
    pthread_cond_destroy(&l.cv);
    pthread_mutex_destroy(&l.mu);
}

int main(void) {
    start_watchdog(120);
    test_once_per_transition();
    test_set_and_remove_with_queued();
    test_waits_for_running_calls(0);
    test_waits_for_running_calls(1);
    test_loop_never_misses();
    return test_exit_code("test_port_notify");
}
