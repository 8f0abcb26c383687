#include "shim.h"

#include <pthread.h>
#include <stdlib.h>

static weft_port *ports[WEFTGO_PORTS];

weft_status weftgo_ports_open(void) {
  for (size_t i = 0; i < WEFTGO_PORTS; i++) {
    weft_status st = weft_port_new(&ports[i]);
    if (st != WEFT_OK) return st;
  }
  return WEFT_OK;
}

weft_port *weftgo_port(size_t i) { return ports[i]; }

static size_t copy_out(const weft_completion *from, size_t n, weftgo_completion *out) {
  for (size_t i = 0; i < n; i++) {
    out[i].id = (uintptr_t)from[i].arg;
    out[i].status = from[i].status;
  }
  return n;
}

size_t weftgo_port_next(size_t i, weftgo_completion *out, size_t max) {
  weft_completion batch[64];
  if (max > 64) max = 64;
  for (;;) {
    size_t n = 0;
    if (weft_port_wait(ports[i], WEFT_FOREVER) != WEFT_OK) continue;
    if (weft_port_poll(ports[i], batch, max, &n) != WEFT_OK || n == 0) continue;
    return copy_out(batch, n, out);
  }
}

static void reap_into(weftgo_result *r) {
  weft_completion batch[WEFTGO_REAP_MAX];
  for (size_t p = 0; p < WEFTGO_PORTS && r->reaped < WEFTGO_REAP_MAX; p++) {
    size_t n = 0;
    if (weft_port_poll(ports[p], batch, WEFTGO_REAP_MAX - r->reaped, &n) != WEFT_OK) continue;
    r->reaped += (uint32_t)copy_out(batch, n, r->batch + r->reaped);
  }
}

weftgo_result weftgo_reap(void) {
  weftgo_result r = {0};
  reap_into(&r);
  return r;
}

weft_status weftgo_lock_try(uintptr_t l, uint64_t owner) { return weft_lock_acquire_as((weft_lock *)l, owner, 0); }

weftgo_result weftgo_lock_release(uintptr_t l, uint64_t owner, bool reap) {
  weftgo_result r = {0};
  r.status = weft_lock_release_as((weft_lock *)l, owner);
  if (reap) reap_into(&r);
  return r;
}

weft_status weftgo_sem_try(uintptr_t s) { return weft_sem_try_acquire((weft_sem *)s); }

weftgo_result weftgo_sem_release(uintptr_t s, uint64_t n, bool reap) {
  weftgo_result r = {0};
  r.status = weft_sem_release((weft_sem *)s, n);
  if (reap) reap_into(&r);
  return r;
}

weftgo_result weftgo_queue_put_now(uintptr_t q, uintptr_t item, int64_t priority, bool reap) {
  weftgo_result r = {0};
  r.status = weft_queue_try_put((weft_queue *)q, (void *)item, priority);
  if (reap) reap_into(&r);
  return r;
}

weftgo_result weftgo_queue_get_now(uintptr_t q, bool reap) {
  weftgo_result r = {0};
  void *item = NULL;
  r.status = weft_queue_try_get((weft_queue *)q, &item);
  if (r.status == WEFT_OK) r.item = (uintptr_t)item;
  if (reap) reap_into(&r);
  return r;
}

void weftgo_op_cancel(uintptr_t op) { weft_op_cancel((weft_op *)op); }

weftgo_end weftgo_op_finish(uintptr_t op) {
  weftgo_end e = {0};
  void *item = NULL;
  if (weft_op_item((weft_op *)op, &item) == WEFT_OK) e.item = (uintptr_t)item;
  weft_op_value((weft_op *)op, &e.value);
  weft_op_free((weft_op *)op);
  return e;
}

/* START(call): runs a weft *_async call whose last arguments are (port, NULL callback,
 * id as arg, &op) and returns its status and op. */
#define START(call)          \
  weftgo_start s = {0};      \
  weft_op *op = NULL;        \
  s.status = (call);         \
  s.op = (uintptr_t)op;      \
  return s
#define ASYNC(port, id) ports[port], NULL, (void *)(id), &op

weftgo_start weftgo_lock_acquire_async(uintptr_t lock, uint64_t owner, size_t port, uintptr_t id) {
  START(weft_lock_acquire_async((weft_lock *)lock, owner, ASYNC(port, id)));
}
weftgo_start weftgo_rlock_acquire_async(uintptr_t rlock, uint64_t owner, size_t port, uintptr_t id) {
  START(weft_rlock_acquire_async((weft_rlock *)rlock, owner, 1, ASYNC(port, id)));
}
weftgo_start weftgo_sem_acquire_async(uintptr_t sem, size_t port, uintptr_t id) {
  START(weft_sem_acquire_async((weft_sem *)sem, ASYNC(port, id)));
}
weftgo_start weftgo_cond_wait_async(uintptr_t cond, uint64_t owner, size_t port, uintptr_t id) {
  START(weft_cond_wait_async((weft_cond *)cond, owner, ASYNC(port, id)));
}
weftgo_start weftgo_event_wait_async(uintptr_t event, size_t port, uintptr_t id) {
  START(weft_event_wait_async((weft_event *)event, ASYNC(port, id)));
}
weftgo_start weftgo_countdown_wait_async(uintptr_t countdown, size_t port, uintptr_t id) {
  START(weft_countdown_wait_async((weft_countdown *)countdown, ASYNC(port, id)));
}
weftgo_start weftgo_limiter_acquire_async(uintptr_t limiter, uint64_t owner, size_t port, uintptr_t id) {
  START(weft_limiter_acquire_async((weft_limiter *)limiter, owner, 1, ASYNC(port, id)));
}
weftgo_start weftgo_queue_put_async(uintptr_t queue, uintptr_t item, int64_t priority, size_t port, uintptr_t id) {
  START(weft_queue_put_async((weft_queue *)queue, (void *)item, priority, ASYNC(port, id)));
}
weftgo_start weftgo_queue_join_async(uintptr_t queue, size_t port, uintptr_t id) {
  START(weft_queue_join_async((weft_queue *)queue, ASYNC(port, id)));
}
weftgo_start weftgo_barrier_wait_async(uintptr_t barrier, size_t port, uintptr_t id) {
  uint64_t index = 0;
  weftgo_start s = {0};
  weft_op *op = NULL;
  s.status = weft_barrier_wait_async((weft_barrier *)barrier, ASYNC(port, id), &index);
  s.op = (uintptr_t)op;
  s.value = index;
  return s;
}
weftgo_start weftgo_queue_get_async(uintptr_t queue, size_t port, uintptr_t id) {
  void *item = NULL;
  weftgo_start s = {0};
  weft_op *op = NULL;
  s.status = weft_queue_get_async((weft_queue *)queue, &item, ASYNC(port, id));
  s.op = (uintptr_t)op;
  if (s.status == WEFT_OK) s.item = (uintptr_t)item;
  return s;
}

weft_status weftgo_queue_unget(weft_queue *q, uintptr_t item) {
  return weft_queue_unget(q, (void *)item);
}
weft_status weftgo_queue_peek(weft_queue *q, uintptr_t *item) {
  void *got = NULL;
  weft_status st = weft_queue_peek(q, &got);
  if (st == WEFT_OK) *item = (uintptr_t)got;
  return st;
}

/* The discard list: items a queue discarded, waiting for Go to empty their slots. */
static pthread_mutex_t discarded_mutex = PTHREAD_MUTEX_INITIALIZER;
static weftgo_discarded *discarded;
static size_t discarded_len, discarded_cap;

static void park_discarded(void *ctx, void *item) {
  pthread_mutex_lock(&discarded_mutex);
  if (discarded_len == discarded_cap) {
    size_t cap = discarded_cap ? 2 * discarded_cap : 64;
    weftgo_discarded *grown = realloc(discarded, cap * sizeof *grown);
    if (!grown) abort(); /* as weft itself does when memory runs out */
    discarded = grown;
    discarded_cap = cap;
  }
  discarded[discarded_len].ctx = (uintptr_t)ctx;
  discarded[discarded_len].item = (uintptr_t)item;
  discarded_len++;
  pthread_mutex_unlock(&discarded_mutex);
}

weft_status weftgo_queue_new_discarding(uint32_t kind, int64_t capacity, uintptr_t ctx, weft_queue **q) {
  return weft_queue_new(kind, capacity, park_discarded, (void *)ctx, q);
}

size_t weftgo_discarded_take(weftgo_discarded *out, size_t max) {
  pthread_mutex_lock(&discarded_mutex);
  size_t n = discarded_len < max ? discarded_len : max;
  for (size_t i = 0; i < n; i++) out[i] = discarded[--discarded_len];
  pthread_mutex_unlock(&discarded_mutex);
  return n;
}

weft_status weftgo_flag_set(weft_flag *f, uintptr_t value, bool *won) {
  return weft_flag_set(f, (void *)value, won);
}
weft_status weftgo_flag_get(weft_flag *f, bool *is_set, uintptr_t *value) {
  void *got = NULL;
  weft_status st = weft_flag_get(f, is_set, &got);
  if (st == WEFT_OK) *value = (uintptr_t)got;
  return st;
}
