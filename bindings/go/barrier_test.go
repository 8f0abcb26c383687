package weft

import (
	"context"
	"runtime"
	"sync"
	"testing"
)

// Each phase lets its parties through with the indices 0..parties-1, once each.
func TestBarrierPhases(t *testing.T) {
	const parties = 4
	b := NewBarrier(parties)
	defer b.Close()
	for phase := 0; phase < 3; phase++ {
		indices := make(chan int, parties)
		var wg sync.WaitGroup
		for i := 0; i < parties; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				index, err := b.Wait()
				if err != nil {
					t.Error(err)
				}
				indices <- index
			}()
		}
		wg.Wait()
		close(indices)
		seen := map[int]bool{}
		for index := range indices {
			if index < 0 || index >= parties || seen[index] {
				t.Fatalf("phase %d: index %d out of range or twice", phase, index)
			}
			seen[index] = true
		}
	}
}

// A cancelled arrival breaks the barrier for the others (weft's rule; see Barrier);
// Reset repairs it.
func TestBarrierCancelBreaksAndResetRepairs(t *testing.T) {
	b := NewBarrier(3)
	defer b.Close()
	other := make(chan error)
	go func() { _, err := b.Wait(); other <- err }()
	eventually(t, "one arrival waits", func() bool { return b.Waiting() == 1 })
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for b.Waiting() != 2 {
			runtime.Gosched()
		}
		cancel()
	}()
	if _, err := b.WaitContext(ctx); err != context.Canceled {
		t.Fatalf("WaitContext = %v", err)
	}
	if err := <-other; err != ErrBroken {
		t.Fatalf("the other arrival got %v, want ErrBroken", err)
	}
	if !b.IsBroken() {
		t.Fatal("not broken")
	}
	if err := b.Reset(); err != nil {
		t.Fatal(err)
	}
	if b.IsBroken() {
		t.Fatal("still broken after Reset")
	}
	b.Abort()
	if _, err := b.Wait(); err != ErrBroken {
		t.Fatalf("Wait after Abort = %v", err)
	}
}
