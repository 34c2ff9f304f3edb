from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The REST API and its tokens (knox's token model, swapped for one with a name and a last use)."""

    name = "distributions.api"
    label = "api"
    verbose_name = "REST API"
    default_auto_field = "django.db.models.BigAutoField"
