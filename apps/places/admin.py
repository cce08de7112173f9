from django.contrib import admin

from .models import Municipality


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "state", "district", "ags", "population", "settlement_type", "source"]
    list_filter = ["state", "settlement_type", "source"]
    search_fields = ["name", "district", "=ags"]
    prepopulated_fields = {"slug": ["name", "state"]}
