/*
 * The worker pool of gtk_net: plain threads that take messages from the inbound weft
 * queue with its blocking face (weft_queue_get), "process" each one (a digest of its text,
 * then a sleep standing for I/O) while holding a token of a weft capacity limiter (at most
 * `limit` messages are processed at once, however many workers there are), and hand the
 * result to the GUI (handoff.h). A worker exits when the inbound queue is shut down and
 * empty; the last one to exit closes the handoff, which tells the GUI nothing more comes.
 */
#ifndef GTK_NET_WORKERS_H
#define GTK_NET_WORKERS_H

#include <weft.h>

#include "handoff.h"
#include "shared_state.h"

struct workers_config {
    weft_queue *inbound;
    weft_limiter *limiter;       /* processing tokens */
    struct handoff *handoff;     /* to the GUI */
    struct shared_state *shared; /* in_flight, processed */
    int count;                   /* threads */
    int work_us;                 /* simulated processing time per message */
};

struct workers;

/* Starts the threads. 0 on success. */
int workers_start(const struct workers_config *config, struct workers **out);

/* Joins every thread (they end once the inbound queue is shut down and drained) and
 * frees the pool. */
void workers_join(struct workers *workers);

#endif
