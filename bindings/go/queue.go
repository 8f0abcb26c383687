package weft

// #include "shim.h"
import "C"

import (
	"context"
	"runtime"
	"unsafe"
)

// queueCore is what every queue type shares: a weft_queue whose items are integers (a
// valueTable slot number for typed queues, a C pointer for PtrQueue). Every face of
// every caller stands in the queue's one FIFO line.
type queueCore struct {
	ref ref[C.weft_queue]
}

// QueueKind is the order a PtrQueue hands items out in.
type QueueKind uint32

// The queue kinds.
const (
	FIFO     QueueKind = C.WEFT_QUEUE_FIFO
	LIFO     QueueKind = C.WEFT_QUEUE_LIFO
	Priority QueueKind = C.WEFT_QUEUE_PRIORITY // smallest priority first, FIFO among equals
)

// capacityArg maps Go's "capacity ≤ 0 means unbounded" (as Python's maxsize) to weft's.
func capacityArg(capacity int) C.int64_t {
	if capacity <= 0 {
		return C.WEFT_UNBOUNDED
	}
	return C.int64_t(capacity)
}

func (q *queueCore) ptr() *C.weft_queue { return q.ref.get("queue") }

// Handle returns the weft_queue pointer (see Mutex.Handle).
func (q *queueCore) Handle() unsafe.Pointer { return q.ref.handle() }

func (q *queueCore) free() error {
	return q.ref.close(func(p *C.weft_queue) error { return check(C.weft_queue_free(p)) })
}

// tryPut is one cgo call; when goroutines wait on the queue it also reaps (the item
// may have gone straight to a waiting getter).
func (q *queueCore) tryPut(item uintptr, priority int64) error {
	r := C.weftgo_queue_put_now(cptr(q.ptr()), C.uintptr_t(item), C.int64_t(priority), C.bool(q.ref.goWaiting()))
	runtime.KeepAlive(q)
	reaped(&r)
	return check(r.status)
}

// put returns nil once the item is in, else an error with the item still the caller's.
// A put whose ctx ended after the item went in returns nil: it cannot be taken back.
func (q *queueCore) put(ctx context.Context, item uintptr, priority int64) (err error) {
	try := func() bool {
		err = q.tryPut(item, priority)
		return err != ErrWouldBlock
	}
	if try() || spin(try) {
		return err
	}
	st, _, _, ctxDone := wait(ctx, func(port C.size_t, id C.uintptr_t) C.weftgo_start {
		return C.weftgo_queue_put_async(cptr(q.ptr()), C.uintptr_t(item), C.int64_t(priority), port, id)
	}, &q.ref.goWaiters)
	runtime.KeepAlive(q)
	switch {
	case st == C.WEFT_OK:
		return nil
	case ctxDone:
		return ctx.Err()
	default:
		return Status(st)
	}
}

// tryGet is one cgo call; when goroutines wait on the queue it also reaps (the room
// may have let a waiting putter in).
func (q *queueCore) tryGet() (uintptr, error) {
	r := C.weftgo_queue_get_now(cptr(q.ptr()), C.bool(q.ref.goWaiting()))
	runtime.KeepAlive(q)
	reaped(&r)
	return uintptr(r.item), check(r.status)
}

// get returns the next item. When ctx ends first nothing was taken: an item granted in
// the race goes back in front of the queue (weft_queue_unget).
func (q *queueCore) get(ctx context.Context) (uintptr, error) {
	var item uintptr
	var err error
	try := func() bool {
		item, err = q.tryGet()
		return err != ErrWouldBlock
	}
	if try() || spin(try) {
		return item, err
	}
	st, item, _, ctxDone := wait(ctx, func(port C.size_t, id C.uintptr_t) C.weftgo_start {
		return C.weftgo_queue_get_async(cptr(q.ptr()), port, id)
	}, &q.ref.goWaiters)
	err = settle(ctx, st, ctxDone, func() {
		mustOK(C.weftgo_queue_unget(q.ptr(), C.uintptr_t(item)), "weft_queue_unget")
	})
	runtime.KeepAlive(q)
	q.ref.released()
	return item, err
}

// Len returns the number of items inside (a snapshot).
func (q *queueCore) Len() int {
	var n C.size_t
	mustOK(C.weft_queue_size(q.ptr(), &n), "weft_queue_size")
	runtime.KeepAlive(q)
	return int(n)
}

// Cap returns the capacity, or -1 when unbounded.
func (q *queueCore) Cap() int {
	var c C.int64_t
	mustOK(C.weft_queue_capacity(q.ptr(), &c), "weft_queue_capacity")
	runtime.KeepAlive(q)
	return int(c)
}

// Waiting returns how many putters and getters wait in line (a snapshot).
func (q *queueCore) Waiting() (putters, getters int) {
	var p, g C.size_t
	mustOK(C.weft_queue_waiting(q.ptr(), &p, &g), "weft_queue_waiting")
	runtime.KeepAlive(q)
	return int(p), int(g)
}

func (q *queueCore) shutdown(immediate bool) {
	mustOK(C.weft_queue_shutdown(q.ptr(), C.bool(immediate)), "weft_queue_shutdown")
	runtime.KeepAlive(q)
	q.ref.released()
}

// IsShutdown reports whether the queue was shut down.
func (q *queueCore) IsShutdown() bool {
	var down C.bool
	mustOK(C.weft_queue_is_shutdown(q.ptr(), &down), "weft_queue_is_shutdown")
	runtime.KeepAlive(q)
	return bool(down)
}

func (q *queueCore) clear() int {
	var n C.size_t
	mustOK(C.weft_queue_clear(q.ptr(), &n), "weft_queue_clear")
	runtime.KeepAlive(q)
	q.ref.released()
	return int(n)
}

// TaskDone marks one task (one accepted put) done; ErrOverflow if none is unfinished.
func (q *queueCore) TaskDone() error {
	err := check(C.weft_queue_task_done(q.ptr()))
	runtime.KeepAlive(q)
	q.ref.released()
	return err
}

// Join waits until every task is done.
func (q *queueCore) Join() { _ = q.JoinContext(context.Background()) }

// JoinContext waits until every task is done or ctx ends.
func (q *queueCore) JoinContext(ctx context.Context) error {
	st := C.weft_queue_join(q.ptr(), 0)
	if st != C.WEFT_WOULD_BLOCK {
		runtime.KeepAlive(q)
		return check(st)
	}
	st, _, _, ctxDone := wait(ctx, func(port C.size_t, id C.uintptr_t) C.weftgo_start {
		return C.weftgo_queue_join_async(cptr(q.ptr()), port, id)
	}, &q.ref.goWaiters)
	runtime.KeepAlive(q)
	return settle(ctx, st, ctxDone, nil)
}
