package weft

// #include "shim.h"
import "C"

import (
	"reflect"
	"sync"
	"unsafe"
)

// valueTable holds the Go values inside one typed queue. A put stores its value in a
// free slot and sends the slot's number plus one (never 0) through weft as the item;
// the get that takes the item out empties the slot. cgo.Handle would do the same
// through one process-wide sync.Map, boxing every value in an interface (an allocation
// per put); a slice and a free list under a mutex cost a fraction of that, and the
// values stay typed.
//
// A T that fits in an item and holds no pointer (an int, a small struct of numbers)
// needs no slot: the item is the value itself, and the table is never locked.
type valueTable[T any] struct {
	direct bool
	mu     sync.Mutex
	slots  []T
	free   []uintptr
}

func newValueTable[T any]() *valueTable[T] {
	typ := reflect.TypeOf((*T)(nil)).Elem()
	return &valueTable[T]{direct: typ.Size() <= unsafe.Sizeof(uintptr(0)) && pointerFree(typ)}
}

// pointerFree reports whether values of typ hold no pointer the garbage collector must
// see (so that they may travel through C as plain bits).
func pointerFree(typ reflect.Type) bool {
	switch typ.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64:
		return true
	case reflect.Array:
		return typ.Len() == 0 || pointerFree(typ.Elem())
	case reflect.Struct:
		for i := 0; i < typ.NumField(); i++ {
			if !pointerFree(typ.Field(i).Type) {
				return false
			}
		}
		return true
	default:
		return false
	}
}

func (t *valueTable[T]) add(v T) uintptr {
	if t.direct {
		var item uintptr
		*(*T)(unsafe.Pointer(&item)) = v
		return item
	}
	t.mu.Lock()
	var i uintptr
	if n := len(t.free); n > 0 {
		i = t.free[n-1]
		t.free = t.free[:n-1]
		t.slots[i] = v
	} else {
		i = uintptr(len(t.slots))
		t.slots = append(t.slots, v)
	}
	t.mu.Unlock()
	return i + 1
}

// take empties the item's slot and returns its value.
func (t *valueTable[T]) take(item uintptr) T {
	if t.direct {
		return *(*T)(unsafe.Pointer(&item))
	}
	var zero T
	i := item - 1
	t.mu.Lock()
	v := t.slots[i]
	t.slots[i] = zero // the table must not keep the value alive
	t.free = append(t.free, i)
	t.mu.Unlock()
	return v
}

func (t *valueTable[T]) drop(item uintptr) { t.take(item) }

// The tables of the typed queues open in Go, by id (the ctx weft passes to the item
// destructor) and by weft queue (for QueueFromHandle), with the number of Go wrappers
// open on each: the last wrapper's Close forgets the table.
type dropper interface{ drop(item uintptr) }

type tableEntry struct {
	table    dropper
	id       uintptr
	wrappers int
}

var tables = struct {
	sync.Mutex
	byID    map[uintptr]*tableEntry
	byQueue map[*C.weft_queue]*tableEntry
	lastID  uintptr
}{byID: map[uintptr]*tableEntry{}, byQueue: map[*C.weft_queue]*tableEntry{}}

// newTypedWeftQueue creates a weft queue with a fresh table for T; weft's destructor
// parks what the queue discards, with the table's id, for releaseDiscarded.
func newTypedWeftQueue[T any](kind QueueKind, capacity int) (*C.weft_queue, *valueTable[T]) {
	t := newValueTable[T]()
	tables.Lock()
	defer tables.Unlock()
	tables.lastID++
	e := &tableEntry{table: t, id: tables.lastID, wrappers: 1}
	var p *C.weft_queue
	mustOK(C.weftgo_queue_new_discarding(C.uint32_t(kind), capacityArg(capacity), C.uintptr_t(e.id), &p), "weft_queue_new")
	tables.byID[e.id] = e
	tables.byQueue[p] = e
	return p, t
}

// adoptTable finds the table of a typed queue of T that Go created, for another
// wrapper of it.
func adoptTable[T any](p *C.weft_queue) *valueTable[T] {
	tables.Lock()
	defer tables.Unlock()
	e := tables.byQueue[p]
	t, ok := e.tableOf().(*valueTable[T])
	if !ok {
		panic("weft: QueueFromHandle: not a typed queue of this element type created by this process")
	}
	e.wrappers++
	return t
}

func (e *tableEntry) tableOf() dropper {
	if e == nil {
		return nil
	}
	return e.table
}

// closeTable is called when a Go wrapper has dropped its reference to p: the values
// weft discarded are released, and the last wrapper forgets the table (what is still
// inside, if C holds the queue on, is unreachable from Go from then on).
func closeTable(p *C.weft_queue) {
	releaseDiscarded()
	tables.Lock()
	defer tables.Unlock()
	if e := tables.byQueue[p]; e != nil {
		if e.wrappers--; e.wrappers == 0 {
			delete(tables.byQueue, p)
			delete(tables.byID, e.id)
		}
	}
}

// releaseDiscarded empties the slots of the values weft discarded (see typedQueue).
func releaseDiscarded() {
	var buf [64]C.weftgo_discarded
	for {
		n := int(C.weftgo_discarded_take(&buf[0], C.size_t(len(buf))))
		tables.Lock()
		for _, d := range buf[:n] {
			if e := tables.byID[uintptr(d.ctx)]; e != nil {
				e.table.drop(uintptr(d.item))
			}
		}
		tables.Unlock()
		if n < len(buf) {
			return
		}
	}
}
