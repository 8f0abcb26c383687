/*
 * weft demo: two plain threads and one event loop share one lock.
 *
 * The threads block in weft_lock_acquire; the loop never blocks: it asks with
 * weft_lock_acquire_async and learns it got the lock when its port's fd becomes
 * readable (here a poll(2) loop stands in for libuv or GLib). All three stand in the
 * same FIFO line. Each holds the lock for a few milliseconds, several times; the demo
 * checks that nobody ever held it at the same time as someone else.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <weft.h>

#define ROUNDS 5
#define HOLD_US 3000

static weft_lock *lock;
static atomic_int holders;   /* how many hold the lock right now: must never exceed 1 */
static atomic_int turns;     /* total turns taken */

static void check(weft_status status, const char *what) {
    if (status != WEFT_OK) {
        fprintf(stderr, "%s failed: %s\n", what, weft_status_str(status));
        exit(1);
    }
}

static void hold(const char *who, int round) {
    if (atomic_fetch_add(&holders, 1) != 0) {
        fprintf(stderr, "%s got the lock while someone else held it\n", who);
        exit(1);
    }
    printf("  %-7s holds the lock (round %d)\n", who, round + 1);
    fflush(stdout);
    usleep(HOLD_US);
    atomic_fetch_sub(&holders, 1);
    atomic_fetch_add(&turns, 1);
}

static void *worker(void *name) {
    for (int round = 0; round < ROUNDS; round++) {
        check(weft_lock_acquire(lock, 5 * WEFT_SECOND), "weft_lock_acquire");
        hold(name, round);
        check(weft_lock_release(lock), "weft_lock_release");
        usleep(500);
    }
    return NULL;
}

/* The event loop: one task that takes the lock ROUNDS times without ever blocking. */
struct loop_task {
    uint64_t owner;   /* the task's owner token */
    int round;
    int waiting;      /* an async acquire is pending */
};

static void on_locked(void *arg, weft_status status) {
    struct loop_task *task = arg;
    check(status, "async acquire");
    task->waiting = 0;
    hold("loop", task->round);
    check(weft_lock_release_as(lock, task->owner), "weft_lock_release_as");
    task->round++;
}

static void *event_loop(void *unused) {
    (void)unused;
    weft_port *port;
    int fd;
    check(weft_port_new(&port), "weft_port_new");
    check(weft_port_fd(port, &fd), "weft_port_fd");
    struct loop_task task = {.owner = (uint64_t)(uintptr_t)&task, .round = 0, .waiting = 0};
    while (task.round < ROUNDS) {
        if (!task.waiting) {
            weft_op *op = NULL;
            weft_status status = weft_lock_acquire_async(lock, task.owner, port, on_locked, &task, &op);
            if (status == WEFT_OK) {
                on_locked(&task, WEFT_OK); /* granted at once: no callback follows */
                continue;
            }
            check(status == WEFT_PENDING ? WEFT_OK : status, "weft_lock_acquire_async");
            check(weft_op_free(op), "weft_op_free"); /* we never cancel it */
            task.waiting = 1;
        }
        /* The loop's own wait: here it would also watch sockets, timers... */
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        if (poll(&pfd, 1, 5000) != 1) {
            fprintf(stderr, "the loop was never woken\n");
            exit(1);
        }
        check(weft_port_run(port, 64, NULL), "weft_port_run");
    }
    check(weft_port_free(port), "weft_port_free");
    return NULL;
}

int main(void) {
    puts("weft demo: 2 threads and 1 event loop share one lock, in one FIFO line");
    check(weft_lock_new(WEFT_LOCK_FIFO, &lock), "weft_lock_new");
    pthread_t a, b, loop;
    pthread_create(&loop, NULL, event_loop, NULL);
    pthread_create(&a, NULL, worker, "thread1");
    pthread_create(&b, NULL, worker, "thread2");
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    pthread_join(loop, NULL);
    uint64_t owner = 1;
    check(weft_lock_owner(lock, &owner), "weft_lock_owner");
    check(weft_lock_free(lock), "weft_lock_free");
    if (atomic_load(&turns) != 3 * ROUNDS || owner != 0) {
        fprintf(stderr, "expected %d turns and a free lock, got %d turns, owner %llu\n", 3 * ROUNDS,
                atomic_load(&turns), (unsigned long long)owner);
        return 1;
    }
    printf("ok: %d turns, never two holders at once, the loop never blocked\n", atomic_load(&turns));
    return 0;
}
