package weft

// #include "shim.h"
import "C"

import (
	"sync/atomic"
	"unsafe"
)

// ref is a Go object's one reference to a weft handle (habit: each binding object owns
// exactly one reference). Close drops it once; later calls find nil and panic with the
// type's name instead of passing NULL to C. Constructors set a finalizer that calls
// Close, as a backstop only; every method ends with runtime.KeepAlive on its object so
// the finalizer cannot free the handle during a call.
type ref[P any] struct {
	p atomic.Pointer[P]
	// goWaiters counts the goroutines in this object's wait (see wait): a release by Go
	// reaps the ports only when some goroutine waits here.
	goWaiters int32
}

// released is called after a Go call that may have granted a waiting goroutine's op.
func (r *ref[P]) released() {
	if r.goWaiting() {
		reap()
	}
}

// goWaiting reports whether a goroutine waits on this object: a hot-path call then asks
// C to reap in the same cgo call, and delivers with reaped.
func (r *ref[P]) goWaiting() bool { return atomic.LoadInt32(&r.goWaiters) > 0 }

// reaped delivers what a hot-path call reaped, and reaps on if its batch was full.
func reaped(r *C.weftgo_result) {
	if delivered(r) {
		reap()
	}
}

func (r *ref[P]) get(typeName string) *P {
	p := r.p.Load()
	if p == nil {
		panic("weft: " + typeName + " used after Close")
	}
	return p
}

// close drops the reference with free; idempotent.
func (r *ref[P]) close(free func(*P) error) error {
	p := r.p.Swap(nil)
	if p == nil {
		return nil
	}
	return free(p)
}

// cptr passes a C handle to the shim as an integer (see shim.h: no pointer for cgo to
// check).
func cptr[P any](p *P) C.uintptr_t { return C.uintptr_t(uintptr(unsafe.Pointer(p))) }

// handle returns the C pointer for C code or another binding (nil after Close).
func (r *ref[P]) handle() unsafe.Pointer { return unsafe.Pointer(r.p.Load()) }
