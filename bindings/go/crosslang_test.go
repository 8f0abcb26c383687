package weft

import (
	"sync"
	"testing"
	"unsafe"

	"weft/internal/cthread"
)

// A C thread (weft_lock_acquire as a thread) and goroutines (async waits through the
// pumps) share one lock and one counter in C memory: no increment is lost.
func TestCrossLanguageLock(t *testing.T) {
	m := NewMutex()
	defer m.Close()
	counter := cthread.NewCounter()
	defer counter.Free()
	const goroutines = 4
	iterations := int64(scale(20000))
	c := cthread.LockLoop(m.Handle(), iterations, counter)
	var wg sync.WaitGroup
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int64(0); i < iterations; i++ {
				m.Lock()
				counter.Add(1)
				m.Unlock()
			}
		}()
	}
	wg.Wait()
	if c.Join() != 0 {
		t.Fatal("a weft call failed in the C thread")
	}
	if got, want := counter.Value(), (goroutines+1)*iterations; got != want {
		t.Fatalf("counter = %d, want %d", got, want)
	}
}

// One bounded queue of C pointers, both ways at once: a C thread produces for
// goroutines and goroutines produce for a C thread; each side gets every item once.
func TestCrossLanguageQueue(t *testing.T) {
	q, err := NewPtrQueue(FIFO, 8)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	n := scale(20000)
	fromC, fromGo := cthread.NewItems(n), cthread.NewItems(n)
	defer fromC.Free()
	defer fromGo.Free()
	sum := func(k int) int64 { return int64(k) * int64(k+1) / 2 }

	// First C → Go, then Go → C, each with its own count of items in flight, so every
	// item reaches the other language.
	producer := cthread.Produce(q.Handle(), fromC)
	var got int64
	var mu sync.Mutex
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(share int) {
			defer wg.Done()
			local := int64(0)
			for i := 0; i < share; i++ {
				item, err := q.Get()
				if err != nil {
					t.Error(err)
					return
				}
				local += cthread.Value(item)
			}
			mu.Lock()
			got += local
			mu.Unlock()
		}(n / 4)
	}
	wg.Wait()
	if producer.Join() != 0 || got != sum(n) {
		t.Fatalf("C → Go: sum %d, want %d", got, sum(n))
	}

	consumer := cthread.Consume(q.Handle(), int64(n))
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(from int) {
			defer wg.Done()
			for i := from; i < from+n/4; i++ {
				if err := q.Put(fromGo.At(i), 0); err != nil {
					t.Error(err)
					return
				}
			}
		}(g * n / 4)
	}
	wg.Wait()
	if total := consumer.Join(); total != sum(n) {
		t.Fatalf("Go → C: sum %d, want %d", total, sum(n))
	}
}

// Objects created in C are adopted with XxxFromHandle: each Go wrapper owns a reference
// of its own, so C may drop its reference first.
func TestAdoptObjectsCreatedInC(t *testing.T) {
	lockFromC := cthread.NewLock()
	m := MutexFromHandle(lockFromC)
	cthread.FreeLock(lockFromC) // Go's reference keeps the lock alive
	m.Lock()
	if m.TryLock() {
		t.Fatal("the adopted lock was taken twice")
	}
	m.Unlock()
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}

	items := cthread.NewItems(1)
	defer items.Free()
	flagFromC := cthread.NewFlagSetTo(items.At(0))
	f := FlagFromHandle(flagFromC)
	cthread.FreeFlag(flagFromC)
	v, ok := f.Get()
	if p, isPointer := v.(unsafe.Pointer); !ok || !isPointer || p != items.At(0) {
		t.Fatalf("a value C stored came back as %v, %v", v, ok)
	}
	if !f.Clear() || !f.Set("from Go") {
		t.Fatal("Clear / Set on the adopted flag")
	}
	if v, _ := f.Get(); v != "from Go" {
		t.Fatalf("Get = %v", v)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
