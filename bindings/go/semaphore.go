package weft

// #include "shim.h"
import "C"

import (
	"context"
	"runtime"
	"unsafe"
)

// Semaphore is a weft counting semaphore (weft_sem): no ownership, any goroutine may
// release, waiters of every language in one FIFO line.
type Semaphore struct {
	ref  ref[C.weft_sem]
	edge edge
}

// NewSemaphore creates a semaphore with initial permits; max < 0 leaves it unbounded,
// otherwise Release beyond max fails with ErrOverflow. ErrInvalid if initial < 0 or
// initial > max (bounded).
func NewSemaphore(initial, max int64) (*Semaphore, error) {
	var p *C.weft_sem
	if err := check(C.weft_sem_new(C.int64_t(initial), C.int64_t(max), &p)); err != nil {
		return nil, err
	}
	return adoptSemaphore(p), nil
}

// SemaphoreFromHandle wraps a weft_sem created elsewhere, adding a reference.
func SemaphoreFromHandle(h unsafe.Pointer) *Semaphore {
	p := (*C.weft_sem)(h)
	mustOK(C.weft_sem_clone(p), "weft_sem_clone")
	return adoptSemaphore(p)
}

func adoptSemaphore(p *C.weft_sem) *Semaphore {
	s := &Semaphore{}
	s.ref.p.Store(p)
	runtime.SetFinalizer(s, (*Semaphore).Close)
	return s
}

// Handle returns the weft_sem pointer (see Mutex.Handle).
func (s *Semaphore) Handle() unsafe.Pointer { return s.ref.handle() }

// Close drops this Semaphore's reference. Idempotent.
func (s *Semaphore) Close() error {
	return s.ref.close(func(p *C.weft_sem) error { return check(C.weft_sem_free(p)) })
}

func (s *Semaphore) ptr() *C.weft_sem { return s.ref.get("Semaphore") }

// TryAcquire takes a permit if one is free and nobody waits. One cgo call.
func (s *Semaphore) TryAcquire() bool {
	st := C.weftgo_sem_try(cptr(s.ptr()))
	runtime.KeepAlive(s)
	if st != C.WEFT_OK {
		return false
	}
	s.edge.observe()
	return true
}

// Acquire waits for a permit.
func (s *Semaphore) Acquire() { _ = s.AcquireContext(context.Background()) }

// AcquireContext waits for a permit until ctx ends. On ctx.Err() no permit is held: one
// granted in the race with the cancellation is released again.
func (s *Semaphore) AcquireContext(ctx context.Context) error {
	if s.TryAcquire() || spin(s.TryAcquire) {
		return nil
	}
	st, _, _, ctxDone := wait(ctx, func(port C.size_t, id C.uintptr_t) C.weftgo_start {
		return C.weftgo_sem_acquire_async(cptr(s.ptr()), port, id)
	}, &s.ref.goWaiters)
	runtime.KeepAlive(s)
	if st == C.WEFT_OK {
		s.edge.observe()
	}
	return settle(ctx, st, ctxDone, func() { _ = s.Release(1) })
}

// Release returns n permits (n ≥ 1): waiters first, in line order. ErrOverflow (nothing
// changed) past the bound; ErrInvalid for n < 1.
func (s *Semaphore) Release(n int) error {
	if n < 1 {
		return ErrInvalid
	}
	s.edge.publish()
	r := C.weftgo_sem_release(cptr(s.ptr()), C.uint64_t(n), C.bool(s.ref.goWaiting()))
	runtime.KeepAlive(s)
	reaped(&r)
	return check(r.status)
}

// Value returns the number of free permits (a snapshot).
func (s *Semaphore) Value() int64 {
	var v C.uint64_t
	mustOK(C.weft_sem_value(s.ptr(), &v), "weft_sem_value")
	runtime.KeepAlive(s)
	return int64(v)
}

// Waiting returns how many wait for a permit now (a snapshot).
func (s *Semaphore) Waiting() int {
	var n C.size_t
	mustOK(C.weft_sem_waiting(s.ptr(), &n), "weft_sem_waiting")
	runtime.KeepAlive(s)
	return int(n)
}
