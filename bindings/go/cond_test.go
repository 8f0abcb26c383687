package weft

import (
	"context"
	"sync"
	"testing"
	"time"
)

// The checks of Go's own sync/cond_test.go, on weft's Cond.

func TestCondSignal(t *testing.T) {
	m := NewMutex()
	c := NewCond(m)
	defer c.Close()
	defer m.Close()
	n := 5
	running := make(chan bool, n)
	awake := make(chan bool, n)
	var exited sync.WaitGroup
	defer exited.Wait() // before the deferred Closes
	for i := 0; i < n; i++ {
		exited.Add(1)
		go func() {
			defer exited.Done()
			m.Lock()
			running <- true
			c.Wait()
			awake <- true
			m.Unlock()
		}()
	}
	for i := 0; i < n; i++ {
		<-running // Wait for everyone to run.
	}
	for n > 0 {
		select {
		case <-awake:
			t.Fatal("goroutine not asleep")
		default:
		}
		m.Lock()
		c.Signal()
		m.Unlock()
		<-awake // Will deadlock if no goroutine wakes up
		select {
		case <-awake:
			t.Fatal("too many goroutines awake")
		default:
		}
		n--
	}
	c.Signal()
}

// Waiters wake in the order they waited (sync.Cond checks the same).
func TestCondSignalGenerations(t *testing.T) {
	m := NewMutex()
	c := NewCond(m)
	defer c.Close()
	defer m.Close()
	const n = 100
	running := make(chan bool, n)
	awake := make(chan int, n)
	var exited sync.WaitGroup
	defer exited.Wait()
	for i := 0; i < n; i++ {
		exited.Add(1)
		go func(i int) {
			defer exited.Done()
			m.Lock()
			running <- true
			c.Wait()
			awake <- i
			m.Unlock()
		}(i)
		if i > 0 {
			a := <-awake
			if a != i-1 {
				t.Fatalf("wrong goroutine woke up: want %d, got %d", i-1, a)
			}
		}
		<-running
		m.Lock()
		c.Signal()
		m.Unlock()
	}
}

func TestCondBroadcast(t *testing.T) {
	m := NewMutex()
	c := NewCond(m)
	defer c.Close()
	defer m.Close()
	const n = 200
	running := make(chan int, n)
	awake := make(chan int, n)
	exit := false
	var exited sync.WaitGroup
	defer exited.Wait()
	for i := 0; i < n; i++ {
		exited.Add(1)
		go func(g int) {
			defer exited.Done()
			m.Lock()
			for !exit {
				running <- g
				c.Wait()
				awake <- g
			}
			m.Unlock()
		}(i)
	}
	for i := 0; i < n; i++ {
		for i := 0; i < n; i++ {
			<-running // Will deadlock unless n are running.
		}
		if i == n-1 {
			m.Lock()
			exit = true
			m.Unlock()
		}
		select {
		case <-awake:
			t.Fatal("goroutine not asleep")
		default:
		}
		m.Lock()
		c.Broadcast()
		m.Unlock()
		seen := make([]bool, n)
		for i := 0; i < n; i++ {
			g := <-awake
			if seen[g] {
				t.Fatal("goroutine woke up twice")
			}
			seen[g] = true
		}
	}
	select {
	case <-running:
		t.Fatal("goroutine did not exit")
	default:
	}
	c.Broadcast()
}

// A Broadcast is not stolen by a Wait that starts after it (Go's TestCondSignalStealing,
// without its timeout: a lost wakeup hangs here until the test binary's timeout).
func TestCondSignalStealing(t *testing.T) {
	for iters := 0; iters < scale(1000); iters++ {
		m := NewMutex()
		cond := NewCond(m)
		ch := make(chan struct{})
		go func() {
			m.Lock()
			ch <- struct{}{}
			cond.Wait()
			m.Unlock()
			ch <- struct{}{}
		}()
		<-ch
		m.Lock()
		m.Unlock()
		done := false
		var exited sync.WaitGroup
		exited.Add(2)
		go func() { defer exited.Done(); cond.Broadcast() }()
		go func() {
			defer exited.Done()
			m.Lock()
			for !done {
				cond.Wait()
			}
			m.Unlock()
		}()
		<-ch // the first waiter gets the broadcast
		m.Lock()
		done = true
		m.Unlock()
		cond.Broadcast()
		exited.Wait()
		cond.Close()
		m.Close()
	}
}

// WaitContext returns ctx.Err() holding the lock, and leaves nobody waiting.
func TestCondWaitContextReturnsHoldingTheLock(t *testing.T) {
	m := NewMutex()
	c := NewCond(m)
	defer c.Close()
	defer m.Close()
	m.Lock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel()
	if err := c.WaitContext(ctx); err != context.DeadlineExceeded {
		t.Fatalf("WaitContext = %v, want DeadlineExceeded", err)
	}
	if m.TryLock() {
		t.Fatal("WaitContext returned without the lock")
	}
	if c.Waiting() != 0 {
		t.Fatalf("%d still waiting", c.Waiting())
	}
	m.Unlock()
}

// Issue 18's rule, seen from Go: a Signal that picked a waiter whose WaitContext was
// being cancelled is not lost. Either that waiter returns nil (notified, and the waiter
// behind it is still waiting), or it returns ctx.Err() and the waiter behind it wakes.
func TestCondCancelledWaiterPassesTheNotificationOn(t *testing.T) {
	m := NewMutex()
	c := NewCond(m)
	defer c.Close()
	defer m.Close()
	var notified, passedOn int
	for round := 0; round < scale(2000); round++ {
		ctx, cancel := context.WithCancel(context.Background())
		first := make(chan error, 1)
		go func() {
			m.Lock()
			err := c.WaitContext(ctx)
			m.Unlock()
			first <- err
		}()
		eventually(t, "the first waiter waits", func() bool { return c.Waiting() == 1 })
		second := make(chan struct{})
		go func() {
			m.Lock()
			c.Wait()
			m.Unlock()
			close(second)
		}()
		eventually(t, "the second waiter waits", func() bool { return c.Waiting() == 2 })
		var wg sync.WaitGroup
		wg.Add(2)
		go func() { defer wg.Done(); c.Signal() }()
		go func() { defer wg.Done(); cancel() }()
		wg.Wait()
		if err := <-first; err == nil {
			notified++
			m.Lock()
			if n := c.Waiting(); n != 1 {
				t.Fatalf("round %d: the first waiter was notified but %d wait", round, n)
			}
			c.Signal()
			m.Unlock()
		} else {
			passedOn++
		}
		select {
		case <-second:
		case <-time.After(30 * time.Second): // a hang detector, not a timing check
			t.Fatalf("round %d: the second waiter never woke: a notification was lost (issue 18)", round)
		}
	}
	t.Logf("notified %d, passed on %d", notified, passedOn)
}

// A context that has already ended: WaitContext returns at once, still holding the lock,
// and the lock works on (the wait never began, so nothing was released or re-taken).
func TestCondWaitContextAlreadyDone(t *testing.T) {
	m := NewMutex()
	c := NewCond(m)
	defer c.Close()
	defer m.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	m.Lock()
	if err := c.WaitContext(ctx); err != context.Canceled {
		t.Fatalf("WaitContext = %v", err)
	}
	if m.TryLock() {
		t.Fatal("the lock was not held after WaitContext")
	}
	m.Unlock()
	if !m.TryLock() {
		t.Fatal("the lock is stuck after WaitContext")
	}
	m.Unlock()
}
