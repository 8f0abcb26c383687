package weft

import (
	"runtime"
	"testing"
)

// cgoCalls counts the cgo calls f makes: the fewest over a few tries, since another
// goroutine (a pump, a timer of an earlier test) may make one at the same moment.
func cgoCalls(f func()) int64 {
	best := int64(-1)
	for try := 0; try < 5; try++ {
		before := runtime.NumCgoCall()
		f()
		if n := runtime.NumCgoCall() - before; best < 0 || n < best {
			best = n
		}
	}
	return best
}

// The uncontended paths are one cgo call each.
func TestUncontendedPathsAreOneCgoCall(t *testing.T) {
	m := NewMutex()
	defer m.Close()
	s, _ := NewSemaphore(1, 1)
	defer s.Close()
	q := NewQueue[int](0)
	defer q.Close()
	for _, c := range []struct {
		what string
		f    func()
		want int64
	}{
		{"Mutex.Lock+Unlock", func() { m.Lock(); m.Unlock() }, 2},
		{"Mutex.TryLock+Unlock", func() { m.TryLock(); m.Unlock() }, 2},
		{"Semaphore.Acquire+Release", func() { s.Acquire(); _ = s.Release(1) }, 2},
		{"Queue.Put+Get", func() { _ = q.Put(1); _, _ = q.Get() }, 2},
		{"Queue.TryGet (empty)", func() { _, _ = q.TryGet() }, 1},
	} {
		if got := cgoCalls(c.f); got != c.want {
			t.Errorf("%s: %d cgo calls, want %d", c.what, got, c.want)
		}
	}
}
