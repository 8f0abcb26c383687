/*
 * Puts processed messages back into per-connection order before the GUI shows them.
 * Workers process in parallel, so message 6 of a connection may finish before its
 * message 5; the GUI holds 6 until 5 has been shown. Usually only a few are held at once;
 * a worker that loses its CPU while it holds an earlier message makes every later one of
 * that connection wait here meanwhile (the summary prints the most held at once: up to
 * ~130 in the runs on the loaded test machine). GTK thread only.
 */
#ifndef GTK_NET_REORDER_H
#define GTK_NET_REORDER_H

#include <stddef.h>
#include <stdint.h>

#include "message.h"

/* Called with each message in order; the message is the callee's. */
typedef void (*reorder_emit_fn)(void *arg, struct message *message);

struct reorder_connection {
    uint64_t next_seq;
    struct message *held; /* sorted by seq, all > next_seq */
};

struct reorder {
    struct reorder_connection *connections; /* indexed by connection id */
    size_t count;
    uint64_t held;        /* messages waiting for an earlier one now */
    uint64_t held_most;   /* the most ever held at once */
    uint64_t reordered;   /* messages that arrived ahead of an earlier one */
    uint64_t duplicates;  /* messages whose sequence number was already seen (dropped) */
};

void reorder_init(struct reorder *r);

/* Takes `m`: emits it, and every held message it unblocks, in order; or holds it.
 * -1 if memory ran out (the message is freed). */
int reorder_push(struct reorder *r, struct message *m, reorder_emit_fn emit, void *arg);

/* Frees what is still held (a message never came) and the table. */
void reorder_destroy(struct reorder *r);

#endif
