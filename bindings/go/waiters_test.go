package weft

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// How many OS threads and how much memory n goroutines take while they all wait. Each
// measurement runs in a child process of the test binary (the parent runs it with
// footprintEnv set), so that one measurement's freed memory cannot hide the next one's.

const footprintEnv = "WEFT_GO_FOOTPRINT"

const maxThreads = 64

// manyWaiters is how many goroutines wait at once: 100,000, or 5,000 under the race
// detector (which allows 8128 live goroutines).
func manyWaiters() int {
	if raceEnabled {
		return 5000
	}
	return 100000
}

// procStatus reads a number from /proc/self/status ("Threads", "VmRSS" in kB).
func procStatus(field string) (int64, error) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, field+":") {
			return strconv.ParseInt(strings.Fields(line[len(field)+1:])[0], 10, 64)
		}
	}
	return 0, fmt.Errorf("no %s in /proc/self/status", field)
}

// waitersOf are the kinds of waiting measured: each starts n goroutines that wait,
// reports how many wait now, and releases them all (returning once they are gone).
type waitersOf struct {
	start   func(n int, wg *sync.WaitGroup)
	waiting func() int
	release func()
}

func footprintKinds() map[string]func() waitersOf {
	return map[string]func() waitersOf{
		"sync.Mutex": func() waitersOf {
			var m sync.Mutex
			var in int64
			m.Lock()
			return waitersOf{
				start: func(n int, wg *sync.WaitGroup) {
					for i := 0; i < n; i++ {
						go func() { defer wg.Done(); atomic.AddInt64(&in, 1); m.Lock(); m.Unlock() }()
					}
				},
				waiting: func() int { return int(atomic.LoadInt64(&in)) }, // entered Lock; may not be parked yet
				release: m.Unlock,
			}
		},
		"weft.Mutex": func() waitersOf {
			m := NewMutex()
			m.Lock()
			return waitersOf{
				start: func(n int, wg *sync.WaitGroup) {
					for i := 0; i < n; i++ {
						go func() { defer wg.Done(); m.Lock(); m.Unlock() }()
					}
				},
				waiting: m.Waiting,
				release: m.Unlock,
			}
		},
		"chan receive": func() waitersOf {
			ch := make(chan int)
			var in int64
			return waitersOf{
				start: func(n int, wg *sync.WaitGroup) {
					for i := 0; i < n; i++ {
						go func() { defer wg.Done(); atomic.AddInt64(&in, 1); <-ch }()
					}
				},
				waiting: func() int { return int(atomic.LoadInt64(&in)) },
				release: func() { close(ch) },
			}
		},
		"weft.Queue.GetContext": func() waitersOf {
			q := NewQueue[int](0)
			ctx, cancel := context.WithCancel(context.Background())
			return waitersOf{
				start: func(n int, wg *sync.WaitGroup) {
					for i := 0; i < n; i++ {
						go func() { defer wg.Done(); _, _ = q.GetContext(ctx) }()
					}
				},
				waiting: func() int { _, g := q.Waiting(); return g },
				release: cancel,
			}
		},
	}
}

// TestFootprintChild is not a test: it is the child process of measureFootprint.
func TestFootprintChild(t *testing.T) {
	kind := os.Getenv(footprintEnv)
	if kind == "" {
		t.Skip("only run as a child process by TestManyWaitersFewThreads and BenchmarkWaiters")
	}
	n := manyWaiters()
	runtime.GC()
	rssBefore, err := procStatus("VmRSS")
	if err != nil {
		t.Fatal(err)
	}
	var mem runtime.MemStats
	runtime.ReadMemStats(&mem)
	stackBefore, heapBefore := mem.StackInuse, mem.HeapAlloc
	w := footprintKinds()[kind]()
	var wg sync.WaitGroup
	wg.Add(n)
	w.start(n, &wg)
	eventually(t, "every goroutine waits", func() bool { return w.waiting() == n })
	threads, _ := procStatus("Threads")
	rss, _ := procStatus("VmRSS")
	runtime.ReadMemStats(&mem)
	w.release()
	wg.Wait()
	fmt.Printf("footprint %s waiters=%d threads=%d rss_kb=%d stack_b=%d heap_b=%d\n", kind, n, threads,
		rss-rssBefore, int64(mem.StackInuse-stackBefore), int64(mem.HeapAlloc-heapBefore))
}

type footprint struct{ waiters, threads, rssKB, stackBytes, heapBytes int64 }

func measureFootprint(tb testing.TB, kind string) footprint {
	tb.Helper()
	if _, err := procStatus("Threads"); err != nil {
		tb.Skip("no /proc/self/status:", err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestFootprintChild$", "-test.v")
	cmd.Env = append(os.Environ(), footprintEnv+"="+kind)
	out, err := cmd.CombinedOutput()
	if err != nil {
		tb.Fatalf("child for %s: %v\n%s", kind, err, out)
	}
	var f footprint
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "footprint "+kind+" ") {
			rest := strings.TrimPrefix(line, "footprint "+kind+" ")
			if _, err := fmt.Sscanf(rest, "waiters=%d threads=%d rss_kb=%d stack_b=%d heap_b=%d",
				&f.waiters, &f.threads, &f.rssKB, &f.stackBytes, &f.heapBytes); err != nil {
				tb.Fatalf("child for %s printed %q: %v", kind, line, err)
			}
			return f
		}
	}
	tb.Fatalf("child for %s printed no figures:\n%s", kind, out)
	return f
}

// 100,000 goroutines blocked in Lock, or in GetContext, take no OS thread each: the
// process stays at or under 64 threads.
func TestManyWaitersFewThreads(t *testing.T) {
	for _, kind := range []string{"weft.Mutex", "weft.Queue.GetContext"} {
		f := measureFootprint(t, kind)
		t.Logf("%d goroutines waiting in %s: %d OS threads, RSS +%d MB", f.waiters, kind, f.threads, f.rssKB/1024)
		if f.threads > maxThreads {
			t.Errorf("%s: %d OS threads with %d goroutines waiting, want ≤ %d", kind, f.threads, f.waiters, maxThreads)
		}
	}
}

// BenchmarkWaiters reports, per kind of wait, the OS threads and memory that 100,000
// waiting goroutines take (one measurement per kind, whatever b.N is).
func BenchmarkWaiters(b *testing.B) {
	for _, kind := range []string{"sync.Mutex", "chan receive", "weft.Mutex", "weft.Queue.GetContext"} {
		b.Run(kind, func(b *testing.B) {
			f := measureFootprint(b, kind)
			b.ReportMetric(float64(f.threads), "threads")
			b.ReportMetric(float64(f.rssKB)/1024, "MB")
			b.ReportMetric(float64(f.rssKB*1024)/float64(f.waiters), "B/waiter")
			b.ReportMetric(float64(f.stackBytes)/float64(f.waiters), "stack-B/waiter")
			b.ReportMetric(float64(f.heapBytes)/float64(f.waiters), "goheap-B/waiter")
			b.ReportMetric(0, "ns/op")
		})
	}
}
