from django.apps import AppConfig


class DistributionsConfig(AppConfig):
    name = "distributions"
    verbose_name = "CloudFront distributions"

    def ready(self) -> None:
        # Users and roles change through code Edgeguard does not own (the admin, manage.py): audit them all.
        from distributions.services import identity_audit

        identity_audit.connect()
