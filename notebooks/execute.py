"""Re-run every notebook top to bottom and save it with its outputs (`make notebooks`).

Uses nbclient directly so that progress-bar output is coalesced into one
stream and no per-cell timings are stored: re-running an unchanged notebook
then changes as little as possible.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent


def main(names: list[str]) -> int:
    paths = [HERE / n for n in names] if names else sorted(HERE.glob("[0-9][0-9]_*.ipynb"))
    for path in paths:
        start = time.perf_counter()
        notebook = nbformat.read(path, as_version=4)
        client = NotebookClient(
            notebook,
            kernel_name="python3",
            timeout=600,
            coalesce_streams=True,
            record_timing=False,
            resources={"metadata": {"path": str(HERE)}},
        )
        client.execute()
        nbformat.write(notebook, path)
        print(f"{path.name}: {time.perf_counter() - start:.1f} s, {path.stat().st_size / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
