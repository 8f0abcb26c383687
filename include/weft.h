/**
 * \file weft.h
 * weft: synchronization primitives shared by threads, event loops and languages.
 *
 * Generated from src/ffi by cbindgen; do not edit. Regenerate with scripts/gen-header.sh.
 *
 * API conventions (read once):
 * - Every call returns a weft_status: WEFT_OK (0) on success; weft_status_str() names each.
 * - Handles (weft_lock, weft_rlock, weft_sem, weft_cond, weft_event, weft_countdown,
 *   weft_barrier, weft_limiter, weft_flag, weft_guard, weft_queue, weft_port, weft_op) are
 *   opaque and reference counted: *_new writes one reference, *_clone adds one, *_free
 *   drops one (weft_op has no _new: the *_async calls hand one out).
 * - A NULL handle or out-pointer, or an out-of-range argument, returns WEFT_INVALID and
 *   changes nothing; out-parameters are written only when the call succeeds.
 * - Panics never cross this boundary: a bug inside weft returns WEFT_INTERNAL.
 * - Timeouts are int64_t nanoseconds: negative (WEFT_FOREVER) waits forever, 0 tries once.
 * - Blocking calls own the lock as the calling thread; *_as and *_async calls take an
 *   explicit nonzero uint64_t owner token (a task or goroutine id, or weft_thread_owner()).
 * - Every function is thread-safe unless its comment says otherwise.
 */

#ifndef WEFT_H
#define WEFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>


/**
 * Barrier kind: single use; once `parties` have arrived it stays open.
 */
#define WEFT_BARRIER_LATCH 0

/**
 * Barrier kind: cyclic; a broken barrier stays broken.
 */
#define WEFT_BARRIER_CYCLIC 1

/**
 * Barrier kind: cyclic, repaired by `weft_barrier_reset`.
 */
#define WEFT_BARRIER_RESETTABLE 2

/**
 * Event flag: set once, never cleared (`weft_event_clear` is `WEFT_INVALID`).
 */
#define WEFT_EVENT_ONE_TIME 0

/**
 * Event flag: `weft_event_clear` makes later waiters wait again.
 */
#define WEFT_EVENT_REUSABLE 1

/**
 * Limiter flag: an owner acquiring again is `WEFT_DEADLOCK` (the default).
 */
#define WEFT_LIMITER_PLAIN 0

/**
 * Limiter flag: an owner may acquire again; its count adds up and must be released.
 */
#define WEFT_LIMITER_REENTRANT 1

/**
 * Lock flag: strict FIFO handoff to the first waiter (the default).
 */
#define WEFT_LOCK_FIFO 0

/**
 * Lock flag: throughput mode. A release unlocks and wakes the first waiting thread to
 * retry, so a running thread may take the lock first; a waiter that keeps losing is
 * eventually handed the lock directly, and async waiters always are.
 */
#define WEFT_LOCK_THROUGHPUT 1

/**
 * Queue kind: first in, first out.
 */
#define WEFT_QUEUE_FIFO 0

/**
 * Queue kind: last in, first out.
 */
#define WEFT_QUEUE_LIFO 1

/**
 * Queue kind: smallest `priority` first, first in first out among equal priorities.
 */
#define WEFT_QUEUE_PRIORITY 2

/**
 * `weft_queue_new` / `weft_queue_set_capacity`: no bound on the item count.
 */
#define WEFT_UNBOUNDED (int64_t)-1

/**
 * `WEFT_FOREVER`: wait until granted.
 */
#define WEFT_FOREVER (int64_t)-1

/**
 * One nanosecond, the unit of every timeout.
 */
#define WEFT_NS (int64_t)1

/**
 * One microsecond in nanoseconds.
 */
#define WEFT_US (int64_t)1000

/**
 * One millisecond in nanoseconds.
 */
#define WEFT_MS (int64_t)1000000

/**
 * One second in nanoseconds.
 */
#define WEFT_SECOND (int64_t)1000000000

/**
 * The major version: the ABI generation, also the number in the soname
 * (`libweft.so.0`). A program built against one major cannot use a library of another.
 */
#define WEFT_VERSION_MAJOR 0

/**
 * The minor version: raised by a release that adds to the ABI (functions, constants,
 * statuses) without breaking what a program built against an older minor uses.
 */
#define WEFT_VERSION_MINOR 1

/**
 * The patch version: raised by a release that changes no declaration, only fixes.
 */
#define WEFT_VERSION_PATCH 0

/**
 * The version as one number, `MAJOR * 1000000 + MINOR * 1000 + PATCH` (0.1.0 is 1000,
 * 1.2.3 would be 1002003), for `#if WEFT_VERSION >= ...` and for comparing with
 * `weft_version()`.
 */
#define WEFT_VERSION (((WEFT_VERSION_MAJOR * 1000000) + (WEFT_VERSION_MINOR * 1000)) + WEFT_VERSION_PATCH)

/**
 * A barrier for a number of parties. Waiters of every face stand in one FIFO line; the
 * arrival that completes a phase releases it, each waiter learning its arrival index.
 * Reference counted.
 */
typedef struct weft_barrier weft_barrier;

/**
 * A condition variable. Waiters of every face stand in one FIFO line; a notified waiter
 * is moved straight into the lock's line and wakes holding the lock. Reference counted;
 * it holds a reference to its lock.
 *
 * No notification is lost: a waiter that `weft_cond_notify` counted either returns
 * notified (holding the lock), or, if it gives up after all (its `weft_op_cancel` or
 * timeout wins while it waits for the lock, or its port is closed before the completion
 * is delivered), its notification goes to the next waiter in the condition's line. A
 * wait that ends without being notified holds nothing when its completion runs.
 */
typedef struct weft_cond weft_cond;

/**
 * A countdown event: a count; waiters wait for it to pass through zero. Reference counted.
 */
typedef struct weft_countdown weft_countdown;

/**
 * An event that waiters wait to see set. One-time (set once, never cleared) or reusable
 * (set / clear). Waiters of every face stand in one FIFO line and are woken together.
 */
typedef struct weft_event weft_event;

/**
 * A first-writer-wins slot for one `void *`: the first `weft_flag_set` since creation or
 * the last `weft_flag_clear` wins. Reference counted.
 */
typedef struct weft_flag weft_flag;

/**
 * A resource guard: non-blocking exclusive use; entering it while in use is `WEFT_BUSY`.
 */
typedef struct weft_guard weft_guard;

/**
 * A capacity limiter: at most `total` owners hold a token at once, one token per owner.
 * Waiters of every face stand in one FIFO line. Reference counted.
 */
typedef struct weft_limiter weft_limiter;

/**
 * An ownable lock: held by one owner at a time, released only by its owner. Waiters of
 * every face (blocking threads, async ops) stand in one FIFO line. Reference counted.
 */
typedef struct weft_lock weft_lock;

/**
 * A pending async operation (an acquire that returned `WEFT_PENDING`). Reference
 * counted: the `*_async` call hands you one reference, released by `weft_op_free`.
 */
typedef struct weft_op weft_op;

/**
 * A completion port: one per event loop (or per thread that waits for completions).
 * Async operations started with this port complete into its queue; its fd is readable
 * exactly while completions are pending. Reference counted; when the last reference is
 * freed the port closes (see `weft_port_free`).
 *
 * After `fork()`, a port made before the fork is closed for the child (its fd is shared
 * with the parent): its calls answer `WEFT_CLOSED`, ops cannot start on it, and
 * completions meant for it are handed back as for a closed port; `weft_port_free` works.
 * The child makes its own ports. Primitives are plain memory and work in the child as
 * they were at the fork, so a child may use those that no thread held and nobody waited
 * on at that moment (a holder or waiter that was a thread of the parent does not exist
 * in the child).
 */
typedef struct weft_port weft_port;

/**
 * A queue of `void *` items (weft never looks at them). Putters and getters of every
 * face (try, blocking, async) stand in one FIFO line: blocked putters while it is full,
 * blocked getters while it is empty. Every item put is got exactly once, discarded
 * through the destructor, or still inside when the queue goes. Reference counted.
 */
typedef struct weft_queue weft_queue;

/**
 * A reentrant lock: its owner may acquire it again (depth adds up) and must release as
 * many levels as it acquired. Same line, faces and flags as `weft_lock`.
 */
typedef struct weft_rlock weft_rlock;

/**
 * A counting semaphore. No ownership: any thread may release. Waiters of every face
 * stand in one FIFO line, and a release hands permits to them before anyone else.
 */
typedef struct weft_sem weft_sem;

/**
 * The result of every weft call. `WEFT_OK` (0) is success; see `weft_status_str`.
 */
typedef int32_t weft_status;

/**
 * Called once when an async operation completes: `callback(arg, status)`. It runs on the
 * thread that completed the op (the releaser, a canceller) when the op has no port, or
 * inside `weft_port_run` on the loop's thread. No weft lock is held: it may call weft.
 * It may run before the starting `*_async` call has returned, but never before that call
 * has written `*op_out`: a callback can reach its op (say for `weft_op_item`) through an
 * `op_out` that lives in its `arg`. `*op_out` is written with a release store, so another
 * thread may watch it while the start runs and cancel the op as soon as it appears: read
 * it with an acquire load (C11 `atomic_load_explicit(..., memory_order_acquire)` on an
 * `_Atomic(weft_op *)`, or `__atomic_load_n(op_out, __ATOMIC_ACQUIRE)`).
 */
typedef void (*weft_callback)(void *arg, weft_status status);

/**
 * A loop's own wake-up, for `weft_port_set_notify`: `notify(ctx)`.
 */
typedef void (*weft_port_notify_fn)(void *ctx);

/**
 * One completion as the pull form returns it.
 */
typedef struct weft_completion {
  /**
   * The `arg` the operation was started with.
   */
  void *arg;
  /**
   * How it ended: `WEFT_OK` (granted), `WEFT_CANCELLED`, ...
   */
  weft_status status;
} weft_completion;

/**
 * Called once for each item a queue discards: `destructor(ctx, item)`. It runs on the
 * thread that discards (the caller of `weft_queue_clear`, `weft_queue_shutdown` with
 * `immediate`, or of the `weft_queue_free` that drops the last reference), with no weft
 * lock held.
 */
typedef void (*weft_item_destructor)(void *ctx, void *item);



/**
 * Success: the permit, lock or value is the caller's.
 */
#define WEFT_OK 0

/**
 * An async operation was queued; its completion follows exactly once.
 */
#define WEFT_PENDING 1

/**
 * A try-operation (or a zero timeout) could not succeed at once.
 */
#define WEFT_WOULD_BLOCK 2

/**
 * A blocking wait reached its timeout.
 */
#define WEFT_TIMEOUT 3

/**
 * The operation was cancelled before it was granted.
 */
#define WEFT_CANCELLED 4

/**
 * The primitive is broken (barriers).
 */
#define WEFT_BROKEN 5

/**
 * The primitive or port is closed.
 */
#define WEFT_CLOSED 6

/**
 * The caller does not own the lock it tried to release.
 */
#define WEFT_NOT_OWNER 7

/**
 * The lock is not locked.
 */
#define WEFT_NOT_LOCKED 8

/**
 * The caller already owns this non-reentrant lock: waiting would never end.
 */
#define WEFT_DEADLOCK 9

/**
 * A count would pass its bound (over-release); nothing changed.
 */
#define WEFT_OVERFLOW 10

/**
 * The resource is in use.
 */
#define WEFT_BUSY 11

/**
 * A NULL handle or out-pointer, or an out-of-range argument. Nothing changed.
 */
#define WEFT_INVALID 12

/**
 * Memory could not be allocated. Reserved: weft allocates through Rust's global
 * allocator, which aborts the process when memory runs out, so no call returns it yet.
 */
#define WEFT_NO_MEMORY 13

/**
 * An operating system call failed; `errno` tells why.
 */
#define WEFT_SYSTEM 14

/**
 * A bug inside weft (a caught panic). Please report it.
 */
#define WEFT_INTERNAL 15

/**
 * `weft_op_cancel` only: an earlier `weft_op_cancel` of the same op already answered (it
 * won the race, or learned that the grant did); this call did nothing.
 */
#define WEFT_ANSWERED 16

#ifdef __cplusplus
extern "C" {
#endif // __cplusplus

/**
 * Creates a barrier for `parties` arrivals (0..INT64_MAX; with 0 nobody passes and waits
 * end only broken) of the given kind, and writes it to `*barrier_out` (only on success).
 */
weft_status weft_barrier_new(int64_t parties, uint32_t kind, struct weft_barrier **barrier_out);

/**
 * Adds a reference. Thread-safe.
 */
weft_status weft_barrier_clone(struct weft_barrier *barrier);

/**
 * Drops a reference; the barrier goes with the last one (pending ops hold their own).
 */
weft_status weft_barrier_free(struct weft_barrier *barrier);

/**
 * Arrives and waits up to `timeout_ns` (negative: forever) for the phase to fill.
 * `WEFT_OK` (the arrival index, 0 for the first arrival of the phase, is written to
 * `*index_out` if it is not NULL), `WEFT_BROKEN`, or `WEFT_TIMEOUT`: giving up breaks the
 * barrier for everyone (a zero timeout too, unless this arrival completes the phase).
 * Thread-safe.
 */
weft_status weft_barrier_wait(struct weft_barrier *barrier,
                              int64_t timeout_ns,
                              uint64_t *index_out);

/**
 * Arrives without blocking. `WEFT_OK`: this arrival completed the phase (or the latch is
 * open); its index goes to `*index_out` if not NULL and no callback follows.
 * `WEFT_BROKEN`: the barrier is broken. `WEFT_PENDING`: the op contract of
 * `weft_lock_acquire_async`; once it completes `WEFT_OK`, `weft_op_value` gives the
 * arrival index. Cancelling a pending arrival breaks the barrier.
 */
weft_status weft_barrier_wait_async(struct weft_barrier *barrier,
                                    struct weft_port *port,
                                    weft_callback callback,
                                    void *arg,
                                    struct weft_op **op_out,
                                    uint64_t *index_out);

/**
 * Breaks the barrier: every waiter, and every later arrival, gets `WEFT_BROKEN` (until a
 * reset, for a resettable barrier). Never blocks.
 */
weft_status weft_barrier_abort(struct weft_barrier *barrier);

/**
 * Repairs a resettable barrier: current waiters get `WEFT_BROKEN`, a new phase starts.
 * `WEFT_INVALID` for a latch or a cyclic barrier.
 */
weft_status weft_barrier_reset(struct weft_barrier *barrier);

/**
 * Writes whether the barrier is broken to `*broken_out`. A snapshot.
 */
weft_status weft_barrier_is_broken(const struct weft_barrier *barrier, bool *broken_out);

/**
 * Writes the number of arrivals waiting in line to `*count_out`. A snapshot.
 */
weft_status weft_barrier_waiting(const struct weft_barrier *barrier, size_t *count_out);

/**
 * Creates a condition bound to `lock` (NULL: lockless, waits only wait for a notify) and
 * writes it to `*cond_out` (only on success). The condition keeps a reference to `lock`.
 */
weft_status weft_cond_new(struct weft_lock *lock, struct weft_cond **cond_out);

/**
 * Creates a condition bound to a reentrant lock (not NULL); a wait saves the owner's
 * depth and restores it when it wakes.
 */
weft_status weft_cond_new_reentrant(struct weft_rlock *rlock, struct weft_cond **cond_out);

/**
 * Adds a reference. Thread-safe.
 */
weft_status weft_cond_clone(struct weft_cond *cond);

/**
 * Drops a reference; the condition (and its reference to the lock) goes with the last.
 */
weft_status weft_cond_free(struct weft_cond *cond);

/**
 * Waits for a notify as `owner`, who must hold the bound lock (any depth): releases it,
 * waits up to `timeout_ns` (negative: forever; 0: returns `WEFT_TIMEOUT` at once) and
 * returns holding it again with the same depth. `WEFT_OK` (notified), `WEFT_TIMEOUT`
 * (the lock is held again too), `WEFT_NOT_OWNER` (not holding it), `WEFT_INVALID`.
 */
weft_status weft_cond_wait_as(struct weft_cond *cond, uint64_t owner, int64_t timeout_ns);

/**
 * `weft_cond_wait_as` for the calling thread.
 */
weft_status weft_cond_wait(struct weft_cond *cond, int64_t timeout_ns);

/**
 * Starts an async wait as `owner` (who must hold the bound lock); the lock is released
 * before this returns. Returns `WEFT_PENDING` with the op contract of
 * `weft_lock_acquire_async`: the op completes `WEFT_OK` once notified *and* holding the
 * lock again (release it with `weft_lock_release_as(lock, owner)`), or `WEFT_CANCELLED`
 * after `weft_op_cancel` won (or its port was closed first), without the lock; a
 * notification it had been given then goes to the next waiter. If `weft_op_cancel`
 * answers `WEFT_OK`, the wait was notified and holds the lock: to give up anyway, call
 * `weft_cond_notify(cond, 1, NULL)` (passing the notification on) and release the lock.
 * `WEFT_NOT_OWNER`, `WEFT_INVALID`.
 */
weft_status weft_cond_wait_async(struct weft_cond *cond,
                                 uint64_t owner,
                                 struct weft_port *port,
                                 weft_callback callback,
                                 void *arg,
                                 struct weft_op **op_out);

/**
 * Wakes up to `n` waiters in FIFO order (each moved into the lock's line) and writes how
 * many to `*woken_out` if not NULL. Each one counted returns notified, or passes the
 * notification on to the next waiter if it gives up after all. Never blocks; the caller
 * need not hold the lock.
 */
weft_status weft_cond_notify(struct weft_cond *cond, size_t n, size_t *woken_out);

/**
 * Wakes every waiter waiting when it starts (a waiter that waits again is not woken
 * twice by the same call); writes how many to `*woken_out` if not NULL.
 */
weft_status weft_cond_notify_all(struct weft_cond *cond, size_t *woken_out);

/**
 * Writes the number of waiters in the condition's line to `*count_out`. A snapshot.
 */
weft_status weft_cond_waiting(const struct weft_cond *cond, size_t *count_out);

/**
 * Creates a countdown at `initial` (0..INT64_MAX; else `WEFT_INVALID`) and writes it to
 * `*countdown_out` (only on success).
 */
weft_status weft_countdown_new(int64_t initial, struct weft_countdown **countdown_out);

/**
 * Adds a reference. Thread-safe.
 */
weft_status weft_countdown_clone(struct weft_countdown *countdown);

/**
 * Drops a reference; the countdown goes with the last one.
 */
weft_status weft_countdown_free(struct weft_countdown *countdown);

/**
 * Adds `n` (≥ 1) to the count. `WEFT_OVERFLOW` past INT64_MAX (nothing changes),
 * `WEFT_INVALID` for 0. Thread-safe.
 */
weft_status weft_countdown_up(struct weft_countdown *countdown, uint64_t n);

/**
 * Subtracts one; reaching zero wakes every waiter queued then. `WEFT_OVERFLOW` at zero
 * (nothing changes). Never blocks; callbacks of port-less waiters run on this thread.
 */
weft_status weft_countdown_down(struct weft_countdown *countdown);

/**
 * Drops the count to zero, waking every waiter.
 */
weft_status weft_countdown_clear(struct weft_countdown *countdown);

/**
 * Writes the count to `*value_out`. A snapshot.
 */
weft_status weft_countdown_value(const struct weft_countdown *countdown, uint64_t *value_out);

/**
 * Waits until the count is zero, up to `timeout_ns` (negative: forever; 0: check once).
 * `WEFT_OK`, `WEFT_TIMEOUT`, `WEFT_WOULD_BLOCK` (timeout 0). Thread-safe.
 */
weft_status weft_countdown_wait(struct weft_countdown *countdown, int64_t timeout_ns);

/**
 * Waits without blocking: `WEFT_OK` if the count is zero now, or `WEFT_PENDING` with the
 * op contract of `weft_lock_acquire_async` (completes `WEFT_OK` at zero).
 */
weft_status weft_countdown_wait_async(struct weft_countdown *countdown,
                                      struct weft_port *port,
                                      weft_callback callback,
                                      void *arg,
                                      struct weft_op **op_out);

/**
 * Writes the number of waiters in line to `*count_out`. A snapshot.
 */
weft_status weft_countdown_waiting(const struct weft_countdown *countdown, size_t *count_out);

/**
 * Creates a clear event and writes it to `*event_out` (only on success). `flags` is
 * `WEFT_EVENT_ONE_TIME` or `WEFT_EVENT_REUSABLE`; anything else is `WEFT_INVALID`.
 */
weft_status weft_event_new(uint32_t flags, struct weft_event **event_out);

/**
 * Adds a reference. Thread-safe.
 */
weft_status weft_event_clone(struct weft_event *event);

/**
 * Drops a reference; the event goes with the last one (pending ops hold their own).
 */
weft_status weft_event_free(struct weft_event *event);

/**
 * Sets the event, waking every waiter queued now (their wakeup stands even if a clear
 * follows at once). Writes how many were woken to `*woken_out` if it is not NULL. Setting
 * a set event does nothing (0 woken). Never blocks; callbacks of waiters without a port
 * run on this thread before it returns, with no weft lock held. Thread-safe.
 */
weft_status weft_event_set(struct weft_event *event, size_t *woken_out);

/**
 * Clears a reusable event: later waiters wait again. `WEFT_INVALID` for a one-time event.
 */
weft_status weft_event_clear(struct weft_event *event);

/**
 * Writes whether the event is set to `*set_out`. A snapshot.
 */
weft_status weft_event_is_set(const struct weft_event *event, bool *set_out);

/**
 * Waits until the event is set, up to `timeout_ns` (negative: forever; 0: check once).
 * `WEFT_OK`, `WEFT_TIMEOUT`, `WEFT_WOULD_BLOCK` (timeout 0, not set). Thread-safe.
 */
weft_status weft_event_wait(struct weft_event *event, int64_t timeout_ns);

/**
 * Waits without blocking: `WEFT_OK` if set now (no callback follows), or `WEFT_PENDING`
 * with the op contract of `weft_lock_acquire_async` (completes `WEFT_OK` when set).
 */
weft_status weft_event_wait_async(struct weft_event *event,
                                  struct weft_port *port,
                                  weft_callback callback,
                                  void *arg,
                                  struct weft_op **op_out);

/**
 * Writes the number of waiters in line to `*count_out`. A snapshot.
 */
weft_status weft_event_waiting(const struct weft_event *event, size_t *count_out);

/**
 * Creates an empty flag and writes it to `*flag_out` (only on success).
 */
weft_status weft_flag_new(struct weft_flag **flag_out);

/**
 * Adds a reference. Thread-safe.
 */
weft_status weft_flag_clone(struct weft_flag *flag);

/**
 * Drops a reference. The value stored is the caller's: weft never frees it.
 */
weft_status weft_flag_free(struct weft_flag *flag);

/**
 * Stores `value` (any pointer, NULL included) if the flag is empty, and writes whether
 * this call won to `*won_out`. Thread-safe: of racing setters exactly one wins.
 */
weft_status weft_flag_set(struct weft_flag *flag, void *value, bool *won_out);

/**
 * Writes whether the flag holds a value to `*is_set_out` and, if it does, the value to
 * `*value_out` (left untouched otherwise). Thread-safe.
 */
weft_status weft_flag_get(const struct weft_flag *flag, bool *is_set_out, void **value_out);

/**
 * Empties the flag; writes whether it held a value to `*was_set_out` if not NULL.
 */
weft_status weft_flag_clear(struct weft_flag *flag, bool *was_set_out);

/**
 * Creates a guard not in use and writes it to `*guard_out` (only on success).
 */
weft_status weft_guard_new(struct weft_guard **guard_out);

/**
 * Adds a reference. Thread-safe.
 */
weft_status weft_guard_clone(struct weft_guard *resource_guard);

/**
 * Drops a reference.
 */
weft_status weft_guard_free(struct weft_guard *resource_guard);

/**
 * Starts using the resource: `WEFT_OK`, or `WEFT_BUSY` if it is in use. Never blocks.
 */
weft_status weft_guard_enter(struct weft_guard *resource_guard);

/**
 * Ends the use: `WEFT_OK`, or `WEFT_NOT_LOCKED` if the guard was not in use. Any thread
 * may end it (a guard has no owner).
 */
weft_status weft_guard_exit(struct weft_guard *resource_guard);

/**
 * Writes whether the guard is in use to `*in_use_out`. A snapshot.
 */
weft_status weft_guard_in_use(const struct weft_guard *resource_guard, bool *in_use_out);

/**
 * Creates a limiter of `total` tokens (0..INT64_MAX) and writes it to `*limiter_out`
 * (only on success). `flags`: `WEFT_LIMITER_PLAIN` or `WEFT_LIMITER_REENTRANT`.
 */
weft_status weft_limiter_new(int64_t total, uint32_t flags, struct weft_limiter **limiter_out);

/**
 * Adds a reference. Thread-safe.
 */
weft_status weft_limiter_clone(struct weft_limiter *limiter);

/**
 * Drops a reference; the limiter goes with the last one (pending ops hold their own).
 */
weft_status weft_limiter_free(struct weft_limiter *limiter);

/**
 * Takes a token for `owner` (nonzero; `count` levels, 1 for a plain limiter), waiting up
 * to `timeout_ns` (negative: forever; 0: try). `WEFT_OK`, `WEFT_TIMEOUT`,
 * `WEFT_WOULD_BLOCK`, `WEFT_DEADLOCK` (plain limiter: `owner` already holds a token),
 * `WEFT_OVERFLOW`, `WEFT_INVALID`. Thread-safe.
 */
weft_status weft_limiter_acquire_as(struct weft_limiter *limiter,
                                    uint64_t owner,
                                    uint64_t count,
                                    int64_t timeout_ns);

/**
 * `weft_limiter_acquire_as` for the calling thread.
 */
weft_status weft_limiter_acquire(struct weft_limiter *limiter, uint64_t count, int64_t timeout_ns);

/**
 * Takes a token for `owner` without blocking the caller: `WEFT_OK` now, or `WEFT_PENDING`
 * with the op contract of `weft_lock_acquire_async`. An owner with two acquires in line:
 * when the second is served the owner already borrows, so it re-enters on a reentrant
 * limiter (count added, no second token) and completes `WEFT_DEADLOCK` on a plain one.
 */
weft_status weft_limiter_acquire_async(struct weft_limiter *limiter,
                                       uint64_t owner,
                                       uint64_t count,
                                       struct weft_port *port,
                                       weft_callback callback,
                                       void *arg,
                                       struct weft_op **op_out);

/**
 * Gives back `count` levels held by `owner`; the last returns the token to the first
 * live waiter. `WEFT_NOT_OWNER`, `WEFT_OVERFLOW` (more than held; nothing changes),
 * `WEFT_INVALID`. Never blocks.
 */
weft_status weft_limiter_release_as(struct weft_limiter *limiter, uint64_t owner, uint64_t count);

/**
 * `weft_limiter_release_as` for the calling thread.
 */
weft_status weft_limiter_release(struct weft_limiter *limiter, uint64_t count);

/**
 * Changes the total (0..INT64_MAX). Growing it hands tokens to waiters at once;
 * shrinking it lets current borrowers finish (borrowed may exceed total meanwhile).
 */
weft_status weft_limiter_set_total(struct weft_limiter *limiter, int64_t total);

/**
 * Writes the total, the borrowed tokens and the number of waiters, one consistent
 * snapshot, to the out-pointers (all three required).
 */
weft_status weft_limiter_counts(const struct weft_limiter *limiter,
                                uint64_t *total_out,
                                uint64_t *borrowed_out,
                                size_t *waiting_out);

/**
 * Writes the count `owner` holds (0 if none) to `*count_out`.
 */
weft_status weft_limiter_held(const struct weft_limiter *limiter,
                              uint64_t owner,
                              uint64_t *count_out);

/**
 * Writes the calling thread's owner token to `*owner_out`: the owner that blocking
 * calls without `_as` use. Nonzero. Pass it to `_as` calls to act for this thread.
 * Thread tokens are never repeated within the process (bit 62 set, bit 63 clear, so they
 * never equal a `weft_owner_new` token): a lock that a thread left held when it exited
 * stays held, and no later thread is ever taken for its owner.
 */
weft_status weft_thread_owner(uint64_t *owner_out);

/**
 * Writes a fresh owner token to `*owner_out`, for an owner that is not a thread (a loop
 * task, a goroutine...): nonzero, unique in the process, and never equal to any thread's
 * token. Any other nonzero value may be used as a token too, as long as no two live
 * owners share it. Thread-safe.
 */
weft_status weft_owner_new(uint64_t *owner_out);

/**
 * Creates an unlocked lock and writes it to `*lock_out` (only on success). `flags` is
 * `WEFT_LOCK_FIFO` or `WEFT_LOCK_THROUGHPUT`; anything else is `WEFT_INVALID`.
 */
weft_status weft_lock_new(uint32_t flags, struct weft_lock **lock_out);

/**
 * Adds a reference to `lock`. Thread-safe.
 */
weft_status weft_lock_clone(struct weft_lock *lock);

/**
 * Drops a reference; the lock is destroyed with the last one (pending async ops hold
 * their own). Thread-safe; the caller's pointer must not be used afterwards.
 */
weft_status weft_lock_free(struct weft_lock *lock);

/**
 * Acquires the lock for the calling thread, waiting up to `timeout_ns` (negative:
 * forever; 0: try once). `WEFT_OK`, `WEFT_TIMEOUT`, `WEFT_WOULD_BLOCK` (timeout 0),
 * `WEFT_DEADLOCK` (this thread already owns it), `WEFT_INVALID`. Thread-safe.
 */
weft_status weft_lock_acquire(struct weft_lock *lock, int64_t timeout_ns);

/**
 * Acquires the lock for the calling thread if it is free and nobody waits:
 * `WEFT_OK`, `WEFT_WOULD_BLOCK`, `WEFT_DEADLOCK`, `WEFT_INVALID`. Never blocks. In
 * throughput mode (`WEFT_LOCK_THROUGHPUT`) a release unlocks before the woken waiter
 * retries, so a try in that window takes the lock ahead of the line (that is the mode's
 * point); in FIFO mode it never does.
 */
weft_status weft_lock_try_acquire(struct weft_lock *lock);

/**
 * `weft_lock_acquire` for an explicit owner token (nonzero; e.g. a task or goroutine
 * that may move between threads). Thread-safe.
 */
weft_status weft_lock_acquire_as(struct weft_lock *lock, uint64_t owner, int64_t timeout_ns);

/**
 * Acquires the lock for `owner` (nonzero) without blocking the caller. Returns `WEFT_OK`
 * when it was free (no callback follows), or `WEFT_PENDING` and writes an op to
 * `*op_out` (if not NULL): `callback(arg, status)` then happens exactly once, through
 * `port` (in `weft_port_run` / `weft_port_poll` on the port's loop) or, with a NULL
 * port, on the releasing thread. `WEFT_OK` means the lock is `owner`'s; release it with
 * `weft_lock_release_as`. `*op_out` is set to NULL on `WEFT_OK` and left untouched on
 * errors.
 * `WEFT_INVALID` for NULL lock, owner 0, or neither port nor callback.
 */
weft_status weft_lock_acquire_async(struct weft_lock *lock,
                                    uint64_t owner,
                                    struct weft_port *port,
                                    weft_callback callback,
                                    void *arg,
                                    struct weft_op **op_out);

/**
 * Releases the lock held by the calling thread, handing it to the first live waiter.
 * `WEFT_OK`, `WEFT_NOT_LOCKED`, `WEFT_NOT_OWNER`, `WEFT_INVALID`. Never blocks; wakes or
 * completes the next owner after all internal locks are dropped.
 */
weft_status weft_lock_release(struct weft_lock *lock);

/**
 * `weft_lock_release` for an explicit owner token. Thread-safe.
 */
weft_status weft_lock_release_as(struct weft_lock *lock, uint64_t owner);

/**
 * Writes the current owner token to `*owner_out`, or 0 if unlocked. A snapshot.
 */
weft_status weft_lock_owner(const struct weft_lock *lock, uint64_t *owner_out);

/**
 * Writes the number of waiters in line to `*count_out`. A snapshot.
 */
weft_status weft_lock_waiting(const struct weft_lock *lock, size_t *count_out);

/**
 * Cancels a pending operation, racing safely with its grant. Returns the status the op
 * ends with: `WEFT_CANCELLED` if this call won (the op's completion, carrying
 * `WEFT_CANCELLED`, still follows through its port or callback, exactly once), or the
 * status that had already won, e.g. `WEFT_OK`: the grant happened first and what was
 * granted is yours. Only the first call on an op answers so: every later call (a timer
 * and the user both cancelling, from any threads) returns `WEFT_ANSWERED` and does
 * nothing, so exactly one canceller cleans up or owns the grant. `WEFT_INVALID` for NULL.
 * Thread-safe: any thread may cancel; without a port the callback runs on the cancelling
 * thread, inside this call.
 */
weft_status weft_op_cancel(struct weft_op *op);

/**
 * Blocks the calling thread until the op completes or `timeout_ns` passes (negative:
 * forever; 0: no wait), and returns its status: `WEFT_PENDING` if the timeout passed
 * first, else the status it completed with. It cancels nothing and takes nothing: the
 * completion is still delivered to the op's port (take it with `weft_port_poll` or
 * `weft_port_run` as usual, so the port's fd stays right) or to its callback. For a
 * thread that started an op on a port it does not run, e.g. to wait a short while
 * cheaply (a futex wait on the op) before watching the port's fd. A signal does not
 * end the wait early: use short timeouts where signals must be seen. `WEFT_INVALID` for
 * NULL. Thread-safe.
 */
weft_status weft_op_wait(const struct weft_op *op, int64_t timeout_ns);

/**
 * Writes the op's status to `*status_out`: `WEFT_PENDING` while it waits, then its final
 * status. `WEFT_INVALID` for NULL arguments. Thread-safe.
 */
weft_status weft_op_status(const struct weft_op *op, weft_status *status_out);

/**
 * Writes the value that came with the op's grant to `*value_out`: for a barrier
 * arrival, its index; 0 for an op that did not complete `WEFT_OK`. Other primitives'
 * grants carry no value (what this returns for them is unspecified).
 * Thread-safe.
 */
weft_status weft_op_value(const struct weft_op *op, uint64_t *value_out);

/**
 * Writes the item a `weft_queue_get_async` op got to `*item_out`: `WEFT_OK` once the
 * op completed `WEFT_OK` (the item is then the caller's), `WEFT_PENDING` while it waits,
 * or the status it ended with (`*item_out` untouched). Thread-safe.
 */
weft_status weft_op_item(const struct weft_op *op, void **item_out);

/**
 * Drops the caller's reference to an op. This does not cancel it: a pending op still
 * completes, exactly once (cancel first to abandon it). `WEFT_INVALID` for NULL.
 * Thread-safe; the handle must not be used afterwards.
 */
weft_status weft_op_free(struct weft_op *op);

/**
 * Creates a port with its own eventfd (or a pipe where eventfd is missing) and writes it
 * to `*port_out`. Returns `WEFT_OK`, `WEFT_INVALID` (NULL out-pointer) or `WEFT_SYSTEM`
 * (no fd could be created; see `errno`). `*port_out` is written only on success.
 */
weft_status weft_port_new(struct weft_port **port_out);

/**
 * Adds a reference to `port`. Thread-safe.
 */
weft_status weft_port_clone(struct weft_port *port);

/**
 * Drops a reference. The last one closes the port: completions still queued, and those
 * of ops that complete later, are not delivered to it; instead a grant is given back
 * (passed on to the next waiter, so nothing stays locked) and the op's callback, if it
 * has one, is called with `WEFT_CANCELLED` on the thread doing the freeing or
 * completing. Cancel your ops first if you want them to end before this call returns.
 * Once the last reference is freed no notify hook call is running or will start.
 */
weft_status weft_port_free(struct weft_port *port);

/**
 * Writes the port's fd to `*fd_out`. Watch it for readability, level-triggered (it stays
 * readable while completions are pending); never read, write or close it yourself.
 * Valid until the port's last reference is freed. While a notify hook is set
 * (`weft_port_set_notify`) it is never readable. Thread-safe.
 */
weft_status weft_port_fd(const struct weft_port *port, int32_t *fd_out);

/**
 * Makes `notify(ctx)` the port's wake-up in place of its fd: for a loop that has a
 * cross-thread wake-up of its own (libuv's `uv_async_send`, GLib's
 * `g_main_context_wakeup`), which then need not watch the fd at all.
 *
 * Contract of the hook: it is called when a completion arrives in the port's empty
 * queue (at least once per change from empty to non-empty, after the completion can be
 * taken), on whatever thread completed the op (a releaser, a canceller, a timer), with
 * no weft lock held. It must be cheap, thread-safe and must not block; it should only
 * wake the loop, which then calls `weft_port_run` or `weft_port_poll`. It must not set
 * this port's hook or free the port. A wake-up may be spurious (the loop already took the
 * completion). A run that stops early at its `max` leaves completions queued and calls
 * no hook: the loop must come back by itself (check `weft_port_pending`).
 *
 * While a hook is set the fd is never readable (completions do not raise it) and
 * `weft_port_wait` with a nonzero timeout returns `WEFT_INVALID`. `notify` NULL removes
 * the hook (`ctx` is ignored) and the fd works again. It may be set, replaced or removed
 * at any time, with ops pending: a hook set while completions are queued is called once,
 * inside this call; removing it while completions are queued makes the fd readable.
 * When this call returns, no call of the previous hook is running or will start, so its
 * `ctx` may be freed; likewise once the port's last reference is freed. Never call it
 * from inside a hook (it would wait for itself). Returns `WEFT_OK`, or `WEFT_INVALID`
 * for a NULL port. Thread-safe.
 */
weft_status weft_port_set_notify(const struct weft_port *port,
                                 weft_port_notify_fn notify,
                                 void *ctx);

/**
 * Writes the number of pending completions to `*count_out`. Thread-safe.
 */
weft_status weft_port_pending(const struct weft_port *port, size_t *count_out);

/**
 * Pull form: moves up to `max` pending completions into `out[0..*count_out]` as
 * `(arg, status)` records, in completion order, without calling any callback. Writes 0
 * to `*count_out` when none is pending. `WEFT_INVALID` for NULL `port` or `count_out`,
 * or NULL `out` with `max > 0`. Thread-safe; usually called by the loop's thread when
 * the fd is readable.
 */
weft_status weft_port_poll(const struct weft_port *port,
                           struct weft_completion *out,
                           size_t max,
                           size_t *count_out);

/**
 * Run form: calls the callbacks of up to `max` pending completions, on this thread, in
 * completion order (a completion whose op has no callback is just consumed). Writes how
 * many were taken to `*ran_out` if it is not NULL. Callbacks run with no weft lock held
 * and may call weft, including this port. Thread-safe.
 */
weft_status weft_port_run(const struct weft_port *port, size_t max, size_t *ran_out);

/**
 * Blocks the calling thread until a completion is pending (`WEFT_OK`) or `timeout_ns`
 * passes (`WEFT_TIMEOUT`; 0 checks once and returns `WEFT_WOULD_BLOCK` if none is
 * pending, negative waits forever). Takes nothing: follow with `weft_port_poll` or
 * `weft_port_run`. For a thread dedicated to a port. While a notify hook is set
 * (`weft_port_set_notify`) only the check works: a nonzero timeout with nothing pending
 * returns `WEFT_INVALID`. Thread-safe.
 */
weft_status weft_port_wait(const struct weft_port *port, int64_t timeout_ns);

/**
 * Creates a queue and writes it to `*queue_out` (only on success). `kind` is one of
 * `WEFT_QUEUE_FIFO`, `WEFT_QUEUE_LIFO`, `WEFT_QUEUE_PRIORITY`; `capacity` is the most
 * items it holds (negative, e.g. `WEFT_UNBOUNDED`: no bound; 0 is `WEFT_INVALID`).
 * `destructor` (may be NULL) is called with `ctx` for every item the queue discards:
 * on `weft_queue_clear`, on an immediate shutdown, and for items still inside when the
 * last reference goes; it may run on any thread.
 */
weft_status weft_queue_new(uint32_t kind,
                           int64_t capacity,
                           weft_item_destructor destructor,
                           void *ctx,
                           struct weft_queue **queue_out);

/**
 * Adds a reference. Thread-safe.
 */
weft_status weft_queue_clone(struct weft_queue *queue);

/**
 * Drops a reference. With the last one (pending ops hold their own) the queue goes, and
 * the destructor is called for every item still inside. Thread-safe.
 */
weft_status weft_queue_free(struct weft_queue *queue);

/**
 * Puts `item` (any pointer, NULL too), waiting up to `timeout_ns` for room (negative:
 * forever; 0: try). `priority` orders a priority queue (smaller first) and is ignored by
 * the others. `WEFT_OK` (the item is the queue's now), `WEFT_TIMEOUT`,
 * `WEFT_WOULD_BLOCK` (timeout 0 and full), `WEFT_CLOSED` (shut down); on anything but
 * `WEFT_OK` the item is still the caller's. Thread-safe.
 */
weft_status weft_queue_put(struct weft_queue *queue,
                           void *item,
                           int64_t priority,
                           int64_t timeout_ns);

/**
 * Puts `item` if there is room now and nobody waits before it: `WEFT_OK`,
 * `WEFT_WOULD_BLOCK` or `WEFT_CLOSED`. Never blocks.
 */
weft_status weft_queue_try_put(struct weft_queue *queue, void *item, int64_t priority);

/**
 * Puts `item` without blocking the caller: `WEFT_OK` at once (no callback follows),
 * `WEFT_CLOSED`, or `WEFT_PENDING`: the op completes once, `WEFT_OK` when the item went
 * in, `WEFT_CLOSED` if the queue was shut down first, `WEFT_CANCELLED` after
 * `weft_op_cancel` won (the item is then still the caller's). A put that went in stays
 * in even if its port is closed before the completion is delivered (its callback then
 * hears `WEFT_OK`). Otherwise the op contract of `weft_lock_acquire_async`.
 */
weft_status weft_queue_put_async(struct weft_queue *queue,
                                 void *item,
                                 int64_t priority,
                                 struct weft_port *port,
                                 weft_callback callback,
                                 void *arg,
                                 struct weft_op **op_out);

/**
 * Takes the next item into `*item_out`, waiting up to `timeout_ns` (negative: forever;
 * 0: try). `WEFT_OK`, `WEFT_TIMEOUT`, `WEFT_WOULD_BLOCK` (timeout 0 and empty),
 * `WEFT_CLOSED` (shut down and empty). `*item_out` is written only on `WEFT_OK`; the
 * item is then the caller's. Thread-safe.
 */
weft_status weft_queue_get(struct weft_queue *queue, void **item_out, int64_t timeout_ns);

/**
 * Takes the next item if there is one: `WEFT_OK` (`*item_out` written),
 * `WEFT_WOULD_BLOCK` or `WEFT_CLOSED` (shut down and empty). Never blocks.
 */
weft_status weft_queue_try_get(struct weft_queue *queue, void **item_out);

/**
 * Takes the next item without blocking the caller. `WEFT_OK` at once: the item is
 * written to `*item_out` (which must not be NULL) and no callback follows;
 * `WEFT_CLOSED` (shut down and empty); or `WEFT_PENDING`: the op completes once,
 * `WEFT_OK` with the item (read it with `weft_op_item`), `WEFT_CLOSED`, or
 * `WEFT_CANCELLED`. If `weft_op_cancel` loses to the grant (returns `WEFT_OK`), the item
 * is the caller's all the same. An item whose completion reaches a closed port goes
 * back to the queue, to be taken next. Otherwise the op contract of
 * `weft_lock_acquire_async`.
 */
weft_status weft_queue_get_async(struct weft_queue *queue,
                                 void **item_out,
                                 struct weft_port *port,
                                 weft_callback callback,
                                 void *arg,
                                 struct weft_op **op_out);

/**
 * Puts `n` items from `items` in order (with `priorities[i]`, or 0 for all if
 * `priorities` is NULL), waiting up to `timeout_ns` for room (negative: forever; 0: put
 * what fits now). Writes how many went in (always a prefix of `items`) to `*put_out`,
 * whatever the status: `WEFT_OK` (all), `WEFT_WOULD_BLOCK` (timeout 0 and full),
 * `WEFT_TIMEOUT`, `WEFT_CLOSED`. One call crosses the boundary once for the whole batch.
 */
weft_status weft_queue_put_many(struct weft_queue *queue,
                                void *const *items,
                                const int64_t *priorities,
                                size_t n,
                                int64_t timeout_ns,
                                size_t *put_out);

/**
 * Takes up to `max` items into `items_out`, waiting up to `timeout_ns` for the first
 * (negative: forever; 0: try), then taking whatever else is there without waiting.
 * Writes how many were taken to `*got_out` whatever the status: `WEFT_OK` (≥ 1 item,
 * or `max` was 0), `WEFT_WOULD_BLOCK` (timeout 0 and empty), `WEFT_TIMEOUT`,
 * `WEFT_CLOSED` (shut down and empty).
 */
weft_status weft_queue_get_many(struct weft_queue *queue,
                                void **items_out,
                                size_t max,
                                int64_t timeout_ns,
                                size_t *got_out);

/**
 * Shuts the queue down (as Python 3.13's `Queue.shutdown`): from now on puts fail with
 * `WEFT_CLOSED`, gets drain what is left and then fail with `WEFT_CLOSED`, and every
 * blocked putter and getter (every face) wakes with `WEFT_CLOSED`. With `immediate`, the
 * items inside are discarded through the destructor and each counts as a finished task
 * (so `weft_queue_join` returns). Idempotent. Thread-safe.
 */
weft_status weft_queue_shutdown(struct weft_queue *queue, bool immediate);

/**
 * Writes whether the queue was shut down to `*shutdown_out`.
 */
weft_status weft_queue_is_shutdown(const struct weft_queue *queue, bool *shutdown_out);

/**
 * Marks one task done (each accepted put is one task): `WEFT_OK`, or `WEFT_OVERFLOW` if
 * no task is unfinished. When the count reaches zero every joiner wakes.
 */
weft_status weft_queue_task_done(struct weft_queue *queue);

/**
 * Writes the number of unfinished tasks (puts not yet marked done) to `*count_out`.
 */
weft_status weft_queue_unfinished(const struct weft_queue *queue, uint64_t *count_out);

/**
 * Waits up to `timeout_ns` (negative: forever; 0: check) until every task is done:
 * `WEFT_OK`, `WEFT_TIMEOUT`, or `WEFT_WOULD_BLOCK` (timeout 0 and tasks unfinished).
 */
weft_status weft_queue_join(struct weft_queue *queue, int64_t timeout_ns);

/**
 * Waits for every task to be done without blocking the caller: `WEFT_OK` at once (no
 * callback follows) or `WEFT_PENDING` with the op contract of `weft_lock_acquire_async`.
 */
weft_status weft_queue_join_async(struct weft_queue *queue,
                                  struct weft_port *port,
                                  weft_callback callback,
                                  void *arg,
                                  struct weft_op **op_out);

/**
 * Writes the item the next get would take to `*item_out` without taking it: `WEFT_OK`
 * or `WEFT_WOULD_BLOCK` (empty). The item stays the queue's. A snapshot: another thread
 * may take it at once. On a FIFO queue, a peek that races a get on another thread may
 * let that get take the item *behind* the peeked one (the peeked one is then the next
 * out); with no concurrent get, order is exact. Nothing is lost or delivered twice.
 */
weft_status weft_queue_peek(const struct weft_queue *queue, void **item_out);

/**
 * Puts back an item that a get took, to be the next one out: it goes to the first
 * waiting getter, or in front of the items, ahead of waiting putters and beyond the
 * capacity (it was inside). For a consumer that got an item it cannot use, e.g. an async
 * get whose cancel lost the race to the grant in a task that is going away. Counts no new
 * task (`weft_queue_task_done` is still owed once for the item). Works on a shut-down
 * queue (gets drain it); after an immediate shutdown the item is passed to the item
 * destructor instead and counted done. Only for items that came out of this queue.
 * `WEFT_OK`, or `WEFT_INVALID` for a NULL queue. Thread-safe.
 */
weft_status weft_queue_unget(struct weft_queue *queue, void *item);

/**
 * Discards every item inside (through the destructor, on this thread), counting each
 * as a finished task, and lets waiting putters in. Writes how many were discarded to
 * `*cleared_out` if it is not NULL.
 */
weft_status weft_queue_clear(struct weft_queue *queue, size_t *cleared_out);

/**
 * Writes the number of items inside to `*size_out`. A snapshot.
 */
weft_status weft_queue_size(const struct weft_queue *queue, size_t *size_out);

/**
 * Writes the capacity to `*capacity_out`: `WEFT_UNBOUNDED` (-1) when there is none.
 */
weft_status weft_queue_capacity(const struct weft_queue *queue, int64_t *capacity_out);

/**
 * Changes the capacity (negative: unbounded; 0 is `WEFT_INVALID`). Growing lets waiting
 * putters in, in line order; shrinking below the current size discards nothing.
 */
weft_status weft_queue_set_capacity(struct weft_queue *queue, int64_t capacity);

/**
 * Writes how many putters (`*putters_out`) and getters (`*getters_out`) wait in line. A
 * snapshot; either pointer may be NULL (not both).
 */
weft_status weft_queue_waiting(const struct weft_queue *queue,
                               size_t *putters_out,
                               size_t *getters_out);

/**
 * Creates an unlocked reentrant lock; `flags` as for `weft_lock_new`.
 */
weft_status weft_rlock_new(uint32_t flags, struct weft_rlock **rlock_out);

/**
 * Adds a reference. Thread-safe.
 */
weft_status weft_rlock_clone(struct weft_rlock *rlock);

/**
 * Drops a reference; the lock goes with the last one. Thread-safe.
 */
weft_status weft_rlock_free(struct weft_rlock *rlock);

/**
 * Acquires `count` (≥ 1) levels for the calling thread, waiting up to `timeout_ns`
 * (negative: forever; 0: try). Immediate if this thread already owns it. `WEFT_OK`,
 * `WEFT_TIMEOUT`, `WEFT_WOULD_BLOCK`, `WEFT_OVERFLOW` (depth would pass INT64_MAX),
 * `WEFT_INVALID` (count 0). Thread-safe.
 */
weft_status weft_rlock_acquire(struct weft_rlock *rlock, uint64_t count, int64_t timeout_ns);

/**
 * Acquires `count` levels for the calling thread without blocking.
 */
weft_status weft_rlock_try_acquire(struct weft_rlock *rlock, uint64_t count);

/**
 * `weft_rlock_acquire` for an explicit owner token (nonzero).
 */
weft_status weft_rlock_acquire_as(struct weft_rlock *rlock,
                                  uint64_t owner,
                                  uint64_t count,
                                  int64_t timeout_ns);

/**
 * Async acquire of `count` levels for `owner`; the contract of `weft_lock_acquire_async`.
 */
weft_status weft_rlock_acquire_async(struct weft_rlock *rlock,
                                     uint64_t owner,
                                     uint64_t count,
                                     struct weft_port *port,
                                     weft_callback callback,
                                     void *arg,
                                     struct weft_op **op_out);

/**
 * Releases `count` levels held by the calling thread; the last level hands the lock to
 * the first live waiter. `WEFT_OVERFLOW` (more than held; nothing changes),
 * `WEFT_NOT_OWNER`, `WEFT_NOT_LOCKED`, `WEFT_INVALID` (count 0).
 */
weft_status weft_rlock_release(struct weft_rlock *rlock, uint64_t count);

/**
 * `weft_rlock_release` for an explicit owner token.
 */
weft_status weft_rlock_release_as(struct weft_rlock *rlock, uint64_t owner, uint64_t count);

/**
 * Writes the current owner token (0 if unlocked) to `*owner_out`. A snapshot.
 */
weft_status weft_rlock_owner(const struct weft_rlock *rlock, uint64_t *owner_out);

/**
 * Writes the depth `owner` holds (0 if it is not the owner) to `*count_out`.
 */
weft_status weft_rlock_count(const struct weft_rlock *rlock, uint64_t owner, uint64_t *count_out);

/**
 * Writes the number of waiters in line to `*count_out`. A snapshot.
 */
weft_status weft_rlock_waiting(const struct weft_rlock *rlock, size_t *count_out);

/**
 * Creates a semaphore with `initial` permits and writes it to `*sem_out` (only on
 * success). `max < 0`: unbounded; otherwise releases beyond `max` fail with
 * `WEFT_OVERFLOW`. `WEFT_INVALID` if `initial < 0` or `initial > max` (bounded).
 */
weft_status weft_sem_new(int64_t initial, int64_t max, struct weft_sem **sem_out);

/**
 * Adds a reference. Thread-safe.
 */
weft_status weft_sem_clone(struct weft_sem *sem);

/**
 * Drops a reference; the semaphore goes with the last one. Thread-safe.
 */
weft_status weft_sem_free(struct weft_sem *sem);

/**
 * Takes one permit, waiting up to `timeout_ns` (negative: forever; 0: try).
 * `WEFT_OK`, `WEFT_TIMEOUT`, `WEFT_WOULD_BLOCK` (timeout 0), `WEFT_INVALID`. Thread-safe.
 */
weft_status weft_sem_acquire(struct weft_sem *sem, int64_t timeout_ns);

/**
 * Takes one permit if one is free (and nobody waits): `WEFT_OK` or `WEFT_WOULD_BLOCK`.
 */
weft_status weft_sem_try_acquire(struct weft_sem *sem);

/**
 * Takes one permit without blocking the caller: `WEFT_OK` at once (no callback
 * follows), or `WEFT_PENDING` with the op contract of `weft_lock_acquire_async`.
 */
weft_status weft_sem_acquire_async(struct weft_sem *sem,
                                   struct weft_port *port,
                                   weft_callback callback,
                                   void *arg,
                                   struct weft_op **op_out);

/**
 * Returns `n` (≥ 1) permits: the first `n` live waiters each get one, the rest become
 * free. `WEFT_OVERFLOW` (nothing changes) if the free count plus `n` would pass `max`;
 * while waiters are queued the free count is 0, so any `n > max` is refused even if the
 * waiters would take them all. An unbounded semaphore stops at INT64_MAX the same way.
 * `WEFT_INVALID` for `n == 0` or `n > INT64_MAX`. Never blocks. Thread-safe.
 */
weft_status weft_sem_release(struct weft_sem *sem, uint64_t n);

/**
 * Writes the number of free permits to `*value_out`. A snapshot.
 */
weft_status weft_sem_value(const struct weft_sem *sem, uint64_t *value_out);

/**
 * Writes the number of waiters in line to `*count_out`. A snapshot.
 */
weft_status weft_sem_waiting(const struct weft_sem *sem, size_t *count_out);

/**
 * The name of a status, e.g. `"WEFT_TIMEOUT"`, or `"WEFT_UNKNOWN"` for a value that is
 * not a status. Returns a static NUL-terminated string: never NULL, never to be freed.
 * Thread-safe.
 */
const char *weft_status_str(weft_status status);

/**
 * The version of the library actually loaded, as `WEFT_VERSION` spells it
 * (`MAJOR * 1000000 + MINOR * 1000 + PATCH`). It can differ from the `WEFT_VERSION` a
 * program was compiled with: a program built against 0.1.0 may run on a later 0.x
 * library. A binding compares it with the oldest version it needs at load time (see
 * docs/abi.md). Never fails; thread-safe.
 */
uint32_t weft_version(void);

/**
 * The version of the library actually loaded as a string, e.g. `"0.1.0"`. Returns a
 * static NUL-terminated string: never NULL, never to be freed. Thread-safe.
 */
const char *weft_version_string(void);

#ifdef __cplusplus
}  // extern "C"
#endif  // __cplusplus

#endif  /* WEFT_H */
