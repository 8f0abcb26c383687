// A job pipeline on weft primitives: a producer, four workers and a collector share a
// bounded weft.Queue, a weft.Mutex-guarded total and a weft.Countdown; a getter with a
// deadline shows the context face. The same objects could be handed to C threads or
// Python (each has Handle()); here they are Go's alone. It checks its own results and
// exits 1 if one is wrong.
//
// Run from this directory: go run .   (the binding finds the repository's built libweft
// by itself; for an installed weft, see bindings/go/README.md.)
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"weft"
)

type job struct{ id, n int }

func main() {
	const jobs, workers = 1000, 4
	queue := weft.NewQueue[job](16) // bounded: the producer waits when workers lag
	defer queue.Close()
	mu := weft.NewMutex()
	defer mu.Close()
	done := weft.NewCountdown(workers)
	defer done.Close()

	sum := 0 // guarded by mu
	for w := 0; w < workers; w++ {
		go func() {
			defer done.Down()
			for {
				j, err := queue.Get()
				if errors.Is(err, weft.ErrClosed) {
					return // shut down and drained
				}
				mu.Lock()
				sum += j.n * j.n
				mu.Unlock()
				_ = queue.TaskDone()
			}
		}()
	}

	for i := 1; i <= jobs; i++ {
		if err := queue.Put(job{id: i, n: i}); err != nil {
			fail("put: %v", err)
		}
	}
	queue.Join()          // every job was processed
	queue.Shutdown(false) // workers drain and stop
	done.Wait()           // every worker has returned

	want := jobs * (jobs + 1) * (2*jobs + 1) / 6
	mu.Lock()
	got := sum
	mu.Unlock()
	if got != want {
		fail("sum of squares = %d, want %d", got, want)
	}

	// A get with a deadline on an empty queue: it gives up and takes nothing.
	empty := weft.NewQueue[int](0)
	defer empty.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := empty.GetContext(ctx); !errors.Is(err, context.DeadlineExceeded) {
		fail("GetContext on an empty queue = %v, want DeadlineExceeded", err)
	}
	fmt.Printf("%d jobs by %d workers: sum of squares %d (ok); a get with a deadline gave up cleanly\n",
		jobs, workers, got)
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "example: "+format+"\n", args...)
	os.Exit(1)
}
