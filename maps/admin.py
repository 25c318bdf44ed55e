from django.contrib.gis import admin

from .models import Feature, FeaturePhoto, FeatureVersion, Map, MapCollaborator, MapTemplate


@admin.register(Map)
class MapAdmin(admin.GISModelAdmin):
    list_display = ("title", "owner", "theme", "visibility", "contribution_mode", "is_hidden", "updated_at")
    list_filter = ("theme", "visibility", "contribution_mode", "is_hidden")
    search_fields = ("title",)
    raw_id_fields = ("owner",)


@admin.register(Feature)
class FeatureAdmin(admin.GISModelAdmin):
    list_display = ("name", "map", "category", "status", "version", "is_hidden", "updated_at")
    list_filter = ("status", "is_hidden")
    search_fields = ("name",)
    raw_id_fields = ("map", "author")


@admin.register(MapTemplate)
class MapTemplateAdmin(admin.ModelAdmin):
    list_display = ("slug", "theme", "title_ko", "title_en", "is_active")


admin.site.register(FeaturePhoto)
admin.site.register(MapCollaborator)
admin.site.register(FeatureVersion)
