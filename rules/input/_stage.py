"""Rules whose findings come from the suppression stage (``kportable.suppress``), not a check.

They judge suppressions and exemptions: what other rules' findings are and where they are
suppressed, which only exists once every rule has run (ruff's ``RUF100`` works the same way).
Declaring them as rules still gives them ids, docs, case files, ``--select``/``--ignore``,
severity overrides and SARIF descriptors. The engine's call of their check yields nothing; the
stage reports them when they are among the run's rules.
"""

from __future__ import annotations

from collections.abc import Iterator

from kportable.findings import Finding


def reported_by_suppression_stage() -> Iterator[Finding]:
    """The check of a stage rule: nothing here, see ``kportable.suppress.apply_suppressions``."""
    return iter(())
