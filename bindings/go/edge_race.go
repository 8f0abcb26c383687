//go:build race

package weft

import "sync/atomic"

// edge tells the race detector about a happens-before edge that weft's C code provides
// (a release before the grant it causes) but that the detector cannot see through cgo:
// publish before the C call that releases, observe after the C call that was granted.
// Without the race detector both are empty (edge_norace.go).
type edge struct{ n uint32 }

func (e *edge) publish() { atomic.AddUint32(&e.n, 1) }
func (e *edge) observe() { atomic.LoadUint32(&e.n) }

// raceEnabled lets tests scale down under the race detector (which allows at most 8128
// live goroutines).
const raceEnabled = true
