#include "cthread.h"

#include <stdlib.h>

struct cthread {
  pthread_t thread;
  void *handle;
  int64_t n;
  int64_t *counter; /* the lock loop's counter, or the producer's items */
  int64_t result;
};

static void *lock_loop(void *arg) {
  cthread *t = arg;
  for (int64_t i = 0; i < t->n; i++) {
    if (weft_lock_acquire(t->handle, WEFT_FOREVER) != WEFT_OK) { t->result = -1; break; }
    ++*t->counter;
    if (weft_lock_release(t->handle) != WEFT_OK) { t->result = -1; break; }
  }
  return NULL;
}

static void *produce(void *arg) {
  cthread *t = arg;
  for (int64_t i = 0; i < t->n; i++) {
    if (weft_queue_put(t->handle, &t->counter[i], 0, WEFT_FOREVER) != WEFT_OK) { t->result = -1; break; }
  }
  return NULL;
}

static void *consume(void *arg) {
  cthread *t = arg;
  for (int64_t i = 0; i < t->n; i++) {
    void *item;
    if (weft_queue_get(t->handle, &item, WEFT_FOREVER) != WEFT_OK) { t->result = -1; break; }
    t->result += *(int64_t *)item;
  }
  return NULL;
}

static cthread *start(void *(*body)(void *), void *handle, int64_t n, int64_t *counter) {
  cthread *t = calloc(1, sizeof *t);
  if (!t) abort();
  t->handle = handle;
  t->n = n;
  t->counter = counter;
  if (pthread_create(&t->thread, NULL, body, t) != 0) abort();
  return t;
}

cthread *cthread_lock_loop(weft_lock *lock, int64_t iterations, int64_t *counter) {
  return start(lock_loop, lock, iterations, counter);
}
cthread *cthread_queue_produce(weft_queue *queue, int64_t *items, int64_t n) {
  return start(produce, queue, n, items);
}
cthread *cthread_queue_consume(weft_queue *queue, int64_t n) { return start(consume, queue, n, NULL); }

int64_t cthread_join(cthread *t) {
  pthread_join(t->thread, NULL);
  int64_t result = t->result;
  free(t);
  return result;
}
