"""Allowed roots: the folders a served run may read from and write to.

Anyone who can reach the Prefect UI can start a run with any ``raw_dir`` and ``out_dir``, and the run
writes with the rights of the process that serves the deployment. ``wirewash serve`` therefore fixes a
set of allowed roots (``--allow-root DIR``, by default its own raw and out folders) and puts them in
the environment variable ``WIREWASH_ALLOWED_ROOTS`` of the serving process. Prefect starts each flow run
of a served deployment as a child of that process, so every run inherits it, and nothing a UI or API user
sends (parameters, job variables) can change it. A parameter would not do: the custom-run form can set
any parameter. The flow checks its folders against the roots before it writes anything; a run started
without the variable (``wirewash run`` by the operator) is not restricted.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

__all__ = [
    "ALLOWED_ROOTS_ENV",
    "OutsideAllowedRoots",
    "allowed_roots_from_env",
    "check_allowed",
    "enforce_allowed_roots",
    "roots_env_value",
]

ALLOWED_ROOTS_ENV = "WIREWASH_ALLOWED_ROOTS"


class OutsideAllowedRoots(PermissionError):
    """A run's raw or out folder resolves outside the allowed roots."""


def _resolved(path: str | os.PathLike[str]) -> Path:
    # strict=False: an out_dir that does not exist yet still resolves every symlink of its existing part
    return Path(path).expanduser().resolve(strict=False)


def roots_env_value(roots: Iterable[str | os.PathLike[str]]) -> str:
    """The variable's value: the resolved roots, joined with ``os.pathsep``."""
    return os.pathsep.join(str(_resolved(r)) for r in roots)


def allowed_roots_from_env(environ: Mapping[str, str] = os.environ) -> list[Path] | None:
    """The allowed roots of this process, or None where no ``wirewash serve`` set them."""
    value = environ.get(ALLOWED_ROOTS_ENV)
    if value is None:
        return None
    return [Path(p) for p in value.split(os.pathsep) if p]


def check_allowed(folders: Mapping[str, str], roots: list[Path]) -> None:
    """Raise ``OutsideAllowedRoots`` naming the first folder (``{"raw_dir": ..., "out_dir": ...}``) whose
    real path, after ``..`` and symlinks, is not one of ``roots`` or inside one."""
    real_roots = [_resolved(r) for r in roots]
    for name, folder in folders.items():
        real = _resolved(folder)
        if not any(real.is_relative_to(root) for root in real_roots):
            allowed = ", ".join(map(str, real_roots)) or "none"
            raise OutsideAllowedRoots(
                f"refused: {name}={folder!r} resolves to {real}, outside the allowed roots of this "
                f"deployment ({allowed}). Start `wirewash serve` with --allow-root to allow it."
            )


def enforce_allowed_roots(raw_dir: str, out_dir: str, environ: Mapping[str, str] = os.environ) -> None:
    """The flow's first step: refuse a run outside the roots ``wirewash serve`` set, before any write."""
    roots = allowed_roots_from_env(environ)
    if roots is not None:
        check_allowed({"raw_dir": raw_dir, "out_dir": out_dir}, roots)
