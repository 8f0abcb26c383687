/*
 * Event broadcast: `set` decides every waiter, then wakes the sleeping threads with one
 * futex broadcast on a word they share. Lost-wakeup hunt, many rounds:
 * - all in line: T threads wait forever on a reusable event, the setter waits until all
 *   T are in line (some spinning, some asleep, some between reading the shared word and
 *   sleeping), sets; every one must return WEFT_OK (a lost wake is a hang: the watchdog);
 *   then the event is cleared for the next round;
 * - churn: threads wait with random short timeouts while the setter sets and clears at
 *   random; every wait returns OK or TIMEOUT, and an async waiter on a port beside them
 *   completes every round.
 */
#include "check.h"

#define THREADS 4

static weft_event *event;
static pthread_barrier_t round_start, round_end;
static int rounds;
static atomic_int ok_count, timeout_count;
static atomic_int churn_done;

static void *all_in_line_waiter(void *arg) {
    (void)arg;
    for (int i = 0; i < rounds; i++) {
        pthread_barrier_wait(&round_start);
        OK(weft_event_wait(event, WEFT_FOREVER));
        atomic_fetch_add(&ok_count, 1);
        pthread_barrier_wait(&round_end);
    }
    return NULL;
}

static void all_in_line(void) {
    OK(weft_event_new(WEFT_EVENT_REUSABLE, &event));
    pthread_barrier_init(&round_start, NULL, THREADS + 1);
    pthread_barrier_init(&round_end, NULL, THREADS + 1);
    pthread_t t[THREADS];
    for (int k = 0; k < THREADS; k++) CHECK(pthread_create(&t[k], NULL, all_in_line_waiter, NULL) == 0);
    for (int i = 0; i < rounds; i++) {
        pthread_barrier_wait(&round_start);
        size_t waiting = 0;
        while (waiting < THREADS) OK(weft_event_waiting(event, &waiting));
        /* in some rounds let them fall asleep; in others set while they still spin */
        if (i % 3 == 0) usleep(200);
        size_t woken = 0;
        OK(weft_event_set(event, &woken));
        CHECK(woken == THREADS);
        pthread_barrier_wait(&round_end);
        OK(weft_event_clear(event));
    }
    for (int k = 0; k < THREADS; k++) pthread_join(t[k], NULL);
    CHECK(atomic_load(&ok_count) == rounds * THREADS);
    pthread_barrier_destroy(&round_start);
    pthread_barrier_destroy(&round_end);
    OK(weft_event_free(event));
}

static uint64_t next_random(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void *churn_waiter(void *arg) {
    uint64_t seed = 0x5EED0000ull + (uint64_t)(uintptr_t)arg;
    while (!atomic_load(&churn_done)) {
        int64_t timeout = (int64_t)(next_random(&seed) % 300) * WEFT_US;
        weft_status st = weft_event_wait(event, timeout);
        if (st == WEFT_OK) {
            atomic_fetch_add(&ok_count, 1);
            sched_yield(); /* set: let the setter run instead of spinning through it */
        }
        else if (st == WEFT_TIMEOUT || st == WEFT_WOULD_BLOCK) atomic_fetch_add(&timeout_count, 1);
        else CHECK_MSG(0, "a wait returned %s", weft_status_str(st));
    }
    return NULL;
}

static void churn(void) {
    OK(weft_event_new(WEFT_EVENT_REUSABLE, &event));
    atomic_store(&ok_count, 0);
    weft_port *port;
    OK(weft_port_new(&port));
    pthread_t t[THREADS];
    for (int k = 0; k < THREADS; k++)
        CHECK(pthread_create(&t[k], NULL, churn_waiter, (void *)(uintptr_t)k) == 0);
    uint64_t seed = 0xC0FFEEull;
    int async_ok = 0;
    for (int i = 0; i < rounds * 4; i++) {
        weft_op *op = NULL;
        weft_status st = weft_event_wait_async(event, port, NULL, (void *)1, &op);
        CHECK(st == WEFT_OK || st == WEFT_PENDING);
        usleep((useconds_t)(next_random(&seed) % 100));
        OK(weft_event_set(event, NULL));
        if (st == WEFT_PENDING) {
            weft_completion rec[2];
            size_t n = 0;
            OK(weft_port_wait(port, 20 * WEFT_SECOND));
            OK(weft_port_poll(port, rec, 2, &n));
            CHECK(n == 1 && rec[0].status == WEFT_OK);
            OK(weft_op_free(op));
        }
        async_ok++;
        usleep((useconds_t)(next_random(&seed) % 100));
        OK(weft_event_clear(event));
    }
    atomic_store(&churn_done, 1);
    OK(weft_event_set(event, NULL));
    for (int k = 0; k < THREADS; k++) pthread_join(t[k], NULL);
    printf("churn: %d sets, async waiter completed %d times; thread waits: %d OK, %d timed out\n",
           rounds * 4, async_ok, atomic_load(&ok_count), atomic_load(&timeout_count));
    OK(weft_port_free(port));
    OK(weft_event_free(event));
}

int main(void) {
    start_watchdog(240);
    rounds = 1000 / test_scale_down();
    all_in_line();
    printf("all in line: %d rounds x %d threads, every wait woken\n", rounds, THREADS);
    churn();
    return test_exit_code("test_stress_event");
}
