package weft

// #include "shim.h"
import "C"

import (
	"runtime"
	"runtime/cgo"
	"sync"
	"unsafe"
)

// Flag is a weft flag (weft_flag): a first-writer-wins slot. Set stores a Go value if
// the flag is empty; of racing setters exactly one wins. It never waits, so it has no
// blocking or Context face.
//
// A Go value travels through C as a cgo.Handle (an opaque number to C). The handles this
// process made for a flag are tracked per flag and released when Clear removes their
// value or the last Go wrapper of the flag closes. A value C code stored is not one of
// them: Get returns it as the unsafe.Pointer it is.
type Flag struct {
	ref ref[C.weft_flag]
}

// flagValues tracks, per flag, the Go wrappers open on it and the handles made for it.
var flagValues = struct {
	sync.Mutex
	byFlag map[*C.weft_flag]*flagState
}{byFlag: map[*C.weft_flag]*flagState{}}

type flagState struct {
	wrappers int
	handles  []cgo.Handle
}

// NewFlag creates an empty flag.
func NewFlag() *Flag {
	var p *C.weft_flag
	mustOK(C.weft_flag_new(&p), "weft_flag_new")
	return adoptFlag(p)
}

// FlagFromHandle wraps a weft_flag created elsewhere, adding a reference.
func FlagFromHandle(h unsafe.Pointer) *Flag {
	p := (*C.weft_flag)(h)
	mustOK(C.weft_flag_clone(p), "weft_flag_clone")
	return adoptFlag(p)
}

func adoptFlag(p *C.weft_flag) *Flag {
	flagValues.Lock()
	s := flagValues.byFlag[p]
	if s == nil {
		s = &flagState{}
		flagValues.byFlag[p] = s
	}
	s.wrappers++
	flagValues.Unlock()
	f := &Flag{}
	f.ref.p.Store(p)
	runtime.SetFinalizer(f, (*Flag).Close)
	return f
}

// Handle returns the weft_flag pointer (see Mutex.Handle).
func (f *Flag) Handle() unsafe.Pointer { return f.ref.handle() }

// Close drops this Flag's reference; the last Go wrapper releases the value handles.
// Idempotent.
func (f *Flag) Close() error {
	return f.ref.close(func(p *C.weft_flag) error {
		flagValues.Lock()
		defer flagValues.Unlock()
		if s := flagValues.byFlag[p]; s != nil {
			if s.wrappers--; s.wrappers == 0 {
				for _, h := range s.handles {
					h.Delete()
				}
				delete(flagValues.byFlag, p)
			}
		}
		return check(C.weft_flag_free(p))
	})
}

func (f *Flag) ptr() *C.weft_flag { return f.ref.get("Flag") }

// Set stores v if the flag is empty and reports whether this call won.
func (f *Flag) Set(v any) bool {
	p := f.ptr()
	h := cgo.NewHandle(v)
	var won C.bool
	flagValues.Lock()
	mustOK(C.weftgo_flag_set(p, C.uintptr_t(h), &won), "weft_flag_set")
	if won {
		s := flagValues.byFlag[p]
		s.handles = append(s.handles, h)
	}
	flagValues.Unlock()
	runtime.KeepAlive(f)
	if !won {
		h.Delete()
	}
	return bool(won)
}

// Get returns the stored value and true, or nil and false if the flag is empty. A value
// that C code stored (a flag adopted with FlagFromHandle) comes back as the
// unsafe.Pointer C stored.
func (f *Flag) Get() (any, bool) {
	p := f.ptr()
	var set C.bool
	var h C.uintptr_t
	flagValues.Lock()
	defer flagValues.Unlock()
	mustOK(C.weftgo_flag_get(p, &set, &h), "weft_flag_get")
	runtime.KeepAlive(f)
	if !set {
		return nil, false
	}
	for _, ours := range flagValues.byFlag[p].handles {
		if uintptr(ours) == uintptr(h) {
			return ours.Value(), true
		}
	}
	return asPointer(uintptr(h)), true
}

// Clear empties the flag and reports whether it held a value.
func (f *Flag) Clear() bool {
	p := f.ptr()
	var was C.bool
	flagValues.Lock()
	defer flagValues.Unlock()
	mustOK(C.weft_flag_clear(p, &was), "weft_flag_clear")
	runtime.KeepAlive(f)
	if s := flagValues.byFlag[p]; s != nil {
		for _, h := range s.handles {
			h.Delete()
		}
		s.handles = s.handles[:0]
	}
	return bool(was)
}
