"""kportable's built-in rule set and cloud profiles, loaded as the ``core`` plugin.

This package is installed as ``kportable_rules`` and registered through the ``kportable``
entry-point group exactly like a third-party rule pack (see ``plugin.py``).
"""
