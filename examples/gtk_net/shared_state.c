/* The shared counters of gtk_net and their blocking face (shared_state.h). */
#include "shared_state.h"

#include <stdio.h>
#include <stdlib.h>

static void lock_or_die(struct shared_state *s) {
    weft_status st = weft_lock_acquire(s->lock, WEFT_FOREVER);
    if (st != WEFT_OK) {
        fprintf(stderr, "gtk_net: weft_lock_acquire: %s\n", weft_status_str(st));
        abort();
    }
}

static void unlock(struct shared_state *s) { weft_lock_release(s->lock); }

int shared_state_init(struct shared_state *s, int workers) {
    *s = (struct shared_state){0};
    s->workers_running = workers;
    return weft_lock_new(WEFT_LOCK_FIFO, &s->lock) == WEFT_OK ? 0 : -1;
}

void shared_state_destroy(struct shared_state *s) {
    weft_lock_free(s->lock);
    s->lock = NULL;
}

void shared_state_begin_processing(struct shared_state *s) {
    lock_or_die(s);
    s->in_flight++;
    if (s->in_flight > s->max_in_flight) s->max_in_flight = s->in_flight;
    unlock(s);
}

void shared_state_end_processing(struct shared_state *s) {
    lock_or_die(s);
    s->in_flight--;
    s->processed++;
    unlock(s);
}

bool shared_state_worker_exit(struct shared_state *s) {
    lock_or_die(s);
    bool last = --s->workers_running == 0;
    unlock(s);
    return last;
}
