"""``python -m lti_tool …`` is the ``passeport`` command."""
from .cli import main

main()
