package weft

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
)

func TestCapacityLimiter(t *testing.T) {
	l := NewCapacityLimiter(2)
	defer l.Close()
	a, b, c := NewOwner(), NewOwner(), NewOwner()
	if !l.TryAcquire(a) || !l.TryAcquire(b) {
		t.Fatal("two tokens were not there")
	}
	if l.TryAcquire(c) {
		t.Fatal("a third token appeared")
	}
	if err := l.Acquire(a); err != ErrDeadlock {
		t.Fatalf("an owner acquiring twice = %v, want ErrDeadlock", err)
	}
	if err := l.Release(c); err != ErrNotOwner {
		t.Fatalf("release by a non-holder = %v", err)
	}
	got := make(chan error)
	go func() { got <- l.Acquire(c) }()
	eventually(t, "c waits", func() bool { _, _, w := l.Counts(); return w == 1 })
	if err := l.Release(a); err != nil {
		t.Fatal(err)
	}
	if err := <-got; err != nil {
		t.Fatal(err)
	}
	if total, borrowed, waiting := l.Counts(); total != 2 || borrowed != 2 || waiting != 0 {
		t.Fatalf("Counts = %d, %d, %d", total, borrowed, waiting)
	}
	_ = l.Release(b)
	_ = l.Release(c)
}

// Cancellations racing releases leave every token free at the end.
func TestCapacityLimiterCancelRace(t *testing.T) {
	l := NewCapacityLimiter(2)
	defer l.Close()
	var holders int64
	var wg sync.WaitGroup
	for g := 0; g < 6; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			owner := NewOwner()
			for i := 0; i < scale(2000); i++ {
				ctx, cancel := context.WithCancel(context.Background())
				if i%2 == 0 {
					go cancel()
				}
				if err := l.AcquireContext(ctx, owner); err == nil {
					if atomic.AddInt64(&holders, 1) > 2 {
						t.Error("more holders than tokens")
					}
					atomic.AddInt64(&holders, -1)
					if err := l.Release(owner); err != nil {
						t.Error(err)
					}
				}
				cancel()
			}
		}()
	}
	wg.Wait()
	if _, borrowed, waiting := l.Counts(); borrowed != 0 || waiting != 0 {
		t.Fatalf("borrowed %d, waiting %d at the end", borrowed, waiting)
	}
}
