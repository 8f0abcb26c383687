package weft

// #include "shim.h"
import "C"

import (
	"context"
	"runtime"
	"sync/atomic"
)

// grantsGivenBack counts the grants that won a race with their cancellation (the tests
// log it, to show the race they hammer did happen).
var grantsGivenBack uint64

// notStarted is the status wait returns when ctx had ended before the op could start
// (not a weft status: weft's are ≥ 0).
const notStarted C.weft_status = -1

// startFunc starts one weft *_async call completing into port number port with id as
// its arg.
type startFunc func(port C.size_t, id C.uintptr_t) C.weftgo_start

// wait is the slow path shared by every blocking and *Context call, taken after the
// caller's one-cgo-call try failed: start the async op, park on a channel until its
// completion, cancel it if ctx ends first. It returns the start call's status if that
// did not pend (WEFT_OK: granted at once), else the op's final status, or notStarted;
// the item (queue gets) and value (barrier index) that came with a grant; and whether
// ctx ended first.
//
// waiting are the goWaiters counters of the objects whose releases may grant the op (a
// Cond wait is granted by a Signal and by the Mutex's Unlock).
func wait(ctx context.Context, start startFunc, waiting ...*int32) (st C.weft_status, item uintptr, value uint64, ctxDone bool) {
	if ctx.Err() != nil {
		return notStarted, 0, 0, true // nothing to undo
	}
	for _, n := range waiting {
		atomic.AddInt32(n, 1)
	}
	p := register()
	s := start(p.port, C.uintptr_t(p.id))
	p.op = s.op
	if p.started(s.status) {
		st, item, value, ctxDone = p.await(ctx)
	} else {
		st, item, value = s.status, uintptr(s.item), uint64(s.value)
	}
	for _, n := range waiting {
		atomic.AddInt32(n, -1)
	}
	return st, item, value, ctxDone
}

// spinTries is how many times a blocking call retries its try, yielding the P between
// tries, before it starts an async op: a goroutine on another P often releases within
// that time, and a try costs one cgo call where a wait costs an op, a port completion
// and two goroutine switches. Tries never pass anyone waiting in line (weft's FIFO), so
// spinning cannot starve a waiter.
const spinTries = 4

// spin retries try up to spinTries times, yielding between tries.
func spin(try func() bool) bool {
	for i := 0; i < spinTries; i++ {
		runtime.Gosched()
		if try() {
			return true
		}
	}
	return false
}

// settle turns a wait's end into the call's result. A grant is success, unless ctx
// ended first: then undo gives the grant back (nothing happened, as far as anyone can
// tell) and the call returns ctx.Err(). A cancelled op returns ctx.Err(); any other
// status is returned as a Status error.
func settle(ctx context.Context, st C.weft_status, ctxDone bool, undo func()) error {
	switch {
	case st == C.WEFT_OK && !ctxDone:
		return nil
	case st == C.WEFT_OK:
		if undo != nil {
			undo()
		}
		atomic.AddUint64(&grantsGivenBack, 1)
		return ctx.Err()
	case ctxDone:
		return ctx.Err()
	default:
		return Status(st)
	}
}
