"""Discover the built-in rules: every ``RuleSpec`` defined at module level in a category package."""

from __future__ import annotations

import importlib
import pkgutil

from kportable.rule import RuleSpec

CATEGORY_PACKAGES = (
    "input",
    "workloads",
    "networking",
    "storage",
    "identity",
    "scheduling",
    "cloud_resources",
    "hygiene",
    "schema",
)


def all_rules() -> list[RuleSpec]:
    """Import every rule module (``kpNNN_*.py``) of every category and collect its rules, sorted by id."""
    found: dict[str, RuleSpec] = {}
    for category in CATEGORY_PACKAGES:
        package = importlib.import_module(f"{__package__}.{category}")
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
            if not info.name.startswith("kp"):
                continue
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            for value in vars(module).values():
                if isinstance(value, RuleSpec):
                    found[value.id] = value
    return [found[k] for k in sorted(found)]
