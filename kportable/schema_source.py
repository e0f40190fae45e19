"""Extra JSON Schemas contributed by plugins or ``--schema-dir`` (for CRDs)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class SchemaSource:
    """The JSON Schema of one (API group, version, kind).

    ``group`` is ``""`` for the core API group. ``override`` lets a plugin replace a schema
    kportable already ships; without it a clash is an error.
    """

    group: str
    version: str
    kind: str
    schema: Mapping[str, Any]
    origin: str = ""
    override: bool = False

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version
