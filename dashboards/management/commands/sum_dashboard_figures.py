import time

from django.core.management.base import BaseCommand

from dashboards.figures import refresh_stale
from projects.models import Project


class Command(BaseCommand):
    help = (
        "Sums again the kept budget and spending of every project whose data changed since they were summed "
        "(after a bulk import or an upgrade; the workers do it every DASHBOARD_FIGURES_INTERVAL seconds)."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        summed = refresh_stale(Project.objects.all())
        seconds = time.perf_counter() - started
        self.stdout.write(f"Projects whose dashboard figures were summed again: {summed} ({seconds:.1f} s).")
