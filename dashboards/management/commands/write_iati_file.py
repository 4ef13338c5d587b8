import time

from django.core.management.base import BaseCommand

from dashboards.publication import iati_public_file, iati_public_file_build


class Command(BaseCommand):
    help = (
        "Writes the public IATI activity file (/iati/activities.xml) now if the data changed since it was "
        "written, or always with --force (after a restore; the workers check every IATI_REFRESH_INTERVAL seconds)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="write it even if it is current")

    def handle(self, *args, **options):
        started = time.perf_counter()
        written = iati_public_file_build(force=options["force"])
        seconds = time.perf_counter() - started
        public = written or iati_public_file()
        if written is None:
            self.stdout.write(f"The public IATI file is current ({public.size:,} bytes): nothing written.")
        else:
            self.stdout.write(f"The public IATI file was written: {public.size:,} bytes ({seconds:.1f} s).")
        self.stdout.write(public.file.name)
