/*
 * Bad input for every function in weft.h: a NULL handle, a NULL required out-pointer, an
 * out-of-range argument (flags, owner 0, count 0, negative sizes) all return
 * WEFT_INVALID and change nothing: out-parameters keep a sentinel written before the
 * call, and the object's state is the same afterwards. Async starts with neither port nor
 * callback are WEFT_INVALID and leave *op_out untouched.
 */
#include "check.h"

#define BAD_PTR ((void *)0x5e17)
#define SENT_U64 0x5e175e175e175e17ull
#define SENT_SIZE ((size_t)0x5e17)
#define SENT_STATUS ((weft_status)0x5e17)

static void never_called(void *arg, weft_status status) {
    (void)arg;
    (void)status;
    CHECK(!"a callback ran for a call that returned an error");
}

static void status_and_owner(void) {
    CHECK(strcmp(weft_status_str(-100), "WEFT_UNKNOWN") == 0);
    CHECK_STATUS(weft_thread_owner(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_owner_new(NULL), WEFT_INVALID);
}

static void lock_invalid(weft_port *port) {
    weft_lock *lock = BAD_PTR;
    uint64_t u = SENT_U64;
    size_t z = SENT_SIZE;
    weft_op *op = BAD_PTR;
    CHECK_STATUS(weft_lock_new(WEFT_LOCK_FIFO, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_lock_new(2, &lock), WEFT_INVALID);
    CHECK_STATUS(weft_lock_new(UINT32_MAX, &lock), WEFT_INVALID);
    CHECK(lock == BAD_PTR);
    CHECK_STATUS(weft_lock_clone(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_lock_free(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_lock_acquire(NULL, WEFT_FOREVER), WEFT_INVALID);
    CHECK_STATUS(weft_lock_acquire(NULL, 0), WEFT_INVALID);
    CHECK_STATUS(weft_lock_try_acquire(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_lock_acquire_as(NULL, 1, WEFT_FOREVER), WEFT_INVALID);
    CHECK_STATUS(weft_lock_acquire_async(NULL, 1, port, never_called, NULL, &op), WEFT_INVALID);
    CHECK_STATUS(weft_lock_release(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_lock_release_as(NULL, 1), WEFT_INVALID);
    CHECK_STATUS(weft_lock_owner(NULL, &u), WEFT_INVALID);
    CHECK_STATUS(weft_lock_waiting(NULL, &z), WEFT_INVALID);
    CHECK(u == SENT_U64 && z == SENT_SIZE && op == BAD_PTR);

    OK(weft_lock_new(WEFT_LOCK_FIFO, &lock));
    CHECK_STATUS(weft_lock_owner(lock, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_lock_waiting(lock, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_lock_acquire_as(lock, 0, 0), WEFT_INVALID);
    CHECK_STATUS(weft_lock_acquire_as(lock, 0, WEFT_FOREVER), WEFT_INVALID);
    CHECK_STATUS(weft_lock_acquire_async(lock, 0, port, never_called, NULL, &op), WEFT_INVALID);
    CHECK_STATUS(weft_lock_acquire_async(lock, 1, NULL, NULL, NULL, &op), WEFT_INVALID);
    CHECK(op == BAD_PTR);
    OK(weft_lock_owner(lock, &u));
    CHECK(u == 0); /* the invalid calls took nothing */
    OK(weft_lock_acquire_as(lock, 9, 0));
    CHECK_STATUS(weft_lock_release_as(lock, 0), WEFT_INVALID);
    /* while it is held, the invalid async start must not queue anything */
    CHECK_STATUS(weft_lock_acquire_async(lock, 1, NULL, NULL, NULL, &op), WEFT_INVALID);
    CHECK_STATUS(weft_lock_acquire_async(lock, 0, port, NULL, NULL, &op), WEFT_INVALID);
    CHECK(op == BAD_PTR);
    OK(weft_lock_waiting(lock, &z));
    CHECK(z == 0);
    OK(weft_lock_owner(lock, &u));
    CHECK(u == 9);
    OK(weft_lock_release_as(lock, 9));
    OK(weft_lock_free(lock));
}

static void rlock_invalid(weft_port *port) {
    weft_rlock *rl = BAD_PTR;
    uint64_t u = SENT_U64;
    size_t z = SENT_SIZE;
    weft_op *op = BAD_PTR;
    CHECK_STATUS(weft_rlock_new(WEFT_LOCK_FIFO, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_rlock_new(2, &rl), WEFT_INVALID);
    CHECK_STATUS(weft_rlock_new(0x80000000u, &rl), WEFT_INVALID);
    CHECK(rl == BAD_PTR);
    CHECK_STATUS(weft_rlock_clone(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_rlock_free(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_rlock_acquire(NULL, 1, WEFT_FOREVER), WEFT_INVALID);
    CHECK_STATUS(weft_rlock_try_acquire(NULL, 1), WEFT_INVALID);
    CHECK_STATUS(weft_rlock_acquire_as(NULL, 1, 1, WEFT_FOREVER), WEFT_INVALID);
    CHECK_STATUS(weft_rlock_acquire_async(NULL, 1, 1, port, never_called, NULL, &op), WEFT_INVALID);
    CHECK_STATUS(weft_rlock_release(NULL, 1), WEFT_INVALID);
    CHECK_STATUS(weft_rlock_release_as(NULL, 1, 1), WEFT_INVALID);
    CHECK_STATUS(weft_rlock_owner(NULL, &u), WEFT_INVALID);
    CHECK_STATUS(weft_rlock_count(NULL, 1, &u), WEFT_INVALID);
    CHECK_STATUS(weft_rlock_waiting(NULL, &z), WEFT_INVALID);
    CHECK(u == SENT_U64 && z == SENT_SIZE && op == BAD_PTR);

    OK(weft_rlock_new(WEFT_LOCK_THROUGHPUT, &rl));
    CHECK_STATUS(weft_rlock_owner(rl, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_rlock_count(rl, 1, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_rlock_waiting(rl, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_rlock_acquire(rl, 0, WEFT_FOREVER), WEFT_INVALID);
    CHECK_STATUS(weft_rlock_acquire(rl, 0, 0), WEFT_INVALID);
    CHECK_STATUS(weft_rlock_try_acquire(rl, 0), WEFT_INVALID);
    CHECK_STATUS(weft_rlock_acquire_as(rl, 0, 1, 0), WEFT_INVALID);
    CHECK_STATUS(weft_rlock_acquire_as(rl, 5, 0, 0), WEFT_INVALID);
    CHECK_STATUS(weft_rlock_acquire_async(rl, 0, 1, port, NULL, NULL, &op), WEFT_INVALID);
    CHECK_STATUS(weft_rlock_acquire_async(rl, 5, 0, port, NULL, NULL, &op), WEFT_INVALID);
    CHECK_STATUS(weft_rlock_acquire_async(rl, 5, 1, NULL, NULL, NULL, &op), WEFT_INVALID);
    CHECK(op == BAD_PTR);
    OK(weft_rlock_owner(rl, &u));
    CHECK(u == 0);
    OK(weft_rlock_acquire_as(rl, 5, 2, 0));
    CHECK_STATUS(weft_rlock_release(rl, 0), WEFT_INVALID);
    CHECK_STATUS(weft_rlock_release_as(rl, 5, 0), WEFT_INVALID);
    CHECK_STATUS(weft_rlock_release_as(rl, 0, 1), WEFT_INVALID);
    OK(weft_rlock_count(rl, 5, &u));
    CHECK(u == 2);
    OK(weft_rlock_release_as(rl, 5, 2));
    OK(weft_rlock_free(rl));
}

static void sem_invalid(weft_port *port) {
    weft_sem *sem = BAD_PTR;
    uint64_t u = SENT_U64;
    size_t z = SENT_SIZE;
    weft_op *op = BAD_PTR;
    CHECK_STATUS(weft_sem_new(0, -1, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_sem_new(-1, -1, &sem), WEFT_INVALID);
    CHECK_STATUS(weft_sem_new(INT64_MIN, 5, &sem), WEFT_INVALID);
    CHECK_STATUS(weft_sem_new(3, 2, &sem), WEFT_INVALID);
    CHECK_STATUS(weft_sem_new(1, 0, &sem), WEFT_INVALID);
    CHECK(sem == BAD_PTR);
    CHECK_STATUS(weft_sem_clone(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_sem_free(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_sem_acquire(NULL, WEFT_FOREVER), WEFT_INVALID);
    CHECK_STATUS(weft_sem_try_acquire(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_sem_acquire_async(NULL, port, never_called, NULL, &op), WEFT_INVALID);
    CHECK_STATUS(weft_sem_release(NULL, 1), WEFT_INVALID);
    CHECK_STATUS(weft_sem_value(NULL, &u), WEFT_INVALID);
    CHECK_STATUS(weft_sem_waiting(NULL, &z), WEFT_INVALID);
    CHECK(u == SENT_U64 && z == SENT_SIZE && op == BAD_PTR);

    OK(weft_sem_new(0, 4, &sem));
    CHECK_STATUS(weft_sem_value(sem, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_sem_waiting(sem, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_sem_release(sem, 0), WEFT_INVALID);
    CHECK_STATUS(weft_sem_release(sem, (uint64_t)INT64_MAX + 1), WEFT_INVALID);
    CHECK_STATUS(weft_sem_release(sem, UINT64_MAX), WEFT_INVALID);
    CHECK_STATUS(weft_sem_acquire_async(sem, NULL, NULL, NULL, &op), WEFT_INVALID);
    CHECK(op == BAD_PTR);
    OK(weft_sem_value(sem, &u));
    OK(weft_sem_waiting(sem, &z));
    CHECK(u == 0 && z == 0);
    OK(weft_sem_free(sem));
}

static void port_op_invalid(void) {
    weft_port *port = BAD_PTR;
    int32_t fd = -77;
    size_t z = SENT_SIZE;
    weft_completion rec[2] = {{BAD_PTR, SENT_STATUS}, {BAD_PTR, SENT_STATUS}};
    CHECK_STATUS(weft_port_new(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_port_clone(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_port_free(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_port_fd(NULL, &fd), WEFT_INVALID);
    CHECK_STATUS(weft_port_pending(NULL, &z), WEFT_INVALID);
    CHECK_STATUS(weft_port_poll(NULL, rec, 2, &z), WEFT_INVALID);
    CHECK_STATUS(weft_port_run(NULL, 1, &z), WEFT_INVALID);
    CHECK_STATUS(weft_port_wait(NULL, 0), WEFT_INVALID);
    CHECK_STATUS(weft_port_wait(NULL, WEFT_FOREVER), WEFT_INVALID);
    CHECK(fd == -77 && z == SENT_SIZE && rec[0].arg == BAD_PTR);

    OK(weft_port_new(&port));
    CHECK(port != BAD_PTR && port != NULL);
    CHECK_STATUS(weft_port_fd(port, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_port_pending(port, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_port_poll(port, NULL, 1, &z), WEFT_INVALID);
    CHECK_STATUS(weft_port_poll(port, rec, 2, NULL), WEFT_INVALID);
    CHECK(z == SENT_SIZE && rec[0].arg == BAD_PTR && rec[0].status == SENT_STATUS);
    OK(weft_port_poll(port, NULL, 0, &z)); /* max 0 needs no buffer */
    CHECK(z == 0);
    z = SENT_SIZE;
    OK(weft_port_poll(port, rec, 2, &z)); /* nothing pending: 0, records untouched */
    CHECK(z == 0 && rec[0].arg == BAD_PTR && rec[1].status == SENT_STATUS);

    /* a completion waiting in the port survives an invalid poll */
    weft_sem *sem;
    weft_op *op = NULL;
    OK(weft_sem_new(0, -1, &sem));
    CHECK_STATUS(weft_sem_acquire_async(sem, port, NULL, (void *)1, &op), WEFT_PENDING);
    OK(weft_sem_release(sem, 1));
    CHECK_STATUS(weft_port_poll(port, NULL, 1, &z), WEFT_INVALID);
    CHECK_STATUS(weft_port_poll(port, rec, 1, NULL), WEFT_INVALID);
    OK(weft_port_pending(port, &z));
    CHECK(z == 1);

    weft_status st = SENT_STATUS;
    uint64_t u = SENT_U64;
    CHECK_STATUS(weft_op_cancel(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_op_status(NULL, &st), WEFT_INVALID);
    CHECK_STATUS(weft_op_value(NULL, &u), WEFT_INVALID);
    CHECK_STATUS(weft_op_free(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_op_status(op, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_op_value(op, NULL), WEFT_INVALID);
    CHECK(st == SENT_STATUS && u == SENT_U64);
    OK(weft_port_poll(port, rec, 2, &z));
    CHECK(z == 1 && rec[0].arg == (void *)1 && rec[0].status == WEFT_OK);
    CHECK(rec[1].arg == BAD_PTR); /* only the records taken are written */
    OK(weft_op_free(op));
    OK(weft_sem_free(sem));
    OK(weft_port_free(port));
}

static void barrier_invalid(weft_port *port) {
    weft_barrier *b = BAD_PTR;
    uint64_t u = SENT_U64;
    size_t z = SENT_SIZE;
    bool flag = true;
    weft_op *op = BAD_PTR;
    CHECK_STATUS(weft_barrier_new(2, WEFT_BARRIER_CYCLIC, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_barrier_new(-1, WEFT_BARRIER_CYCLIC, &b), WEFT_INVALID);
    CHECK_STATUS(weft_barrier_new(INT64_MIN, WEFT_BARRIER_LATCH, &b), WEFT_INVALID);
    CHECK_STATUS(weft_barrier_new(2, 3, &b), WEFT_INVALID);
    CHECK(b == BAD_PTR);
    CHECK_STATUS(weft_barrier_clone(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_barrier_free(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_barrier_wait(NULL, 0, &u), WEFT_INVALID);
    CHECK_STATUS(weft_barrier_wait_async(NULL, port, never_called, NULL, &op, &u), WEFT_INVALID);
    CHECK_STATUS(weft_barrier_abort(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_barrier_reset(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_barrier_is_broken(NULL, &flag), WEFT_INVALID);
    CHECK_STATUS(weft_barrier_waiting(NULL, &z), WEFT_INVALID);
    CHECK(u == SENT_U64 && z == SENT_SIZE && flag && op == BAD_PTR);

    OK(weft_barrier_new(2, WEFT_BARRIER_CYCLIC, &b));
    CHECK_STATUS(weft_barrier_is_broken(b, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_barrier_waiting(b, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_barrier_wait_async(b, NULL, NULL, NULL, &op, &u), WEFT_INVALID);
    CHECK(op == BAD_PTR && u == SENT_U64);
    OK(weft_barrier_waiting(b, &z));
    CHECK(z == 0); /* the invalid arrival did not count */
    OK(weft_barrier_is_broken(b, &flag));
    CHECK(!flag);
    OK(weft_barrier_free(b));
}

static void cond_invalid(weft_port *port) {
    weft_cond *c = BAD_PTR;
    size_t z = SENT_SIZE;
    weft_op *op = BAD_PTR;
    CHECK_STATUS(weft_cond_new(NULL, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_cond_new_reentrant(NULL, &c), WEFT_INVALID);
    CHECK(c == BAD_PTR);
    CHECK_STATUS(weft_cond_clone(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_cond_free(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_cond_wait(NULL, 0), WEFT_INVALID);
    CHECK_STATUS(weft_cond_wait_as(NULL, 1, 0), WEFT_INVALID);
    CHECK_STATUS(weft_cond_wait_async(NULL, 1, port, never_called, NULL, &op), WEFT_INVALID);
    CHECK_STATUS(weft_cond_notify(NULL, 1, &z), WEFT_INVALID);
    CHECK_STATUS(weft_cond_notify_all(NULL, &z), WEFT_INVALID);
    CHECK_STATUS(weft_cond_waiting(NULL, &z), WEFT_INVALID);
    CHECK(z == SENT_SIZE && op == BAD_PTR);

    weft_lock *lock;
    weft_rlock *rl;
    OK(weft_lock_new(WEFT_LOCK_FIFO, &lock));
    OK(weft_rlock_new(WEFT_LOCK_FIFO, &rl));
    CHECK_STATUS(weft_cond_new(lock, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_cond_new_reentrant(rl, NULL), WEFT_INVALID);
    OK(weft_cond_new(lock, &c));
    CHECK_STATUS(weft_cond_waiting(c, NULL), WEFT_INVALID);
    OK(weft_lock_acquire_as(lock, 3, 0));
    CHECK_STATUS(weft_cond_wait_as(c, 0, 0), WEFT_INVALID);
    CHECK_STATUS(weft_cond_wait_as(c, 0, WEFT_FOREVER), WEFT_INVALID);
    CHECK_STATUS(weft_cond_wait_async(c, 0, port, NULL, NULL, &op), WEFT_INVALID);
    CHECK_STATUS(weft_cond_wait_async(c, 3, NULL, NULL, NULL, &op), WEFT_INVALID);
    CHECK(op == BAD_PTR);
    uint64_t owner;
    OK(weft_lock_owner(lock, &owner));
    CHECK(owner == 3); /* the invalid waits did not release it */
    OK(weft_cond_waiting(c, &z));
    CHECK(z == 0);
    OK(weft_lock_release_as(lock, 3));
    OK(weft_cond_free(c));
    OK(weft_lock_free(lock));
    OK(weft_rlock_free(rl));
}

static void countdown_event_invalid(weft_port *port) {
    weft_countdown *cd = BAD_PTR;
    weft_event *ev = BAD_PTR;
    uint64_t u = SENT_U64;
    size_t z = SENT_SIZE;
    bool flag = true;
    weft_op *op = BAD_PTR;
    CHECK_STATUS(weft_countdown_new(0, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_countdown_new(-1, &cd), WEFT_INVALID);
    CHECK(cd == BAD_PTR);
    CHECK_STATUS(weft_countdown_clone(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_countdown_free(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_countdown_up(NULL, 1), WEFT_INVALID);
    CHECK_STATUS(weft_countdown_down(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_countdown_clear(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_countdown_value(NULL, &u), WEFT_INVALID);
    CHECK_STATUS(weft_countdown_wait(NULL, 0), WEFT_INVALID);
    CHECK_STATUS(weft_countdown_wait_async(NULL, port, never_called, NULL, &op), WEFT_INVALID);
    CHECK_STATUS(weft_countdown_waiting(NULL, &z), WEFT_INVALID);
    OK(weft_countdown_new(1, &cd));
    CHECK_STATUS(weft_countdown_value(cd, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_countdown_waiting(cd, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_countdown_up(cd, 0), WEFT_INVALID);
    CHECK_STATUS(weft_countdown_wait_async(cd, NULL, NULL, NULL, &op), WEFT_INVALID);
    OK(weft_countdown_value(cd, &u));
    CHECK(u == 1);
    OK(weft_countdown_free(cd));

    CHECK_STATUS(weft_event_new(WEFT_EVENT_ONE_TIME, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_event_new(2, &ev), WEFT_INVALID);
    CHECK(ev == BAD_PTR);
    CHECK_STATUS(weft_event_clone(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_event_free(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_event_set(NULL, &z), WEFT_INVALID);
    CHECK_STATUS(weft_event_clear(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_event_is_set(NULL, &flag), WEFT_INVALID);
    CHECK_STATUS(weft_event_wait(NULL, 0), WEFT_INVALID);
    CHECK_STATUS(weft_event_wait_async(NULL, port, never_called, NULL, &op), WEFT_INVALID);
    CHECK_STATUS(weft_event_waiting(NULL, &z), WEFT_INVALID);
    OK(weft_event_new(WEFT_EVENT_REUSABLE, &ev));
    CHECK_STATUS(weft_event_is_set(ev, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_event_waiting(ev, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_event_wait_async(ev, NULL, NULL, NULL, &op), WEFT_INVALID);
    OK(weft_event_waiting(ev, &z));
    CHECK(z == 0);
    OK(weft_event_free(ev));
    CHECK(u == 1 && flag && op == BAD_PTR);
}

static void flag_guard_invalid(void) {
    weft_flag *f = BAD_PTR;
    weft_guard *g = BAD_PTR;
    bool flag = true;
    void *value = BAD_PTR;
    CHECK_STATUS(weft_flag_new(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_flag_clone(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_flag_free(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_flag_set(NULL, NULL, &flag), WEFT_INVALID);
    CHECK_STATUS(weft_flag_get(NULL, &flag, &value), WEFT_INVALID);
    CHECK_STATUS(weft_flag_clear(NULL, &flag), WEFT_INVALID);
    CHECK(flag && value == BAD_PTR);
    OK(weft_flag_new(&f));
    CHECK_STATUS(weft_flag_set(f, (void *)1, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_flag_get(f, NULL, &value), WEFT_INVALID);
    CHECK_STATUS(weft_flag_get(f, &flag, NULL), WEFT_INVALID);
    OK(weft_flag_get(f, &flag, &value));
    CHECK(!flag && value == BAD_PTR); /* the invalid set stored nothing */
    OK(weft_flag_free(f));

    flag = true;
    CHECK_STATUS(weft_guard_new(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_guard_clone(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_guard_free(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_guard_enter(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_guard_exit(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_guard_in_use(NULL, &flag), WEFT_INVALID);
    CHECK(flag);
    OK(weft_guard_new(&g));
    CHECK_STATUS(weft_guard_in_use(g, NULL), WEFT_INVALID);
    OK(weft_guard_free(g));
}

static void limiter_invalid(weft_port *port) {
    weft_limiter *l = BAD_PTR;
    uint64_t t = SENT_U64, b = SENT_U64;
    size_t z = SENT_SIZE;
    weft_op *op = BAD_PTR;
    CHECK_STATUS(weft_limiter_new(1, WEFT_LIMITER_PLAIN, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_limiter_new(-1, WEFT_LIMITER_PLAIN, &l), WEFT_INVALID);
    CHECK_STATUS(weft_limiter_new(1, 2, &l), WEFT_INVALID);
    CHECK(l == BAD_PTR);
    CHECK_STATUS(weft_limiter_clone(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_limiter_free(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_limiter_acquire(NULL, 1, 0), WEFT_INVALID);
    CHECK_STATUS(weft_limiter_acquire_as(NULL, 1, 1, 0), WEFT_INVALID);
    CHECK_STATUS(weft_limiter_acquire_async(NULL, 1, 1, port, never_called, NULL, &op), WEFT_INVALID);
    CHECK_STATUS(weft_limiter_release(NULL, 1), WEFT_INVALID);
    CHECK_STATUS(weft_limiter_release_as(NULL, 1, 1), WEFT_INVALID);
    CHECK_STATUS(weft_limiter_set_total(NULL, 1), WEFT_INVALID);
    CHECK_STATUS(weft_limiter_counts(NULL, &t, &b, &z), WEFT_INVALID);
    CHECK_STATUS(weft_limiter_held(NULL, 1, &t), WEFT_INVALID);
    CHECK(t == SENT_U64 && b == SENT_U64 && z == SENT_SIZE && op == BAD_PTR);

    OK(weft_limiter_new(1, WEFT_LIMITER_REENTRANT, &l));
    CHECK_STATUS(weft_limiter_counts(l, NULL, &b, &z), WEFT_INVALID);
    CHECK_STATUS(weft_limiter_counts(l, &t, NULL, &z), WEFT_INVALID);
    CHECK_STATUS(weft_limiter_counts(l, &t, &b, NULL), WEFT_INVALID);
    CHECK(t == SENT_U64 && b == SENT_U64 && z == SENT_SIZE);
    CHECK_STATUS(weft_limiter_held(l, 1, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_limiter_acquire(l, 0, 0), WEFT_INVALID);
    CHECK_STATUS(weft_limiter_acquire_as(l, 0, 1, 0), WEFT_INVALID);
    CHECK_STATUS(weft_limiter_acquire_as(l, 1, 0, 0), WEFT_INVALID);
    CHECK_STATUS(weft_limiter_acquire_as(l, 1, (uint64_t)INT64_MAX + 1, 0), WEFT_INVALID);
    CHECK_STATUS(weft_limiter_acquire_async(l, 0, 1, port, NULL, NULL, &op), WEFT_INVALID);
    CHECK_STATUS(weft_limiter_acquire_async(l, 1, 0, port, NULL, NULL, &op), WEFT_INVALID);
    CHECK_STATUS(weft_limiter_acquire_async(l, 1, 1, NULL, NULL, NULL, &op), WEFT_INVALID);
    CHECK(op == BAD_PTR);
    CHECK_STATUS(weft_limiter_release(l, 0), WEFT_INVALID);
    CHECK_STATUS(weft_limiter_release_as(l, 0, 1), WEFT_INVALID);
    CHECK_STATUS(weft_limiter_set_total(l, -1), WEFT_INVALID);
    CHECK_STATUS(weft_limiter_set_total(l, INT64_MIN), WEFT_INVALID);
    OK(weft_limiter_counts(l, &t, &b, &z));
    CHECK(t == 1 && b == 0 && z == 0);
    OK(weft_limiter_free(l));
}

int main(void) {
    start_watchdog(60);
    weft_port *port;
    OK(weft_port_new(&port));
    status_and_owner();
    lock_invalid(port);
    rlock_invalid(port);
    sem_invalid(port);
    port_op_invalid();
    barrier_invalid(port);
    cond_invalid(port);
    countdown_event_invalid(port);
    flag_guard_invalid();
    limiter_invalid(port);
    size_t pending = SENT_SIZE;
    OK(weft_port_pending(port, &pending));
    CHECK(pending == 0); /* no invalid call queued a completion */
    OK(weft_port_free(port));
    return test_exit_code("test_invalid");
}
