package weft

import (
	"context"
	"math/rand"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestQueueOrders(t *testing.T) {
	fifo := NewQueue[string](0)
	lifo := NewLifoQueue[string](0)
	prio := NewPriorityQueue[string](0)
	defer fifo.Close()
	defer lifo.Close()
	defer prio.Close()
	for i, s := range []string{"a", "b", "c"} {
		if err := fifo.Put(s); err != nil {
			t.Fatal(err)
		}
		if err := lifo.Put(s); err != nil {
			t.Fatal(err)
		}
		if err := prio.Put(s, int64(-i)); err != nil {
			t.Fatal(err)
		}
	}
	for q, want := range map[interface{ Get() (string, error) }]string{fifo: "abc", lifo: "cba", prio: "cba"} {
		got := ""
		for i := 0; i < 3; i++ {
			s, err := q.Get()
			if err != nil {
				t.Fatal(err)
			}
			got += s
		}
		if got != want {
			t.Fatalf("got %q, want %q", got, want)
		}
	}
}

func TestQueueTryAndCapacity(t *testing.T) {
	q := NewQueue[int](1)
	defer q.Close()
	if q.Cap() != 1 {
		t.Fatalf("Cap = %d", q.Cap())
	}
	if _, err := q.TryGet(); err != ErrWouldBlock {
		t.Fatalf("TryGet of empty = %v", err)
	}
	if err := q.TryPut(1); err != nil {
		t.Fatal(err)
	}
	if err := q.TryPut(2); err != ErrWouldBlock {
		t.Fatalf("TryPut of full = %v", err)
	}
	put := make(chan error)
	go func() { put <- q.Put(2) }()
	eventually(t, "the putter waits", func() bool { p, _ := q.Waiting(); return p == 1 })
	if v, err := q.Get(); v != 1 || err != nil {
		t.Fatalf("Get = %v, %v", v, err)
	}
	if err := <-put; err != nil {
		t.Fatal(err)
	}
	if v, err := q.Get(); v != 2 || err != nil {
		t.Fatalf("Get = %v, %v", v, err)
	}
	if NewQueue[int](0).Cap() != -1 {
		t.Fatal("capacity 0 is not unbounded")
	}
}

func TestQueueShutdown(t *testing.T) {
	q := NewQueue[int](0)
	defer q.Close()
	if err := q.Put(1); err != nil {
		t.Fatal(err)
	}
	blocked := NewQueue[int](0)
	defer blocked.Close()
	got := make(chan error)
	go func() { _, err := blocked.Get(); got <- err }()
	eventually(t, "the getter waits", func() bool { _, g := blocked.Waiting(); return g == 1 })
	blocked.Shutdown(false)
	if err := <-got; err != ErrClosed {
		t.Fatalf("a waiting Get at shutdown = %v, want ErrClosed", err)
	}
	q.Shutdown(false)
	if err := q.Put(2); err != ErrClosed {
		t.Fatalf("Put after shutdown = %v", err)
	}
	if v, err := q.Get(); v != 1 || err != nil {
		t.Fatalf("Get drains: %v, %v", v, err)
	}
	if _, err := q.Get(); err != ErrClosed {
		t.Fatalf("Get of shut-down empty queue = %v", err)
	}
	if !q.IsShutdown() {
		t.Fatal("IsShutdown = false")
	}
}

func TestQueueTaskDoneAndJoin(t *testing.T) {
	q := NewQueue[int](0)
	defer q.Close()
	for i := 0; i < 3; i++ {
		_ = q.Put(i)
	}
	joined := make(chan struct{})
	go func() { q.Join(); close(joined) }()
	for i := 0; i < 3; i++ {
		if _, err := q.Get(); err != nil {
			t.Fatal(err)
		}
		select {
		case <-joined:
			t.Fatal("Join returned with tasks unfinished")
		default:
		}
		if err := q.TaskDone(); err != nil {
			t.Fatal(err)
		}
	}
	<-joined
	if err := q.TaskDone(); err != ErrOverflow {
		t.Fatalf("one TaskDone too many = %v", err)
	}
}

// Every value's handle is released: by the Get that takes it, and by Clear, an
// immediate Shutdown and Close for the values they discard. A value whose handle is
// still registered can never be collected, so its finalizer counts it.
func TestQueueReleasesValueHandles(t *testing.T) {
	var collected int64
	fill := func(put func(*[64]byte) error, n int) {
		for i := 0; i < n; i++ {
			v := new([64]byte)
			runtime.SetFinalizer(v, func(*[64]byte) { atomic.AddInt64(&collected, 1) })
			if err := put(v); err != nil {
				t.Fatal(err)
			}
		}
	}
	const n = 10
	got := NewQueue[*[64]byte](0)
	fill(got.Put, n)
	for i := 0; i < n; i++ {
		if _, err := got.Get(); err != nil {
			t.Fatal(err)
		}
	}
	cleared := NewQueue[*[64]byte](0)
	fill(cleared.Put, n)
	if c := cleared.Clear(); c != n {
		t.Fatalf("Clear = %d", c)
	}
	shut := NewPriorityQueue[*[64]byte](0)
	fill(func(v *[64]byte) error { return shut.Put(v, 0) }, n)
	shut.Shutdown(true)
	closed := NewLifoQueue[*[64]byte](0)
	fill(closed.Put, n)
	for _, q := range []interface{ Close() error }{got, cleared, shut, closed} {
		if err := q.Close(); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "every value is collected", func() bool {
		runtime.GC()
		return atomic.LoadInt64(&collected) == 4*n
	})
}

// Gets cancelled at random while values flow: every value put is got exactly once (a
// value granted to a cancelled get went back in front), and nothing is left waiting.
func TestQueueGetContextCancelRace(t *testing.T) {
	q := NewQueue[int](16)
	defer q.Close()
	total := scale(40000)
	const consumers = 4
	seen := make([]int32, total)
	var cancelled, got int64
	var wg sync.WaitGroup
	for c := 0; c < consumers; c++ {
		wg.Add(1)
		go func(seed int64) {
			defer wg.Done()
			r := rand.New(rand.NewSource(seed))
			for {
				ctx, cancel := context.WithCancel(context.Background())
				time.AfterFunc(time.Duration(r.Intn(20))*time.Microsecond, cancel)
				v, err := q.GetContext(ctx)
				cancel()
				switch err {
				case nil:
					atomic.AddInt32(&seen[v], 1)
					atomic.AddInt64(&got, 1)
				case context.Canceled:
					atomic.AddInt64(&cancelled, 1)
				case ErrClosed:
					return
				default:
					t.Error(err)
					return
				}
			}
		}(int64(c))
	}
	for i := 0; i < total; i++ {
		if err := q.Put(i); err != nil {
			t.Fatal(err)
		}
	}
	q.Shutdown(false) // the consumers drain what is left, then see ErrClosed
	wg.Wait()
	for v, n := range seen {
		if n != 1 {
			t.Fatalf("value %d got %d times", v, n)
		}
	}
	t.Logf("got %d, cancelled gets %d", got, cancelled)
}

// Puts cancelled at random: a put that returned nil went in (and is got exactly once),
// one that returned ctx.Err() did not.
func TestQueuePutContextCancelRace(t *testing.T) {
	q := NewQueue[int](4)
	defer q.Close()
	const producers = 4
	per := scale(10000)
	accepted := make([]int32, producers*per)
	var wg sync.WaitGroup
	for p := 0; p < producers; p++ {
		wg.Add(1)
		go func(p int) {
			defer wg.Done()
			r := rand.New(rand.NewSource(int64(p)))
			for i := 0; i < per; i++ {
				v := p*per + i
				ctx, cancel := context.WithCancel(context.Background())
				time.AfterFunc(time.Duration(r.Intn(20))*time.Microsecond, cancel)
				switch err := q.PutContext(ctx, v); err {
				case nil:
					atomic.StoreInt32(&accepted[v], 1)
				case context.Canceled:
				default:
					t.Error(err)
				}
				cancel()
			}
		}(p)
	}
	seen := make([]int32, producers*per)
	done := make(chan struct{})
	go func() {
		for {
			v, err := q.Get()
			if err != nil {
				close(done)
				return
			}
			seen[v]++
		}
	}()
	wg.Wait()
	q.Shutdown(false)
	<-done
	n := 0
	for v := range seen {
		if seen[v] != accepted[v] {
			t.Fatalf("value %d: accepted %d, got %d times", v, accepted[v], seen[v])
		}
		n += int(seen[v])
	}
	t.Logf("%d of %d puts went in", n, producers*per)
}

// Small values of numbers travel through weft as themselves (no slot); everything else
// through a slot. Both come out as they went in.
func TestQueueValueEncodings(t *testing.T) {
	type small struct {
		A int32
		B uint16
		C bool
	}
	type withPointer struct{ P *int }
	if !newValueTable[small]().direct || !newValueTable[int]().direct || !newValueTable[[2]uint32]().direct {
		t.Fatal("a small pointer-free type does not travel directly")
	}
	if newValueTable[withPointer]().direct || newValueTable[string]().direct || newValueTable[[3]uint32]().direct {
		t.Fatal("a type with a pointer, or larger than an item, travels directly")
	}
	qs := NewQueue[small](0)
	defer qs.Close()
	in := small{A: -7, B: 65535, C: true}
	if err := qs.Put(in); err != nil {
		t.Fatal(err)
	}
	if out, err := qs.Get(); err != nil || out != in {
		t.Fatalf("Get = %+v, %v; want %+v", out, err, in)
	}
	x := 42
	qp := NewQueue[withPointer](0)
	defer qp.Close()
	_ = qp.Put(withPointer{&x})
	if out, err := qp.Get(); err != nil || out.P != &x {
		t.Fatalf("Get = %+v, %v", out, err)
	}
}
