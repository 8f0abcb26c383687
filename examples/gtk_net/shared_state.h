/*
 * What the parties of gtk_net share: the counters, guarded by one weft lock.
 *
 * Each party takes the lock through its own face: the worker threads block on it
 * (weft_lock_acquire), the libuv server thread and the GTK main loop ask for it
 * asynchronously (weft_uv_lock_acquire / weft_glib_lock_acquire with an owner token of
 * their own), so neither loop ever blocks on it. Critical sections are a few loads and
 * stores. The functions below are the blocking face, for worker threads only; the loops
 * touch the fields directly while they hold the lock through their async face.
 */
#ifndef GTK_NET_SHARED_STATE_H
#define GTK_NET_SHARED_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include <weft.h>

struct shared_state {
    weft_lock *lock;
    /* guarded by lock: */
    uint64_t received;      /* accepted into the inbound queue (published by the server) */
    uint64_t processed;     /* finished by a worker */
    uint64_t in_flight;     /* being processed right now (at most the limiter's total) */
    uint64_t max_in_flight; /* the most seen at once */
    int workers_running;    /* worker threads that have not yet exited */
};

/* Creates the lock. 0 on success. */
int shared_state_init(struct shared_state *s, int workers);
void shared_state_destroy(struct shared_state *s);

/* Worker threads: one message enters / leaves processing. */
void shared_state_begin_processing(struct shared_state *s);
void shared_state_end_processing(struct shared_state *s);

/* Worker threads: this worker exits; true for the last one. */
bool shared_state_worker_exit(struct shared_state *s);

#endif
