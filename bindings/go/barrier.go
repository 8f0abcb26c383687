package weft

// #include "shim.h"
import "C"

import (
	"context"
	"runtime"
	"unsafe"
)

// Barrier is a weft cyclic barrier that Reset repairs (weft_barrier, resettable kind):
// each phase lets its parties through together once the last has arrived.
//
// There is no TryWait: an arrival that gives up at once breaks the barrier for
// everyone (weft's rule for a zero timeout), which no Try call should do. For the same
// reason a WaitContext whose ctx ends first breaks the barrier (ErrBroken for the
// others) and returns ctx.Err(): an arrival cannot be taken back unseen.
type Barrier struct {
	ref  ref[C.weft_barrier]
	edge edge
}

// NewBarrier creates a barrier for parties arrivals per phase (parties ≥ 0; it panics
// otherwise).
func NewBarrier(parties int) *Barrier {
	var p *C.weft_barrier
	mustOK(C.weft_barrier_new(C.int64_t(parties), C.WEFT_BARRIER_RESETTABLE, &p), "weft_barrier_new")
	return adoptBarrier(p)
}

// BarrierFromHandle wraps a weft_barrier created elsewhere (any kind), adding a
// reference.
func BarrierFromHandle(h unsafe.Pointer) *Barrier {
	p := (*C.weft_barrier)(h)
	mustOK(C.weft_barrier_clone(p), "weft_barrier_clone")
	return adoptBarrier(p)
}

func adoptBarrier(p *C.weft_barrier) *Barrier {
	b := &Barrier{}
	b.ref.p.Store(p)
	runtime.SetFinalizer(b, (*Barrier).Close)
	return b
}

// Handle returns the weft_barrier pointer (see Mutex.Handle).
func (b *Barrier) Handle() unsafe.Pointer { return b.ref.handle() }

// Close drops this Barrier's reference. Idempotent.
func (b *Barrier) Close() error {
	return b.ref.close(func(p *C.weft_barrier) error { return check(C.weft_barrier_free(p)) })
}

func (b *Barrier) ptr() *C.weft_barrier { return b.ref.get("Barrier") }

// Wait arrives and waits for the phase to fill; it returns this arrival's index in the
// phase (0 for the first), or ErrBroken.
func (b *Barrier) Wait() (int, error) { return b.WaitContext(context.Background()) }

// WaitContext is Wait until ctx ends (which breaks the barrier; see Barrier).
func (b *Barrier) WaitContext(ctx context.Context) (int, error) {
	var started C.weft_status
	b.edge.publish()
	st, _, index, ctxDone := wait(ctx, func(port C.size_t, id C.uintptr_t) C.weftgo_start {
		s := C.weftgo_barrier_wait_async(cptr(b.ptr()), port, id)
		started = s.status
		return s
	}, &b.ref.goWaiters)
	runtime.KeepAlive(b)
	b.edge.observe()
	if started != C.WEFT_PENDING {
		b.ref.released() // this arrival completed the phase: the others' ops completed
	}
	if err := settle(ctx, st, ctxDone, nil); err != nil {
		return 0, err
	}
	return int(index), nil // at once from the start call, or later from the op
}

// Abort breaks the barrier: every waiter and later arrival gets ErrBroken until Reset.
func (b *Barrier) Abort() {
	mustOK(C.weft_barrier_abort(b.ptr()), "weft_barrier_abort")
	runtime.KeepAlive(b)
	b.ref.released()
}

// Reset repairs the barrier: current waiters get ErrBroken and a new phase starts.
// ErrInvalid for a latch or plain cyclic barrier adopted from C.
func (b *Barrier) Reset() error {
	err := check(C.weft_barrier_reset(b.ptr()))
	runtime.KeepAlive(b)
	b.ref.released()
	return err
}

// IsBroken reports whether the barrier is broken (a snapshot).
func (b *Barrier) IsBroken() bool {
	var broken C.bool
	mustOK(C.weft_barrier_is_broken(b.ptr(), &broken), "weft_barrier_is_broken")
	runtime.KeepAlive(b)
	return bool(broken)
}

// Waiting returns how many arrivals wait in the current phase (a snapshot).
func (b *Barrier) Waiting() int {
	var n C.size_t
	mustOK(C.weft_barrier_waiting(b.ptr(), &n), "weft_barrier_waiting")
	runtime.KeepAlive(b)
	return int(n)
}
