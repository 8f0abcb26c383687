package weft

import (
	"context"
	"testing"
	"time"
)

func TestRLockReentrancyByOwner(t *testing.T) {
	l := NewRLock()
	defer l.Close()
	a, b := NewOwner(), NewOwner()
	l.Lock(a)
	l.Lock(a)
	if l.Count(a) != 2 {
		t.Fatalf("Count = %d", l.Count(a))
	}
	if l.TryLock(b) {
		t.Fatal("another owner took a held lock")
	}
	if err := l.Unlock(b); err != ErrNotOwner {
		t.Fatalf("Unlock by a non-owner = %v", err)
	}
	got := make(chan struct{})
	go func() { l.Lock(b); close(got) }()
	if err := l.Unlock(a); err != nil {
		t.Fatal(err)
	}
	select {
	case <-got:
		t.Fatal("b got the lock while a still held a level")
	case <-time.After(time.Millisecond):
	}
	if err := l.Unlock(a); err != nil {
		t.Fatal(err)
	}
	<-got
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel()
	if err := l.LockContext(ctx, a); err != context.DeadlineExceeded {
		t.Fatalf("LockContext = %v", err)
	}
	if err := l.Unlock(b); err != nil {
		t.Fatal(err)
	}
}
