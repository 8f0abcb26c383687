/* The worker pool of gtk_net (workers.h). */
#define _GNU_SOURCE
#include "workers.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "message.h"

struct workers {
    struct workers_config config;
    int started;
    pthread_t threads[];
};

/* FNV-1a over the text: the "result" the GUI shows. */
static uint64_t digest_of(const struct message *m) {
    uint64_t h = 1469598103934665603u;
    for (size_t i = 0; i < m->text_len; i++) {
        h ^= (unsigned char)m->text[i];
        h *= 1099511628211u;
    }
    return h;
}

static void process(struct message *m, int work_us) {
    m->digest = digest_of(m);
    if (work_us > 0) {
        struct timespec ts = {work_us / 1000000, (long)(work_us % 1000000) * 1000};
        nanosleep(&ts, NULL);
    }
}

static void *worker_main(void *arg) {
    struct workers *w = arg;
    const struct workers_config *cfg = &w->config;
    for (;;) {
        void *item = NULL;
        weft_status s = weft_queue_get(cfg->inbound, &item, WEFT_FOREVER);
        if (s == WEFT_CLOSED) break; /* shut down and drained */
        if (s != WEFT_OK) {
            fprintf(stderr, "gtk_net: worker: weft_queue_get: %s\n", weft_status_str(s));
            abort();
        }
        struct message *m = item;
        s = weft_limiter_acquire(cfg->limiter, 1, WEFT_FOREVER);
        if (s != WEFT_OK) {
            fprintf(stderr, "gtk_net: worker: weft_limiter_acquire: %s\n", weft_status_str(s));
            abort();
        }
        shared_state_begin_processing(cfg->shared);
        process(m, cfg->work_us);
        shared_state_end_processing(cfg->shared);
        weft_limiter_release(cfg->limiter, 1);
        handoff_put(cfg->handoff, m);
    }
    if (shared_state_worker_exit(cfg->shared)) handoff_close(cfg->handoff);
    return NULL;
}

int workers_start(const struct workers_config *config, struct workers **out) {
    struct workers *w = calloc(1, sizeof *w + (size_t)config->count * sizeof(pthread_t));
    if (w == NULL) return -1;
    w->config = *config;
    for (int i = 0; i < config->count; i++) {
        if (pthread_create(&w->threads[i], NULL, worker_main, w) != 0) {
            fprintf(stderr, "gtk_net: cannot start worker %d\n", i);
            abort(); /* the others would wait for a closing that never comes */
        }
        w->started++;
    }
    *out = w;
    return 0;
}

void workers_join(struct workers *w) {
    for (int i = 0; i < w->started; i++) pthread_join(w->threads[i], NULL);
    free(w);
}
