package weft

// #include "shim.h"
import "C"

import (
	"context"
	"sync"
	"sync/atomic"
)

// How waits reach goroutines without an OS thread each.
//
// A goroutine that must wait starts the weft *_async call with one of pumpCount ports
// and an id, and parks on its waiter's channel. Each port has one pump goroutine that
// blocks in C (weft_port_wait, then weft_port_poll: one cgo call per batch) and sends
// each completion's status to the waiter registered under its id. A goroutine blocked
// in a cgo call holds its OS thread, so the pumps hold pumpCount threads in all, however
// many goroutines wait. C never calls Go.
//
// A goroutine that releases something in Go (Unlock, Release, Put...) while goroutines
// wait on that object reaps the ports itself: in the same cgo call for Mutex.Unlock,
// Semaphore.Release and the queues' puts and gets, with one more (weftgo_reap) for the
// rest. The completion its release caused is already queued, so the waiter is handed its
// grant by a plain channel send on this P, with no OS thread woken on the way. The pump
// still wakes (the port's fd was raised) but finds less or nothing; it is what delivers
// grants made by C threads and other languages.
//
// The ports live as long as the process, so a completion is never redirected by a port
// close (which would turn a grant into WEFT_CANCELLED behind the waiter's back).

// pumpCount is fixed: two pumps keep completions flowing while one is busy handing out
// a batch, and cost two OS threads.
const pumpCount = C.WEFTGO_PORTS

// pumpBatch is how many completions one cgo call brings back at most.
const pumpBatch = 64

type waiter struct {
	done chan C.weft_status // buffered 1: the pump never blocks on it
}

// The registry: waiter slots, in shards so that pumps and starters rarely meet. An id
// names a slot (its shard and index); the slot is the waiting goroutine's from register
// until it has received its completion, and is then reused with its channel. Slots and a
// free list rather than a map: a waiting goroutine's stack stays at its first 2 KB (a map
// insert that grows the map does not fit in it).
const registryShards = 64

type registryShard struct {
	mu    sync.Mutex
	slots []*waiter
	free  []uintptr
	_     [8]byte
}

func idOf(shard, index uintptr) uintptr { return index*registryShards + shard }

func (r *registryShard) take() (uintptr, *waiter) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if n := len(r.free); n > 0 {
		index := r.free[n-1]
		r.free = r.free[:n-1]
		return index, r.slots[index]
	}
	w := &waiter{done: make(chan C.weft_status, 1)}
	r.slots = append(r.slots, w)
	return uintptr(len(r.slots) - 1), w
}

func (r *registryShard) give(index uintptr) {
	r.mu.Lock()
	r.free = append(r.free, index)
	r.mu.Unlock()
}

func (r *registryShard) lookup(index uintptr) *waiter {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.slots[index]
}

var (
	registry  [registryShards]registryShard
	nextShard uint64
	ports     [pumpCount]*C.weft_port
	pumpsOnce sync.Once
)

func startPumps() {
	mustOK(C.weftgo_ports_open(), "weft_port_new")
	for i := range ports {
		ports[i] = C.weftgo_port(C.size_t(i))
		go pump(i)
	}
}

func pump(i int) {
	var batch [pumpBatch]C.weftgo_completion
	for {
		n := int(C.weftgo_port_next(C.size_t(i), &batch[0], pumpBatch))
		deliver(batch[:n])
	}
}

// reap delivers the completions pending now, without waiting (see above).
func reap() {
	for {
		r := C.weftgo_reap()
		if !delivered(&r) {
			return
		}
	}
}

// delivered delivers the completions a call reaped and reports whether there may be
// more (the batch was full).
func delivered(r *C.weftgo_result) bool {
	deliver(r.batch[:r.reaped])
	return r.reaped == C.WEFTGO_REAP_MAX
}

// deliver hands each completion to the waiter registered under its id.
func deliver(batch []C.weftgo_completion) {
	for _, c := range batch {
		id := uintptr(c.id)
		select {
		case registry[id%registryShards].lookup(id / registryShards).done <- c.status:
		default:
			panic("weft: a second completion for one waiter")
		}
	}
}

// pending is one wait in progress: a registered waiter, its id and port, and the op
// once the start call returned WEFT_PENDING.
type pending struct {
	w    *waiter
	id   uintptr
	port C.size_t
	op   C.uintptr_t
}

// release gives the waiter's slot back, once no completion can reach it any more.
func (p *pending) release() { registry[p.id%registryShards].give(p.id / registryShards) }

// register parks a waiter under a fresh id before the start call, since the completion
// may reach a pump before the start call returns.
func register() pending {
	pumpsOnce.Do(startPumps)
	shard := uintptr(atomic.AddUint64(&nextShard, 1) % registryShards)
	index, w := registry[shard].take()
	id := idOf(shard, index)
	return pending{w: w, id: id, port: C.size_t(shard % pumpCount)}
}

// started takes the start call's status. Anything but WEFT_PENDING means no completion
// follows: the waiter is withdrawn and started returns false.
func (p *pending) started(st C.weft_status) bool {
	if st == C.WEFT_PENDING {
		return true
	}
	p.release()
	return false
}

// await parks until the op completes and returns its final status, and whether the
// context ended first (then the op was cancelled; the status says who won: WEFT_OK
// means the grant came first and is the caller's to give back). The op's item (queue
// gets) and value (barrier index) are read before the op is freed.
func (p *pending) await(ctx context.Context) (st C.weft_status, item uintptr, value uint64, ctxDone bool) {
	if done := ctx.Done(); done == nil {
		st = <-p.w.done // a plain receive parks in a shallower stack than a select
	} else {
		select {
		case st = <-p.w.done:
		case <-done:
			ctxDone = true
			C.weftgo_op_cancel(p.op)
			// The completion follows exactly once, whoever won; a cancel that won queued
			// it on the port already, so reap rather than wait for a pump.
			reap()
			st = <-p.w.done
		}
	}
	p.release()
	end := C.weftgo_op_finish(p.op)
	return st, uintptr(end.item), uint64(end.value), ctxDone
}
