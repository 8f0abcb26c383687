/* The GTK main loop's heartbeat (stall_meter.h). */
#include "stall_meter.h"

#include "message.h"

static gboolean on_tick(gpointer data) {
    struct stall_meter *m = data;
    uint64_t now = monotonic_ns();
    if (m->measuring && m->last_tick_ns != 0) {
        uint64_t gap = now - m->last_tick_ns;
        if (gap > m->longest_gap_ns) m->longest_gap_ns = gap;
        m->ticks++;
    }
    m->last_tick_ns = now;
    return G_SOURCE_CONTINUE;
}

void stall_meter_start(struct stall_meter *m, unsigned interval_ms) {
    *m = (struct stall_meter){0};
    m->interval_ms = interval_ms;
    /* The default priority, like most of what a GTK program runs. */
    m->source_id = g_timeout_add(interval_ms, on_tick, m);
}

void stall_meter_measure(struct stall_meter *m, bool on) {
    if (on && !m->measuring) m->last_tick_ns = monotonic_ns();
    m->measuring = on;
}

void stall_meter_skip(struct stall_meter *m) { m->last_tick_ns = monotonic_ns(); }

void stall_meter_stop(struct stall_meter *m) {
    if (m->source_id != 0) g_source_remove(m->source_id);
    m->source_id = 0;
    m->measuring = false;
}
