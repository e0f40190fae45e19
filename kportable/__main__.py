"""``python -m kportable``: the same as the ``kportable`` command."""

from .cli import main

main()
