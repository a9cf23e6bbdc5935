"""``python -m autograd.viz EXPRESSION --set NAME=NUMBER ... [-o FILE]``: the command line of `autograd.viz.cli`."""

import sys

from .cli import MODULE_PROG, main

sys.exit(main(prog=MODULE_PROG))
