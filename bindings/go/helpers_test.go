package weft

import (
	"runtime"
	"testing"
	"time"
)

// scale cuts loop counts under the race detector (about ten times slower, and capped
// at 8128 live goroutines).
func scale(n int) int {
	if raceEnabled {
		return n / 10
	}
	return n
}

// eventually polls cond until it holds; it fails the test after a generous deadline
// (the deadline is a hang detector, not a timing assertion).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting until %s", what)
		}
		runtime.Gosched()
		time.Sleep(time.Millisecond)
	}
}
