/*
 * Renders a window, as it is on screen, to a PNG file: right after its next paint (the
 * frame clock's "after-paint", when its layout is up to date; in between, a window whose
 * contents keep changing has a layout pending and renders nothing), the window's snapshot
 * vfunc records its render nodes and the window's own GSK renderer turns them into a
 * texture. Works headless (Xvfb) with whichever renderer GTK picked. GTK thread only.
 */
#ifndef GTK_NET_SCREENSHOT_H
#define GTK_NET_SCREENSHOT_H

#include <gtk/gtk.h>

/* Called once with 0 (written) or -1 (nothing to render, or the file could not be
 * written). */
typedef void (*screenshot_done_fn)(void *arg, int result);

/* Asks for the screenshot; `done` follows after the next frame (never inside this call).
 * -1 at once if the widget is not realized (no frame clock); `done` is not called then. */
int screenshot_save_png(GtkWidget *widget, const char *path, screenshot_done_fn done, void *arg);

#endif
