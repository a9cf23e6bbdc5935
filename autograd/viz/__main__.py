"""``python -m autograd.viz EXPRESSION --set NAME=NUMBER ... [-o FILE]``: the command line of `autograd.viz.cli`."""

import sys

from .cli import main

sys.exit(main())
