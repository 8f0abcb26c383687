package weft

// #include "shim.h"
import "C"

import (
	"runtime"
	"unsafe"
)

// Guard is a weft resource guard (weft_guard): exclusive use that never waits. It has
// no blocking or Context face by design: entering a guard in use is ErrBusy.
type Guard struct {
	ref  ref[C.weft_guard]
	edge edge
}

// NewGuard creates a guard not in use.
func NewGuard() *Guard {
	var p *C.weft_guard
	mustOK(C.weft_guard_new(&p), "weft_guard_new")
	return adoptGuard(p)
}

// GuardFromHandle wraps a weft_guard created elsewhere, adding a reference.
func GuardFromHandle(h unsafe.Pointer) *Guard {
	p := (*C.weft_guard)(h)
	mustOK(C.weft_guard_clone(p), "weft_guard_clone")
	return adoptGuard(p)
}

func adoptGuard(p *C.weft_guard) *Guard {
	g := &Guard{}
	g.ref.p.Store(p)
	runtime.SetFinalizer(g, (*Guard).Close)
	return g
}

// Handle returns the weft_guard pointer (see Mutex.Handle).
func (g *Guard) Handle() unsafe.Pointer { return g.ref.handle() }

// Close drops this Guard's reference. Idempotent.
func (g *Guard) Close() error {
	return g.ref.close(func(p *C.weft_guard) error { return check(C.weft_guard_free(p)) })
}

func (g *Guard) ptr() *C.weft_guard { return g.ref.get("Guard") }

// TryEnter starts using the resource: true, or false if it is in use.
func (g *Guard) TryEnter() bool {
	st := C.weft_guard_enter(g.ptr())
	runtime.KeepAlive(g)
	if st != C.WEFT_OK {
		return false
	}
	g.edge.observe()
	return true
}

// Exit ends the use (any goroutine may). ErrNotLocked if the guard was not in use.
func (g *Guard) Exit() error {
	g.edge.publish()
	err := check(C.weft_guard_exit(g.ptr()))
	runtime.KeepAlive(g)
	return err
}

// InUse reports whether the guard is in use (a snapshot).
func (g *Guard) InUse() bool {
	var in C.bool
	mustOK(C.weft_guard_in_use(g.ptr(), &in), "weft_guard_in_use")
	runtime.KeepAlive(g)
	return bool(in)
}
