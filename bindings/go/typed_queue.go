package weft

// #include "shim.h"
import "C"

import (
	"context"
	"runtime"
	"runtime/cgo"
	"unsafe"
)

// typedQueue is a queue of Go values of type T. Each value travels through weft as a
// cgo.Handle, made by a put and released by the get that takes it out, by a put that
// fails, or, for the values weft discards (Clear, an immediate Shutdown, the last
// reference's free), by the next Clear, Shutdown or Close of any typed queue: weft's
// item destructor only parks them in a C list (C never calls Go), and those calls
// release what is parked. Nothing leaks while Go keeps using queues.
type typedQueue[T any] struct {
	queueCore
}

// newWeftQueue creates a weft queue whose discarded items are parked for
// releaseDiscarded.
func newWeftQueue(kind QueueKind, capacity int) *C.weft_queue {
	var p *C.weft_queue
	mustOK(C.weftgo_queue_new_discarding(C.uint32_t(kind), capacityArg(capacity), &p), "weft_queue_new")
	return p
}

// take turns a handle that came out of the queue into its value, releasing the handle.
func take[T any](item uintptr) T {
	h := cgo.Handle(item)
	v := h.Value().(T)
	h.Delete()
	return v
}

func (q *typedQueue[T]) putValue(ctx context.Context, v T, priority int64) error {
	h := cgo.NewHandle(v)
	if err := q.put(ctx, uintptr(h), priority); err != nil {
		h.Delete()
		return err
	}
	return nil
}

func (q *typedQueue[T]) tryPutValue(v T, priority int64) error {
	h := cgo.NewHandle(v)
	if err := q.tryPut(uintptr(h), priority); err != nil {
		h.Delete()
		return err
	}
	return nil
}

// Get takes the next value, waiting for one. ErrClosed once shut down and empty.
func (q *typedQueue[T]) Get() (T, error) { return q.GetContext(context.Background()) }

// TryGet takes the next value if there is one: ErrWouldBlock, ErrClosed.
func (q *typedQueue[T]) TryGet() (T, error) {
	item, err := q.tryGet()
	if err != nil {
		var zero T
		return zero, err
	}
	return take[T](item), nil
}

// GetContext is Get until ctx ends. On ctx.Err() nothing was taken: a value granted in
// the race with the cancellation goes back in front of the queue.
func (q *typedQueue[T]) GetContext(ctx context.Context) (T, error) {
	item, err := q.get(ctx)
	if err != nil {
		var zero T
		return zero, err
	}
	return take[T](item), nil
}

// Shutdown shuts the queue down (as Python 3.13's Queue.shutdown): puts fail with
// ErrClosed, gets drain what is left then fail with ErrClosed, every waiter wakes. With
// immediate, the values inside are discarded (and count as done tasks).
func (q *typedQueue[T]) Shutdown(immediate bool) {
	q.shutdown(immediate)
	releaseDiscarded()
}

// Clear discards every value inside (each counts as a done task) and returns how many.
func (q *typedQueue[T]) Clear() int {
	n := q.clear()
	releaseDiscarded()
	return n
}

// Close drops this queue's reference; with the last one the values still inside are
// discarded. Idempotent.
func (q *typedQueue[T]) Close() error {
	err := q.free()
	releaseDiscarded()
	return err
}

// releaseDiscarded releases the handles of the values weft discarded (see typedQueue).
func releaseDiscarded() {
	var buf [64]C.uintptr_t
	for {
		n := int(C.weftgo_discarded_take(&buf[0], C.size_t(len(buf))))
		for _, item := range buf[:n] {
			cgo.Handle(item).Delete()
		}
		if n < len(buf) {
			return
		}
	}
}

// Queue is a FIFO (NewQueue) or LIFO (NewLifoQueue) queue of Go values over a weft
// queue, bounded or not. Capacity ≤ 0 means unbounded.
type Queue[T any] struct {
	typedQueue[T]
}

// NewQueue creates a FIFO queue holding at most capacity values (≤ 0: unbounded).
func NewQueue[T any](capacity int) *Queue[T] { return adoptQueue[T](newWeftQueue(FIFO, capacity)) }

// NewLifoQueue creates a LIFO queue holding at most capacity values (≤ 0: unbounded).
func NewLifoQueue[T any](capacity int) *Queue[T] {
	return adoptQueue[T](newWeftQueue(LIFO, capacity))
}

// QueueFromHandle wraps a weft_queue that another typed queue of the same T created
// (its items must be this process's handles of T values), adding a reference.
func QueueFromHandle[T any](h unsafe.Pointer) *Queue[T] {
	p := (*C.weft_queue)(h)
	mustOK(C.weft_queue_clone(p), "weft_queue_clone")
	return adoptQueue[T](p)
}

func adoptQueue[T any](p *C.weft_queue) *Queue[T] {
	q := &Queue[T]{}
	q.ref.p.Store(p)
	runtime.SetFinalizer(q, func(q *Queue[T]) { _ = q.Close() }) // not (*Queue[T]).Close: Go 1.19 miscompiles it
	return q
}

// Put puts v, waiting for room. ErrClosed once shut down.
func (q *Queue[T]) Put(v T) error { return q.putValue(context.Background(), v, 0) }

// TryPut puts v if there is room now and nobody waits before it: ErrWouldBlock,
// ErrClosed.
func (q *Queue[T]) TryPut(v T) error { return q.tryPutValue(v, 0) }

// PutContext is Put until ctx ends. ctx.Err() means v did not go in; a put that went
// in while ctx ended returns nil (it cannot be taken back unseen).
func (q *Queue[T]) PutContext(ctx context.Context, v T) error { return q.putValue(ctx, v, 0) }

// PriorityQueue is a queue of Go values handed out smallest priority first (FIFO among
// equal priorities).
type PriorityQueue[T any] struct {
	typedQueue[T]
}

// NewPriorityQueue creates a priority queue holding at most capacity values (≤ 0:
// unbounded).
func NewPriorityQueue[T any](capacity int) *PriorityQueue[T] {
	q := &PriorityQueue[T]{}
	q.ref.p.Store(newWeftQueue(Priority, capacity))
	runtime.SetFinalizer(q, func(q *PriorityQueue[T]) { _ = q.Close() })
	return q
}

// Put puts v with priority, waiting for room. ErrClosed once shut down.
func (q *PriorityQueue[T]) Put(v T, priority int64) error {
	return q.putValue(context.Background(), v, priority)
}

// TryPut puts v with priority if there is room now: ErrWouldBlock, ErrClosed.
func (q *PriorityQueue[T]) TryPut(v T, priority int64) error { return q.tryPutValue(v, priority) }

// PutContext is Put until ctx ends (see Queue.PutContext).
func (q *PriorityQueue[T]) PutContext(ctx context.Context, v T, priority int64) error {
	return q.putValue(ctx, v, priority)
}
