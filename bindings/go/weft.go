// Package weft gives Go programs weft's synchronization primitives (locks, semaphores,
// conditions, events, countdowns, barriers, capacity limiters, flags, guards and
// queues), shared with C threads, C event loops, C++ and Python in the same process.
//
// Every wait is a weft async operation completing into one of a few weft ports; a
// small fixed set of pump goroutines blocks on those ports and hands each completion
// to the waiting goroutine's channel. A goroutine blocked in Lock, Acquire or Get is an
// ordinary parked goroutine: 100,000 of them take no OS thread each. Uncontended calls
// are one cgo call. No C code ever calls into Go.
//
// Every *Context call returns ctx.Err() when the context ends first, and then has had
// no effect: a grant that won the race with the cancellation is given back (a lock is
// released, a permit returned, an item put back in front of the queue). The exceptions,
// where the effect cannot be undone, are documented on the call (a put that already
// went in, a barrier arrival).
//
// The package finds weft.h and libweft in this repository (include/, target/release,
// with an rpath) by default, so a checkout builds once cargo has built the library. An
// installed weft is found by adding its pkg-config flags:
// CGO_CFLAGS="$(pkg-config --cflags weft)" CGO_LDFLAGS="$(pkg-config --libs weft)".
package weft

// #cgo CFLAGS: -I${SRCDIR}/../../include
// #cgo LDFLAGS: -L${SRCDIR}/../../target/release -Wl,-rpath,${SRCDIR}/../../target/release -lweft
// #include "shim.h"
import "C"

import (
	"fmt"
	"os"
	"runtime/debug"
)

// Status is a weft status that is not success. It is the error every call returns;
// compare with errors.Is or == against the Err* values.
type Status int32

// The statuses a call can fail with.
const (
	ErrWouldBlock Status = C.WEFT_WOULD_BLOCK // a Try call could not succeed at once
	ErrTimeout    Status = C.WEFT_TIMEOUT
	ErrCancelled  Status = C.WEFT_CANCELLED
	ErrBroken     Status = C.WEFT_BROKEN // a barrier is broken
	ErrClosed     Status = C.WEFT_CLOSED // a queue is shut down
	ErrNotOwner   Status = C.WEFT_NOT_OWNER
	ErrNotLocked  Status = C.WEFT_NOT_LOCKED
	ErrDeadlock   Status = C.WEFT_DEADLOCK // the owner already holds this non-reentrant lock
	ErrOverflow   Status = C.WEFT_OVERFLOW // a count would pass its bound; nothing changed
	ErrBusy       Status = C.WEFT_BUSY
	ErrInvalid    Status = C.WEFT_INVALID // out-of-range argument, or a closed object
	ErrSystem     Status = C.WEFT_SYSTEM
	ErrInternal   Status = C.WEFT_INTERNAL
)

func (s Status) Error() string {
	return "weft: " + C.GoString(C.weft_status_str(C.weft_status(s)))
}

// check turns a weft status into nil or a Status error.
func check(st C.weft_status) error {
	if st == C.WEFT_OK {
		return nil
	}
	return Status(st)
}

// fatal ends the process as the Go runtime does for sync.Mutex misuse ("fatal error:
// sync: unlock of unlocked mutex"): not a panic, so no recover can hide the bug.
func fatal(msg string) {
	fmt.Fprintf(os.Stderr, "fatal error: weft: %s\n\n%s", msg, debug.Stack())
	os.Exit(2)
}

// mustOK is for calls that cannot fail on a live handle with valid arguments.
func mustOK(st C.weft_status, what string) {
	if st != C.WEFT_OK {
		panic(fmt.Sprintf("weft: %s: %v", what, Status(st)))
	}
}
