/* The libuv TCP server thread of gtk_net (server.h). Everything below except
 * server_start, server_join and the end of server_thread runs on the loop thread. */
#define _GNU_SOURCE
#include "server.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>
#include <weft_uv.h>

#include "message.h"

#define READ_BUFFER 65536

struct connection {
    uv_tcp_t tcp;                /* first: the handle's address is the connection's */
    struct server *server;
    struct connection *prev, *next;
    char line[MESSAGE_MAX_LINE]; /* a partial line carried over between reads */
    size_t line_len;
    struct message *backlog_head, *backlog_tail; /* parsed, waiting for their put */
    size_t backlog;
    struct message *putting;     /* the message whose put is in flight (NULL: none) */
    uint32_t putting_conn;       /* its id, kept: once it is in, the message is not ours */
    uint64_t putting_seq;
    int reading;
    int finished;                /* EOF, error or protocol error: no more reads */
    int closing;
};

struct server {
    struct server_config config;
    pthread_t thread;
    weft_event *listening;     /* set once the server listens or has failed */
    int port;
    int failed;
    uv_loop_t loop;
    weft_uv_port *wuv;
    uint64_t owner;            /* the loop's owner token for the shared lock */
    uv_tcp_t listener;
    uv_timer_t shutdown_timer; /* runs the second half of the shutdown */
    struct connection *connections;
    int stopping;
    int publishing;            /* an async acquire of the shared lock is in flight */
    uint64_t accepted;         /* messages that went into the inbound queue */
    uint64_t published;        /* the value last written to shared->received */
    char read_buffer[READ_BUFFER]; /* one read at a time on this loop: one buffer */
};

static void put_next(struct connection *c);
static void publish(struct server *srv);

/* ---- acknowledgements ------------------------------------------------------------ */

struct ack {
    uv_write_t req;
    char text[64];
};

static void on_ack_written(uv_write_t *req, int status) {
    (void)status; /* a client that went away misses its acks: nothing to do */
    free(req->data);
}

static void send_ack(struct connection *c, uint32_t conn, uint64_t seq) {
    struct ack *ack = malloc(sizeof *ack);
    if (ack == NULL) return;
    int n = snprintf(ack->text, sizeof ack->text, "ack %u %llu\n", conn, (unsigned long long)seq);
    uv_buf_t buf = uv_buf_init(ack->text, (unsigned)n);
    ack->req.data = ack;
    if (uv_write(&ack->req, (uv_stream_t *)&c->tcp, &buf, 1, on_ack_written) != 0) free(ack);
}

/* ---- connections ----------------------------------------------------------------- */

static void drop_backlog(struct connection *c) {
    while (c->backlog_head != NULL) {
        struct message *m = c->backlog_head;
        c->backlog_head = m->next;
        message_free(NULL, m);
    }
    c->backlog_tail = NULL;
    c->backlog = 0;
}

static void on_connection_closed(uv_handle_t *handle) { free(handle->data); }

/* Closes a connection whose put is not in flight. */
static void close_connection(struct connection *c) {
    if (c->closing) return;
    c->closing = 1;
    if (c->prev != NULL) c->prev->next = c->next;
    else c->server->connections = c->next;
    if (c->next != NULL) c->next->prev = c->prev;
    drop_backlog(c);
    uv_close((uv_handle_t *)&c->tcp, on_connection_closed);
}

/* No more reads from this connection; it closes once its last put has resolved. */
static void finish_connection(struct connection *c, int drop) {
    if (c->reading) uv_read_stop((uv_stream_t *)&c->tcp);
    c->reading = 0;
    c->finished = 1;
    if (drop) drop_backlog(c);
    if (c->putting == NULL && c->backlog == 0) close_connection(c);
}

static void on_put(void *arg, weft_status status, const weft_uv_grant *grant) {
    struct connection *c = arg;
    struct server *srv = c->server;
    (void)grant;
    struct message *m = c->putting;
    c->putting = NULL;
    if (status == WEFT_OK) { /* the message is the queue's now: do not touch it */
        srv->accepted++;
        send_ack(c, c->putting_conn, c->putting_seq);
        publish(srv);
    } else { /* cancelled at shutdown, or the queue was shut down: still ours */
        message_free(NULL, m);
    }
    if (srv->stopping) return; /* the shutdown closes the connection */
    if (status != WEFT_OK) {
        finish_connection(c, 1);
        return;
    }
    put_next(c);
}

static void on_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf) {
    struct connection *c = handle->data;
    (void)suggested;
    *buf = uv_buf_init(c->server->read_buffer, READ_BUFFER);
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf);

/* Starts the put of the next message in the backlog, if none is in flight; reads again
 * once the backlog is down to half its limit. */
static void put_next(struct connection *c) {
    struct server *srv = c->server;
    if (!c->reading && !c->finished && c->backlog <= srv->config.backlog_limit / 2) {
        if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) == 0) c->reading = 1;
    }
    if (c->putting != NULL) return;
    if (c->backlog_head == NULL) {
        if (c->finished) close_connection(c);
        return;
    }
    struct message *m = c->backlog_head;
    c->backlog_head = m->next;
    if (c->backlog_head == NULL) c->backlog_tail = NULL;
    c->backlog--;
    m->next = NULL;
    c->putting = m;
    c->putting_conn = m->conn;
    c->putting_seq = m->seq;
    weft_status s = weft_uv_queue_put(srv->wuv, srv->config.inbound, m, 0, 0, on_put, c, NULL);
    if (s != WEFT_OK) { /* WEFT_CLOSED: the queue or the port is shut down */
        c->putting = NULL;
        message_free(NULL, m);
        finish_connection(c, 1);
    }
}

/* Splits what was read into lines; each becomes a message at the end of the backlog. */
static int take_lines(struct connection *c, const char *data, size_t len, uint64_t now) {
    while (len > 0) {
        const char *nl = memchr(data, '\n', len);
        size_t chunk = nl != NULL ? (size_t)(nl - data) : len;
        if (c->line_len + chunk > sizeof c->line) return -1; /* line too long */
        memcpy(c->line + c->line_len, data, chunk);
        c->line_len += chunk;
        if (nl == NULL) break;
        data += chunk + 1;
        len -= chunk + 1;
        size_t line_len = c->line_len;
        if (line_len > 0 && c->line[line_len - 1] == '\r') line_len--;
        c->line_len = 0;
        struct message *m = message_parse(c->line, line_len, now);
        if (m == NULL) return -1;
        if (c->backlog_tail != NULL) c->backlog_tail->next = m;
        else c->backlog_head = m;
        c->backlog_tail = m;
        c->backlog++;
    }
    return 0;
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf) {
    struct connection *c = stream->data;
    struct server *srv = c->server;
    if (nread < 0) { /* UV_EOF or an error: what was read still goes in */
        finish_connection(c, 0);
        return;
    }
    if (take_lines(c, buf->base, (size_t)nread, monotonic_ns()) != 0) {
        fprintf(stderr, "gtk_net: server: a malformed line; closing that connection\n");
        finish_connection(c, 0);
        return;
    }
    if (c->backlog >= srv->config.backlog_limit) { /* back-pressure: stop reading */
        uv_read_stop(stream);
        c->reading = 0;
    }
    put_next(c);
}

static void on_new_connection(uv_stream_t *listener, int status) {
    struct server *srv = listener->data;
    if (status < 0 || srv->stopping) return;
    struct connection *c = calloc(1, sizeof *c);
    if (c == NULL) return;
    c->server = srv;
    uv_tcp_init(&srv->loop, &c->tcp);
    c->tcp.data = c;
    if (uv_accept(listener, (uv_stream_t *)&c->tcp) != 0) {
        uv_close((uv_handle_t *)&c->tcp, on_connection_closed);
        return;
    }
    uv_tcp_nodelay(&c->tcp, 1);
    c->next = srv->connections;
    if (c->next != NULL) c->next->prev = c;
    srv->connections = c;
    if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) == 0) c->reading = 1;
}

/* ---- publishing the count through the shared lock's async face ------------------- */

static void on_publish_locked(void *arg, weft_status status, const weft_uv_grant *grant) {
    struct server *srv = arg;
    (void)grant;
    srv->publishing = 0;
    if (status != WEFT_OK) return; /* cancelled by the shutdown: the thread publishes last */
    srv->config.shared->received = srv->accepted;
    srv->published = srv->accepted;
    weft_lock_release_as(srv->config.shared->lock, srv->owner);
    publish(srv); /* catch up with what was accepted while this acquire waited */
}

/* Writes the accepted count to the shared state, without blocking the loop: one async
 * acquire at a time; what is accepted meanwhile goes with the next one (under load, about
 * one acquire per loop turn rather than one per message). */
static void publish(struct server *srv) {
    if (srv->publishing || srv->stopping || srv->published == srv->accepted) return;
    if (weft_uv_lock_acquire(srv->wuv, srv->config.shared->lock, srv->owner, 0,
                             on_publish_locked, srv, NULL) == WEFT_OK)
        srv->publishing = 1;
}

/* ---- start and shutdown ---------------------------------------------------------- */

/* The second half of the shutdown, from a uv timer: cancels every put still in line (and
 * a publish in flight), whose callbacks run in here, before weft_uv_port_close returns (a
 * put that won its race went in and is acknowledged), then closes every connection. */
static void finish_shutdown(uv_timer_t *timer) {
    struct server *srv = timer->data;
    uv_close((uv_handle_t *)timer, NULL);
    weft_uv_port_close(srv->wuv, NULL, NULL);
    while (srv->connections != NULL) close_connection(srv->connections);
}

/* The shutdown event is set. This runs inside weft_port_run, which may hold completions
 * of other ops of this port in the batch it is delivering. weft_uv_port_close is safe
 * here (it answers such ops from their status), but the second half still goes to a
 * timer so that the run delivers its batch normally first. */
static void on_shutdown(void *arg, weft_status status, const weft_uv_grant *grant) {
    struct server *srv = arg;
    (void)status; /* WEFT_OK: set; WEFT_CANCELLED only if the port closed first */
    (void)grant;
    srv->stopping = 1;
    uv_close((uv_handle_t *)&srv->listener, NULL);
    for (struct connection *c = srv->connections; c != NULL; c = c->next) {
        if (c->reading) uv_read_stop((uv_stream_t *)&c->tcp);
        c->reading = 0;
        drop_backlog(c);
    }
    uv_timer_start(&srv->shutdown_timer, finish_shutdown, 0, 0);
}

static int listen_on_loopback(struct server *srv) {
    struct sockaddr_in addr;
    struct sockaddr_storage bound;
    int len = sizeof bound;
    uv_tcp_init(&srv->loop, &srv->listener);
    srv->listener.data = srv;
    if (uv_ip4_addr("127.0.0.1", 0, &addr) != 0 ||
        uv_tcp_bind(&srv->listener, (const struct sockaddr *)&addr, 0) != 0 ||
        uv_listen((uv_stream_t *)&srv->listener, 128, on_new_connection) != 0 ||
        uv_tcp_getsockname(&srv->listener, (struct sockaddr *)&bound, &len) != 0)
        return -1;
    srv->port = ntohs(((struct sockaddr_in *)&bound)->sin_port);
    return 0;
}

static void publish_blocking(struct server *srv) {
    if (weft_lock_acquire_as(srv->config.shared->lock, srv->owner, WEFT_FOREVER) != WEFT_OK)
        abort();
    srv->config.shared->received = srv->accepted;
    weft_lock_release_as(srv->config.shared->lock, srv->owner);
}

static void *server_thread(void *arg) {
    struct server *srv = arg;
    if (uv_loop_init(&srv->loop) != 0 || weft_owner_new(&srv->owner) != WEFT_OK) abort();
    if (weft_uv_port_new(&srv->loop, &srv->wuv) != WEFT_OK) abort();
    uv_timer_init(&srv->loop, &srv->shutdown_timer);
    srv->shutdown_timer.data = srv;
    if (listen_on_loopback(srv) != 0 ||
        weft_uv_event_wait(srv->wuv, srv->config.shutdown, 0, on_shutdown, srv, NULL) != WEFT_OK) {
        srv->failed = 1;
        uv_close((uv_handle_t *)&srv->listener, NULL);
        uv_close((uv_handle_t *)&srv->shutdown_timer, NULL);
        weft_uv_port_close(srv->wuv, NULL, NULL);
    }
    weft_event_set(srv->listening, NULL);
    uv_run(&srv->loop, UV_RUN_DEFAULT);
    if (uv_loop_close(&srv->loop) != 0) {
        fprintf(stderr, "gtk_net: server: the loop still has handles at the end\n");
        abort();
    }
    /* No loop any more: this is a plain thread now, and may block. */
    publish_blocking(srv);
    weft_queue_shutdown(srv->config.inbound, false); /* the workers drain what is left */
    return NULL;
}

int server_start(const struct server_config *config, struct server **out, int *port_out) {
    struct server *srv = calloc(1, sizeof *srv);
    if (srv == NULL) return -1;
    srv->config = *config;
    if (weft_event_new(WEFT_EVENT_ONE_TIME, &srv->listening) != WEFT_OK) {
        free(srv);
        return -1;
    }
    if (pthread_create(&srv->thread, NULL, server_thread, srv) != 0) {
        weft_event_free(srv->listening);
        free(srv);
        return -1;
    }
    weft_event_wait(srv->listening, WEFT_FOREVER);
    if (srv->failed) {
        server_join(srv);
        return -1;
    }
    *port_out = srv->port;
    *out = srv;
    return 0;
}

uint64_t server_join(struct server *srv) {
    pthread_join(srv->thread, NULL);
    uint64_t accepted = srv->accepted;
    weft_event_free(srv->listening);
    free(srv);
    return accepted;
}
