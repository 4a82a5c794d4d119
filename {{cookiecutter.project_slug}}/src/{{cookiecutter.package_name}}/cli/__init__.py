"""The command line: what it takes (arguments.py), what each command does (commands.py)."""

from .commands import EVENT_LOOP, main

__all__ = ["EVENT_LOOP", "main"]
