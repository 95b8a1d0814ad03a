"""The platform's shared files some tests read (upstream schemas, the seed documents): where they are
looked for, and a skip reason that says exactly how to provide them.

They are not part of this repository. They are found in `../shared/<name>` beside the checkout (as
the platform's workspace and CI lay them out), or wherever an environment variable points.
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.support.program import PROJECT_DIR

SCHEMAS_ENV = "ARGO_TENANTS_SCHEMAS"
SEEDS_ENV = "ARGO_TENANTS_SEEDS"


def shared_dir(name: str, env: str) -> Path:
    """$`env` when set, else `../shared/<name>` beside the checkout (which may not exist)."""
    return Path(os.environ.get(env) or PROJECT_DIR.parent / "shared" / name)


def missing_reason(what: str, name: str, env: str, needs: str) -> str:
    """Why a test skips, and the command that runs it instead."""
    return (
        f"{what} not found in {shared_dir(name, env)} (needs {needs}): put the platform's shared/ folder "
        f"beside this checkout (../shared/{name}), or run `{env}=/path/to/shared/{name} make test`"
    )
