/* C threads for the Go binding's cross-language tests: each runs weft's blocking C
 * calls (as a thread, with its own owner token) on a primitive that goroutines use at
 * the same time. */
#ifndef WEFT_GO_CTHREAD_H
#define WEFT_GO_CTHREAD_H

#include <pthread.h>
#include <stdint.h>
#include <weft.h>

typedef struct cthread cthread;

/* iterations times: weft_lock_acquire, ++*counter, weft_lock_release. */
cthread *cthread_lock_loop(weft_lock *lock, int64_t iterations, int64_t *counter);
/* Puts n items with weft_queue_put: the addresses of items[0..n-1]. */
cthread *cthread_queue_produce(weft_queue *queue, int64_t *items, int64_t n);
/* Gets n items with weft_queue_get and adds up the int64_t each points to. */
cthread *cthread_queue_consume(weft_queue *queue, int64_t n);
/* Waits for the thread; returns its result (the sum for a consumer, else 0), or -1 if
 * a weft call failed. */
int64_t cthread_join(cthread *t);

#endif
