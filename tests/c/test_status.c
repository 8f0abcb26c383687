/*
 * weft_status_str names every status and unknown values; the unit constants; owner
 * tokens (weft_thread_owner per thread, weft_owner_new unique and never a thread's).
 */
#include "check.h"

#define TOKENS_PER_THREAD 2000

static uint64_t thread_tokens[4];
static uint64_t fresh[4][TOKENS_PER_THREAD];

static void *token_thread(void *arg) {
    int i = (int)(intptr_t)arg;
    uint64_t again = 0;
    OK(weft_thread_owner(&thread_tokens[i]));
    OK(weft_thread_owner(&again));
    CHECK(thread_tokens[i] != 0 && again == thread_tokens[i]); /* stable per thread */
    for (int k = 0; k < TOKENS_PER_THREAD; k++) OK(weft_owner_new(&fresh[i][k]));
    return NULL;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void names(void) {
    static const struct {
        weft_status status;
        const char *name;
    } all[] = {
        {WEFT_OK, "WEFT_OK"},
        {WEFT_PENDING, "WEFT_PENDING"},
        {WEFT_WOULD_BLOCK, "WEFT_WOULD_BLOCK"},
        {WEFT_TIMEOUT, "WEFT_TIMEOUT"},
        {WEFT_CANCELLED, "WEFT_CANCELLED"},
        {WEFT_BROKEN, "WEFT_BROKEN"},
        {WEFT_CLOSED, "WEFT_CLOSED"},
        {WEFT_NOT_OWNER, "WEFT_NOT_OWNER"},
        {WEFT_NOT_LOCKED, "WEFT_NOT_LOCKED"},
        {WEFT_DEADLOCK, "WEFT_DEADLOCK"},
        {WEFT_OVERFLOW, "WEFT_OVERFLOW"},
        {WEFT_BUSY, "WEFT_BUSY"},
        {WEFT_INVALID, "WEFT_INVALID"},
        {WEFT_NO_MEMORY, "WEFT_NO_MEMORY"},
        {WEFT_SYSTEM, "WEFT_SYSTEM"},
        {WEFT_INTERNAL, "WEFT_INTERNAL"},
        {WEFT_ANSWERED, "WEFT_ANSWERED"},
    };
    size_t count = sizeof all / sizeof all[0];
    CHECK(count == 17);
    for (size_t i = 0; i < count; i++) {
        CHECK(all[i].status == (weft_status)i); /* the values are 0..16, in this order */
        const char *s = weft_status_str(all[i].status);
        CHECK(s != NULL);
        CHECK_MSG(strcmp(s, all[i].name) == 0, "status %d is named %s", (int)i, s);
        CHECK(weft_status_str(all[i].status) == s); /* static: the same string each time */
        for (size_t j = 0; j < i; j++) CHECK(strcmp(weft_status_str(all[j].status), s) != 0);
    }
    static const weft_status unknown[] = {-1, -2, 17, 18, 100, 255, 256, 0x10f, INT32_MIN, INT32_MAX};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        const char *s = weft_status_str(unknown[i]);
        CHECK(s != NULL);
        CHECK_MSG(strcmp(s, "WEFT_UNKNOWN") == 0, "status %d is named %s", (int)unknown[i], s);
    }
    CHECK(WEFT_OK == 0);
    CHECK(sizeof(weft_status) == 4);
}

static void constants(void) {
    CHECK(WEFT_FOREVER < 0);
    CHECK(WEFT_NS == 1 && WEFT_US == 1000 * WEFT_NS && WEFT_MS == 1000 * WEFT_US &&
          WEFT_SECOND == 1000 * WEFT_MS);
    CHECK(10 * WEFT_SECOND > INT32_MAX); /* 64-bit arithmetic, no overflow */
    CHECK(sizeof(WEFT_SECOND) == 8 && sizeof(WEFT_FOREVER) == 8);
    CHECK(WEFT_LOCK_FIFO == 0 && WEFT_LOCK_THROUGHPUT == 1);
    CHECK(WEFT_EVENT_ONE_TIME != WEFT_EVENT_REUSABLE);
    CHECK(WEFT_LIMITER_PLAIN != WEFT_LIMITER_REENTRANT);
    CHECK(WEFT_BARRIER_LATCH != WEFT_BARRIER_CYCLIC && WEFT_BARRIER_CYCLIC != WEFT_BARRIER_RESETTABLE);
    /* weft_completion: arg then status */
    weft_completion c = {.arg = (void *)0x10, .status = WEFT_CANCELLED};
    CHECK(c.arg == (void *)0x10 && c.status == WEFT_CANCELLED);
}

static void owners(void) {
    uint64_t me = 0;
    CHECK_STATUS(weft_thread_owner(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_owner_new(NULL), WEFT_INVALID);
    OK(weft_thread_owner(&me));
    CHECK(me != 0);

    pthread_t t[4];
    for (intptr_t i = 0; i < 4; i++) CHECK(pthread_create(&t[i], NULL, token_thread, (void *)i) == 0);
    /* (a thread's token may be reused after it exits: live_threads_differ compares
     * threads alive at the same time) */
    for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);

    /* fresh tokens: nonzero, unique across threads, never a thread token */
    static uint64_t all[4 * TOKENS_PER_THREAD + 2];
    size_t n = 0;
    for (int i = 0; i < 4; i++)
        for (int k = 0; k < TOKENS_PER_THREAD; k++) {
            CHECK(fresh[i][k] != 0);
            CHECK(fresh[i][k] != me);
            for (int j = 0; j < 4; j++) CHECK(fresh[i][k] != thread_tokens[j]);
            all[n++] = fresh[i][k];
        }
    OK(weft_owner_new(&all[n++]));
    OK(weft_owner_new(&all[n++]));
    qsort(all, n, sizeof all[0], cmp_u64);
    for (size_t i = 1; i < n; i++) CHECK_MSG(all[i] != all[i - 1], "duplicate token %llx", (unsigned long long)all[i]);
}

/* Threads alive at the same time have distinct tokens. */
static pthread_barrier_t together;
static uint64_t live_tokens[3];
static void *live_thread(void *arg) {
    int i = (int)(intptr_t)arg;
    live_tokens[i] = my_token();
    pthread_barrier_wait(&together); /* all alive */
    pthread_barrier_wait(&together); /* main compared */
    return NULL;
}

static void live_threads_differ(void) {
    pthread_t t[3];
    pthread_barrier_init(&together, NULL, 4);
    for (intptr_t i = 0; i < 3; i++) CHECK(pthread_create(&t[i], NULL, live_thread, (void *)i) == 0);
    pthread_barrier_wait(&together);
    uint64_t me = my_token();
    for (int i = 0; i < 3; i++) {
        CHECK(live_tokens[i] != 0 && live_tokens[i] != me);
        for (int j = 0; j < i; j++) CHECK(live_tokens[i] != live_tokens[j]);
    }
    pthread_barrier_wait(&together);
    for (int i = 0; i < 3; i++) pthread_join(t[i], NULL);
    pthread_barrier_destroy(&together);
}

int main(void) {
    start_watchdog(60);
    names();
    constants();
    owners();
    live_threads_differ();
    return test_exit_code("test_status");
}
