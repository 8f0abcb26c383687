package weft

// #include "shim.h"
import "C"

import (
	"context"
	"runtime"
	"unsafe"
)

// Event is a weft reusable event (weft_event): Set wakes every waiter, Clear makes
// later waiters wait again.
type Event struct {
	ref  ref[C.weft_event]
	edge edge
}

// NewEvent creates a clear, reusable event.
func NewEvent() *Event {
	var p *C.weft_event
	mustOK(C.weft_event_new(C.WEFT_EVENT_REUSABLE, &p), "weft_event_new")
	return adoptEvent(p)
}

// EventFromHandle wraps a weft_event created elsewhere (one-time or reusable), adding a
// reference.
func EventFromHandle(h unsafe.Pointer) *Event {
	p := (*C.weft_event)(h)
	mustOK(C.weft_event_clone(p), "weft_event_clone")
	return adoptEvent(p)
}

func adoptEvent(p *C.weft_event) *Event {
	e := &Event{}
	e.ref.p.Store(p)
	runtime.SetFinalizer(e, (*Event).Close)
	return e
}

// Handle returns the weft_event pointer (see Mutex.Handle).
func (e *Event) Handle() unsafe.Pointer { return e.ref.handle() }

// Close drops this Event's reference. Idempotent.
func (e *Event) Close() error {
	return e.ref.close(func(p *C.weft_event) error { return check(C.weft_event_free(p)) })
}

func (e *Event) ptr() *C.weft_event { return e.ref.get("Event") }

// Set sets the event and wakes every waiter; it returns how many it woke.
func (e *Event) Set() int {
	var n C.size_t
	e.edge.publish()
	mustOK(C.weft_event_set(e.ptr(), &n), "weft_event_set")
	runtime.KeepAlive(e)
	e.ref.released()
	return int(n)
}

// Clear clears the event (ErrInvalid for a one-time event adopted from C).
func (e *Event) Clear() error {
	err := check(C.weft_event_clear(e.ptr()))
	runtime.KeepAlive(e)
	return err
}

// IsSet reports whether the event is set (a snapshot).
func (e *Event) IsSet() bool {
	var set C.bool
	mustOK(C.weft_event_is_set(e.ptr(), &set), "weft_event_is_set")
	runtime.KeepAlive(e)
	return bool(set)
}

// TryWait reports whether the event is set, without waiting. One cgo call.
func (e *Event) TryWait() bool {
	st := C.weft_event_wait(e.ptr(), 0)
	runtime.KeepAlive(e)
	if st != C.WEFT_OK {
		return false
	}
	e.edge.observe()
	return true
}

// Wait waits until the event is set.
func (e *Event) Wait() { _ = e.WaitContext(context.Background()) }

// WaitContext waits until the event is set or ctx ends.
func (e *Event) WaitContext(ctx context.Context) error {
	if e.TryWait() {
		return nil
	}
	st, _, _, ctxDone := wait(ctx, func(port C.size_t, id C.uintptr_t) C.weftgo_start {
		return C.weftgo_event_wait_async(cptr(e.ptr()), port, id)
	}, &e.ref.goWaiters)
	runtime.KeepAlive(e)
	e.edge.observe()
	return settle(ctx, st, ctxDone, nil)
}

// Waiting returns how many wait now (a snapshot).
func (e *Event) Waiting() int {
	var n C.size_t
	mustOK(C.weft_event_waiting(e.ptr(), &n), "weft_event_waiting")
	runtime.KeepAlive(e)
	return int(n)
}
