package weft

// #include "shim.h"
import "C"

import (
	"context"
	"runtime"
	"sync/atomic"
	"unsafe"
)

// Mutex is a weft lock (weft_lock, strict FIFO handoff) with sync.Mutex semantics: it
// is not tied to a goroutine (any goroutine may Unlock it), Unlock of an unlocked
// Mutex is a fatal error, and it is a sync.Locker. C threads, event loops and other
// languages holding the same weft_lock stand in the same line.
//
// Each Lock acquires with a fresh owner token (goroutines have no identity) and
// remembers it in this Mutex for Unlock; so a goroutine that locks twice waits for
// itself, as with sync.Mutex. Unlock through the *Mutex that locked: two wrappers of one
// weft_lock (MutexFromHandle) each know only their own holder.
type Mutex struct {
	ref ref[C.weft_lock]
	// holder is the token the current Go holder acquired with, 0 when no goroutine
	// holds it. Swapped atomically on both sides, which also gives the race detector
	// the happens-before edge from Unlock to the next Lock that weft's C code provides
	// but the detector cannot see.
	holder uint64
}

// NewMutex creates an unlocked Mutex.
func NewMutex() *Mutex {
	var p *C.weft_lock
	mustOK(C.weft_lock_new(C.WEFT_LOCK_FIFO, &p), "weft_lock_new")
	return adoptMutex(p)
}

// MutexFromHandle wraps a weft_lock created elsewhere (C, C++, Python), adding a
// reference of its own; Close drops only that one.
func MutexFromHandle(h unsafe.Pointer) *Mutex {
	p := (*C.weft_lock)(h)
	mustOK(C.weft_lock_clone(p), "weft_lock_clone")
	return adoptMutex(p)
}

func adoptMutex(p *C.weft_lock) *Mutex {
	m := &Mutex{}
	m.ref.p.Store(p)
	runtime.SetFinalizer(m, (*Mutex).Close)
	return m
}

// Handle returns the weft_lock pointer, for C code or another binding (which must take
// its own reference with weft_lock_clone to keep it past this Mutex's Close).
func (m *Mutex) Handle() unsafe.Pointer { return m.ref.handle() }

// Close drops this Mutex's reference to the lock. Idempotent.
func (m *Mutex) Close() error {
	return m.ref.close(func(p *C.weft_lock) error { return check(C.weft_lock_free(p)) })
}

func (m *Mutex) ptr() *C.weft_lock { return m.ref.get("Mutex") }

// Lock waits for the lock in its FIFO line.
func (m *Mutex) Lock() { _ = m.LockContext(context.Background()) }

// TryLock takes the lock if it is free and nobody waits for it. One cgo call.
func (m *Mutex) TryLock() bool {
	tok := newToken()
	st := C.weftgo_lock_try(cptr(m.ptr()), C.uint64_t(tok))
	runtime.KeepAlive(m)
	if st != C.WEFT_OK {
		return false
	}
	m.took(tok)
	return true
}

// LockContext waits for the lock until ctx ends. On ctx.Err() the lock is not held: a
// grant that raced the cancellation is released again, to the next in line.
func (m *Mutex) LockContext(ctx context.Context) error {
	if m.TryLock() || spin(m.TryLock) {
		return nil
	}
	tok := newToken()
	st, _, _, ctxDone := wait(ctx, func(port C.size_t, id C.uintptr_t) C.weftgo_start {
		return C.weftgo_lock_acquire_async(cptr(m.ptr()), C.uint64_t(tok), port, id)
	}, &m.ref.goWaiters)
	runtime.KeepAlive(m)
	if st == C.WEFT_OK {
		m.took(tok)
	}
	if err := settle(ctx, st, ctxDone, m.Unlock); err != nil {
		if !ctxDone {
			panic("weft: Mutex wait ended with " + err.Error())
		}
		return err
	}
	return nil
}

func (m *Mutex) took(tok uint64) {
	if atomic.SwapUint64(&m.holder, tok) != 0 {
		panic("weft: Mutex granted while a goroutine holds it")
	}
}

// Unlock releases the lock, handing it to the first in line. Any goroutine may unlock.
// Unlocking an unlocked Mutex (or one a C thread holds) is a fatal error.
func (m *Mutex) Unlock() {
	tok := atomic.SwapUint64(&m.holder, 0)
	if tok == 0 {
		fatal("unlock of unlocked mutex")
	}
	r := C.weftgo_lock_release(cptr(m.ptr()), C.uint64_t(tok), C.bool(m.ref.goWaiting()))
	runtime.KeepAlive(m)
	if r.status != C.WEFT_OK {
		fatal("unlock: " + Status(r.status).Error())
	}
	reaped(&r)
}

// Waiting returns how many wait in the lock's line now (a snapshot).
func (m *Mutex) Waiting() int {
	var n C.size_t
	mustOK(C.weft_lock_waiting(m.ptr(), &n), "weft_lock_waiting")
	runtime.KeepAlive(m)
	return int(n)
}
