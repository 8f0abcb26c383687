/* Widget to PNG through GtkWidgetPaintable and GskRenderer (screenshot.h). */
#include "screenshot.h"

int screenshot_save_png(GtkWidget *widget, const char *path) {
    int width = gtk_widget_get_width(widget), height = gtk_widget_get_height(widget);
    GtkNative *native = gtk_widget_get_native(widget);
    GskRenderer *renderer = native != NULL ? gtk_native_get_renderer(native) : NULL;
    if (width <= 0 || height <= 0 || renderer == NULL) return -1;
    GdkPaintable *paintable = gtk_widget_paintable_new(widget);
    GtkSnapshot *snapshot = gtk_snapshot_new();
    gdk_paintable_snapshot(paintable, GDK_SNAPSHOT(snapshot), width, height);
    GskRenderNode *node = gtk_snapshot_free_to_node(snapshot);
    int result = -1;
    if (node != NULL) {
        graphene_rect_t area = GRAPHENE_RECT_INIT(0, 0, (float)width, (float)height);
        GdkTexture *texture = gsk_renderer_render_texture(renderer, node, &area);
        if (texture != NULL && gdk_texture_save_to_png(texture, path)) result = 0;
        if (texture != NULL) g_object_unref(texture);
        gsk_render_node_unref(node);
    }
    g_object_unref(paintable);
    return result;
}
