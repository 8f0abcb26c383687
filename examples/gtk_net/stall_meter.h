/*
 * Measures how long the GTK main loop goes without running: a GLib timeout ticks every
 * `interval_ms` and records the longest gap between two ticks while measuring is on. A
 * loop that never blocks shows gaps close to the interval; anything that keeps the loop
 * busy (a long dispatch, a blocking call) shows up as a longer gap. GTK thread only.
 */
#ifndef GTK_NET_STALL_METER_H
#define GTK_NET_STALL_METER_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

struct stall_meter {
    guint source_id;
    unsigned interval_ms;
    bool measuring;
    uint64_t last_tick_ns;
    uint64_t longest_gap_ns;
    uint64_t ticks; /* while measuring */
};

void stall_meter_start(struct stall_meter *m, unsigned interval_ms);
/* Gaps count from now on (true) or no longer (false). */
void stall_meter_measure(struct stall_meter *m, bool on);
/* Forget the gap up to now: after a deliberate pause that is not the loop's fault (the
 * test's screenshot). */
void stall_meter_skip(struct stall_meter *m);
void stall_meter_stop(struct stall_meter *m);

#endif
