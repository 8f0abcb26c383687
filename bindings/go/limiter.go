package weft

// #include "shim.h"
import "C"

import (
	"context"
	"runtime"
	"unsafe"
)

// CapacityLimiter is a weft capacity limiter (weft_limiter, plain): at most Total owners
// hold a token at once, one token per owner, waiters in one FIFO line. Owners are named
// explicitly (see Owner); an owner acquiring twice gets ErrDeadlock.
type CapacityLimiter struct {
	ref  ref[C.weft_limiter]
	edge edge
}

// NewCapacityLimiter creates a limiter of total tokens (total ≥ 0; it panics otherwise).
func NewCapacityLimiter(total int64) *CapacityLimiter {
	var p *C.weft_limiter
	mustOK(C.weft_limiter_new(C.int64_t(total), C.WEFT_LIMITER_PLAIN, &p), "weft_limiter_new")
	return adoptCapacityLimiter(p)
}

// CapacityLimiterFromHandle wraps a weft_limiter created elsewhere, adding a reference.
func CapacityLimiterFromHandle(h unsafe.Pointer) *CapacityLimiter {
	p := (*C.weft_limiter)(h)
	mustOK(C.weft_limiter_clone(p), "weft_limiter_clone")
	return adoptCapacityLimiter(p)
}

func adoptCapacityLimiter(p *C.weft_limiter) *CapacityLimiter {
	l := &CapacityLimiter{}
	l.ref.p.Store(p)
	runtime.SetFinalizer(l, (*CapacityLimiter).Close)
	return l
}

// Handle returns the weft_limiter pointer (see Mutex.Handle).
func (l *CapacityLimiter) Handle() unsafe.Pointer { return l.ref.handle() }

// Close drops this CapacityLimiter's reference. Idempotent.
func (l *CapacityLimiter) Close() error {
	return l.ref.close(func(p *C.weft_limiter) error { return check(C.weft_limiter_free(p)) })
}

func (l *CapacityLimiter) ptr() *C.weft_limiter { return l.ref.get("CapacityLimiter") }

// TryAcquire takes a token for owner if one is free and nobody waits. One cgo call.
func (l *CapacityLimiter) TryAcquire(owner Owner) bool {
	st := C.weft_limiter_acquire_as(l.ptr(), C.uint64_t(owner), 1, 0)
	runtime.KeepAlive(l)
	if st != C.WEFT_OK {
		return false
	}
	l.edge.observe()
	return true
}

// Acquire waits for a token for owner. It returns ErrDeadlock if owner holds one.
func (l *CapacityLimiter) Acquire(owner Owner) error {
	return l.AcquireContext(context.Background(), owner)
}

// AcquireContext is Acquire until ctx ends; on ctx.Err() owner holds no token.
func (l *CapacityLimiter) AcquireContext(ctx context.Context, owner Owner) error {
	st := C.weft_limiter_acquire_as(l.ptr(), C.uint64_t(owner), 1, 0)
	if st == C.WEFT_OK {
		l.edge.observe()
		return nil
	}
	if st != C.WEFT_WOULD_BLOCK {
		return Status(st)
	}
	st, _, _, ctxDone := wait(ctx, func(port C.size_t, id C.uintptr_t) C.weftgo_start {
		return C.weftgo_limiter_acquire_async(cptr(l.ptr()), C.uint64_t(owner), port, id)
	}, &l.ref.goWaiters)
	runtime.KeepAlive(l)
	if st == C.WEFT_OK {
		l.edge.observe()
	}
	return settle(ctx, st, ctxDone, func() { _ = l.Release(owner) })
}

// Release gives owner's token back, to the first in line. ErrNotOwner.
func (l *CapacityLimiter) Release(owner Owner) error {
	l.edge.publish()
	err := check(C.weft_limiter_release_as(l.ptr(), C.uint64_t(owner), 1))
	runtime.KeepAlive(l)
	l.ref.released()
	return err
}

// SetTotal changes the total; growing it lets waiters in at once.
func (l *CapacityLimiter) SetTotal(total int64) error {
	err := check(C.weft_limiter_set_total(l.ptr(), C.int64_t(total)))
	runtime.KeepAlive(l)
	l.ref.released()
	return err
}

// Counts returns the total, the tokens borrowed and the waiters, one snapshot.
func (l *CapacityLimiter) Counts() (total, borrowed int64, waiting int) {
	var t, b C.uint64_t
	var w C.size_t
	mustOK(C.weft_limiter_counts(l.ptr(), &t, &b, &w), "weft_limiter_counts")
	runtime.KeepAlive(l)
	return int64(t), int64(b), int(w)
}
