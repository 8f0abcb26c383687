package weft

import (
	"context"
	"testing"
	"time"
)

func TestCountdownWaitsForZero(t *testing.T) {
	c := NewCountdown(3)
	defer c.Close()
	done := make(chan struct{})
	go func() { c.Wait(); close(done) }()
	for i := 0; i < 3; i++ {
		select {
		case <-done:
			t.Fatalf("Wait returned at count %d", c.Value())
		default:
		}
		if err := c.Down(); err != nil {
			t.Fatal(err)
		}
	}
	<-done
	if err := c.Down(); err != ErrOverflow {
		t.Fatalf("Down at zero = %v", err)
	}
	if err := c.Up(2); err != nil || c.Value() != 2 || c.TryWait() {
		t.Fatalf("Up(2): %v, value %d", err, c.Value())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel()
	if err := c.WaitContext(ctx); err != context.DeadlineExceeded {
		t.Fatalf("WaitContext = %v", err)
	}
	c.Clear()
	if !c.TryWait() {
		t.Fatal("Clear did not reach zero")
	}
}
