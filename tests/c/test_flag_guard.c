/* weft_flag (first writer wins) and weft_guard (non-blocking exclusive use). */
#include <pthread.h>
#include <stdatomic.h>

#include "check.h"

static weft_flag *race_flag;
static atomic_int winners;
static void *race(void *arg) {
    bool won = false;
    OK(weft_flag_set(race_flag, arg, &won));
    if (won) atomic_fetch_add(&winners, 1);
    return NULL;
}

int main(void) {
    start_watchdog(120); /* a hang (lost wakeup) fails instead of waiting for ctest */
    weft_flag *flag = (weft_flag *)0x1;
    bool b = true;
    void *value = (void *)0x99;
    CHECK_STATUS(weft_flag_new(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_flag_set(NULL, NULL, &b), WEFT_INVALID);
    CHECK_STATUS(weft_flag_get(NULL, &b, &value), WEFT_INVALID);
    CHECK_STATUS(weft_flag_clear(NULL, &b), WEFT_INVALID);
    CHECK_STATUS(weft_flag_clone(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_flag_free(NULL), WEFT_INVALID);
    OK(weft_flag_new(&flag));
    CHECK_STATUS(weft_flag_set(flag, NULL, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_flag_get(flag, NULL, &value), WEFT_INVALID);
    CHECK_STATUS(weft_flag_get(flag, &b, NULL), WEFT_INVALID);
    OK(weft_flag_get(flag, &b, &value));
    CHECK(!b && value == (void *)0x99); /* untouched while empty */
    OK(weft_flag_set(flag, NULL, &b)); /* NULL is a value like any other */
    CHECK(b);
    OK(weft_flag_get(flag, &b, &value));
    CHECK(b && value == NULL);
    OK(weft_flag_set(flag, (void *)0x2, &b));
    CHECK(!b);
    OK(weft_flag_clear(flag, &b));
    CHECK(b);
    OK(weft_flag_clear(flag, &b));
    CHECK(!b);
    OK(weft_flag_clear(flag, NULL));
    OK(weft_flag_clone(flag));
    OK(weft_flag_free(flag));
    OK(weft_flag_free(flag));

    /* racing setters: exactly one wins, and its value is the one kept */
    for (int round = 0; round < 50; round++) {
        OK(weft_flag_new(&race_flag));
        atomic_store(&winners, 0);
        pthread_t t[4];
        for (uintptr_t i = 0; i < 4; i++) pthread_create(&t[i], NULL, race, (void *)(i + 1));
        for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
        CHECK(atomic_load(&winners) == 1);
        OK(weft_flag_get(race_flag, &b, &value));
        CHECK(b && (uintptr_t)value >= 1 && (uintptr_t)value <= 4);
        OK(weft_flag_free(race_flag));
    }

    weft_guard *guard = (weft_guard *)0x1;
    CHECK_STATUS(weft_guard_new(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_guard_enter(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_guard_exit(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_guard_in_use(NULL, &b), WEFT_INVALID);
    CHECK_STATUS(weft_guard_clone(NULL), WEFT_INVALID);
    CHECK_STATUS(weft_guard_free(NULL), WEFT_INVALID);
    OK(weft_guard_new(&guard));
    CHECK_STATUS(weft_guard_in_use(guard, NULL), WEFT_INVALID);
    CHECK_STATUS(weft_guard_exit(guard), WEFT_NOT_LOCKED);
    OK(weft_guard_enter(guard));
    OK(weft_guard_in_use(guard, &b));
    CHECK(b);
    CHECK_STATUS(weft_guard_enter(guard), WEFT_BUSY);
    OK(weft_guard_exit(guard));
    OK(weft_guard_in_use(guard, &b));
    CHECK(!b);
    OK(weft_guard_clone(guard));
    OK(weft_guard_free(guard));
    OK(weft_guard_free(guard));
    puts("test_flag_guard ok");
    return 0;
}
