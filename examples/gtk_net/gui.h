/*
 * The window of gtk_net: a live list of the latest messages shown (newest first, brought
 * up to date once per frame), the counters (received, processed, in flight, shown, the
 * main loop's longest stall) and a Quit button. The shared counters are read through the shared lock's async face on the
 * GTK main context (weft_glib_lock_acquire): the GUI never blocks on the lock. Both the
 * Quit button and closing the window call `on_quit`; the window stays until gui_free.
 * GTK thread only.
 */
#ifndef GTK_NET_GUI_H
#define GTK_NET_GUI_H

#include <stdint.h>

#include <gtk/gtk.h>

#include "message.h"
#include "shared_state.h"

struct gui_config {
    struct shared_state *shared;
    int limit;         /* the limiter's total, shown beside "in flight" */
    int port;
    const char *mode;  /* the handoff's name, for the title */
    void (*on_quit)(void *arg);
    void *arg;
};

struct gui;

/* Builds and presents the window. NULL on failure. */
struct gui *gui_new(const struct gui_config *config);

/* Adds a message at the top of the list (the list keeps the latest few hundred). */
void gui_show_message(struct gui *gui, const struct message *m);

/* Reads the shared counters (asynchronously) and shows them with the GUI's own. */
void gui_refresh(struct gui *gui, uint64_t shown, double longest_stall_ms);

void gui_set_status(struct gui *gui, const char *text);

/* What a user does: click Quit, or close the window (through the window manager's path,
 * gtk_window_close, which asks the window's close-request handler). */
void gui_click_quit(struct gui *gui);
void gui_close_window(struct gui *gui);

GtkWidget *gui_window(struct gui *gui);

/* Destroys the window and frees the GUI. */
void gui_free(struct gui *gui);

#endif
