"""`manage.py sync_distributions [--account NAME]`: mirror CloudFront into the database now."""

from django.core.management.base import BaseCommand, CommandError

from distributions import choices
from distributions.models import Account
from distributions.services.sync import accounts_sync


class Command(BaseCommand):
    help = "Sync distributions and certificates from CloudFront (all enabled accounts, or the one named)."

    def add_arguments(self, parser):
        parser.add_argument("--account", action="append", help="account name (repeatable)")

    def handle(self, *args, **options):
        names = options["account"]
        if names:
            unknown = sorted(
                set(names) - set(Account.objects.filter(name__in=names).values_list("name", flat=True))
            )
            if unknown:
                raise CommandError(f"Unknown account(s): {', '.join(unknown)}. Known: {self._known()}")
        runs = accounts_sync(trigger=choices.SyncTrigger.COMMAND, names=names)
        failed = 0
        for run in runs:
            line = (
                f"{run.account.name}: {run.status}, {run.created_count} created, "
                f"{run.updated_count} updated, "
                f"{run.removed_count} removed, {run.unchanged_count} unchanged, "
                f"{run.total_api_calls} API calls in {run.duration_seconds:.1f}s"
            )
            if run.error:
                failed += 1
                self.stderr.write(f"{line}\n  {run.error}")
            else:
                self.stdout.write(line)
        if failed:
            raise CommandError(f"{failed} of {len(runs)} account(s) failed to sync")

    def _known(self) -> str:
        return ", ".join(Account.objects.values_list("name", flat=True)) or "(none)"
