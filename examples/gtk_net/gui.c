/* The gtk_net window (gui.h). */
#include "gui.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <weft.h>
#include <weft_glib.h>

#define LIST_ROWS 20  /* the latest messages, newest first */
#define ROW_SIZE 160

struct gui {
    struct gui_config config;
    GtkWidget *window;
    GtkWidget *counters;
    GtkWidget *status;
    GtkWidget *quit_button;
    GtkWidget *row_labels[LIST_ROWS];
    /* The newest LIST_ROWS messages as text, a ring; the labels are brought up to date
     * once per frame (a message costs a snprintf, not a relayout). */
    char rows[LIST_ROWS][ROW_SIZE];
    size_t rows_next, rows_filled;
    int rows_changed;
    weft_glib_source *ws;  /* the GTK context's weft port, for the shared lock */
    uint64_t owner;        /* the GUI's owner token for the shared lock */
    int refreshing;        /* an async acquire is in flight */
    uint64_t shown;        /* what gui_refresh was last given */
    double longest_stall_ms;
};

static void on_quit_clicked(GtkButton *button, gpointer data) {
    struct gui *gui = data;
    (void)button;
    gui->config.on_quit(gui->config.arg);
}

static gboolean on_close_request(GtkWindow *window, gpointer data) {
    struct gui *gui = data;
    (void)window;
    gui->config.on_quit(gui->config.arg);
    return TRUE; /* keep the window until everything has shut down (gui_free) */
}

/* The frame clock's update phase, once per frame. */
static gboolean update_rows(GtkWidget *widget, GdkFrameClock *clock, gpointer data) {
    struct gui *gui = data;
    (void)widget;
    (void)clock;
    if (!gui->rows_changed) return G_SOURCE_CONTINUE;
    gui->rows_changed = 0;
    for (size_t i = 0; i < gui->rows_filled; i++) {
        size_t at = (gui->rows_next + LIST_ROWS - 1 - i) % LIST_ROWS;
        gtk_label_set_text(GTK_LABEL(gui->row_labels[i]), gui->rows[at]);
    }
    return G_SOURCE_CONTINUE;
}

static GtkWidget *build_list(struct gui *gui) {
    GtkWidget *list = gtk_list_box_new();
    gtk_list_box_set_selection_mode(GTK_LIST_BOX(list), GTK_SELECTION_NONE);
    for (int i = 0; i < LIST_ROWS; i++) {
        GtkWidget *label = gtk_label_new("");
        gtk_label_set_xalign(GTK_LABEL(label), 0);
        gtk_label_set_ellipsize(GTK_LABEL(label), PANGO_ELLIPSIZE_END);
        gtk_widget_add_css_class(label, "monospace");
        gtk_list_box_append(GTK_LIST_BOX(list), label);
        gui->row_labels[i] = label;
    }
    gtk_widget_add_tick_callback(list, update_rows, gui, NULL);
    return list;
}

struct gui *gui_new(const struct gui_config *config) {
    struct gui *gui = calloc(1, sizeof *gui);
    if (gui == NULL) return NULL;
    gui->config = *config;
    if (weft_owner_new(&gui->owner) != WEFT_OK || weft_glib_source_new(NULL, &gui->ws) != WEFT_OK) {
        free(gui);
        return NULL;
    }

    gui->window = gtk_window_new();
    char title[128];
    snprintf(title, sizeof title, "weft gtk_net: 127.0.0.1:%d (%s handoff)", config->port,
             config->mode);
    gtk_window_set_title(GTK_WINDOW(gui->window), title);
    gtk_window_set_default_size(GTK_WINDOW(gui->window), 760, 520);
    g_signal_connect(gui->window, "close-request", G_CALLBACK(on_close_request), gui);

    GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 6);
    gtk_widget_set_margin_top(box, 8);
    gtk_widget_set_margin_bottom(box, 8);
    gtk_widget_set_margin_start(box, 8);
    gtk_widget_set_margin_end(box, 8);
    gtk_window_set_child(GTK_WINDOW(gui->window), box);

    gui->counters = gtk_label_new("waiting for connections");
    gtk_label_set_xalign(GTK_LABEL(gui->counters), 0);
    gtk_box_append(GTK_BOX(box), gui->counters);

    GtkWidget *frame = gtk_frame_new("latest messages (connection, sequence, digest, text)");
    gtk_frame_set_child(GTK_FRAME(frame), build_list(gui));
    gtk_widget_set_vexpand(frame, TRUE);
    gtk_box_append(GTK_BOX(box), frame);

    GtkWidget *bar = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
    gui->status = gtk_label_new("running");
    gtk_label_set_xalign(GTK_LABEL(gui->status), 0);
    gtk_widget_set_hexpand(gui->status, TRUE);
    gtk_box_append(GTK_BOX(bar), gui->status);
    gui->quit_button = gtk_button_new_with_label("Quit");
    g_signal_connect(gui->quit_button, "clicked", G_CALLBACK(on_quit_clicked), gui);
    gtk_box_append(GTK_BOX(bar), gui->quit_button);
    gtk_box_append(GTK_BOX(box), bar);

    gtk_window_present(GTK_WINDOW(gui->window));
    return gui;
}

void gui_show_message(struct gui *gui, const struct message *m) {
    snprintf(gui->rows[gui->rows_next], ROW_SIZE, "conn %-3" PRIu32 " #%-7" PRIu64 " %016" PRIx64 "  %.80s",
             m->conn, m->seq, m->digest, m->text);
    gui->rows_next = (gui->rows_next + 1) % LIST_ROWS;
    if (gui->rows_filled < LIST_ROWS) gui->rows_filled++;
    gui->rows_changed = 1;
}

/* On the GTK thread, once the shared lock is the GUI's (or the source is going). */
static void on_counters_locked(void *arg, weft_status status, const weft_glib_grant *grant) {
    struct gui *gui = arg;
    (void)grant;
    gui->refreshing = 0;
    if (status != WEFT_OK) return; /* cancelled: the GUI is being freed */
    struct shared_state *s = gui->config.shared;
    uint64_t received = s->received, processed = s->processed, in_flight = s->in_flight;
    weft_lock_release_as(s->lock, gui->owner);
    char text[256];
    snprintf(text, sizeof text,
             "received %" PRIu64 "   processed %" PRIu64 "   in flight %" PRIu64 "/%d   shown %" PRIu64
             "   longest stall %.1f ms",
             received, processed, in_flight, gui->config.limit, gui->shown, gui->longest_stall_ms);
    gtk_label_set_text(GTK_LABEL(gui->counters), text);
}

void gui_refresh(struct gui *gui, uint64_t shown, double longest_stall_ms) {
    gui->shown = shown;
    gui->longest_stall_ms = longest_stall_ms;
    if (gui->refreshing) return;
    if (weft_glib_lock_acquire(gui->ws, gui->config.shared->lock, gui->owner, 0,
                               on_counters_locked, gui, NULL) == WEFT_OK)
        gui->refreshing = 1;
}

void gui_set_status(struct gui *gui, const char *text) {
    gtk_label_set_text(GTK_LABEL(gui->status), text);
}

void gui_click_quit(struct gui *gui) { g_signal_emit_by_name(gui->quit_button, "clicked"); }

void gui_close_window(struct gui *gui) { gtk_window_close(GTK_WINDOW(gui->window)); }

GtkWidget *gui_window(struct gui *gui) { return gui->window; }

void gui_free(struct gui *gui) {
    weft_glib_source_destroy(gui->ws); /* an acquire in flight is cancelled (or released) */
    gtk_window_destroy(GTK_WINDOW(gui->window)); /* its tick callback goes with it */
    free(gui);
}
