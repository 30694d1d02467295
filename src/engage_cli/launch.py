"""The `engage` entry point, kept apart so that start-up stays fast.

Start-up is almost all imports and building the command tree, which create
many objects and no garbage worth collecting; the cyclic garbage collector is
paused until a command starts running (`cli._root` resumes it). That saves
about 4% of the instructions of every run (docs/benchmarks.md).
"""

from __future__ import annotations

import gc


def main() -> None:
    gc.disable()
    from engage_cli.cli import app

    app()
