package weft

import (
	"sync"
	"testing"

	"weft/internal/cthread"
)

// Benchmarks, weft beside the Go equivalent in the same run (docs/performance.md, "Go
// binding"). Run: go test -run '^$' -bench . -benchtime 200000x

// The price of one cgo call, for reading the others.
func BenchmarkCgoCall(b *testing.B) {
	for i := 0; i < b.N; i++ {
		cthread.Noop()
	}
}

func BenchmarkMutexUncontended(b *testing.B) {
	b.Run("sync.Mutex", func(b *testing.B) {
		var m sync.Mutex
		for i := 0; i < b.N; i++ {
			m.Lock()
			m.Unlock()
		}
	})
	b.Run("weft.Mutex", func(b *testing.B) {
		m := NewMutex()
		defer m.Close()
		for i := 0; i < b.N; i++ {
			m.Lock()
			m.Unlock()
		}
	})
}

// Contended: 4 goroutines per P take turns (each Lock/Unlock is one op).
func BenchmarkMutexContended(b *testing.B) {
	run := func(b *testing.B, l sync.Locker) {
		b.SetParallelism(4)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				l.Lock()
				l.Unlock()
			}
		})
	}
	b.Run("sync.Mutex", func(b *testing.B) { run(b, &sync.Mutex{}) })
	b.Run("weft.Mutex", func(b *testing.B) { m := NewMutex(); defer m.Close(); run(b, m) })
}

// A semaphore of 2 permits, acquired and released by 4 goroutines per P.
func BenchmarkSemaphore(b *testing.B) {
	const permits = 2
	b.Run("chan", func(b *testing.B) {
		sem := make(chan struct{}, permits)
		b.SetParallelism(4)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				sem <- struct{}{}
				<-sem
			}
		})
	})
	b.Run("weft.Semaphore", func(b *testing.B) {
		s, _ := NewSemaphore(permits, permits)
		defer s.Close()
		b.SetParallelism(4)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				s.Acquire()
				_ = s.Release(1)
			}
		})
	})
	b.Run("weft.Semaphore/uncontended", func(b *testing.B) {
		s, _ := NewSemaphore(permits, permits)
		defer s.Close()
		for i := 0; i < b.N; i++ {
			s.Acquire()
			_ = s.Release(1)
		}
	})
}

// Items handed from producers to consumers through a bounded queue of 1024; one op is
// one item put and got.
func BenchmarkQueueHandoff(b *testing.B) {
	const capacity = 1024
	for _, pc := range []int{1, 4} {
		pc := pc
		handoff := func(b *testing.B, put func(int), get func()) {
			var wg sync.WaitGroup
			per := b.N / pc
			b.ResetTimer()
			for p := 0; p < pc; p++ {
				wg.Add(2)
				go func() {
					defer wg.Done()
					for i := 0; i < per; i++ {
						put(i)
					}
				}()
				go func() {
					defer wg.Done()
					for i := 0; i < per; i++ {
						get()
					}
				}()
			}
			wg.Wait()
		}
		name := map[int]string{1: "1p1c", 4: "4p4c"}[pc]
		b.Run(name+"/chan", func(b *testing.B) {
			ch := make(chan int, capacity)
			handoff(b, func(v int) { ch <- v }, func() { <-ch })
		})
		b.Run(name+"/weft.Queue", func(b *testing.B) {
			q := NewQueue[int](capacity)
			defer q.Close()
			handoff(b, func(v int) { _ = q.Put(v) }, func() { _, _ = q.Get() })
		})
	}
}
