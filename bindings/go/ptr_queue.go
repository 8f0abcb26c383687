package weft

// #include "shim.h"
import "C"

import (
	"context"
	"runtime"
	"unsafe"
)

// PtrQueue is a weft queue of raw pointers, for items shared with C: C threads and
// goroutines put and get the same items. Items must be C memory (or nil): cgo forbids C
// from keeping Go pointers. A PtrQueue created in Go has no item destructor, so what
// Clear or an immediate Shutdown discards is dropped, not freed; for items that own
// memory, create the queue in C with a destructor and adopt it (PtrQueueFromHandle).
type PtrQueue struct {
	queueCore
}

// NewPtrQueue creates a queue of the given kind holding at most capacity items (≤ 0:
// unbounded).
func NewPtrQueue(kind QueueKind, capacity int) (*PtrQueue, error) {
	var p *C.weft_queue
	if err := check(C.weft_queue_new(C.uint32_t(kind), capacityArg(capacity), nil, nil, &p)); err != nil {
		return nil, err
	}
	return adoptPtrQueue(p), nil
}

// PtrQueueFromHandle wraps a weft_queue created elsewhere, adding a reference.
func PtrQueueFromHandle(h unsafe.Pointer) *PtrQueue {
	p := (*C.weft_queue)(h)
	mustOK(C.weft_queue_clone(p), "weft_queue_clone")
	return adoptPtrQueue(p)
}

func adoptPtrQueue(p *C.weft_queue) *PtrQueue {
	q := &PtrQueue{}
	q.ref.p.Store(p)
	runtime.SetFinalizer(q, (*PtrQueue).Close)
	return q
}

// Close drops this queue's reference. Idempotent.
func (q *PtrQueue) Close() error { return q.free() }

// asPointer reinterprets an item that came out of weft as the C pointer it was put as.
func asPointer(item uintptr) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&item)) }

// Put puts item with priority (ignored unless the queue is a Priority queue), waiting
// for room. ErrClosed once shut down.
func (q *PtrQueue) Put(item unsafe.Pointer, priority int64) error {
	return q.put(context.Background(), uintptr(item), priority)
}

// TryPut puts item if there is room now: ErrWouldBlock, ErrClosed.
func (q *PtrQueue) TryPut(item unsafe.Pointer, priority int64) error {
	return q.tryPut(uintptr(item), priority)
}

// PutContext is Put until ctx ends (see Queue.PutContext).
func (q *PtrQueue) PutContext(ctx context.Context, item unsafe.Pointer, priority int64) error {
	return q.put(ctx, uintptr(item), priority)
}

// Get takes the next item, waiting for one. ErrClosed once shut down and empty.
func (q *PtrQueue) Get() (unsafe.Pointer, error) { return q.GetContext(context.Background()) }

// TryGet takes the next item if there is one: ErrWouldBlock, ErrClosed.
func (q *PtrQueue) TryGet() (unsafe.Pointer, error) {
	item, err := q.tryGet()
	return asPointer(item), err
}

// GetContext is Get until ctx ends; on ctx.Err() an item granted in the race goes back
// in front of the queue.
func (q *PtrQueue) GetContext(ctx context.Context) (unsafe.Pointer, error) {
	item, err := q.get(ctx)
	if err != nil {
		return nil, err
	}
	return asPointer(item), nil
}

// Shutdown shuts the queue down (see Queue's Shutdown); immediate drops the items.
func (q *PtrQueue) Shutdown(immediate bool) { q.shutdown(immediate) }

// Clear discards every item inside and returns how many.
func (q *PtrQueue) Clear() int { return q.clear() }
