from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from activities import demo as activity_demo
from budgets import demo as budget_demo
from concepts import demo as concept_demo
from documents import demo as document_demo
from projects import demo as project_demo
from reports import demo as report_demo
from results import demo as results_demo


class Command(BaseCommand):
    help = "Loads the demo data: the seed project, other projects, and demo users (password 'demo'). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--not-production",
            action="store_true",
            help="Confirm that this database is not production (needed when DEBUG is off).",
        )

    def handle(self, *args, **options):
        if not settings.DEMO_DATA_ALLOWED and not options["not_production"]:
            raise CommandError(
                "DEBUG is off, so this may be a production database. Demo users with the password "
                "'demo' would be created. Run again with --not-production if this database is not production."
            )
        with transaction.atomic():
            seed = project_demo.seed_projects()
            users = project_demo.seed_users(seed)
            activity_demo.seed_activities(seed)
            budget_demo.seed_budget(seed)
            concept_demo.seed_concept(seed)
            document_demo.seed_documents(seed)
            results_demo.seed_results(seed)
            budget_demo.seed_other_budgets([facts["code"] for facts in project_demo.OTHER_PROJECTS])
            report_demo.seed_reports(seed)
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded: {seed.title}."))
        self.stdout.write("Demo logins (password 'demo'): " + ", ".join(sorted(users)))
