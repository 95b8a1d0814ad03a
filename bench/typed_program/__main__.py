"""The naive program: the recorded registrations made again with the typed provider SDK classes.

A Pulumi program as one would write it without this project's code (bench.sdk_floor.replay: the
same types, names, parents, inputs, options and providers, no files read, nothing computed), in a
directory with a __main__.py as the project's program is, so that bench/language_host.py runs both
alike. `registrations` is in its module globals, read before the clock starts.
"""

from bench.sdk_floor import replay

replay(registrations)  # noqa: F821 (given by bench/language_host.py)
