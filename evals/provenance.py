"""What a fitted file records of the code that wrote it, shared by every fitting script."""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def code_version(root: Path = ROOT) -> str | None:
    """The short commit of HEAD, marked `+uncommitted` when tracked files differ from it (a fit
    on code no commit holds); None outside a git checkout."""
    commit = _git(root, "rev-parse", "--short", "HEAD")
    if commit and _git(root, "status", "--porcelain", "--untracked-files=no"):
        return f"{commit}+uncommitted"
    return commit or None


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True).stdout.strip()
