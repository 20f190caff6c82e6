"""``python -m theke`` is the ``theke`` command."""

from theke.cli.main import main

main()
