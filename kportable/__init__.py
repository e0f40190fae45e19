"""kportable: a Kubernetes manifest portability linter.

The public API for plugin authors is re-exported here (lazily, so ``kportable --version``
and pre-commit runs do not pay for imports they do not use)::

    from kportable import hookimpl, rule, Severity, Target, Effect, RuleContext, Workload, label
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

# ``rule`` is imported eagerly: the submodule ``kportable.rule`` has the same name, and once it is
# imported the import system sets it as this package's attribute, so a lazy export would make
# ``from kportable import rule`` return the module instead of the decorator. (It is cheap.)
from .rule import rule

__version__ = "0.1.0"
PLUGIN_API_VERSION = 1
plugin_api_version = PLUGIN_API_VERSION

if TYPE_CHECKING:
    from .clouds import CloudProfile
    from .findings import Effect, Finding, Location, ObjectRef, Severity
    from .model import Container, Resource, Workload, label
    from .plugins.hookspecs import hookimpl
    from .report.base import OutputFormat, ReportOptions
    from .rule import ALL_CLOUDS, RuleContext, RuleSpec, Target
    from .schema_source import SchemaSource

_EXPORTS = {
    "hookimpl": "plugins.hookspecs",
    "RuleSpec": "rule",
    "RuleContext": "rule",
    "Target": "rule",
    "ALL_CLOUDS": "rule",
    "Severity": "findings",
    "Effect": "findings",
    "Finding": "findings",
    "Location": "findings",
    "ObjectRef": "findings",
    "Resource": "model",
    "Workload": "model",
    "Container": "model",
    "label": "model",
    "CloudProfile": "clouds",
    "OutputFormat": "report.base",
    "ReportOptions": "report.base",
    "SchemaSource": "schema_source",
}

__all__ = [
    "ALL_CLOUDS",
    "PLUGIN_API_VERSION",
    "CloudProfile",
    "Container",
    "Effect",
    "Finding",
    "Location",
    "ObjectRef",
    "OutputFormat",
    "ReportOptions",
    "Resource",
    "RuleContext",
    "RuleSpec",
    "SchemaSource",
    "Severity",
    "Target",
    "Workload",
    "__version__",
    "hookimpl",
    "label",
    "plugin_api_version",
    "rule",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'kportable' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
