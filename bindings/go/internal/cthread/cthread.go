// Package cthread runs C threads that use weft's blocking C calls on a primitive that
// goroutines share, for the weft package's cross-language tests (cgo is not allowed
// in _test.go files, so the C side lives here).
package cthread

// #cgo CFLAGS: -I${SRCDIR}/../../../../include
// #cgo LDFLAGS: -L${SRCDIR}/../../../../target/release -Wl,-rpath,${SRCDIR}/../../../../target/release -lweft
// #include "cthread.h"
// #include <stdlib.h>
// static void cthread_noop(void) {}
import "C"

import "unsafe"

// Thread is a running C thread.
type Thread struct{ t *C.cthread }

// Counter is an int64 in C memory, so that C threads may keep a pointer to it.
type Counter struct{ p *C.int64_t }

// NewCounter allocates a zeroed counter; Free releases it.
func NewCounter() Counter {
	return Counter{(*C.int64_t)(C.calloc(1, C.size_t(unsafe.Sizeof(C.int64_t(0)))))}
}

// Add adds n (the caller must hold whatever protects the counter).
func (c Counter) Add(n int64) { *c.p += C.int64_t(n) }

// Value reads the counter.
func (c Counter) Value() int64 { return int64(*c.p) }

// Free releases the counter.
func (c Counter) Free() { C.free(unsafe.Pointer(c.p)) }

// LockLoop starts a thread that locks lock (a weft_lock) iterations times, adding one
// to counter each time while holding it.
func LockLoop(lock unsafe.Pointer, iterations int64, counter Counter) Thread {
	return Thread{C.cthread_lock_loop((*C.weft_lock)(lock), C.int64_t(iterations), counter.p)}
}

// Items is an array of int64 values in C memory, whose element addresses are the
// items of a queue shared with C (cgo lets C keep only C pointers).
type Items struct {
	p *C.int64_t
	n int
}

// NewItems allocates n items holding the values 1..n; Free releases them.
func NewItems(n int) Items {
	it := Items{(*C.int64_t)(C.calloc(C.size_t(n), C.size_t(unsafe.Sizeof(C.int64_t(0))))), n}
	for i := range it.slice() {
		it.slice()[i] = C.int64_t(i + 1)
	}
	return it
}

func (it Items) slice() []C.int64_t { return unsafe.Slice(it.p, it.n) }

// At returns the address of the i-th item (value i+1).
func (it Items) At(i int) unsafe.Pointer { return unsafe.Pointer(&it.slice()[i]) }

// Value reads the value an item points to.
func Value(item unsafe.Pointer) int64 { return int64(*(*C.int64_t)(item)) }

// Free releases the items.
func (it Items) Free() { C.free(unsafe.Pointer(it.p)) }

// Produce starts a thread that puts the n items' addresses into queue (a weft_queue).
func Produce(queue unsafe.Pointer, items Items) Thread {
	return Thread{C.cthread_queue_produce((*C.weft_queue)(queue), items.p, C.int64_t(items.n))}
}

// Consume starts a thread that gets n items from queue and adds up their values.
func Consume(queue unsafe.Pointer, n int64) Thread {
	return Thread{C.cthread_queue_consume((*C.weft_queue)(queue), C.int64_t(n))}
}

// Join waits for the thread: the consumer's sum, 0 for the others, -1 on a weft error.
func (t Thread) Join() int64 { return int64(C.cthread_join(t.t)) }

// Noop is one cgo call into a C function that does nothing: the benchmarks' measure of
// what crossing into C costs.
func Noop() { C.cthread_noop() }

// NewLock creates a weft_lock in C, as a C library would, and returns the handle; the
// caller owns that reference (Free).
func NewLock() unsafe.Pointer {
	var l *C.weft_lock
	if C.weft_lock_new(C.WEFT_LOCK_FIFO, &l) != C.WEFT_OK {
		panic("weft_lock_new")
	}
	return unsafe.Pointer(l)
}

// FreeLock drops a reference to a weft_lock.
func FreeLock(l unsafe.Pointer) { C.weft_lock_free((*C.weft_lock)(l)) }

// NewFlagSetTo creates a weft_flag in C holding the C pointer p; the caller owns the
// reference (FreeFlag).
func NewFlagSetTo(p unsafe.Pointer) unsafe.Pointer {
	var f *C.weft_flag
	var won C.bool
	if C.weft_flag_new(&f) != C.WEFT_OK || C.weft_flag_set(f, p, &won) != C.WEFT_OK || !won {
		panic("weft_flag_new/set")
	}
	return unsafe.Pointer(f)
}

// FreeFlag drops a reference to a weft_flag.
func FreeFlag(f unsafe.Pointer) { C.weft_flag_free((*C.weft_flag)(f)) }
