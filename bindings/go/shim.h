/* The C side of the Go binding: thin wrappers that take and give uintptr_t where weft
 * takes void * (a waiter id or a queue slot number is an integer, never a pointer, so Go
 * must not hold it as an unsafe.Pointer; C handles pass as integers too, see below), the
 * Go waiters' ports and the pumps' blocking wait-then-poll as one call, and the list of
 * items typed queues discarded. Nothing here keeps a Go pointer. */
#ifndef WEFT_GO_SHIM_H
#define WEFT_GO_SHIM_H

#include <stdint.h>
#include <weft.h>

/* One completion as the pumps read it: the waiter id the op was started with. */
typedef struct weftgo_completion {
  uintptr_t id;
  weft_status status;
} weftgo_completion;

/* The Go waiters' ports, created once and kept for the life of the process. */
#define WEFTGO_PORTS 2
weft_status weftgo_ports_open(void);
weft_port *weftgo_port(size_t i);

/* Blocks until port i has completions, then moves up to max of them into out. */
size_t weftgo_port_next(size_t i, weftgo_completion *out, size_t max);

/* What a hot-path call returns by value (an out-pointer would make Go allocate): its
 * status, the item it got, and, when asked to reap, the completions that were pending
 * on the ports right after it (those its own release caused, among others). */
#define WEFTGO_REAP_MAX 8
typedef struct weftgo_result {
  weft_status status;
  uint32_t reaped;
  uintptr_t item;
  weftgo_completion batch[WEFTGO_REAP_MAX];
} weftgo_result;

/* The hot-path calls take their handle as an integer: for a pointer argument cgo checks
 * at every call whether it points into Go memory (and Go 1.19 allocates on every call
 * that passes a pointer to an incomplete C struct); a C handle never does. */
weftgo_result weftgo_reap(void);
weft_status weftgo_lock_try(uintptr_t l, uint64_t owner);
weftgo_result weftgo_lock_release(uintptr_t l, uint64_t owner, bool reap);
weft_status weftgo_sem_try(uintptr_t s);
weftgo_result weftgo_sem_release(uintptr_t s, uint64_t n, bool reap);
weftgo_result weftgo_queue_put_now(uintptr_t q, uintptr_t item, int64_t priority, bool reap);
weftgo_result weftgo_queue_get_now(uintptr_t q, bool reap);

/* The async starts take handles as integers and return what they write by value, so
 * that no Go pointer crosses (cgo checks each one it sees, in frames that would grow a
 * waiting goroutine's stack past its first 2 KB): the status; the op when it is
 * WEFT_PENDING; the item (queue get) or value (barrier index) when granted at once. Each
 * completes into port number `port` with `id` as its arg. */
typedef struct weftgo_start {
  weft_status status;
  uintptr_t op;
  uintptr_t item;
  uint64_t value;
} weftgo_start;

weftgo_start weftgo_lock_acquire_async(uintptr_t lock, uint64_t owner, size_t port, uintptr_t id);
weftgo_start weftgo_rlock_acquire_async(uintptr_t rlock, uint64_t owner, size_t port, uintptr_t id);
weftgo_start weftgo_sem_acquire_async(uintptr_t sem, size_t port, uintptr_t id);
weftgo_start weftgo_cond_wait_async(uintptr_t cond, uint64_t owner, size_t port, uintptr_t id);
weftgo_start weftgo_event_wait_async(uintptr_t event, size_t port, uintptr_t id);
weftgo_start weftgo_countdown_wait_async(uintptr_t countdown, size_t port, uintptr_t id);
weftgo_start weftgo_barrier_wait_async(uintptr_t barrier, size_t port, uintptr_t id);
weftgo_start weftgo_limiter_acquire_async(uintptr_t limiter, uint64_t owner, size_t port, uintptr_t id);
weftgo_start weftgo_queue_put_async(uintptr_t queue, uintptr_t item, int64_t priority, size_t port, uintptr_t id);
weftgo_start weftgo_queue_get_async(uintptr_t queue, size_t port, uintptr_t id);
weftgo_start weftgo_queue_join_async(uintptr_t queue, size_t port, uintptr_t id);

/* Cancels an op (weft_op_cancel). */
void weftgo_op_cancel(uintptr_t op);
/* Reads an ended op's item (queue gets) and value (barrier index), then frees it. */
typedef struct weftgo_end {
  uintptr_t item;
  uint64_t value;
} weftgo_end;
weftgo_end weftgo_op_finish(uintptr_t op);

/* Queue items as integers. */
weft_status weftgo_queue_unget(weft_queue *q, uintptr_t item);
weft_status weftgo_queue_peek(weft_queue *q, uintptr_t *item);

/* A queue whose discarded items (clear, immediate shutdown, last free) are parked in the
 * process-wide discard list with the queue's ctx, for Go to empty their slots (C never
 * calls Go). */
weft_status weftgo_queue_new_discarding(uint32_t kind, int64_t capacity, uintptr_t ctx, weft_queue **q);
typedef struct weftgo_discarded {
  uintptr_t ctx;
  uintptr_t item;
} weftgo_discarded;
/* Moves up to max parked items into out; returns how many. */
size_t weftgo_discarded_take(weftgo_discarded *out, size_t max);

/* A flag's value as an integer. */
weft_status weftgo_flag_set(weft_flag *f, uintptr_t value, bool *won);
weft_status weftgo_flag_get(weft_flag *f, bool *is_set, uintptr_t *value);

#endif
