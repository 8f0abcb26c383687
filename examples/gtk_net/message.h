/*
 * One message of the gtk_net example, as it travels: the server parses it from a line,
 * the workers fill in its digest, the GUI shows it and frees it. Whoever holds the pointer
 * owns the record; the queues carry it without copying.
 *
 * Wire format, one message per line (newline-framed, at most MESSAGE_MAX_LINE bytes):
 *
 *     <connection id> <sequence number> <text>\n
 *
 * The connection id is the client's name for its connection (0 .. MESSAGE_MAX_CONN - 1,
 * unique among live connections); sequence numbers start at 0 and go up by one per
 * connection. The server answers each message it accepted with "ack <conn> <seq>\n".
 */
#ifndef GTK_NET_MESSAGE_H
#define GTK_NET_MESSAGE_H

#include <stddef.h>
#include <stdint.h>

#define MESSAGE_MAX_LINE 4096
#define MESSAGE_MAX_CONN 65536u

struct message {
    struct message *next; /* the owner's own list (a connection's backlog, a reorder line) */
    uint32_t conn;
    uint64_t seq;
    uint64_t received_ns; /* when the server read it (monotonic clock) */
    uint64_t digest;      /* written by the worker that processed it */
    size_t text_len;
    char text[];          /* text_len bytes, then a NUL */
};

/* Parses one line (without its newline) into a new record (malloc'ed; free with
 * message_free). NULL if the line is malformed or memory runs out. */
struct message *message_parse(const char *line, size_t len, uint64_t received_ns);

/* Frees a record; `message` may be NULL. The signature fits a weft item destructor. */
void message_free(void *ctx, void *message);

/* The monotonic clock in nanoseconds, shared by every part of the example. */
uint64_t monotonic_ns(void);

#endif
