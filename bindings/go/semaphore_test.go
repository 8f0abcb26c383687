package weft

import (
	"context"
	"math/rand"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestSemaphoreCounts(t *testing.T) {
	s, err := NewSemaphore(2, 3)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !s.TryAcquire() || !s.TryAcquire() {
		t.Fatal("two permits were not there")
	}
	if s.TryAcquire() {
		t.Fatal("a third permit appeared")
	}
	if s.Value() != 0 {
		t.Fatalf("Value = %d, want 0", s.Value())
	}
	if err := s.Release(3); err != nil {
		t.Fatal(err)
	}
	if err := s.Release(1); err != ErrOverflow {
		t.Fatalf("Release past max = %v, want ErrOverflow", err)
	}
	if err := s.Release(0); err != ErrInvalid {
		t.Fatalf("Release(0) = %v, want ErrInvalid", err)
	}
	if _, err := NewSemaphore(-1, -1); err != ErrInvalid {
		t.Fatalf("NewSemaphore(-1) = %v, want ErrInvalid", err)
	}
}

// Acquire waits; Release from another goroutine hands the permit to the first waiter.
func TestSemaphoreAcquireWaitsForRelease(t *testing.T) {
	s, _ := NewSemaphore(0, -1)
	defer s.Close()
	got := make(chan struct{})
	go func() { s.Acquire(); close(got) }()
	eventually(t, "the acquirer waits", func() bool { return s.Waiting() == 1 })
	if err := s.Release(1); err != nil {
		t.Fatal(err)
	}
	<-got
	if s.Value() != 0 {
		t.Fatalf("Value = %d after the handoff, want 0", s.Value())
	}
}

// Cancellations racing releases: permits balance (Value returns to its start), no more
// holders than permits at any moment, and every success is counted once.
func TestSemaphoreAcquireContextCancelRace(t *testing.T) {
	const permits = 3
	s, _ := NewSemaphore(permits, permits)
	defer s.Close()
	const goroutines = 8
	rounds := scale(3000)
	var holders, ok, cancelled int64
	var wg sync.WaitGroup
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func(seed int64) {
			defer wg.Done()
			r := rand.New(rand.NewSource(seed))
			for i := 0; i < rounds; i++ {
				ctx, cancel := context.WithCancel(context.Background())
				time.AfterFunc(time.Duration(r.Intn(30))*time.Microsecond, cancel)
				if err := s.AcquireContext(ctx); err != nil {
					atomic.AddInt64(&cancelled, 1)
					cancel()
					continue
				}
				if atomic.AddInt64(&holders, 1) > permits {
					t.Error("more holders than permits")
				}
				atomic.AddInt64(&ok, 1)
				if r.Intn(4) == 0 {
					time.Sleep(time.Duration(r.Intn(20)) * time.Microsecond) // let waiters queue
				}
				atomic.AddInt64(&holders, -1)
				if err := s.Release(1); err != nil {
					t.Error(err)
				}
				cancel()
			}
		}(int64(g))
	}
	wg.Wait()
	if ok+cancelled != goroutines*int64(rounds) {
		t.Fatalf("ok %d + cancelled %d != %d", ok, cancelled, goroutines*rounds)
	}
	if s.Value() != permits || s.Waiting() != 0 {
		t.Fatalf("Value %d, Waiting %d at the end, want %d, 0", s.Value(), s.Waiting(), permits)
	}
	t.Logf("acquired %d, cancelled %d; grants given back so far in this process: %d",
		ok, cancelled, atomic.LoadUint64(&grantsGivenBack))
}
