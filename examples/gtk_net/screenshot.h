/*
 * Renders a widget, as it is on screen now, to a PNG file: the widget's paintable is
 * snapshotted into a render node, which the window's own GSK renderer turns into a
 * texture (works headless, e.g. under Xvfb, with any renderer GTK picked). GTK thread.
 */
#ifndef GTK_NET_SCREENSHOT_H
#define GTK_NET_SCREENSHOT_H

#include <gtk/gtk.h>

/* 0 on success; -1 if the widget has no size yet or the file cannot be written. */
int screenshot_save_png(GtkWidget *widget, const char *path);

#endif
