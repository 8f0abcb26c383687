package weft

import (
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"weft/internal/cthread"
)

// Benchmarks: weft beside its Go equivalent. The machine these figures come from is
// shared and noisy, so each benchmark runs the two sides in alternating rounds (noise
// then hits both alike) and reports each side's wall and CPU time per op and their
// ratios, weft/Go:
//
//	go test -run '^$' -bench . -benchtime 200000x   (docs/performance.md, "Go binding")

// interleaved runs base and weft for b.N ops each, in 20 alternating rounds, and
// reports per op the wall time of each (base-ns/op, weft-ns/op) and their ratio x,
// the process's CPU time (user+system, every thread: pumps included) of each and their
// ratio cpu-x, and the cgo calls the weft side made (the cgo-call counter is
// process-wide: a pump's batch counts too). On a loaded machine the wall times swell with the time the process
// waits for a CPU; the CPU times do not. A round func runs n ops.
func interleaved(b *testing.B, base, weft func(n int)) {
	const rounds = 20
	n := b.N / rounds
	if n == 0 {
		n = 1
	}
	var wall, cpu [2]time.Duration
	var cgoCalls [2]int64
	b.ResetTimer()
	for r := 0; r < rounds; r++ {
		for side, run := range [2]func(int){base, weft} {
			calls0, cpu0, wall0 := runtime.NumCgoCall(), cpuTime(), time.Now()
			run(n)
			wall[side] += time.Since(wall0)
			cpu[side] += cpuTime() - cpu0
			cgoCalls[side] += runtime.NumCgoCall() - calls0
		}
	}
	b.StopTimer()
	perOp := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / float64(rounds*n) }
	b.ReportMetric(perOp(wall[0]), "base-ns/op")
	b.ReportMetric(perOp(wall[1]), "weft-ns/op")
	b.ReportMetric(perOp(wall[1])/perOp(wall[0]), "x")
	b.ReportMetric(perOp(cpu[0]), "base-cpu-ns/op")
	b.ReportMetric(perOp(cpu[1]), "weft-cpu-ns/op")
	b.ReportMetric(perOp(cpu[1])/perOp(cpu[0]), "cpu-x")
	b.ReportMetric(float64(cgoCalls[1])/float64(rounds*n), "weft-cgo-calls/op")
}

// cpuTime is the CPU time the process has used, all threads.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// parallel runs body in g goroutines, n ops in all, and waits for them.
func parallel(g, n int, body func(ops int)) {
	var wg sync.WaitGroup
	for i := 0; i < g; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); body(n / g) }()
	}
	wg.Wait()
}

// The price of one cgo call (base), beside one uncontended weft Lock+Unlock (two cgo
// calls, and the Go around them).
func BenchmarkCgoCallVsMutex(b *testing.B) {
	m := NewMutex()
	defer m.Close()
	interleaved(b,
		func(n int) {
			for i := 0; i < n; i++ {
				cthread.Noop()
			}
		},
		func(n int) {
			for i := 0; i < n; i++ {
				m.Lock()
				m.Unlock()
			}
		})
}

func BenchmarkMutexUncontended(b *testing.B) {
	var std sync.Mutex
	m := NewMutex()
	defer m.Close()
	interleaved(b,
		func(n int) {
			for i := 0; i < n; i++ {
				std.Lock()
				std.Unlock()
			}
		},
		func(n int) {
			for i := 0; i < n; i++ {
				m.Lock()
				m.Unlock()
			}
		})
}

// Contended: 8 goroutines take turns on one lock (one op = one Lock+Unlock).
func BenchmarkMutexContended(b *testing.B) {
	var std sync.Mutex
	m := NewMutex()
	defer m.Close()
	lockLoop := func(l sync.Locker) func(int) {
		return func(n int) {
			parallel(8, n, func(ops int) {
				for i := 0; i < ops; i++ {
					l.Lock()
					l.Unlock()
				}
			})
		}
	}
	interleaved(b, lockLoop(&std), lockLoop(m))
}

// A semaphore of 2 permits (a buffered channel of 2 as the base), uncontended, and
// acquired and released by 8 goroutines.
func BenchmarkSemaphore(b *testing.B) {
	const permits = 2
	ch := make(chan struct{}, permits)
	s, _ := NewSemaphore(permits, permits)
	defer s.Close()
	chanLoop := func(ops int) {
		for i := 0; i < ops; i++ {
			ch <- struct{}{}
			<-ch
		}
	}
	weftLoop := func(ops int) {
		for i := 0; i < ops; i++ {
			s.Acquire()
			_ = s.Release(1)
		}
	}
	b.Run("uncontended", func(b *testing.B) { interleaved(b, chanLoop, weftLoop) })
	b.Run("8goroutines", func(b *testing.B) {
		interleaved(b,
			func(n int) { parallel(8, n, chanLoop) },
			func(n int) { parallel(8, n, weftLoop) })
	})
}

// Items handed from p producers to p consumers through a bounded queue of 1024 (a
// buffered channel of 1024 as the base); one op is one item put and got.
func BenchmarkQueueHandoff(b *testing.B) {
	const capacity = 1024
	ch := make(chan int, capacity)
	q := NewQueue[int](capacity)
	defer q.Close()
	handoff := func(p int, put func(int), get func()) func(int) {
		return func(n int) {
			var wg sync.WaitGroup
			for i := 0; i < p; i++ {
				wg.Add(2)
				go func() {
					defer wg.Done()
					for i := 0; i < n/p; i++ {
						put(i)
					}
				}()
				go func() {
					defer wg.Done()
					for i := 0; i < n/p; i++ {
						get()
					}
				}()
			}
			wg.Wait()
		}
	}
	for _, p := range []int{1, 4} {
		p := p
		name := map[int]string{1: "1p1c", 4: "4p4c"}[p]
		b.Run(name, func(b *testing.B) {
			interleaved(b,
				handoff(p, func(v int) { ch <- v }, func() { <-ch }),
				handoff(p, func(v int) { _ = q.Put(v) }, func() { _, _ = q.Get() }))
		})
	}
}
