from django.contrib import admin

from clients.models import Client


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ["pk", "first_name", "last_name", "email", "practice"]
    search_fields = ["first_name", "last_name", "email"]
    list_filter = ["practice"]
