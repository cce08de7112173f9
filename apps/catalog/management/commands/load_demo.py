from django.core.management import call_command
from django.core.management.base import BaseCommand
from tqdm import tqdm

from apps.catalog.demo.loader import demo_records, load_demo
from apps.knowledge.demo.loader import EDITOR_EMAIL, load_knowledge_demo
from apps.market.demo.loader import load_market_demo


class Command(BaseCommand):
    help = "Load the demo catalog (German projects in real municipalities). Idempotent."

    def handle(self, *args, **options):
        call_command("load_municipalities", stdout=self.stdout)
        with tqdm(
            total=sum(1 for _ in demo_records()), desc="Demo projects", unit="project"
        ) as bar:
            loaded = load_demo(progress=lambda record: bar.update())
        self.stdout.write(self.style.SUCCESS(f"{loaded} demo projects loaded."))
        self.stdout.write("Moderator login: moderation@transferhub.example / transferhub-demo")
        market = load_market_demo()
        self.stdout.write(
            self.style.SUCCESS(
                f"Market demo: {market['offers']} offers and {market['conversations']} "
                "conversations loaded. Logins: team@transferhub.example (all demo offers), "
                "anna@transferhub.example (interested) / transferhub-demo"
            )
        )
        knowledge = load_knowledge_demo()
        self.stdout.write(
            self.style.SUCCESS(
                f"Knowledge demo: {knowledge['articles']} articles, {knowledge['revisions']} "
                f"revisions, {knowledge['proposals']} edit proposals and "
                f"{knowledge['comments']} comments loaded. Editor login: {EDITOR_EMAIL}, "
                "authors katrin.albers@transferhub.example and others / transferhub-demo"
            )
        )
