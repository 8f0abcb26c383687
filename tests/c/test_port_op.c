/* weft_port and weft_op: forms, the fd contract, cancel races, closing with work pending. */
#include <poll.h>
#include <stdatomic.h>

#include "check.h"

static int readable(int fd) {
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    return poll(&pfd, 1, 0) == 1;
}

static atomic_int calls[8];
static void count_call(void *arg, weft_status status) {
    int i = (int)(uintptr_t)arg;
    atomic_fetch_add(&calls[i], 1);
    atomic_store(&calls[7], status); /* the last status seen */
}

static void bad_input(void) {
    weft_port *port = (weft_port *)0x1;
    int fd = -7;
    size_t n = 77;
    weft_completion rec[1];
    CHECK_STATUS(weft_port_new(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_port_clone(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_port_free(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_port_fd(NULL, &fd), WEFT_INVALID);
    CHECK_STATUS(weft_port_pending(NULL, &n), WEFT_INVALID);
    CHECK_STATUS(weft_port_poll(NULL, rec, 1, &n), WEFT_INVALID);
    CHECK_STATUS(weft_port_run(NULL, 1, &n), WEFT_INVALID);
    CHECK_STATUS(weft_port_wait(NULL, 0), WEFT_INVALID);
    CHECK(fd == -7 && n == 77);
    OK(weft_port_new(&port));
    CHECK_STATUS(weft_port_fd(port, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_port_pending(port, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_port_poll(port, NULL, 1, &n), WEFT_INVALID);
    CHECK_STATUS(weft_port_poll(port, rec, 1, NULL), WEFT_INVALID);
    OK(weft_port_poll(port, NULL, 0, &n)); /* max 0 needs no buffer */
    CHECK(n == 0);
    OK(weft_port_run(port, 10, NULL)); /* ran_out is optional */
    OK(weft_port_clone(port));
    OK(weft_port_free(port));
    OK(weft_port_free(port));

    weft_status st = 77;
    CHECK_STATUS(weft_op_cancel(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_op_status(NULL, &st), WEFT_INVALID);
    CHECK_STATUS(weft_op_free(NULL), WEFT_INVALID);
    CHECK(st == 77);
}

static void fd_contract_and_forms(void) {
    weft_port *port;
    weft_sem *sem;
    int fd;
    size_t n;
    OK(weft_port_new(&port));
    OK(weft_port_fd(port, &fd));
    OK(weft_sem_new(0, -1, &sem));
    CHECK(!readable(fd));
    CHECK_STATUS(weft_port_wait(port, 0), WEFT_WOULD_BLOCK);
    CHECK_STATUS(weft_port_wait(port, 2 * WEFT_MS), WEFT_TIMEOUT);

    weft_op *ops[5];
    for (int i = 0; i < 5; i++)
        CHECK_STATUS(weft_sem_acquire_async(sem, port, i < 3 ? count_call : NULL, (void *)(uintptr_t)i, &ops[i]),
                     WEFT_PENDING);
    weft_status st;
    OK(weft_op_status(ops[0], &st));
    CHECK(st == WEFT_PENDING);
    CHECK_STATUS(weft_op_status(ops[0], NULL), WEFT_INVALID);
    CHECK(!readable(fd));
    OK(weft_sem_release(sem, 5)); /* a burst of five completions */
    CHECK(readable(fd));
    OK(weft_port_pending(port, &n));
    CHECK(n == 5);
    OK(weft_port_wait(port, WEFT_FOREVER));
    /* run form, stopped early by max: the fd stays readable */
    OK(weft_port_run(port, 2, &n));
    CHECK(n == 2 && atomic_load(&calls[0]) == 1 && atomic_load(&calls[1]) == 1);
    CHECK(readable(fd));
    /* pull form: records in completion order, no callback called */
    weft_completion rec[8];
    OK(weft_port_poll(port, rec, 8, &n));
    CHECK(n == 3);
    CHECK(rec[0].arg == (void *)2 && rec[0].status == WEFT_OK);
    CHECK(rec[1].arg == (void *)3 && rec[2].arg == (void *)4);
    CHECK(atomic_load(&calls[2]) == 0); /* polled, not run */
    CHECK(!readable(fd));
    OK(weft_op_status(ops[4], &st));
    CHECK(st == WEFT_OK);
    /* the grant already won: cancel reports it, changes nothing */
    CHECK_STATUS(weft_op_cancel(ops[4]), WEFT_OK);
    OK(weft_port_pending(port, &n));
    CHECK(n == 0);
    for (int i = 0; i < 5; i++) OK(weft_op_free(ops[i]));
    OK(weft_sem_free(sem));
    OK(weft_port_free(port));
}

static void cancel_delivers_once(void) {
    weft_port *port;
    weft_lock *lock;
    size_t n;
    weft_completion rec[4];
    OK(weft_port_new(&port));
    OK(weft_lock_new(WEFT_LOCK_FIFO, &lock));
    OK(weft_lock_acquire_as(lock, 1, 0));
    weft_op *op;
    CHECK_STATUS(weft_lock_acquire_async(lock, 2, port, NULL, (void *)2, &op), WEFT_PENDING);
    CHECK_STATUS(weft_op_cancel(op), WEFT_CANCELLED);
    CHECK_STATUS(weft_op_cancel(op), WEFT_CANCELLED); /* idempotent */
    OK(weft_port_poll(port, rec, 4, &n));
    CHECK(n == 1 && rec[0].status == WEFT_CANCELLED && rec[0].arg == (void *)2);
    OK(weft_port_poll(port, rec, 4, &n));
    CHECK(n == 0); /* exactly once */
    size_t waiting;
    OK(weft_lock_waiting(lock, &waiting));
    CHECK(waiting == 0);
    OK(weft_op_free(op));

    /* without a port, the cancelled callback runs inside weft_op_cancel */
    atomic_store(&calls[5], 0);
    CHECK_STATUS(weft_lock_acquire_async(lock, 3, NULL, count_call, (void *)5, &op), WEFT_PENDING);
    CHECK_STATUS(weft_op_cancel(op), WEFT_CANCELLED);
    CHECK(atomic_load(&calls[5]) == 1 && atomic_load(&calls[7]) == WEFT_CANCELLED);
    OK(weft_op_free(op));
    OK(weft_lock_release_as(lock, 1));
    OK(weft_lock_free(lock));
    OK(weft_port_free(port));
}

/* Freeing the port's last reference: a grant queued in it is passed on, callbacks are told. */
static void port_closed_with_work_pending(void) {
    weft_port *port;
    weft_lock *lock;
    OK(weft_port_new(&port));
    OK(weft_lock_new(WEFT_LOCK_FIFO, &lock));
    OK(weft_lock_acquire_as(lock, 1, 0));
    weft_op *granted, *waiting_op;
    atomic_store(&calls[6], 0);
    CHECK_STATUS(weft_lock_acquire_async(lock, 2, port, count_call, (void *)6, &granted), WEFT_PENDING);
    CHECK_STATUS(weft_lock_acquire_async(lock, 3, port, NULL, NULL, &waiting_op), WEFT_PENDING);
    OK(weft_lock_release_as(lock, 1)); /* owner 2's grant waits in the port */
    uint64_t owner;
    OK(weft_lock_owner(lock, &owner));
    CHECK(owner == 2);
    OK(weft_port_free(port)); /* closes: 2's grant goes to 3, whose grant cannot be delivered either */
    CHECK(atomic_load(&calls[6]) == 1 && atomic_load(&calls[7]) == WEFT_CANCELLED);
    OK(weft_lock_owner(lock, &owner));
    CHECK(owner == 0); /* nothing stranded */
    weft_status st;
    OK(weft_op_status(granted, &st));
    CHECK(st == WEFT_CANCELLED);
    OK(weft_op_status(waiting_op, &st));
    CHECK(st == WEFT_CANCELLED);
    OK(weft_op_free(granted));
    OK(weft_op_free(waiting_op));

    /* a handle freed while an op is pending: the op keeps the lock alive */
    OK(weft_port_new(&port));
    OK(weft_lock_acquire_as(lock, 1, 0));
    weft_op *op;
    CHECK_STATUS(weft_lock_acquire_async(lock, 2, port, NULL, NULL, &op), WEFT_PENDING);
    OK(weft_lock_free(lock));
    CHECK_STATUS(weft_op_cancel(op), WEFT_CANCELLED);
    OK(weft_op_free(op));
    OK(weft_port_free(port));
}

int main(void) {
    bad_input();
    fd_contract_and_forms();
    cancel_delivers_once();
    port_closed_with_work_pending();
    puts("test_port_op ok");
    return 0;
}
