"""The largest modules and functions of the portal's own code, as the Markdown tables in
docs/architecture.md: `python manage.py code_sizes`."""

import ast
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

APPS = (
    "hackney_portal",
    "accounts",
    "notifications",
    "records",
    "parking",
    "balances",
    "casework",
    "personal_data",
    "insights",
)


class Command(BaseCommand):
    help = "Print the ten largest modules and functions (lines), migrations left out."

    def add_arguments(self, parser):
        parser.add_argument("--top", type=int, default=10)

    def handle(self, *args, top: int, **options):
        modules, functions = [], []
        for app in APPS:
            for path in sorted((Path(settings.BASE_DIR) / app).rglob("*.py")):
                if "migrations" in path.parts:
                    continue
                name = str(path.relative_to(settings.BASE_DIR))
                text = path.read_text()
                modules.append((len(text.splitlines()), name))
                for node in ast.walk(ast.parse(text)):
                    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        size = node.end_lineno - node.lineno + 1
                        functions.append((size, f"{name}: {node.name}"))
        for title, rows in (("module", modules), ("function", functions)):
            self.stdout.write(f"| {title} | lines |\n| --- | ---: |")
            for size, name in sorted(rows, reverse=True)[:top]:
                self.stdout.write(f"| `{name}` | {size:,} |")
            self.stdout.write("")
