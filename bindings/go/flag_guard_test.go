package weft

import (
	"sync"
	"sync/atomic"
	"testing"
)

func TestFlagFirstWriterWins(t *testing.T) {
	f := NewFlag()
	defer f.Close()
	if _, ok := f.Get(); ok {
		t.Fatal("a new flag holds a value")
	}
	var wins int32
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if f.Set(i) {
				atomic.AddInt32(&wins, 1)
			}
		}(i)
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d setters won", wins)
	}
	if v, ok := f.Get(); !ok || v.(int) < 0 || v.(int) >= 16 {
		t.Fatalf("Get = %v, %v", v, ok)
	}
	other := FlagFromHandle(f.Handle())
	if v, ok := other.Get(); !ok || v == nil {
		t.Fatal("a second wrapper does not see the value")
	}
	other.Close()
	if !f.Clear() || f.Clear() {
		t.Fatal("Clear did not report the value once")
	}
	if !f.Set("again") {
		t.Fatal("Set after Clear lost")
	}
}

func TestGuard(t *testing.T) {
	g := NewGuard()
	defer g.Close()
	if !g.TryEnter() || g.TryEnter() || !g.InUse() {
		t.Fatal("enter / busy / in use")
	}
	if err := g.Exit(); err != nil {
		t.Fatal(err)
	}
	if err := g.Exit(); err != ErrNotLocked {
		t.Fatalf("Exit of a free guard = %v", err)
	}
}
