package weft

import (
	"context"
	"sync"
	"testing"
	"time"
)

func TestEventSetWakesEveryWaiter(t *testing.T) {
	e := NewEvent()
	defer e.Close()
	if e.TryWait() || e.IsSet() {
		t.Fatal("a new event is set")
	}
	const n = 10
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); e.Wait() }()
	}
	eventually(t, "all wait", func() bool { return e.Waiting() == n })
	if woken := e.Set(); woken != n {
		t.Fatalf("Set woke %d, want %d", woken, n)
	}
	wg.Wait()
	if !e.TryWait() {
		t.Fatal("TryWait of a set event failed")
	}
	if err := e.Clear(); err != nil {
		t.Fatal(err)
	}
	if e.IsSet() {
		t.Fatal("cleared event is set")
	}
}

func TestEventWaitContext(t *testing.T) {
	e := NewEvent()
	defer e.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel()
	if err := e.WaitContext(ctx); err != context.DeadlineExceeded {
		t.Fatalf("WaitContext = %v", err)
	}
	if e.Waiting() != 0 {
		t.Fatal("the cancelled waiter is still in line")
	}
}
