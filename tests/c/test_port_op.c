/*
 * weft_port and weft_op: the fd is readable exactly while completions are pending
 * (poll(2) with timeout 0 before, during, after; bursts; max smaller than pending);
 * weft_port_wait; pull form in completion order; run form on the running thread, with
 * callbacks calling weft (this port included); weft_op_cancel winning (one CANCELLED
 * completion) or losing (WEFT_OK: the caller owns the grant); weft_op_status/value;
 * closing a port with completions pending or ops still waiting (grants given back,
 * callbacks told WEFT_CANCELLED); freeing handles and ops while ops are pending.
 */
#include "check.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/resource.h>

static size_t pending_in(weft_port *port) {
    size_t n = SIZE_MAX;
    OK(weft_port_pending(port, &n));
    return n;
}

static int fd_of(weft_port *port) {
    int32_t fd = -1;
    OK(weft_port_fd(port, &fd));
    CHECK(fd >= 0);
    return fd;
}

static uint64_t lock_owner(weft_lock *lock) {
    uint64_t o = UINT64_MAX;
    OK(weft_lock_owner(lock, &o));
    return o;
}

static uint64_t sem_value(weft_sem *sem) {
    uint64_t v = UINT64_MAX;
    OK(weft_sem_value(sem, &v));
    return v;
}

static weft_status op_status(weft_op *op) {
    weft_status st = -1;
    OK(weft_op_status(op, &st));
    return st;
}

/* ---- the fd contract ---- */

static void fd_contract(void) {
    weft_port *port, *other;
    weft_sem *sem;
    OK(weft_port_new(&port));
    OK(weft_port_new(&other));
    OK(weft_sem_new(0, -1, &sem));
    int fd = fd_of(port), other_fd = fd_of(other);
    CHECK(fd != other_fd);
    CHECK(fd_of(port) == fd); /* the same fd every time */
    CHECK(fcntl(fd, F_GETFD) >= 0);

    /* before: nothing pending */
    CHECK(!fd_readable(fd) && pending_in(port) == 0);
    CHECK_STATUS(weft_port_wait(port, 0), WEFT_WOULD_BLOCK);
    CHECK_STATUS(weft_port_wait(port, 2 * WEFT_MS), WEFT_TIMEOUT);
    CHECK(!fd_readable(fd));

    /* one completion: readable; wait takes nothing */
    weft_op *op;
    CHECK_STATUS(weft_sem_acquire_async(sem, port, NULL, (void *)1, &op), WEFT_PENDING);
    CHECK(!fd_readable(fd)); /* queued, not completed */
    OK(weft_sem_release(sem, 1));
    CHECK(fd_readable(fd) && pending_in(port) == 1);
    CHECK(!fd_readable(other_fd) && pending_in(other) == 0); /* only its own port */
    OK(weft_port_wait(port, 0));
    OK(weft_port_wait(port, WEFT_FOREVER));
    OK(weft_port_wait(port, 5 * WEFT_SECOND));
    CHECK(fd_readable(fd) && pending_in(port) == 1);
    weft_completion rec[64];
    size_t n;
    OK(weft_port_poll(port, rec, 64, &n));
    CHECK(n == 1 && rec[0].arg == (void *)1 && rec[0].status == WEFT_OK);
    CHECK(!fd_readable(fd) && pending_in(port) == 0); /* after: not readable */
    OK(weft_op_free(op));

    /* a burst of 50: one readable fd, drained one record at a time; readable until the
     * very last is taken, then not (the burst left no stale readiness behind) */
    weft_op *ops[50];
    for (int i = 0; i < 50; i++)
        CHECK_STATUS(weft_sem_acquire_async(sem, port, NULL, (void *)(intptr_t)i, &ops[i]), WEFT_PENDING);
    OK(weft_sem_release(sem, 50));
    CHECK(pending_in(port) == 50);
    for (int i = 0; i < 50; i++) {
        CHECK_MSG(fd_readable(fd), "not readable with %d pending", 50 - i);
        OK(weft_port_poll(port, rec, 1, &n));
        CHECK(n == 1 && rec[0].arg == (void *)(intptr_t)i);
    }
    CHECK(!fd_readable(fd));
    OK(weft_port_poll(port, rec, 1, &n));
    CHECK(n == 0);

    /* completions arriving while the loop drains: stays readable until all are taken */
    for (int i = 0; i < 50; i++) OK(weft_op_free(ops[i]));
    for (int i = 0; i < 50; i++)
        CHECK_STATUS(weft_sem_acquire_async(sem, port, NULL, (void *)(intptr_t)i, &ops[i]), WEFT_PENDING);
    OK(weft_sem_release(sem, 10));
    OK(weft_port_poll(port, rec, 5, &n));
    CHECK(n == 5 && fd_readable(fd));
    OK(weft_sem_release(sem, 40));
    CHECK(fd_readable(fd) && pending_in(port) == 45);
    OK(weft_port_poll(port, rec, 44, &n));
    CHECK(n == 44 && fd_readable(fd));
    OK(weft_port_poll(port, rec, 64, &n));
    CHECK(n == 1 && rec[0].arg == (void *)49 && !fd_readable(fd));

    /* the run form stopped by max leaves it readable too */
    for (int i = 0; i < 50; i++) OK(weft_op_free(ops[i]));
    for (int i = 0; i < 50; i++)
        CHECK_STATUS(weft_sem_acquire_async(sem, port, NULL, NULL, &ops[i]), WEFT_PENDING);
    OK(weft_sem_release(sem, 50));
    OK(weft_port_run(port, 0, &n));
    CHECK(n == 0 && fd_readable(fd));
    OK(weft_port_run(port, 49, &n));
    CHECK(n == 49 && fd_readable(fd) && pending_in(port) == 1);
    OK(weft_port_run(port, 49, &n));
    CHECK(n == 1 && !fd_readable(fd));
    OK(weft_port_run(port, 49, &n));
    CHECK(n == 0 && !fd_readable(fd));
    for (int i = 0; i < 50; i++) OK(weft_op_free(ops[i]));

    /* more than one internal batch in one call */
    weft_op **many = calloc(1000, sizeof *many);
    weft_completion *big = calloc(1000, sizeof *big);
    for (int i = 0; i < 1000; i++)
        CHECK_STATUS(weft_sem_acquire_async(sem, port, NULL, (void *)(intptr_t)i, &many[i]), WEFT_PENDING);
    OK(weft_sem_release(sem, 1000));
    OK(weft_port_poll(port, big, 999, &n));
    CHECK(n == 999 && fd_readable(fd));
    for (int i = 0; i < 999; i++) CHECK(big[i].arg == (void *)(intptr_t)i && big[i].status == WEFT_OK);
    OK(weft_port_poll(port, big, 1000, &n));
    CHECK(n == 1 && big[0].arg == (void *)999 && !fd_readable(fd));
    for (int i = 0; i < 1000; i++) OK(weft_op_free(many[i]));
    free(many);
    free(big);

    OK(weft_sem_free(sem));
    OK(weft_port_free(other));
    OK(weft_port_free(port));
}

/* A loop blocked in poll(2) (or in weft_port_wait) is woken by a completion from another
 * thread. A lost wakeup hangs: the watchdog fails the test. */
static weft_sem *wake_sem;
static atomic_int wake_step;
static void *release_later(void *arg) {
    (void)arg;
    WAIT_UNTIL(atomic_load(&wake_step) == 1);
    usleep(2000); /* let the loop block first (if it does not, the test still passes) */
    OK(weft_sem_release(wake_sem, 1));
    return NULL;
}

static void wakes_blocked_loop(void) {
    weft_port *port;
    OK(weft_port_new(&port));
    OK(weft_sem_new(0, -1, &wake_sem));
    int fd = fd_of(port);
    for (int round = 0; round < 20; round++) {
        weft_op *op;
        CHECK_STATUS(weft_sem_acquire_async(wake_sem, port, NULL, NULL, &op), WEFT_PENDING);
        atomic_store(&wake_step, 0);
        pthread_t t;
        CHECK(pthread_create(&t, NULL, release_later, NULL) == 0);
        atomic_store(&wake_step, 1);
        if (round % 2) {
            struct pollfd pfd = {.fd = fd, .events = POLLIN};
            CHECK(poll(&pfd, 1, -1) == 1 && (pfd.revents & POLLIN));
        } else {
            OK(weft_port_wait(port, WEFT_FOREVER));
        }
        size_t n;
        OK(weft_port_run(port, 8, &n));
        CHECK(n == 1 && !fd_readable(fd));
        pthread_join(t, NULL);
        CHECK(op_status(op) == WEFT_OK);
        OK(weft_op_free(op));
    }
    OK(weft_sem_free(wake_sem));
    OK(weft_port_free(port));
}

/* ---- completion order, pull and run forms ---- */

static void pull_form_order(void) {
    weft_port *port;
    weft_sem *sem;
    weft_lock *lock;
    OK(weft_port_new(&port));
    OK(weft_sem_new(0, -1, &sem));
    OK(weft_lock_new(WEFT_LOCK_FIFO, &lock));
    weft_op *s[5], *l[2];
    for (int i = 0; i < 5; i++)
        CHECK_STATUS(weft_sem_acquire_async(sem, port, NULL, (void *)(intptr_t)(i + 1), &s[i]), WEFT_PENDING);
    OK(weft_lock_acquire_as(lock, 1, 0));
    CHECK_STATUS(weft_lock_acquire_async(lock, 20, port, NULL, (void *)20, &l[0]), WEFT_PENDING);
    CHECK_STATUS(weft_lock_acquire_async(lock, 21, port, NULL, (void *)21, &l[1]), WEFT_PENDING);
    /* completion order: cancels and grants as they happen */
    CHECK_STATUS(weft_op_cancel(s[3]), WEFT_CANCELLED); /* 4 */
    OK(weft_lock_release_as(lock, 1));                  /* 20 */
    CHECK_STATUS(weft_op_cancel(s[1]), WEFT_CANCELLED); /* 2 */
    OK(weft_sem_release(sem, 3));                       /* 1 3 5 */
    OK(weft_lock_release_as(lock, 20));                 /* 21 */
    static const intptr_t expected_arg[] = {4, 20, 2, 1, 3, 5, 21};
    static const weft_status expected_status[] = {WEFT_CANCELLED, WEFT_OK, WEFT_CANCELLED, WEFT_OK,
                                                  WEFT_OK, WEFT_OK, WEFT_OK};
    weft_completion rec[3];
    size_t n, seen = 0;
    do {
        OK(weft_port_poll(port, rec, 3, &n)); /* in chunks: order holds across calls */
        for (size_t i = 0; i < n; i++, seen++) {
            CHECK(seen < 7);
            CHECK_MSG(rec[i].arg == (void *)expected_arg[seen], "record %zu: arg %p", seen, rec[i].arg);
            CHECK(rec[i].status == expected_status[seen]);
        }
    } while (n > 0);
    CHECK(seen == 7);
    OK(weft_lock_release_as(lock, 21));
    for (int i = 0; i < 5; i++) OK(weft_op_free(s[i]));
    OK(weft_op_free(l[0]));
    OK(weft_op_free(l[1]));
    OK(weft_lock_free(lock));
    OK(weft_sem_free(sem));
    OK(weft_port_free(port));
}

static weft_port *run_port;
static weft_sem *run_sem;
static int run_log[16];
static int run_log_len;
static int run_inner_taken;
static pthread_t run_thread;
static int run_wrong_thread;

static void run_callback(void *arg, weft_status status) {
    int id = (int)(intptr_t)arg;
    if (!pthread_equal(pthread_self(), run_thread)) run_wrong_thread++;
    CHECK(status == WEFT_OK || status == WEFT_CANCELLED);
    run_log[run_log_len++] = status == WEFT_OK ? id : -id;
    if (id == 1) {
        /* weft from inside a run callback, this port included */
        size_t n;
        OK(weft_port_pending(run_port, &n));
        weft_completion rec[8];
        OK(weft_port_poll(run_port, rec, 8, &n)); /* may take what the outer run has not */
        run_inner_taken += (int)n;
        /* a new op on this port, granted at once by a release from here */
        CHECK_STATUS(weft_sem_acquire_async(run_sem, run_port, run_callback, (void *)9, NULL), WEFT_PENDING);
        OK(weft_sem_release(run_sem, 1));
    }
}

static void run_form(void) {
    OK(weft_port_new(&run_port));
    OK(weft_sem_new(0, -1, &run_sem));
    run_thread = pthread_self();
    weft_op *ops[4];
    for (int i = 0; i < 4; i++)
        CHECK_STATUS(weft_sem_acquire_async(run_sem, run_port, i == 2 ? NULL : run_callback,
                                            (void *)(intptr_t)(i + 1), &ops[i]),
                     WEFT_PENDING);
    CHECK_STATUS(weft_op_cancel(ops[3]), WEFT_CANCELLED); /* 4: cancelled, still run */
    OK(weft_sem_release(run_sem, 3));                     /* 1 2 3 (3 has no callback) */
    CHECK(run_log_len == 0); /* nothing is called before the loop runs the port */
    size_t ran = 0, total = 0;
    do {
        OK(weft_port_run(run_port, 100, &ran));
        total += ran;
    } while (ran > 0);
    /* every completion is taken exactly once, by run or by the inner poll */
    CHECK(total + (size_t)run_inner_taken == 5);
    CHECK(run_wrong_thread == 0);
    /* order: 4 (cancelled) first, then 1, 2; 9 after 1 whenever it was run */
    CHECK(run_log[0] == -4 && run_log[1] == 1);
    int saw9 = 0, saw2 = 0;
    for (int i = 2; i < run_log_len; i++) {
        if (run_log[i] == 9) saw9++;
        else if (run_log[i] == 2) saw2++;
        else CHECK_MSG(0, "unexpected log entry %d", run_log[i]);
    }
    CHECK(saw9 + saw2 + run_inner_taken >= 2 && saw9 <= 1 && saw2 <= 1);
    CHECK(pending_in(run_port) == 0);
    OK(weft_port_run(run_port, 100, NULL)); /* ran_out is optional */
    for (int i = 0; i < 4; i++) OK(weft_op_free(ops[i]));
    OK(weft_sem_free(run_sem));
    OK(weft_port_free(run_port));
}

/* ---- cancel ---- */

static atomic_int cb_calls;
static atomic_int cb_status;
static pthread_t cb_thread;
static void count_callback(void *arg, weft_status status) {
    (void)arg;
    cb_thread = pthread_self();
    atomic_store(&cb_status, status);
    atomic_fetch_add(&cb_calls, 1);
}

static weft_op *cancel_target;
static weft_status cancel_result;
static void *cancel_from_thread(void *arg) {
    (void)arg;
    cancel_result = weft_op_cancel(cancel_target);
    return NULL;
}

static void cancel(void) {
    weft_port *port;
    weft_lock *lock;
    weft_sem *sem;
    OK(weft_port_new(&port));
    OK(weft_lock_new(WEFT_LOCK_FIFO, &lock));
    OK(weft_sem_new(0, 1, &sem));
    weft_completion rec[4];
    size_t n;

    /* cancel wins: CANCELLED, one CANCELLED completion; later cancels: ANSWERED */
    OK(weft_lock_acquire_as(lock, 1, 0));
    weft_op *op;
    CHECK_STATUS(weft_lock_acquire_async(lock, 2, port, NULL, (void *)2, &op), WEFT_PENDING);
    CHECK(op_status(op) == WEFT_PENDING);
    CHECK_STATUS(weft_op_cancel(op), WEFT_CANCELLED);
    CHECK(op_status(op) == WEFT_CANCELLED);
    CHECK_STATUS(weft_op_cancel(op), WEFT_ANSWERED);
    uint64_t value = 99;
    OK(weft_op_value(op, &value));
    CHECK(value == 0); /* not granted: 0 */
    OK(weft_port_poll(port, rec, 4, &n));
    CHECK(n == 1 && rec[0].arg == (void *)2 && rec[0].status == WEFT_CANCELLED);
    CHECK_STATUS(weft_op_cancel(op), WEFT_ANSWERED); /* after delivery too */
    OK(weft_port_poll(port, rec, 4, &n));
    CHECK(n == 0); /* exactly once */
    size_t waiting;
    OK(weft_lock_waiting(lock, &waiting));
    CHECK(waiting == 0 && lock_owner(lock) == 1);
    OK(weft_op_free(op));

    /* the grant won: cancel returns OK and the lock is the caller's */
    CHECK_STATUS(weft_lock_acquire_async(lock, 3, port, NULL, (void *)3, &op), WEFT_PENDING);
    OK(weft_lock_release_as(lock, 1));
    CHECK_STATUS(weft_op_cancel(op), WEFT_OK);
    CHECK(lock_owner(lock) == 3);
    CHECK_STATUS(weft_op_cancel(op), WEFT_ANSWERED); /* one canceller owns the grant */
    OK(weft_port_poll(port, rec, 4, &n));
    CHECK(n == 1 && rec[0].status == WEFT_OK); /* the completion still comes, once, as OK */
    CHECK(op_status(op) == WEFT_OK);
    OK(weft_lock_release_as(lock, 3));
    OK(weft_op_free(op));

    /* the same for a semaphore permit */
    CHECK_STATUS(weft_sem_acquire_async(sem, port, NULL, (void *)4, &op), WEFT_PENDING);
    OK(weft_sem_release(sem, 1));
    CHECK_STATUS(weft_op_cancel(op), WEFT_OK);
    CHECK(sem_value(sem) == 0); /* the permit is ours */
    OK(weft_port_poll(port, rec, 4, &n));
    CHECK(n == 1 && rec[0].arg == (void *)4 && rec[0].status == WEFT_OK);
    OK(weft_sem_release(sem, 1));
    CHECK(sem_value(sem) == 1);
    OK(weft_sem_acquire(sem, 0));
    OK(weft_op_free(op));

    /* without a port, the cancelled callback runs inside weft_op_cancel, on the
     * cancelling thread */
    atomic_store(&cb_calls, 0);
    OK(weft_lock_acquire_as(lock, 1, 0));
    CHECK_STATUS(weft_lock_acquire_async(lock, 5, NULL, count_callback, NULL, &cancel_target), WEFT_PENDING);
    pthread_t t;
    CHECK(pthread_create(&t, NULL, cancel_from_thread, NULL) == 0);
    pthread_join(t, NULL);
    CHECK_STATUS(cancel_result, WEFT_CANCELLED);
    CHECK(atomic_load(&cb_calls) == 1 && atomic_load(&cb_status) == WEFT_CANCELLED);
    CHECK(pthread_equal(cb_thread, t));
    CHECK_STATUS(weft_op_cancel(cancel_target), WEFT_ANSWERED);
    CHECK(atomic_load(&cb_calls) == 1);
    OK(weft_op_free(cancel_target));
    /* with a port and a callback, the cancelled callback runs in weft_port_run */
    CHECK_STATUS(weft_lock_acquire_async(lock, 6, port, count_callback, NULL, &op), WEFT_PENDING);
    CHECK_STATUS(weft_op_cancel(op), WEFT_CANCELLED);
    CHECK(atomic_load(&cb_calls) == 1);
    OK(weft_port_run(port, 4, &n));
    CHECK(n == 1 && atomic_load(&cb_calls) == 2 && atomic_load(&cb_status) == WEFT_CANCELLED);
    OK(weft_op_free(op));
    OK(weft_lock_release_as(lock, 1));

    OK(weft_sem_free(sem));
    OK(weft_lock_free(lock));
    OK(weft_port_free(port));
}

/* Callbacks run with no weft lock held: one may look at (and use) the very primitive and
 * port its op belongs to, whether it runs inside a release, a cancel or a port run. */
static weft_lock *probe_lock;
static weft_port *probe_port;
static atomic_int probe_calls;
static void probe_callback(void *arg, weft_status status) {
    uint64_t token = (uint64_t)(uintptr_t)arg;
    size_t n;
    uint64_t owner;
    OK(weft_lock_waiting(probe_lock, &n));
    OK(weft_lock_owner(probe_lock, &owner));
    OK(weft_port_pending(probe_port, &n));
    if (status == WEFT_OK) {
        CHECK(owner == token);
        OK(weft_lock_release_as(probe_lock, token));
    } else if (owner == 0) {
        /* free now: take it at once from inside the callback */
        CHECK_STATUS(weft_lock_acquire_async(probe_lock, token, NULL, count_callback, NULL, NULL), WEFT_OK);
        OK(weft_lock_release_as(probe_lock, token));
    } else {
        /* held: queue again and cancel again, nested inside this callback */
        weft_op *op;
        int before = atomic_load(&cb_calls);
        CHECK_STATUS(weft_lock_acquire_async(probe_lock, token, NULL, count_callback, NULL, &op), WEFT_PENDING);
        CHECK_STATUS(weft_op_cancel(op), WEFT_CANCELLED);
        CHECK(atomic_load(&cb_calls) == before + 1);
        OK(weft_op_free(op));
    }
    atomic_fetch_add(&probe_calls, 1);
}

static void callbacks_hold_no_lock(void) {
    OK(weft_lock_new(WEFT_LOCK_FIFO, &probe_lock));
    OK(weft_port_new(&probe_port));
    OK(weft_lock_acquire_as(probe_lock, 1, 0));
    weft_op *op;
    /* inside a release */
    CHECK_STATUS(weft_lock_acquire_async(probe_lock, 2, NULL, probe_callback, (void *)2, &op), WEFT_PENDING);
    OK(weft_lock_release_as(probe_lock, 1));
    CHECK(atomic_load(&probe_calls) == 1);
    OK(weft_op_free(op));
    /* inside a cancel (no port), the lock still held by 1 */
    OK(weft_lock_acquire_as(probe_lock, 1, 0));
    CHECK_STATUS(weft_lock_acquire_async(probe_lock, 3, NULL, probe_callback, (void *)3, &op), WEFT_PENDING);
    CHECK_STATUS(weft_op_cancel(op), WEFT_CANCELLED);
    CHECK(atomic_load(&probe_calls) == 2);
    OK(weft_op_free(op));
    /* inside a port run: a cancelled completion whose callback finds the lock free */
    CHECK_STATUS(weft_lock_acquire_async(probe_lock, 4, probe_port, probe_callback, (void *)4, &op), WEFT_PENDING);
    CHECK_STATUS(weft_op_cancel(op), WEFT_CANCELLED);
    CHECK(atomic_load(&probe_calls) == 2); /* a port op: nothing runs before the loop runs it */
    OK(weft_op_free(op));
    OK(weft_lock_release_as(probe_lock, 1));
    size_t ran;
    OK(weft_port_run(probe_port, 8, &ran));
    CHECK(ran == 1 && atomic_load(&probe_calls) == 3);
    uint64_t owner;
    OK(weft_lock_owner(probe_lock, &owner));
    CHECK(owner == 0);
    OK(weft_port_free(probe_port));
    OK(weft_lock_free(probe_lock));
}

/* Cancel racing a lock release, callback form: the callback runs exactly once, on
 * whichever thread won, and a lost cancel means the lock is ours. */
static weft_lock *race_lock;
static atomic_int race_round, race_done;
static atomic_int race_calls;
static atomic_int race_last;
static int race_rounds;

#define SPIN_WAIT(cond)                                                                \
    do {                                                                               \
        for (unsigned spins_ = 0; !(cond); spins_++)                                   \
            if (spins_ > 20000) sched_yield();                                         \
    } while (0)

static void race_callback(void *arg, weft_status status) {
    (void)arg;
    atomic_fetch_add(&race_calls, 1);
    atomic_store(&race_last, status);
}

static void *race_releaser(void *arg) {
    (void)arg;
    for (int i = 1; i <= race_rounds; i++) {
        SPIN_WAIT(atomic_load(&race_round) == i);
        for (volatile int k = (i * 7919) % 300; k > 0; k--) {}
        OK(weft_lock_release_as(race_lock, 1));
        atomic_store(&race_done, i);
    }
    return NULL;
}

static void cancel_races_grant(void) {
    OK(weft_lock_new(WEFT_LOCK_FIFO, &race_lock));
    race_rounds = 20000 / test_scale_down();
    pthread_t t;
    CHECK(pthread_create(&t, NULL, race_releaser, NULL) == 0);
    int won = 0, lost = 0;
    for (int i = 1; i <= race_rounds; i++) {
        OK(weft_lock_acquire_as(race_lock, 1, 0));
        weft_op *op;
        atomic_store(&race_calls, 0);
        CHECK_STATUS(weft_lock_acquire_async(race_lock, 2, NULL, race_callback, NULL, &op), WEFT_PENDING);
        atomic_store(&race_round, i);
        for (volatile int k = (i * 104729) % 1500; k > 0; k--) {}
        weft_status st = weft_op_cancel(op);
        SPIN_WAIT(atomic_load(&race_done) == i);
        CHECK(atomic_load(&race_calls) == 1 && atomic_load(&race_last) == st);
        CHECK(op_status(op) == st);
        if (st == WEFT_OK) {
            lost++;
            CHECK(lock_owner(race_lock) == 2);
            OK(weft_lock_release_as(race_lock, 2));
        } else {
            CHECK_STATUS(st, WEFT_CANCELLED);
            won++;
            CHECK(lock_owner(race_lock) == 0);
        }
        OK(weft_op_free(op));
    }
    pthread_join(t, NULL);
    size_t waiting;
    OK(weft_lock_waiting(race_lock, &waiting));
    CHECK(waiting == 0 && lock_owner(race_lock) == 0);
    printf("cancel vs grant (callbacks): cancel won %d, grant won %d\n", won, lost);
    OK(weft_lock_free(race_lock));
}

/* ---- closing a port with work pending ---- */

struct blocked {
    weft_lock *lock;
    uint64_t token;
    weft_status result;
    pthread_t thread;
};
static void *blocked_acquire(void *arg) {
    struct blocked *b = arg;
    b->result = weft_lock_acquire_as(b->lock, b->token, WEFT_FOREVER);
    if (b->result == WEFT_OK) OK(weft_lock_release_as(b->lock, b->token));
    return NULL;
}

static void port_closed(void) {
    weft_lock *lock;
    weft_sem *sem;
    weft_rlock *rl;
    OK(weft_lock_new(WEFT_LOCK_FIFO, &lock));
    OK(weft_sem_new(0, 5, &sem));
    OK(weft_rlock_new(WEFT_LOCK_FIFO, &rl));

    /* a granted lock completion queued in the port passes to the next waiter (a thread) */
    weft_port *port;
    OK(weft_port_new(&port));
    OK(weft_lock_acquire_as(lock, 1, 0));
    weft_op *granted;
    atomic_store(&cb_calls, 0);
    CHECK_STATUS(weft_lock_acquire_async(lock, 2, port, count_callback, (void *)2, &granted), WEFT_PENDING);
    struct blocked next = {.lock = lock, .token = 3};
    CHECK(pthread_create(&next.thread, NULL, blocked_acquire, &next) == 0);
    size_t waiting = 0;
    WAIT_UNTIL((weft_lock_waiting(lock, &waiting), waiting == 2));
    OK(weft_lock_release_as(lock, 1));
    CHECK(lock_owner(lock) == 2 && pending_in(port) == 1);
    OK(weft_port_free(port)); /* closes: 2's grant goes to 3 */
    CHECK(atomic_load(&cb_calls) == 1 && atomic_load(&cb_status) == WEFT_CANCELLED);
    CHECK(pthread_equal(cb_thread, pthread_self())); /* on the freeing thread */
    pthread_join(next.thread, NULL);
    CHECK_STATUS(next.result, WEFT_OK);
    CHECK(lock_owner(lock) == 0);
    CHECK(op_status(granted) == WEFT_CANCELLED);
    CHECK_STATUS(weft_op_cancel(granted), WEFT_CANCELLED);
    OK(weft_op_free(granted));

    /* ... or leaves it unlocked with nobody waiting; a queued cancelled completion's
     * callback is told once; an rlock grant of depth 3 is given back whole; a sem grant
     * returns its permit */
    OK(weft_port_new(&port));
    atomic_store(&cb_calls, 0);
    OK(weft_lock_acquire_as(lock, 1, 0));
    OK(weft_rlock_acquire_as(rl, 1, 1, 0));
    weft_op *l_op, *r_op, *s_op, *c_op;
    CHECK_STATUS(weft_lock_acquire_async(lock, 2, port, count_callback, NULL, &l_op), WEFT_PENDING);
    CHECK_STATUS(weft_rlock_acquire_async(rl, 2, 3, port, count_callback, NULL, &r_op), WEFT_PENDING);
    CHECK_STATUS(weft_sem_acquire_async(sem, port, count_callback, NULL, &s_op), WEFT_PENDING);
    CHECK_STATUS(weft_sem_acquire_async(sem, port, count_callback, NULL, &c_op), WEFT_PENDING);
    CHECK_STATUS(weft_op_cancel(c_op), WEFT_CANCELLED);
    OK(weft_lock_release_as(lock, 1));
    OK(weft_rlock_release_as(rl, 1, 1));
    OK(weft_sem_release(sem, 1));
    CHECK(pending_in(port) == 4 && atomic_load(&cb_calls) == 0);
    uint64_t depth;
    OK(weft_rlock_count(rl, 2, &depth));
    CHECK(depth == 3 && sem_value(sem) == 0);
    OK(weft_port_free(port));
    CHECK(atomic_load(&cb_calls) == 4 && atomic_load(&cb_status) == WEFT_CANCELLED);
    CHECK(lock_owner(lock) == 0);
    uint64_t rowner;
    OK(weft_rlock_owner(rl, &rowner));
    CHECK(rowner == 0);
    CHECK(sem_value(sem) == 1);
    CHECK(op_status(l_op) == WEFT_CANCELLED && op_status(r_op) == WEFT_CANCELLED);
    CHECK(op_status(s_op) == WEFT_CANCELLED && op_status(c_op) == WEFT_CANCELLED);
    OK(weft_op_free(l_op));
    OK(weft_op_free(r_op));
    OK(weft_op_free(s_op));
    OK(weft_op_free(c_op));
    OK(weft_sem_acquire(sem, 0));

    /* ops still waiting when the port closes: a later grant is given back on the granting
     * thread, whose callback is told CANCELLED there */
    OK(weft_port_new(&port));
    atomic_store(&cb_calls, 0);
    OK(weft_lock_acquire_as(lock, 1, 0));
    CHECK_STATUS(weft_lock_acquire_async(lock, 2, port, count_callback, NULL, &l_op), WEFT_PENDING);
    CHECK_STATUS(weft_sem_acquire_async(sem, port, NULL, NULL, &s_op), WEFT_PENDING);
    OK(weft_port_free(port));
    CHECK(atomic_load(&cb_calls) == 0 && op_status(l_op) == WEFT_PENDING);
    OK(weft_lock_release_as(lock, 1));
    CHECK(atomic_load(&cb_calls) == 1 && atomic_load(&cb_status) == WEFT_CANCELLED);
    CHECK(lock_owner(lock) == 0);
    OK(weft_sem_release(sem, 1));
    CHECK(sem_value(sem) == 1); /* given back */
    CHECK(op_status(s_op) == WEFT_CANCELLED);
    CHECK_STATUS(weft_op_cancel(l_op), WEFT_CANCELLED);
    OK(weft_op_free(l_op));
    OK(weft_op_free(s_op));
    OK(weft_sem_acquire(sem, 0));
    /* and one cancelled after the close: its callback runs in the cancel */
    OK(weft_port_new(&port));
    OK(weft_lock_acquire_as(lock, 1, 0));
    CHECK_STATUS(weft_lock_acquire_async(lock, 2, port, count_callback, NULL, &l_op), WEFT_PENDING);
    OK(weft_port_free(port));
    CHECK_STATUS(weft_op_cancel(l_op), WEFT_CANCELLED);
    CHECK(atomic_load(&cb_calls) == 2 && atomic_load(&cb_status) == WEFT_CANCELLED);
    OK(weft_op_free(l_op));
    OK(weft_lock_release_as(lock, 1));

    /* a port with another reference is not closed by one free */
    OK(weft_port_new(&port));
    OK(weft_port_clone(port));
    OK(weft_port_free(port));
    CHECK_STATUS(weft_sem_acquire_async(sem, port, NULL, (void *)7, &s_op), WEFT_PENDING);
    OK(weft_sem_release(sem, 1));
    weft_completion rec[2];
    size_t n;
    OK(weft_port_poll(port, rec, 2, &n));
    CHECK(n == 1 && rec[0].arg == (void *)7 && rec[0].status == WEFT_OK);
    CHECK(sem_value(sem) == 0);
    OK(weft_sem_release(sem, 1));
    OK(weft_op_free(s_op));
    OK(weft_port_free(port));

    OK(weft_rlock_free(rl));
    OK(weft_sem_free(sem));
    OK(weft_lock_free(lock));
}

/* weft_op_cancel returned WEFT_OK ("what was granted is yours"), then the port is freed
 * while that op's grant completion is still queued in it. */
static void cancel_ok_then_port_closed(void) {
    weft_port *port;
    weft_sem *sem;
    weft_lock *lock;
    OK(weft_sem_new(0, 1, &sem));
    OK(weft_lock_new(WEFT_LOCK_FIFO, &lock));

    OK(weft_port_new(&port));
    weft_op *op;
    CHECK_STATUS(weft_sem_acquire_async(sem, port, NULL, NULL, &op), WEFT_PENDING);
    OK(weft_sem_release(sem, 1));
    CHECK_STATUS(weft_op_cancel(op), WEFT_OK); /* the permit is ours */
    OK(weft_port_free(port));                  /* shutting the loop down */
    /* BUG: the close gives the permit back although the cancel handed it to us:
     * the value is 1 while we still hold the permit (op status turns CANCELLED). */
    EXPECT(sem_value(sem) == 0);
    EXPECT(op_status(op) == WEFT_OK);
    weft_status st = weft_sem_release(sem, 1); /* we give our permit back */
    /* BUG (same): with max 1 this over-release fails, or an unbounded semaphore gains
     * a permit */
    EXPECT_STATUS(st, WEFT_OK);
    CHECK(sem_value(sem) == 1);
    OK(weft_op_free(op));

    OK(weft_port_new(&port));
    OK(weft_lock_acquire_as(lock, 1, 0));
    CHECK_STATUS(weft_lock_acquire_async(lock, 2, port, NULL, NULL, &op), WEFT_PENDING);
    OK(weft_lock_release_as(lock, 1));
    CHECK_STATUS(weft_op_cancel(op), WEFT_OK); /* the lock is ours */
    CHECK(lock_owner(lock) == 2);
    OK(weft_port_free(port));
    /* BUG (same): the close released our lock: another owner can take it while we
     * believe we hold it */
    EXPECT(lock_owner(lock) == 2);
    st = weft_lock_release_as(lock, 2);
    EXPECT_STATUS(st, WEFT_OK);
    CHECK(lock_owner(lock) == 0);
    OK(weft_op_free(op));

    OK(weft_lock_free(lock));
    OK(weft_sem_free(sem));
}

/* ---- handles and ops freed while ops are pending ---- */

static void handles_freed_while_pending(void) {
    weft_port *port;
    OK(weft_port_new(&port));
    weft_completion rec[4];
    size_t n;

    /* the op keeps the lock alive: cancel, then free everything */
    weft_lock *lock;
    OK(weft_lock_new(WEFT_LOCK_FIFO, &lock));
    OK(weft_lock_acquire_as(lock, 1, 0));
    weft_op *op;
    CHECK_STATUS(weft_lock_acquire_async(lock, 2, port, NULL, (void *)2, &op), WEFT_PENDING);
    OK(weft_lock_free(lock));
    CHECK(op_status(op) == WEFT_PENDING);
    CHECK_STATUS(weft_op_cancel(op), WEFT_CANCELLED);
    OK(weft_port_poll(port, rec, 4, &n));
    CHECK(n == 1 && rec[0].status == WEFT_CANCELLED);
    OK(weft_op_free(op)); /* the last reference to the lock goes here */

    /* the same with the op freed first, and with the port closed first */
    weft_sem *sem;
    OK(weft_sem_new(0, -1, &sem));
    CHECK_STATUS(weft_sem_acquire_async(sem, port, NULL, NULL, &op), WEFT_PENDING);
    OK(weft_sem_free(sem));
    CHECK_STATUS(weft_op_cancel(op), WEFT_CANCELLED);
    OK(weft_op_free(op));
    OK(weft_port_poll(port, rec, 4, &n));
    CHECK(n == 1 && rec[0].status == WEFT_CANCELLED);

    weft_rlock *rl;
    weft_port *p2;
    OK(weft_port_new(&p2));
    OK(weft_rlock_new(WEFT_LOCK_FIFO, &rl));
    OK(weft_rlock_acquire_as(rl, 1, 1, 0));
    CHECK_STATUS(weft_rlock_acquire_async(rl, 2, 2, p2, NULL, NULL, &op), WEFT_PENDING);
    OK(weft_rlock_free(rl));
    OK(weft_port_free(p2));
    CHECK_STATUS(weft_op_cancel(op), WEFT_CANCELLED);
    OK(weft_op_free(op));

    /* a detached op (op freed, not cancelled) still completes, once */
    OK(weft_lock_new(WEFT_LOCK_FIFO, &lock));
    OK(weft_lock_acquire_as(lock, 1, 0));
    CHECK_STATUS(weft_lock_acquire_async(lock, 2, port, NULL, (void *)22, &op), WEFT_PENDING);
    OK(weft_op_free(op));
    OK(weft_lock_release_as(lock, 1));
    OK(weft_port_poll(port, rec, 4, &n));
    CHECK(n == 1 && rec[0].arg == (void *)22 && rec[0].status == WEFT_OK);
    CHECK(lock_owner(lock) == 2);
    OK(weft_lock_release_as(lock, 2));
    /* a detached op whose grant is queued when the port closes: given back */
    OK(weft_port_new(&p2));
    OK(weft_lock_acquire_as(lock, 1, 0));
    CHECK_STATUS(weft_lock_acquire_async(lock, 2, p2, NULL, NULL, NULL), WEFT_PENDING);
    OK(weft_lock_release_as(lock, 1));
    CHECK(lock_owner(lock) == 2);
    OK(weft_port_free(p2));
    CHECK(lock_owner(lock) == 0);
    /* a detached op still waiting when everything else is freed: completes at the
     * release with its callback... the lock is freed last by the op itself */
    atomic_store(&cb_calls, 0);
    OK(weft_lock_acquire_as(lock, 1, 0));
    CHECK_STATUS(weft_lock_acquire_async(lock, 2, NULL, count_callback, NULL, NULL), WEFT_PENDING);
    OK(weft_lock_release_as(lock, 1));
    CHECK(atomic_load(&cb_calls) == 1 && lock_owner(lock) == 2);
    OK(weft_lock_release_as(lock, 2));
    OK(weft_lock_free(lock));

    CHECK(pending_in(port) == 0);
    OK(weft_port_free(port));
}

static void op_value_and_status(void) {
    weft_port *port;
    weft_sem *sem;
    OK(weft_port_new(&port));
    OK(weft_sem_new(0, -1, &sem));
    weft_op *op;
    CHECK_STATUS(weft_sem_acquire_async(sem, port, NULL, NULL, &op), WEFT_PENDING);
    uint64_t value = 99;
    OK(weft_op_value(op, &value));
    CHECK(value == 0); /* not granted (yet): 0 */
    OK(weft_sem_release(sem, 1));
    CHECK(op_status(op) == WEFT_OK); /* final before the loop takes it */
    OK(weft_op_value(op, &value));   /* some value (unspecified for a semaphore) */
    size_t n;
    weft_completion rec;
    OK(weft_port_poll(port, &rec, 1, &n));
    CHECK(op_status(op) == WEFT_OK);
    OK(weft_op_free(op));
    OK(weft_sem_free(sem));
    OK(weft_port_free(port));
}

/* A run callback frees the port's last reference (a loop shutting down from a callback):
 * the rest of the callbacks still run once, the queued rest is given back. */
static weft_port *closing_port;
static int closing_calls, closing_ok, closing_cancelled;
static void close_from_callback(void *arg, weft_status status) {
    (void)arg;
    if (closing_calls++ == 0) OK(weft_port_free(closing_port));
    if (status == WEFT_OK) closing_ok++;
    else if (status == WEFT_CANCELLED) closing_cancelled++;
}

static void free_port_inside_run(void) {
    weft_sem *sem;
    OK(weft_sem_new(0, -1, &sem));
    OK(weft_port_new(&closing_port));
    /* detached ops (no op handles): nothing but the ops in flight keeps the port alive */
    for (int i = 0; i < 64; i++)
        CHECK_STATUS(weft_sem_acquire_async(sem, closing_port, close_from_callback, NULL, NULL), WEFT_PENDING);
    OK(weft_sem_release(sem, 64));
    size_t ran = 0;
    /* BUG (valgrind: "Invalid read ... Port::take ... free'd by weft_port_free"): after a
     * full batch of callbacks, Port::take locks the queue of the Port that the callbacks'
     * ops held the last references to. Plain and ASan runs cannot see it (libweft is not
     * instrumented); valgrind fails this test. */
    OK(weft_port_run(closing_port, 1000, &ran));
    CHECK(closing_calls == 64);          /* every op told exactly once */
    CHECK(closing_ok == (int)ran);       /* those run before the close... */
    CHECK(closing_cancelled == 64 - (int)ran); /* ...and those the close gave back */
    uint64_t value;
    OK(weft_sem_value(sem, &value));
    CHECK(value == (uint64_t)(64 - ran));
    OK(weft_sem_free(sem));
}

/* ---- file descriptors: none leaked, and WEFT_SYSTEM when none can be had ---- */

static int open_fds(void) {
    DIR *d = opendir("/proc/self/fd");
    CHECK(d != NULL);
    int n = 0;
    while (readdir(d)) n++;
    closedir(d);
    return n;
}

static void fds(void) {
    int before = open_fds();
    for (int i = 0; i < 1000; i++) {
        weft_port *port;
        OK(weft_port_new(&port));
        OK(weft_port_clone(port));
        OK(weft_port_free(port));
        OK(weft_port_free(port));
    }
    CHECK_MSG(open_fds() == before, "%d fds open, %d before", open_fds(), before);

    /* an op keeps the port's queue (and fd) until it is freed */
    weft_port *port;
    weft_sem *sem;
    weft_op *op;
    OK(weft_port_new(&port));
    OK(weft_sem_new(0, -1, &sem));
    CHECK_STATUS(weft_sem_acquire_async(sem, port, NULL, NULL, &op), WEFT_PENDING);
    OK(weft_port_free(port));
    CHECK_STATUS(weft_op_cancel(op), WEFT_CANCELLED);
    OK(weft_op_free(op));
    CHECK_MSG(open_fds() == before, "%d fds open, %d before", open_fds(), before);
    OK(weft_sem_free(sem));

    /* no fd to be had: WEFT_SYSTEM, errno tells why, *port_out untouched */
    struct rlimit old, low;
    CHECK(getrlimit(RLIMIT_NOFILE, &old) == 0);
    low = old;
    low.rlim_cur = (rlim_t)before + 64;
    if (low.rlim_cur > old.rlim_cur) low.rlim_cur = old.rlim_cur;
    CHECK(setrlimit(RLIMIT_NOFILE, &low) == 0);
    int hoard[256], hoarded = 0;
    for (;;) {
        CHECK(hoarded < 256);
        int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            CHECK(errno == EMFILE);
            break;
        }
        hoard[hoarded++] = fd;
    }
    port = (weft_port *)0x1;
    errno = 0;
    CHECK_STATUS(weft_port_new(&port), WEFT_SYSTEM);
    int saved = errno;
    CHECK(port == (weft_port *)0x1);
    EXPECT(saved == EMFILE);
    /* one fd free is enough for an eventfd */
    close(hoard[--hoarded]);
    OK(weft_port_new(&port));
    OK(weft_port_free(port));
    while (hoarded > 0) close(hoard[--hoarded]);
    CHECK(setrlimit(RLIMIT_NOFILE, &old) == 0);
    CHECK(open_fds() == before);
}

/* Two cancellers (say a timer and the user) race each other and the grant: exactly one
 * of them answers (CANCELLED, or OK with the lock its own), the other hears ANSWERED; the
 * op completes once, and the lock is owned iff the answer was OK. */
struct two_cancels {
    weft_op *op;
    atomic_int go;
    weft_status answer[2];
};
static void *cancel_racer(void *arg) {
    struct two_cancels *r = *(struct two_cancels **)arg;
    int me = ((struct two_cancels **)arg)[1] != NULL;
    while (!atomic_load(&r->go)) sched_yield();
    r->answer[me] = weft_op_cancel(r->op);
    return NULL;
}
static void two_cancellers_one_answer(void) {
    weft_port *port;
    weft_lock *lock;
    OK(weft_port_new(&port));
    OK(weft_lock_new(WEFT_LOCK_FIFO, &lock));
    int rounds = 2000 / test_scale_down(), won = 0, granted = 0;
    for (int i = 0; i < rounds; i++) {
        struct two_cancels r = {0};
        OK(weft_lock_acquire_as(lock, 1, 0));
        CHECK_STATUS(weft_lock_acquire_async(lock, 2, port, NULL, NULL, &r.op), WEFT_PENDING);
        struct two_cancels *args[2][2] = {{&r, NULL}, {&r, (void *)1}};
        pthread_t t[2];
        for (int k = 0; k < 2; k++) CHECK(pthread_create(&t[k], NULL, cancel_racer, args[k]) == 0);
        atomic_store(&r.go, 1);
        /* let the cancellers get going (they yield while they wait) in some rounds */
        for (volatile int k = 0; k < (i * 7919) % 20000; k++) {
        }
        if (i % 3 == 0) sched_yield();
        OK(weft_lock_release_as(lock, 1)); /* the grant races both cancels */
        for (int k = 0; k < 2; k++) pthread_join(t[k], NULL);
        int answered = (r.answer[0] == WEFT_ANSWERED) + (r.answer[1] == WEFT_ANSWERED);
        CHECK_MSG(answered == 1, "answers %s and %s", weft_status_str(r.answer[0]),
                  weft_status_str(r.answer[1]));
        weft_status answer = r.answer[0] == WEFT_ANSWERED ? r.answer[1] : r.answer[0];
        CHECK(answer == WEFT_OK || answer == WEFT_CANCELLED);
        weft_completion rec[2];
        size_t n = 0;
        OK(weft_port_poll(port, rec, 2, &n));
        CHECK(n == 1 && rec[0].status == answer); /* one completion, the answer's status */
        uint64_t owner = lock_owner(lock);
        if (answer == WEFT_OK) {
            CHECK(owner == 2);
            OK(weft_lock_release_as(lock, 2));
            granted++;
        } else {
            CHECK(owner == 0);
            won++;
        }
        OK(weft_op_free(r.op));
    }
    printf("two cancellers: %d rounds, cancel won %d, grant won %d, one answer each\n", rounds,
           won, granted);
    OK(weft_lock_free(lock));
    OK(weft_port_free(port));
}

/* weft_op_wait: a thread blocks on an op it started on a port it does not run; the
 * completion still goes to the port. Many rounds of a release racing the wait: a lost
 * wake-up is a hang (the watchdog). */
static void *release_lock_soon(void *arg) {
    weft_lock *lock = arg;
    OK(weft_lock_release_as(lock, 1));
    return NULL;
}
static void op_wait(void) {
    weft_port *port;
    weft_lock *lock;
    OK(weft_port_new(&port));
    OK(weft_lock_new(WEFT_LOCK_FIFO, &lock));
    CHECK_STATUS(weft_op_wait(NULL, 0), WEFT_INVALID);
    weft_completion rec[2];
    size_t n;
    int rounds = 2000 / test_scale_down();
    for (int i = 0; i < rounds; i++) {
        weft_op *op;
        OK(weft_lock_acquire_as(lock, 1, 0));
        CHECK_STATUS(weft_lock_acquire_async(lock, 2, port, NULL, (void *)2, &op), WEFT_PENDING);
        if (i == 0) {
            CHECK_STATUS(weft_op_wait(op, 0), WEFT_PENDING);
            CHECK_STATUS(weft_op_wait(op, 1 * WEFT_MS), WEFT_PENDING); /* timed out, still in line */
            OK(weft_port_pending(port, &n));
            CHECK(n == 0);
        }
        pthread_t t;
        CHECK(pthread_create(&t, NULL, release_lock_soon, lock) == 0);
        CHECK_STATUS(weft_op_wait(op, WEFT_FOREVER), WEFT_OK);
        pthread_join(t, NULL);
        OK(weft_port_poll(port, rec, 2, &n)); /* the completion is still the port's */
        CHECK(n == 1 && rec[0].arg == (void *)2 && rec[0].status == WEFT_OK);
        OK(weft_lock_release_as(lock, 2));
        OK(weft_op_free(op));
    }
    /* a cancelled op: its final status at once */
    weft_op *op;
    OK(weft_lock_acquire_as(lock, 1, 0));
    CHECK_STATUS(weft_lock_acquire_async(lock, 2, port, NULL, NULL, &op), WEFT_PENDING);
    CHECK_STATUS(weft_op_cancel(op), WEFT_CANCELLED);
    CHECK_STATUS(weft_op_wait(op, WEFT_FOREVER), WEFT_CANCELLED);
    OK(weft_port_poll(port, rec, 2, &n));
    CHECK(n == 1);
    OK(weft_op_free(op));
    OK(weft_lock_release_as(lock, 1));
    OK(weft_lock_free(lock));
    OK(weft_port_free(port));
}

int main(void) {
    start_watchdog(120);
    fd_contract();
    wakes_blocked_loop();
    pull_form_order();
    run_form();
    cancel();
    callbacks_hold_no_lock();
    cancel_races_grant();
    two_cancellers_one_answer();
    op_wait();
    port_closed();
    cancel_ok_then_port_closed();
    handles_freed_while_pending();
    op_value_and_status();
    free_port_inside_run();
    fds();
    return test_exit_code("test_port_op");
}
