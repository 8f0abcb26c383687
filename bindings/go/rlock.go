package weft

// #include "shim.h"
import "C"

import (
	"context"
	"runtime"
	"unsafe"
)

// RLock is a weft reentrant lock (weft_rlock). Goroutines have no identity, so every
// call names its owner explicitly (an Owner from NewOwner): an owner may lock again,
// and must unlock as many times as it locked. Any goroutine may act for an owner.
type RLock struct {
	ref  ref[C.weft_rlock]
	edge edge
}

// NewRLock creates an unlocked reentrant lock (strict FIFO handoff).
func NewRLock() *RLock {
	var p *C.weft_rlock
	mustOK(C.weft_rlock_new(C.WEFT_LOCK_FIFO, &p), "weft_rlock_new")
	return adoptRLock(p)
}

// RLockFromHandle wraps a weft_rlock created elsewhere, adding a reference.
func RLockFromHandle(h unsafe.Pointer) *RLock {
	p := (*C.weft_rlock)(h)
	mustOK(C.weft_rlock_clone(p), "weft_rlock_clone")
	return adoptRLock(p)
}

func adoptRLock(p *C.weft_rlock) *RLock {
	l := &RLock{}
	l.ref.p.Store(p)
	runtime.SetFinalizer(l, (*RLock).Close)
	return l
}

// Handle returns the weft_rlock pointer (see Mutex.Handle).
func (l *RLock) Handle() unsafe.Pointer { return l.ref.handle() }

// Close drops this RLock's reference. Idempotent.
func (l *RLock) Close() error {
	return l.ref.close(func(p *C.weft_rlock) error { return check(C.weft_rlock_free(p)) })
}

func (l *RLock) ptr() *C.weft_rlock { return l.ref.get("RLock") }

// TryLock takes one level for owner if it owns the lock already, or if the lock is free
// and nobody waits. One cgo call.
func (l *RLock) TryLock(owner Owner) bool {
	st := C.weft_rlock_acquire_as(l.ptr(), C.uint64_t(owner), 1, 0)
	runtime.KeepAlive(l)
	if st != C.WEFT_OK {
		return false
	}
	l.edge.observe()
	return true
}

// Lock takes one level for owner, waiting in line if another owner holds it.
func (l *RLock) Lock(owner Owner) { _ = l.LockContext(context.Background(), owner) }

// LockContext is Lock until ctx ends; on ctx.Err() owner holds no new level.
func (l *RLock) LockContext(ctx context.Context, owner Owner) error {
	if l.TryLock(owner) {
		return nil
	}
	st, _, _, ctxDone := wait(ctx, func(port C.size_t, id C.uintptr_t) C.weftgo_start {
		return C.weftgo_rlock_acquire_async(cptr(l.ptr()), C.uint64_t(owner), port, id)
	}, &l.ref.goWaiters)
	runtime.KeepAlive(l)
	if st == C.WEFT_OK {
		l.edge.observe()
	}
	return settle(ctx, st, ctxDone, func() { _ = l.Unlock(owner) })
}

// Unlock releases one level held by owner; the last hands the lock on. ErrNotOwner,
// ErrNotLocked.
func (l *RLock) Unlock(owner Owner) error {
	l.edge.publish()
	err := check(C.weft_rlock_release_as(l.ptr(), C.uint64_t(owner), 1))
	runtime.KeepAlive(l)
	l.ref.released()
	return err
}

// Count returns how many levels owner holds (0 if it does not own the lock).
func (l *RLock) Count(owner Owner) int64 {
	var n C.uint64_t
	mustOK(C.weft_rlock_count(l.ptr(), C.uint64_t(owner), &n), "weft_rlock_count")
	runtime.KeepAlive(l)
	return int64(n)
}
