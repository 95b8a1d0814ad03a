"""A one-line progress report on stderr while the mock engine runs, for people at a terminal.

A 500-tenant stack takes over a minute to plan; silence that long looks like a hang. Nothing is
written when stderr is not a terminal, so CI logs and redirected output stay clean.
"""

from __future__ import annotations

import time
from typing import Callable, TextIO


class Progress:
    """Called after each registration (see tenancy.plan.engine.simulate); `done()` clears the line."""

    def __init__(
        self,
        stream: TextIO,
        label: str,
        clock: Callable[[], float] = time.monotonic,
        interval: float = 0.25,
    ):
        isatty = getattr(stream, "isatty", None)
        self.enabled = bool(isatty and isatty())
        self.stream = stream
        self.label = label
        self.clock = clock
        self.interval = interval
        self.started = clock()
        self.last = None
        self.width = 0
        # Loading the SDK and validating the tenant files comes before the first registration.
        self._write(f"{label}: reading tenant files and settings")

    def __call__(self, count: int) -> None:
        if not self.enabled:
            return
        now = self.clock()
        if self.last is not None and now - self.last < self.interval:
            return
        self.last = now
        self._write(f"{self.label}: {count:,} resource{'s' if count != 1 else ''} registered, {now - self.started:.0f} s")

    def _write(self, line: str) -> None:
        if not self.enabled:
            return
        self.width = max(self.width, len(line))
        self.stream.write("\r" + line.ljust(self.width))
        self.stream.flush()

    def done(self) -> None:
        if self.enabled and self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0
