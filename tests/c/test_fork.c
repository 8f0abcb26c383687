/*
 * fork(): what a child may use. Primitives not held at the fork work in the child as in
 * any process; a port made before the fork is closed for the child (WEFT_CLOSED: its fd is
 * shared with the parent), freeing it is fine, and nothing the child does with it wakes
 * the parent's loop or takes its wake-up. The child makes its own ports.
 */
#include <sys/wait.h>

#include "check.h"

static weft_lock *lock;
static weft_sem *parent_sem; /* 0 permits: the parent's op waits on it across the fork */
static weft_sem *child_sem;
static weft_queue *queue;
static weft_port *port;
static weft_op *parent_op;

static void child(void) {
    /* the parent's port is closed here */
    int fd = -1;
    CHECK_STATUS(weft_port_fd(port, &fd), WEFT_CLOSED);
    CHECK(fd == -1);
    size_t n = 99;
    CHECK_STATUS(weft_port_pending(port, &n), WEFT_CLOSED);
    CHECK_STATUS(weft_port_run(port, 8, &n), WEFT_CLOSED);
    CHECK_STATUS(weft_port_wait(port, 0), WEFT_CLOSED);
    weft_op *op = NULL;
    CHECK_STATUS(weft_sem_acquire_async(child_sem, port, NULL, NULL, &op), WEFT_CLOSED);
    CHECK(op == NULL);
    /* the parent's op in the child's copy: a grant cannot reach the port (and must not
     * raise the parent's fd); the permit is handed back */
    OK(weft_sem_release(parent_sem, 1));
    OK(weft_sem_acquire(parent_sem, 0));
    OK(weft_port_free(port));

    /* primitives nobody held at the fork */
    OK(weft_lock_acquire(lock, 0));
    OK(weft_lock_release(lock));
    void *item = NULL;
    OK(weft_queue_try_get(queue, &item));
    CHECK(item == (void *)0x42);
    /* a port of its own works */
    weft_port *mine;
    OK(weft_port_new(&mine));
    OK(weft_port_fd(mine, &fd));
    CHECK_STATUS(weft_sem_acquire_async(child_sem, mine, NULL, (void *)7, &op), WEFT_PENDING);
    CHECK(!fd_readable(fd));
    OK(weft_sem_release(child_sem, 1));
    CHECK(fd_readable(fd));
    weft_completion rec[2];
    OK(weft_port_poll(mine, rec, 2, &n));
    CHECK(n == 1 && rec[0].arg == (void *)7 && rec[0].status == WEFT_OK);
    OK(weft_op_free(op));
    OK(weft_port_free(mine));
}

int main(void) {
    start_watchdog(60);
    OK(weft_lock_new(WEFT_LOCK_FIFO, &lock));
    OK(weft_sem_new(0, -1, &parent_sem));
    OK(weft_sem_new(0, -1, &child_sem));
    OK(weft_queue_new(WEFT_QUEUE_FIFO, 8, NULL, NULL, &queue));
    OK(weft_queue_try_put(queue, (void *)0x42, 0));
    OK(weft_port_new(&port));
    int fd;
    OK(weft_port_fd(port, &fd));
    CHECK_STATUS(weft_sem_acquire_async(parent_sem, port, NULL, (void *)1, &parent_op), WEFT_PENDING);

    fflush(stdout);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        child();
        _exit(0);
    }
    int status = 0;
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child failed (status %d)",
              status);

    /* the parent's port is untouched by whatever the child did */
    CHECK(!fd_readable(fd));
    size_t n = 99;
    OK(weft_port_pending(port, &n));
    CHECK(n == 0);
    OK(weft_sem_release(parent_sem, 1));
    CHECK(fd_readable(fd));
    weft_completion rec[2];
    OK(weft_port_poll(port, rec, 2, &n));
    CHECK(n == 1 && rec[0].arg == (void *)1 && rec[0].status == WEFT_OK);
    CHECK(!fd_readable(fd));
    void *item = NULL;
    OK(weft_queue_try_get(queue, &item)); /* the parent's copy still has its item */
    CHECK(item == (void *)0x42);

    OK(weft_op_free(parent_op));
    OK(weft_port_free(port));
    OK(weft_queue_free(queue));
    OK(weft_sem_free(child_sem));
    OK(weft_sem_free(parent_sem));
    OK(weft_lock_free(lock));
    return test_exit_code("test_fork");
}
