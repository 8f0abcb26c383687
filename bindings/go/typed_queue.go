package weft

// #include "shim.h"
import "C"

import (
	"context"
	"runtime"
	"unsafe"
)

// typedQueue is a queue of Go values of type T. Each value waits in the queue's
// valueTable while its slot number travels through weft (a small value of numbers
// travels itself). The slot is emptied by the
// get that takes the item out, by a put that fails, and, for the values weft discards
// (Clear, an immediate Shutdown, the last reference's free), by the next Clear,
// Shutdown or Close of any typed queue: weft's item destructor only parks them in a C
// list (C never calls Go), and those calls empty what is parked. Nothing stays
// reachable once taken out or discarded.
//
// The items are slot numbers, meaningless to C: C code and other languages may hold the
// queue (and count, shut down, clear it), but only Go puts and gets its values.
type typedQueue[T any] struct {
	queueCore
	values *valueTable[T]
}

func (q *typedQueue[T]) putValue(ctx context.Context, v T, priority int64) error {
	item := q.values.add(v)
	if err := q.put(ctx, item, priority); err != nil {
		q.values.drop(item)
		return err
	}
	return nil
}

func (q *typedQueue[T]) tryPutValue(v T, priority int64) error {
	item := q.values.add(v)
	if err := q.tryPut(item, priority); err != nil {
		q.values.drop(item)
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
	return q.values.take(item), nil
}

// GetContext is Get until ctx ends. On ctx.Err() nothing was taken: a value granted in
// the race with the cancellation goes back in front of the queue.
func (q *typedQueue[T]) GetContext(ctx context.Context) (T, error) {
	item, err := q.get(ctx)
	if err != nil {
		var zero T
		return zero, err
	}
	return q.values.take(item), nil
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
	return q.ref.close(func(p *C.weft_queue) error {
		err := check(C.weft_queue_free(p))
		closeTable(p)
		return err
	})
}

// Queue is a FIFO (NewQueue) or LIFO (NewLifoQueue) queue of Go values over a weft
// queue, bounded or not. Capacity ≤ 0 means unbounded.
type Queue[T any] struct {
	typedQueue[T]
}

// NewQueue creates a FIFO queue holding at most capacity values (≤ 0: unbounded).
func NewQueue[T any](capacity int) *Queue[T] { return newQueue[T](FIFO, capacity) }

// NewLifoQueue creates a LIFO queue holding at most capacity values (≤ 0: unbounded).
func NewLifoQueue[T any](capacity int) *Queue[T] { return newQueue[T](LIFO, capacity) }

func newQueue[T any](kind QueueKind, capacity int) *Queue[T] {
	p, values := newTypedWeftQueue[T](kind, capacity)
	return adoptQueue(p, values)
}

// QueueFromHandle wraps a weft_queue that NewQueue[T] or NewLifoQueue[T] created in
// this process, adding a reference (it panics for any other queue).
func QueueFromHandle[T any](h unsafe.Pointer) *Queue[T] {
	p := (*C.weft_queue)(h)
	values := adoptTable[T](p)
	mustOK(C.weft_queue_clone(p), "weft_queue_clone")
	return adoptQueue(p, values)
}

func adoptQueue[T any](p *C.weft_queue, values *valueTable[T]) *Queue[T] {
	q := &Queue[T]{}
	q.ref.p.Store(p)
	q.values = values
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
	p, values := newTypedWeftQueue[T](Priority, capacity)
	return adoptPriorityQueue(p, values)
}

// PriorityQueueFromHandle wraps a weft_queue that NewPriorityQueue[T] created in this
// process, adding a reference (it panics for any other queue).
func PriorityQueueFromHandle[T any](h unsafe.Pointer) *PriorityQueue[T] {
	p := (*C.weft_queue)(h)
	values := adoptTable[T](p)
	mustOK(C.weft_queue_clone(p), "weft_queue_clone")
	return adoptPriorityQueue(p, values)
}

func adoptPriorityQueue[T any](p *C.weft_queue, values *valueTable[T]) *PriorityQueue[T] {
	q := &PriorityQueue[T]{}
	q.ref.p.Store(p)
	q.values = values
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
