/* A window to PNG after its next paint (screenshot.h). */
#include "screenshot.h"

#include <stdlib.h>
#include <string.h>

struct request {
    GtkWidget *widget;
    GdkFrameClock *clock;
    gulong handler;
    screenshot_done_fn done;
    void *arg;
    char path[];
};

static int render_to_png(GtkWidget *widget, const char *path) {
    int width = gtk_widget_get_width(widget), height = gtk_widget_get_height(widget);
    GtkNative *native = gtk_widget_get_native(widget);
    GskRenderer *renderer = native != NULL ? gtk_native_get_renderer(native) : NULL;
    if (width <= 0 || height <= 0 || renderer == NULL) return -1;
    GdkPaintable *painted = gtk_widget_paintable_new(widget);
    GtkSnapshot *snapshot = gtk_snapshot_new();
    gdk_paintable_snapshot(painted, GDK_SNAPSHOT(snapshot), width, height);
    GskRenderNode *node = gtk_snapshot_free_to_node(snapshot);
    g_object_unref(painted);
    if (node == NULL) return -1;
    graphene_rect_t area = GRAPHENE_RECT_INIT(0, 0, (float)width, (float)height);
    GdkTexture *texture = gsk_renderer_render_texture(renderer, node, &area);
    int result = texture != NULL && gdk_texture_save_to_png(texture, path) ? 0 : -1;
    if (texture != NULL) g_object_unref(texture);
    gsk_render_node_unref(node);
    return result;
}

static void on_after_paint(GdkFrameClock *clock, gpointer data) {
    struct request *r = data;
    g_signal_handler_disconnect(clock, r->handler);
    int result = render_to_png(r->widget, r->path);
    r->done(r->arg, result);
    g_object_unref(r->clock);
    g_object_unref(r->widget);
    free(r);
}

int screenshot_save_png(GtkWidget *widget, const char *path, screenshot_done_fn done, void *arg) {
    GdkFrameClock *clock = gtk_widget_get_frame_clock(widget);
    if (clock == NULL) return -1;
    size_t len = strlen(path);
    struct request *r = malloc(sizeof *r + len + 1);
    if (r == NULL) return -1;
    memcpy(r->path, path, len + 1);
    r->widget = g_object_ref(widget);
    r->clock = g_object_ref(clock);
    r->done = done;
    r->arg = arg;
    r->handler = g_signal_connect(clock, "after-paint", G_CALLBACK(on_after_paint), r);
    gtk_widget_queue_draw(widget); /* make sure a frame comes */
    return 0;
}
