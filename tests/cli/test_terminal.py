"""Colour only on a terminal, and never with NO_COLOR."""

import io

from tenancy.cli.terminal import Painter


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_a_terminal_gets_colour(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    assert Painter(FakeTerminal())("x", "red") == "\033[31mx\033[0m"


def test_a_pipe_gets_plain_text(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert Painter(io.StringIO())("x", "red") == "x"


def test_no_color_turns_colour_off_on_a_terminal(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    assert Painter(FakeTerminal())("x", "red") == "x"


def test_a_dumb_terminal_gets_plain_text(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "dumb")
    assert Painter(FakeTerminal())("x", "red") == "x"
