"""Progress on stderr while the mock engine runs: only on a terminal, throttled, cleared at the end."""

import io

from tenancy.plan.progress import Progress


class Terminal(io.StringIO):
    def isatty(self):
        return True


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_terminal_sees_a_line_before_the_first_registration():
    stream = Terminal()
    Progress(stream, "planning dev", clock=Clock())
    assert "planning dev: reading tenant files and settings" in stream.getvalue()


def test_terminal_sees_the_count():
    stream = Terminal()
    Progress(stream, "planning dev", clock=Clock())(7)
    assert "planning dev: 7 resources registered" in stream.getvalue()


def test_pipe_sees_nothing():
    stream = io.StringIO()
    progress = Progress(stream, "planning dev", clock=Clock())
    progress(1)
    progress.done()
    assert stream.getvalue() == ""


def test_updates_are_throttled():
    stream, clock = Terminal(), Clock()
    progress = Progress(stream, "p", clock=clock, interval=1.0)
    progress(1)
    progress(2)
    clock.now = 1.0
    progress(3)
    assert stream.getvalue().count("\r") == 3 and "2 resources" not in stream.getvalue()


def test_done_clears_the_line():
    stream = Terminal()
    progress = Progress(stream, "p", clock=Clock())
    progress(1)
    progress.done()
    assert stream.getvalue().endswith("\r") and stream.getvalue().split("\r")[-2].strip() == ""
