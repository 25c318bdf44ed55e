from django.contrib.gis import admin

from .models import District, Dong


@admin.register(District)
class DistrictAdmin(admin.GISModelAdmin):
    list_display = ("code", "kostat_code", "name_ko", "name_en", "population")
    search_fields = ("name_ko", "name_en", "code")


@admin.register(Dong)
class DongAdmin(admin.GISModelAdmin):
    list_display = ("code", "name_ko", "name_en", "district", "population")
    list_filter = ("district",)
    search_fields = ("name_ko", "name_en", "code")
