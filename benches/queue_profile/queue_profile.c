/*
 * A queue workload to run under a profiler (docs/performance.md, "Issue 15: queues"): the
 * weft-bench rows, without the harness and the peers, so that `perf` sees only weft.
 *
 *   queue_profile threads P CAPACITY ITEMS REPS   P producers and P consumers (blocking
 *                                                  put/get), CAPACITY < 0: unbounded
 *   queue_profile port ITEMS REPS                   one blocking producer, the consumer on
 *                                                  weft_queue_get_async + a port (poll(2))
 *
 * Build and profile from the repository root, after `cargo build --release -p weft`:
 *
 *   cc -O2 -Iinclude -o /tmp/queue_profile benches/queue_profile/queue_profile.c \
 *      -Ltarget/release -lweft -lpthread
 *   LD_LIBRARY_PATH=target/release perf record -g /tmp/queue_profile threads 1 -1 3000000 5
 *   perf report --no-children --sort symbol
 *
 * Threads are pinned as weft-bench pins them (producer i on CPU i, consumer i on CPU i+1,
 * modulo the CPU count). Prints ns per item for each rep.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "weft.h"

static weft_queue *queue;
static long items_per_thread;

static void pin(long cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET((int)(cpu % sysconf(_SC_NPROCESSORS_ONLN)), &set);
    sched_setaffinity(0, sizeof set, &set);
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void *produce(void *index) {
    pin((long)(intptr_t)index);
    for (long i = 0; i < items_per_thread; i++)
        if (weft_queue_put(queue, (void *)(intptr_t)(i + 1), 0, -1) != WEFT_OK) abort();
    return NULL;
}

static void *consume(void *index) {
    pin((long)(intptr_t)index + 1);
    void *item;
    for (long i = 0; i < items_per_thread; i++)
        if (weft_queue_get(queue, &item, -1) != WEFT_OK) abort();
    return NULL;
}

/* The consumer of the port workload: each get that cannot complete at once waits on the
 * port's fd, as an event loop would. */
static void *consume_on_port(void *unused) {
    (void)unused;
    pin(1);
    weft_port *port;
    int fd;
    if (weft_port_new(&port) != WEFT_OK || weft_port_fd(port, &fd) != WEFT_OK) abort();
    for (long got = 0; got < items_per_thread; got++) {
        void *item;
        weft_op *op;
        int status = weft_queue_get_async(queue, &item, port, NULL, NULL, &op);
        if (status == WEFT_PENDING) {
            struct pollfd ready = {.fd = fd, .events = POLLIN};
            while (poll(&ready, 1, -1) != 1) {
            }
            weft_completion done[1];
            size_t count;
            if (weft_port_poll(port, done, 1, &count) != WEFT_OK || weft_op_item(op, &item) != WEFT_OK) abort();
            weft_op_free(op);
        } else if (status != WEFT_OK) {
            abort();
        }
    }
    weft_port_free(port);
    return NULL;
}

static void run(long pairs, int64_t capacity, long items, void *(*consumer)(void *)) {
    if (weft_queue_new(WEFT_QUEUE_FIFO, capacity, NULL, NULL, &queue) != WEFT_OK) abort();
    items_per_thread = items / pairs;
    pthread_t threads[2 * 64];
    double start = now();
    for (long i = 0; i < pairs; i++) {
        pthread_create(&threads[i], NULL, produce, (void *)(intptr_t)i);
        pthread_create(&threads[pairs + i], NULL, consumer, (void *)(intptr_t)i);
    }
    for (long i = 0; i < 2 * pairs; i++) pthread_join(threads[i], NULL);
    printf("%.1f ns/item\n", (now() - start) * 1e9 / (double)(items_per_thread * pairs));
    weft_queue_free(queue);
}

int main(int argc, char **argv) {
    if (argc == 6 && strcmp(argv[1], "threads") == 0) {
        long pairs = atol(argv[2]);
        if (pairs < 1 || pairs > 64) return 2;
        for (int rep = 0; rep < atoi(argv[5]); rep++) run(pairs, atoll(argv[3]), atol(argv[4]), consume);
        return 0;
    }
    if (argc == 4 && strcmp(argv[1], "port") == 0) {
        for (int rep = 0; rep < atoi(argv[3]); rep++) run(1, WEFT_UNBOUNDED, atol(argv[2]), consume_on_port);
        return 0;
    }
    fprintf(stderr, "usage: queue_profile threads P CAPACITY ITEMS REPS | port ITEMS REPS\n");
    return 2;
}
