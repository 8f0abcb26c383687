package weft

import (
	"context"
	"math/rand"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var _ sync.Locker = (*Mutex)(nil)

// A plain int guarded by the lock: wrong totals, or the race detector, catch a broken
// exclusion or a missing happens-before edge.
func TestMutexHammer(t *testing.T) {
	m := NewMutex()
	defer m.Close()
	const goroutines = 8
	iterations := scale(20000)
	counter := 0
	var wg sync.WaitGroup
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < iterations; i++ {
				m.Lock()
				counter++
				m.Unlock()
			}
		}()
	}
	wg.Wait()
	if counter != goroutines*iterations {
		t.Fatalf("counter = %d, want %d", counter, goroutines*iterations)
	}
}

func TestMutexTryLock(t *testing.T) {
	m := NewMutex()
	defer m.Close()
	if !m.TryLock() {
		t.Fatal("TryLock of a free mutex failed")
	}
	if m.TryLock() {
		t.Fatal("TryLock of a held mutex succeeded")
	}
	m.Unlock()
	if !m.TryLock() {
		t.Fatal("TryLock after Unlock failed")
	}
	m.Unlock()
}

// As with sync.Mutex, a mutex is not tied to a goroutine.
func TestMutexUnlockFromAnotherGoroutine(t *testing.T) {
	m := NewMutex()
	defer m.Close()
	m.Lock()
	locked := make(chan struct{})
	go func() {
		m.Lock() // waits until the other goroutine unlocks
		close(locked)
	}()
	eventually(t, "the second Lock waits", func() bool { return m.Waiting() == 1 })
	done := make(chan struct{})
	go func() { m.Unlock(); close(done) }()
	<-done
	<-locked
	go m.Unlock()
	m.Lock()
	m.Unlock()
}

// A goroutine that waits is not overtaken by a greedy holder that unlocks and locks
// again at once: weft hands the lock to the first in line (sync.Mutex promises the
// same only after 1 ms, in its starvation mode).
func TestMutexFairnessGreedyHolder(t *testing.T) {
	m := NewMutex()
	defer m.Close()
	m.Lock()
	var waiterHad atomic.Bool
	go func() {
		m.Lock()
		waiterHad.Store(true)
		m.Unlock()
	}()
	eventually(t, "the waiter is in line", func() bool { return m.Waiting() == 1 })
	for i := 0; i < 100; i++ {
		m.Unlock()
		m.Lock()
		if !waiterHad.Load() {
			t.Fatalf("round %d: the greedy holder took the lock again before the waiter", i)
		}
	}
	m.Unlock()
}

func TestMutexLockContextTimesOutWithoutLock(t *testing.T) {
	m := NewMutex()
	defer m.Close()
	m.Lock()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if err := m.LockContext(ctx); err != context.DeadlineExceeded {
		t.Fatalf("LockContext = %v, want DeadlineExceeded", err)
	}
	if m.Waiting() != 0 {
		t.Fatalf("%d still waiting after the cancel", m.Waiting())
	}
	m.Unlock()
	if !m.TryLock() {
		t.Fatal("the cancelled waiter left the lock held")
	}
	m.Unlock()
}

// Cancellations racing grants: every LockContext that returned nil entered the critical
// section exactly once, nothing else did, and at the end the lock is free (a grant
// that won a race with its cancel was released, not leaked).
func TestMutexLockContextCancelRace(t *testing.T) {
	m := NewMutex()
	defer m.Close()
	const goroutines = 8
	rounds := scale(3000)
	var entered, succeeded, cancelled int64
	inside := int32(0)
	var wg sync.WaitGroup
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func(seed int64) {
			defer wg.Done()
			r := rand.New(rand.NewSource(seed))
			for i := 0; i < rounds; i++ {
				ctx, cancel := context.WithCancel(context.Background())
				if r.Intn(2) == 0 {
					go cancel()
				} else {
					time.AfterFunc(time.Duration(r.Intn(50))*time.Microsecond, cancel)
				}
				if err := m.LockContext(ctx); err != nil {
					if err != context.Canceled {
						t.Errorf("LockContext = %v", err)
					}
					atomic.AddInt64(&cancelled, 1)
					cancel()
					continue
				}
				atomic.AddInt64(&succeeded, 1)
				if atomic.AddInt32(&inside, 1) != 1 {
					t.Error("two holders at once")
				}
				atomic.AddInt64(&entered, 1)
				if r.Intn(4) == 0 {
					time.Sleep(time.Duration(r.Intn(20)) * time.Microsecond) // let waiters queue
				}
				atomic.AddInt32(&inside, -1)
				m.Unlock()
				cancel()
			}
		}(int64(g))
	}
	wg.Wait()
	if entered != succeeded || succeeded+cancelled != goroutines*int64(rounds) {
		t.Fatalf("entered %d, succeeded %d, cancelled %d", entered, succeeded, cancelled)
	}
	t.Logf("entered %d, cancelled %d; grants given back so far in this process: %d",
		entered, cancelled, atomic.LoadUint64(&grantsGivenBack))
	if m.Waiting() != 0 || !m.TryLock() {
		t.Fatal("the lock was left held or waited on")
	}
	m.Unlock()
}

// The standard library's sync.Cond works over a weft Mutex (it is a sync.Locker).
func TestMutexUnderSyncCond(t *testing.T) {
	m := NewMutex()
	defer m.Close()
	c := sync.NewCond(m)
	ready := false
	done := make(chan struct{})
	go func() {
		m.Lock()
		for !ready {
			c.Wait()
		}
		m.Unlock()
		close(done)
	}()
	m.Lock()
	ready = true
	c.Broadcast()
	m.Unlock()
	<-done
}

// Unlock of an unlocked Mutex ends the process, as for sync.Mutex: run in a child.
func TestMutexUnlockOfUnlockedIsFatal(t *testing.T) {
	if os.Getenv("WEFT_GO_UNLOCK_UNLOCKED") == "1" {
		NewMutex().Unlock()
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestMutexUnlockOfUnlockedIsFatal$")
	cmd.Env = append(os.Environ(), "WEFT_GO_UNLOCK_UNLOCKED=1")
	out, err := cmd.CombinedOutput()
	if exit, ok := err.(*exec.ExitError); !ok || exit.ExitCode() != 2 {
		t.Fatalf("child ended with %v, want exit status 2; output:\n%s", err, out)
	}
	if !strings.Contains(string(out), "fatal error: weft: unlock of unlocked mutex") {
		t.Fatalf("child output lacks the fatal error:\n%s", out)
	}
}

func TestMutexUseAfterClosePanics(t *testing.T) {
	m := NewMutex()
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatal("a second Close failed:", err)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("Lock after Close did not panic")
		}
	}()
	m.Lock()
}
