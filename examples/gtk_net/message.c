/* Parsing and freeing of gtk_net message records (message.h). */
#define _GNU_SOURCE
#include "message.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Reads a decimal number at *p (digits only), advancing *p; 0 on success. */
static int parse_number(const char **p, const char *end, uint64_t *out) {
    const char *s = *p;
    uint64_t v = 0;
    if (s == end || *s < '0' || *s > '9') return -1;
    while (s < end && *s >= '0' && *s <= '9') {
        uint64_t digit = (uint64_t)(*s - '0');
        if (v > (UINT64_MAX - digit) / 10) return -1;
        v = v * 10 + digit;
        s++;
    }
    *p = s;
    *out = v;
    return 0;
}

struct message *message_parse(const char *line, size_t len, uint64_t received_ns) {
    const char *p = line, *end = line + len;
    uint64_t conn = 0, seq = 0;
    if (parse_number(&p, end, &conn) != 0 || conn >= MESSAGE_MAX_CONN) return NULL;
    if (p == end || *p++ != ' ') return NULL;
    if (parse_number(&p, end, &seq) != 0) return NULL;
    if (p != end && *p++ != ' ') return NULL;
    size_t text_len = (size_t)(end - p);
    struct message *m = malloc(sizeof *m + text_len + 1);
    if (m == NULL) return NULL;
    m->next = NULL;
    m->conn = (uint32_t)conn;
    m->seq = seq;
    m->received_ns = received_ns;
    m->digest = 0;
    m->text_len = text_len;
    memcpy(m->text, p, text_len);
    m->text[text_len] = '\0';
    return m;
}

void message_free(void *ctx, void *message) {
    (void)ctx;
    free(message);
}

uint64_t monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
