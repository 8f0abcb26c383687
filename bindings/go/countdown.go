package weft

// #include "shim.h"
import "C"

import (
	"context"
	"runtime"
	"unsafe"
)

// Countdown is a weft countdown event (weft_countdown): waiters wake when the count
// passes through zero (a sync.WaitGroup whose Wait has a Context face and whose count
// C code may change too).
type Countdown struct {
	ref  ref[C.weft_countdown]
	edge edge
}

// NewCountdown creates a countdown at n (n ≥ 0; it panics otherwise, as make does).
func NewCountdown(n int64) *Countdown {
	var p *C.weft_countdown
	mustOK(C.weft_countdown_new(C.int64_t(n), &p), "weft_countdown_new")
	return adoptCountdown(p)
}

// CountdownFromHandle wraps a weft_countdown created elsewhere, adding a reference.
func CountdownFromHandle(h unsafe.Pointer) *Countdown {
	p := (*C.weft_countdown)(h)
	mustOK(C.weft_countdown_clone(p), "weft_countdown_clone")
	return adoptCountdown(p)
}

func adoptCountdown(p *C.weft_countdown) *Countdown {
	c := &Countdown{}
	c.ref.p.Store(p)
	runtime.SetFinalizer(c, (*Countdown).Close)
	return c
}

// Handle returns the weft_countdown pointer (see Mutex.Handle).
func (c *Countdown) Handle() unsafe.Pointer { return c.ref.handle() }

// Close drops this Countdown's reference. Idempotent.
func (c *Countdown) Close() error {
	return c.ref.close(func(p *C.weft_countdown) error { return check(C.weft_countdown_free(p)) })
}

func (c *Countdown) ptr() *C.weft_countdown { return c.ref.get("Countdown") }

// Up adds n (≥ 1) to the count. ErrOverflow past math.MaxInt64, ErrInvalid for n < 1.
func (c *Countdown) Up(n int64) error {
	if n < 1 {
		return ErrInvalid
	}
	err := check(C.weft_countdown_up(c.ptr(), C.uint64_t(n)))
	runtime.KeepAlive(c)
	return err
}

// Down subtracts one; reaching zero wakes every waiter. ErrOverflow at zero.
func (c *Countdown) Down() error {
	c.edge.publish()
	err := check(C.weft_countdown_down(c.ptr()))
	runtime.KeepAlive(c)
	c.ref.released()
	return err
}

// Clear drops the count to zero, waking every waiter.
func (c *Countdown) Clear() {
	c.edge.publish()
	mustOK(C.weft_countdown_clear(c.ptr()), "weft_countdown_clear")
	runtime.KeepAlive(c)
	c.ref.released()
}

// Value returns the count (a snapshot).
func (c *Countdown) Value() int64 {
	var v C.uint64_t
	mustOK(C.weft_countdown_value(c.ptr(), &v), "weft_countdown_value")
	runtime.KeepAlive(c)
	return int64(v)
}

// TryWait reports whether the count is zero, without waiting. One cgo call.
func (c *Countdown) TryWait() bool {
	st := C.weft_countdown_wait(c.ptr(), 0)
	runtime.KeepAlive(c)
	if st != C.WEFT_OK {
		return false
	}
	c.edge.observe()
	return true
}

// Wait waits until the count is zero.
func (c *Countdown) Wait() { _ = c.WaitContext(context.Background()) }

// WaitContext waits until the count is zero or ctx ends.
func (c *Countdown) WaitContext(ctx context.Context) error {
	if c.TryWait() {
		return nil
	}
	st, _, _, ctxDone := wait(ctx, func(port C.size_t, id C.uintptr_t) C.weftgo_start {
		return C.weftgo_countdown_wait_async(cptr(c.ptr()), port, id)
	}, &c.ref.goWaiters)
	runtime.KeepAlive(c)
	c.edge.observe()
	return settle(ctx, st, ctxDone, nil)
}
