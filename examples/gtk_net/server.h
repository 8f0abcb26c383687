/*
 * The network side of gtk_net: a thread running a libuv loop with a TCP server on
 * 127.0.0.1 (port chosen by the kernel). It reads newline-framed messages (message.h)
 * from any number of connections and puts each into the inbound weft queue with the
 * queue's async face (weft_uv_queue_put): the loop never blocks. One put per connection is
 * in flight at a time, which keeps each connection's messages in order; while the queue
 * is full that put waits in the queue's line, the connection's backlog of parsed messages
 * grows, and past `backlog_limit` the server stops reading from that socket, so TCP pushes
 * back on the client. Each message that went into the queue is acknowledged to its
 * client ("ack <conn> <seq>\n").
 *
 * Shutdown: the loop waits for the shutdown event (weft_uv_event_wait). When it is set,
 * the server stops listening and reading, cancels the puts still waiting (their messages
 * are dropped, never acknowledged), closes every connection, and leaves its loop; the
 * thread then publishes its final count and shuts the inbound queue down (not
 * immediately: the workers drain what is in it).
 */
#ifndef GTK_NET_SERVER_H
#define GTK_NET_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include <weft.h>

#include "shared_state.h"

struct server_config {
    weft_queue *inbound;         /* where messages go; the server shuts it down at the end */
    weft_event *shutdown;        /* set by anyone: the server winds down */
    struct shared_state *shared; /* `received` is published here */
    size_t backlog_limit;        /* parsed, not yet queued messages per connection */
};

struct server;

/* Starts the server thread and returns once it listens (0, `*port_out` written) or has
 * failed (-1, the thread joined). */
int server_start(const struct server_config *config, struct server **out, int *port_out);

/* Waits for the thread to end (set the shutdown event first), frees the server and
 * returns how many messages it accepted into the queue. */
uint64_t server_join(struct server *server);

#endif
