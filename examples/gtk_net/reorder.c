/* Per-connection reordering of processed messages (reorder.h). */
#include "reorder.h"

#include <stdlib.h>
#include <string.h>

void reorder_init(struct reorder *r) { memset(r, 0, sizeof *r); }

static struct reorder_connection *connection_of(struct reorder *r, uint32_t conn) {
    if (conn >= r->count) {
        size_t count = r->count ? r->count : 16;
        while (count <= conn) count *= 2;
        struct reorder_connection *grown = realloc(r->connections, count * sizeof *grown);
        if (grown == NULL) return NULL;
        memset(grown + r->count, 0, (count - r->count) * sizeof *grown);
        r->connections = grown;
        r->count = count;
    }
    return &r->connections[conn];
}

int reorder_push(struct reorder *r, struct message *m, reorder_emit_fn emit, void *arg) {
    struct reorder_connection *c = connection_of(r, m->conn);
    if (c == NULL) {
        message_free(NULL, m);
        return -1;
    }
    if (m->seq < c->next_seq) {
        r->duplicates++;
        message_free(NULL, m);
        return 0;
    }
    if (m->seq > c->next_seq) { /* an earlier one is still on its way: hold this one */
        struct message **at = &c->held;
        while (*at != NULL && (*at)->seq < m->seq) at = &(*at)->next;
        if (*at != NULL && (*at)->seq == m->seq) {
            r->duplicates++;
            message_free(NULL, m);
            return 0;
        }
        m->next = *at;
        *at = m;
        r->reordered++;
        if (++r->held > r->held_most) r->held_most = r->held;
        return 0;
    }
    c->next_seq++;
    emit(arg, m);
    while (c->held != NULL && c->held->seq == c->next_seq) {
        struct message *next = c->held;
        c->held = next->next;
        next->next = NULL;
        r->held--;
        c->next_seq++;
        emit(arg, next);
    }
    return 0;
}

void reorder_destroy(struct reorder *r) {
    for (size_t i = 0; i < r->count; i++) {
        while (r->connections[i].held != NULL) {
            struct message *m = r->connections[i].held;
            r->connections[i].held = m->next;
            message_free(NULL, m);
        }
    }
    free(r->connections);
    r->connections = NULL;
    r->count = 0;
}
