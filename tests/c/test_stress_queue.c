/*
 * Queue stress with invariant checks. Producer threads put (producer, seq) items with
 * every face: try, blocking with random short timeouts, forever, batches, and async on a
 * port or by callback, cancelled at random (sometimes racing the grant). Consumer threads
 * get with every face: try, timed, batches, and async on a port (poll(2) on its fd, pull
 * form) or by callback, cancelled at random. A capacity changer grows and shrinks the
 * bound meanwhile.
 *
 * Invariants, checked at the end: every item put (its put returned WEFT_OK, or its async
 * put completed WEFT_OK, or a cancel of it returned WEFT_OK) was received exactly once;
 * no item whose put was refused or cancelled was received; for a FIFO queue, each
 * consumer received each producer's items in increasing order; the queue is empty, nobody
 * waits, and unfinished == items received (nobody called task_done) until all are marked
 * done, after which join returns at once. Runs for FIFO (bounded), LIFO (bounded) and
 * priority (unbounded). Pass/fail never depends on timing; a watchdog catches hangs.
 */
#include "check.h"

#define PRODUCERS 3
#define CONSUMERS 3
#define HANG_NS (30 * WEFT_SECOND)

static int per_producer;
static weft_queue *q;
static uint32_t kind;
static atomic_long received_total;
static atomic_long accepted_total;
static atomic_int producers_done;
/* received[p][seq]: how many times (p, seq) was received; accepted[p][seq]: put went in */
static atomic_uchar *received[PRODUCERS];
static atomic_uchar *accepted[PRODUCERS];

static uint64_t next_random(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void *item_of(int p, int seq) { return (void *)(uintptr_t)(((uint64_t)p << 32) | (uint64_t)(seq + 1)); }

static void note_accepted(int p, int seq) {
    CHECK(atomic_fetch_add(&accepted[p][seq], 1) == 0);
    atomic_fetch_add(&accepted_total, 1);
}

/* per consumer: last seq seen of each producer (FIFO order check) */
typedef struct {
    int last[PRODUCERS];
} order_t;

static void note_received(void *item, order_t *order) {
    uint64_t bits = (uint64_t)(uintptr_t)item;
    int p = (int)(bits >> 32), seq = (int)(bits & 0xffffffffu) - 1;
    CHECK_MSG(p >= 0 && p < PRODUCERS && seq >= 0 && seq < per_producer, "bad item %llx",
              (unsigned long long)bits);
    CHECK_MSG(atomic_fetch_add(&received[p][seq], 1) == 0, "item (%d, %d) received twice", p, seq);
    if (kind == WEFT_QUEUE_FIFO) {
        CHECK_MSG(seq > order->last[p], "FIFO order broken: (%d, %d) after %d", p, seq,
                  order->last[p]);
        order->last[p] = seq;
    }
    atomic_fetch_add(&received_total, 1);
}


/* Waits for the one completion of `op` on `port`: returns its status. */
static weft_status wait_port(weft_port *port, int fd) {
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    int r = poll(&pfd, 1, 30000);
    CHECK_MSG(r == 1, "a port completion never came");
    weft_completion done[2];
    size_t n = 0;
    OK(weft_port_poll(port, done, 2, &n));
    CHECK(n == 1);
    return done[0].status;
}

static void *producer(void *arg) {
    int p = (int)(intptr_t)arg;
    uint64_t seed = 0x9E3779B97F4A7C15ull * (uint64_t)(p + 1);
    weft_port *port;
    OK(weft_port_new(&port));
    int fd;
    OK(weft_port_fd(port, &fd));
    int seq = 0;
    while (seq < per_producer) {
        uint64_t r = next_random(&seed);
        void *item = item_of(p, seq);
        weft_status st;
        switch (r % 6) {
        case 0:
            st = weft_queue_try_put(q, item, (int64_t)(r >> 40) % 5);
            CHECK(st == WEFT_OK || st == WEFT_WOULD_BLOCK);
            break;
        case 1:
            st = weft_queue_put(q, item, 0, (int64_t)(r >> 50) % 50 * WEFT_US);
            CHECK(st == WEFT_OK || st == WEFT_TIMEOUT || st == WEFT_WOULD_BLOCK);
            break;
        case 2:
            st = weft_queue_put(q, item, 0, HANG_NS);
            CHECK_MSG(st == WEFT_OK, "a put waited 30 s: %s", weft_status_str(st));
            break;
        case 3: { /* a batch of up to 4 */
            void *items[4];
            int want = 1 + (int)((r >> 20) % 4);
            if (want > per_producer - seq) want = per_producer - seq;
            for (int i = 0; i < want; i++) items[i] = item_of(p, seq + i);
            size_t put = 99;
            st = weft_queue_put_many(q, items, NULL, (size_t)want, (int64_t)(r >> 50) % 20 * WEFT_US, &put);
            CHECK((size_t)want >= put);
            CHECK(st == WEFT_OK ? put == (size_t)want : (st == WEFT_TIMEOUT || st == WEFT_WOULD_BLOCK));
            for (size_t i = 0; i < put; i++) note_accepted(p, seq + (int)i);
            seq += (int)put;
            continue;
        }
        case 4: { /* async on the port, maybe cancelled */
            weft_op *op = NULL;
            st = weft_queue_put_async(q, item, 0, port, NULL, NULL, &op);
            if (st == WEFT_PENDING) {
                weft_status cancel = WEFT_PENDING;
                if (r & (1u << 12)) cancel = weft_op_cancel(op);
                st = wait_port(port, fd);
                if (cancel != WEFT_PENDING) CHECK(cancel == st);
                CHECK(st == WEFT_OK || st == WEFT_CANCELLED);
                OK(weft_op_free(op));
            }
            break;
        }
        default: { /* async by callback, maybe cancelled */
            record_t rec = {0};
            weft_op *op = NULL;
            st = weft_queue_put_async(q, item, 0, NULL, record_callback, &rec, &op);
            if (st == WEFT_PENDING) {
                if (r & (1u << 13)) weft_op_cancel(op);
                wait_record(&rec);
                st = atomic_load(&rec.status);
                CHECK(st == WEFT_OK || st == WEFT_CANCELLED);
                OK(weft_op_free(op));
            }
            break;
        }
        }
        if (st == WEFT_OK) {
            note_accepted(p, seq);
            seq++;
        }
    }
    OK(weft_port_free(port));
    atomic_fetch_add(&producers_done, 1);
    return NULL;
}

static int all_received(void) {
    return atomic_load(&producers_done) == PRODUCERS &&
           atomic_load(&received_total) == atomic_load(&accepted_total);
}

static void *consumer(void *arg) {
    int c = (int)(intptr_t)arg;
    uint64_t seed = 0xD1B54A32D192ED03ull * (uint64_t)(c + 1);
    order_t order;
    for (int p = 0; p < PRODUCERS; p++) order.last[p] = -1;
    weft_port *port;
    OK(weft_port_new(&port));
    int fd;
    OK(weft_port_fd(port, &fd));
    while (!all_received()) {
        uint64_t r = next_random(&seed);
        void *item = NULL;
        weft_status st;
        switch (r % 5) {
        case 0:
            st = weft_queue_try_get(q, &item);
            CHECK(st == WEFT_OK || st == WEFT_WOULD_BLOCK);
            break;
        case 1:
            st = weft_queue_get(q, &item, (int64_t)(r >> 50) % 100 * WEFT_US);
            CHECK(st == WEFT_OK || st == WEFT_TIMEOUT || st == WEFT_WOULD_BLOCK);
            break;
        case 2: {
            void *items[5];
            size_t got = 99;
            st = weft_queue_get_many(q, items, 5, 200 * WEFT_US, &got);
            CHECK(st == WEFT_OK ? got >= 1 && got <= 5 : got == 0);
            for (size_t i = 0; i < got; i++) note_received(items[i], &order);
            continue;
        }
        case 3: {
            weft_op *op = NULL;
            st = weft_queue_get_async(q, &item, port, NULL, NULL, &op);
            if (st == WEFT_PENDING) {
                if (r & (1u << 11)) sched_yield();
                weft_status cancel = weft_op_cancel(op);
                st = wait_port(port, fd);
                CHECK(cancel == st);
                if (st == WEFT_OK) OK(weft_op_item(op, &item));
                else CHECK(st == WEFT_CANCELLED);
                OK(weft_op_free(op));
            } else {
                CHECK(st == WEFT_OK);
            }
            break;
        }
        default: {
            record_t rec = {0};
            weft_op *op = NULL;
            st = weft_queue_get_async(q, &item, NULL, record_callback, &rec, &op);
            if (st == WEFT_PENDING) {
                weft_status cancel = weft_op_cancel(op);
                wait_record(&rec);
                st = atomic_load(&rec.status);
                CHECK(cancel == st);
                if (st == WEFT_OK) OK(weft_op_item(op, &item));
                OK(weft_op_free(op));
            }
            break;
        }
        }
        if (st == WEFT_OK) note_received(item, &order);
    }
    OK(weft_port_free(port));
    return NULL;
}

static void *capacity_changer(void *arg) {
    (void)arg;
    static const int64_t caps[] = {4, 1, 16, 2, 64, 8};
    int i = 0;
    while (atomic_load(&producers_done) < PRODUCERS) {
        OK(weft_queue_set_capacity(q, caps[i++ % 6]));
        usleep(300);
    }
    return NULL;
}

static void run(uint32_t queue_kind, int64_t capacity, int change_capacity) {
    kind = queue_kind;
    atomic_store(&received_total, 0);
    atomic_store(&accepted_total, 0);
    atomic_store(&producers_done, 0);
    for (int p = 0; p < PRODUCERS; p++) {
        received[p] = calloc((size_t)per_producer, 1);
        accepted[p] = calloc((size_t)per_producer, 1);
        CHECK(received[p] && accepted[p]);
    }
    OK(weft_queue_new(queue_kind, capacity, NULL, NULL, &q));
    pthread_t producers[PRODUCERS], consumers[CONSUMERS], changer;
    for (int i = 0; i < PRODUCERS; i++)
        CHECK(pthread_create(&producers[i], NULL, producer, (void *)(intptr_t)i) == 0);
    for (int i = 0; i < CONSUMERS; i++)
        CHECK(pthread_create(&consumers[i], NULL, consumer, (void *)(intptr_t)i) == 0);
    if (change_capacity) CHECK(pthread_create(&changer, NULL, capacity_changer, NULL) == 0);
    for (int i = 0; i < PRODUCERS; i++) CHECK(pthread_join(producers[i], NULL) == 0);
    for (int i = 0; i < CONSUMERS; i++) CHECK(pthread_join(consumers[i], NULL) == 0);
    if (change_capacity) CHECK(pthread_join(changer, NULL) == 0);

    long total = (long)PRODUCERS * per_producer;
    CHECK_MSG(atomic_load(&accepted_total) == total, "accepted %ld of %ld",
              atomic_load(&accepted_total), total);
    for (int p = 0; p < PRODUCERS; p++)
        for (int s = 0; s < per_producer; s++)
            CHECK_MSG(received[p][s] == 1 && accepted[p][s] == 1, "item (%d, %d): accepted %d, received %d", p, s,
                      accepted[p][s], received[p][s]);
    size_t size = 9, putters = 9, getters = 9;
    OK(weft_queue_size(q, &size));
    OK(weft_queue_waiting(q, &putters, &getters));
    CHECK(size == 0 && putters == 0 && getters == 0);
    uint64_t unfinished = 0;
    OK(weft_queue_unfinished(q, &unfinished));
    CHECK(unfinished == (uint64_t)total);
    CHECK_STATUS(weft_queue_join(q, 0), WEFT_WOULD_BLOCK);
    for (long i = 0; i < total; i++) OK(weft_queue_task_done(q));
    OK(weft_queue_join(q, 0));
    OK(weft_queue_free(q));
    for (int p = 0; p < PRODUCERS; p++) {
        free(received[p]);
        free(accepted[p]);
    }
    printf("kind %u capacity %lld: %ld items exactly once\n", queue_kind, (long long)capacity, total);
}

int main(void) {
    start_watchdog(120);
    per_producer = 40000 / test_scale_down();
    run(WEFT_QUEUE_FIFO, 8, 1);
    run(WEFT_QUEUE_FIFO, WEFT_UNBOUNDED, 0);
    run(WEFT_QUEUE_LIFO, 4, 0);
    run(WEFT_QUEUE_PRIORITY, WEFT_UNBOUNDED, 0);
    return test_exit_code("test_stress_queue");
}
