/*
 * weft demo: two plain threads and one event loop share one lock, in one FIFO line.
 *
 * The threads block in weft_lock_acquire. The loop never blocks on the lock: it asks
 * with weft_lock_acquire_async and learns that it got the lock when its port's fd
 * becomes readable (a poll(2) loop stands in for libuv or GLib here), then runs the
 * completion with weft_port_run. Each party takes the lock ROUNDS times and holds it a
 * few milliseconds. The demo checks that no two parties ever held it at once, that the
 * lock's owner was always the party holding it, and that everyone got all its turns.
 *
 * Build: cc demo.c $(pkg-config --cflags --libs weft) -lpthread   (or: scripts/demo.sh)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <weft.h>

#define ROUNDS 5
#define HOLD_US 3000

struct party {
    const char *name;
    uint64_t owner;     /* the owner token the lock records for this party */
    int turns;          /* how many times it held the lock */
};

static weft_lock *lock;
static atomic_int holders; /* how many hold the lock right now: must never exceed 1 */

/* Every weft call goes through this: any status but the expected one ends the demo. */
static void expect(weft_status got, weft_status want, const char *what) {
    if (got != want) {
        fprintf(stderr, "demo: %s returned %s (expected %s)\n", what, weft_status_str(got),
                weft_status_str(want));
        exit(1);
    }
}
#define CHECK(call) expect((call), WEFT_OK, #call)

static void fail(const char *what) {
    fprintf(stderr, "demo: %s\n", what);
    exit(1);
}

/* The critical section, the same for every party. */
static void hold(struct party *p) {
    if (atomic_fetch_add(&holders, 1) != 0) fail("two parties held the lock at once");

    uint64_t owner = 0;
    CHECK(weft_lock_owner(lock, &owner));
    if (owner != p->owner) fail("the lock's owner is not the party holding it");

    p->turns++;
    printf("  %-7s holds the lock (turn %d of %d)\n", p->name, p->turns, ROUNDS);
    fflush(stdout);
    usleep(HOLD_US);
    atomic_fetch_sub(&holders, 1);
}

/* A plain thread: blocking acquires, as the calling thread. */
static void *worker(void *arg) {
    struct party *p = arg;
    CHECK(weft_thread_owner(&p->owner)); /* what weft_lock_acquire records as owner */
    for (int i = 0; i < ROUNDS; i++) {
        CHECK(weft_lock_acquire(lock, 5 * WEFT_SECOND));
        hold(p);
        CHECK(weft_lock_release(lock));
        usleep(500); /* let the others queue up */
    }
    return NULL;
}

/*
 * The event loop thread. Its one task owns the lock under the loop thread's token, given
 * explicitly to the async acquire and to weft_lock_release_as (a task that could move
 * between threads would use its own nonzero id instead).
 */
struct loop_task {
    struct party *party;
    int waiting; /* an async acquire is pending */
};

/* Runs inside weft_port_run on the loop thread, or directly when the grant was at once. */
static void on_locked(void *arg, weft_status status) {
    struct loop_task *task = arg;
    expect(status, WEFT_OK, "the loop's async acquire");
    task->waiting = 0;
    hold(task->party);
    CHECK(weft_lock_release_as(lock, task->party->owner));
}

static void *event_loop(void *arg) {
    struct loop_task task = {.party = arg, .waiting = 0};
    weft_port *port = NULL;
    int32_t fd = -1;
    CHECK(weft_thread_owner(&task.party->owner));
    CHECK(weft_port_new(&port));
    CHECK(weft_port_fd(port, &fd));

    while (task.party->turns < ROUNDS) {
        if (!task.waiting) {
            weft_op *op = NULL;
            weft_status s =
                weft_lock_acquire_async(lock, task.party->owner, port, on_locked, &task, &op);
            if (s == WEFT_OK) {          /* free right now: no callback follows */
                on_locked(&task, WEFT_OK);
                usleep(500);
                continue;
            }
            expect(s, WEFT_PENDING, "weft_lock_acquire_async");
            task.waiting = 1;
            CHECK(weft_op_free(op));     /* we never cancel it; the grant still comes */
        }
        /* The loop's one wait; a real loop would watch sockets and timers here too. */
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int n = poll(&pfd, 1, 5000);
        if (n < 0 && errno == EINTR) continue;
        if (n != 1) fail(n == 0 ? "the loop's port fd never became readable" : strerror(errno));
        size_t ran = 0;
        CHECK(weft_port_run(port, 64, &ran));
        if (ran > 0) usleep(500);
    }
    CHECK(weft_port_free(port));
    return NULL;
}

int main(void) {
    struct party parties[3] = {{.name = "thread1"}, {.name = "thread2"}, {.name = "loop"}};
    pthread_t tids[3];

    puts("weft demo: 2 threads and 1 event loop take turns with one lock (FIFO)");
    CHECK(weft_lock_new(WEFT_LOCK_FIFO, &lock));
    for (int i = 0; i < 3; i++) {
        if (pthread_create(&tids[i], NULL, i == 2 ? event_loop : worker, &parties[i]) != 0)
            fail("pthread_create failed");
    }
    for (int i = 0; i < 3; i++) pthread_join(tids[i], NULL);

    uint64_t owner = 1;
    CHECK(weft_lock_owner(lock, &owner));
    if (owner != 0) fail("the lock is still held after everyone finished");
    CHECK(weft_lock_free(lock));

    int ok = 1;
    puts("summary:");
    for (int i = 0; i < 3; i++) {
        printf("  %-7s owner token %#" PRIx64 ": %d of %d turns\n", parties[i].name,
               parties[i].owner, parties[i].turns, ROUNDS);
        ok = ok && parties[i].turns == ROUNDS;
    }
    if (parties[0].owner == parties[1].owner || parties[0].owner == parties[2].owner ||
        parties[1].owner == parties[2].owner)
        fail("two parties share an owner token");
    puts(ok ? "ok: every party got every turn, never two at once" : "FAILED");
    return ok ? 0 : 1;
}
