package weft

// #include "shim.h"
import "C"

import (
	"context"
	"runtime"
	"sync/atomic"
	"unsafe"
)

// Cond is a weft condition (weft_cond) bound to a Mutex, with sync.Cond semantics: Wait
// atomically unlocks L and waits; a notified waiter wakes holding L again (weft hands
// the lock to it directly, in FIFO order, with no barging). Signal and Broadcast need
// not hold L. C threads and other languages may wait on the same weft_cond.
type Cond struct {
	ref ref[C.weft_cond]
	L   *Mutex // the lock, held while waiting starts and again when a wait returns
}

// NewCond creates a condition bound to l.
func NewCond(l *Mutex) *Cond {
	var p *C.weft_cond
	mustOK(C.weft_cond_new(l.ptr(), &p), "weft_cond_new")
	runtime.KeepAlive(l)
	return adoptCond(p, l)
}

// CondFromHandle wraps a weft_cond created elsewhere, adding a reference of its own. l
// must wrap the weft_lock the condition is bound to (weft cannot tell Go which it is).
func CondFromHandle(h unsafe.Pointer, l *Mutex) *Cond {
	p := (*C.weft_cond)(h)
	mustOK(C.weft_cond_clone(p), "weft_cond_clone")
	return adoptCond(p, l)
}

func adoptCond(p *C.weft_cond, l *Mutex) *Cond {
	c := &Cond{L: l}
	c.ref.p.Store(p)
	runtime.SetFinalizer(c, (*Cond).Close)
	return c
}

// Handle returns the weft_cond pointer (see Mutex.Handle).
func (c *Cond) Handle() unsafe.Pointer { return c.ref.handle() }

// Close drops this Cond's reference. Idempotent.
func (c *Cond) Close() error {
	return c.ref.close(func(p *C.weft_cond) error { return check(C.weft_cond_free(p)) })
}

func (c *Cond) ptr() *C.weft_cond { return c.ref.get("Cond") }

// Wait unlocks L, waits for Signal or Broadcast, and returns holding L. As with
// sync.Cond, the caller should re-check its condition in a loop.
func (c *Cond) Wait() { _ = c.WaitContext(context.Background()) }

// WaitContext is Wait until ctx ends. It returns holding L in every case. On ctx.Err()
// it was not notified, as far as anyone can tell: when the cancellation won, weft
// passes a notification that had already picked this waiter on to the next waiter
// (issue 18); when the notification won, WaitContext passes it on itself with one
// Signal before returning ctx.Err().
func (c *Cond) WaitContext(ctx context.Context) error {
	m := c.L
	tok := atomic.SwapUint64(&m.holder, 0)
	if tok == 0 {
		fatal("Cond.Wait: unlock of unlocked mutex")
	}
	st, _, _, ctxDone := wait(ctx, func(port C.size_t, id C.uintptr_t) C.weftgo_start {
		return C.weftgo_cond_wait_async(cptr(c.ptr()), C.uint64_t(tok), port, id)
	}, &c.ref.goWaiters, &c.L.ref.goWaiters)
	runtime.KeepAlive(c)
	switch {
	case st == C.WEFT_OK:
		m.took(tok) // notified, holding L again as tok
		if ctxDone {
			c.Signal()
			return ctx.Err()
		}
		return nil
	case st == notStarted:
		atomic.StoreUint64(&m.holder, tok) // ctx ended before the wait began: L never left
		return ctx.Err()
	case ctxDone && st == C.WEFT_CANCELLED:
		m.Lock() // the cancelled wait ended without L; Wait's contract is to return with it
		return ctx.Err()
	default:
		atomic.StoreUint64(&m.holder, tok)
		panic("weft: Cond wait ended with " + Status(st).Error())
	}
}

// Signal wakes the first waiter, if any; it wakes holding L.
func (c *Cond) Signal() {
	mustOK(C.weft_cond_notify(c.ptr(), 1, nil), "weft_cond_notify")
	runtime.KeepAlive(c)
	c.ref.released()
}

// Broadcast wakes every goroutine (and thread, and task) waiting now.
func (c *Cond) Broadcast() {
	mustOK(C.weft_cond_notify_all(c.ptr(), nil), "weft_cond_notify_all")
	runtime.KeepAlive(c)
	c.ref.released()
}

// Waiting returns how many wait on the condition now (a snapshot).
func (c *Cond) Waiting() int {
	var n C.size_t
	mustOK(C.weft_cond_waiting(c.ptr(), &n), "weft_cond_waiting")
	runtime.KeepAlive(c)
	return int(n)
}
