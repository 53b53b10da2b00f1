"""Fail early, and say what to rename, when a learner's file hides scribble.

A file named ``scribble.py`` (or a folder ``scribble/``) next to a notebook comes
first on ``sys.path``, because the kernel starts in the notebook's folder. Then
``import scribble`` loads that file, the course package is never imported, and the
first symptom is a puzzling ``AttributeError`` several cells later. No check inside
the package can catch this, since the package never runs, so this check lives in
its own top-level module, installed beside the package and using only the standard
library. Importing it runs the check::

    import scribble_guard  # first line of every lesson's first cell
    import scribble

It raises ImportError naming the hiding file, where the real package is, and what
to do. It stays silent when ``scribble`` resolves to the course package.
"""

import importlib.util
import sys
from pathlib import Path

__all__ = ["ShadowedPackageError", "check", "find_package_specs"]

PACKAGE = "scribble"
# A file that only the course package contains, to tell it from a learner's folder.
MARKER = "network.py"


class ShadowedPackageError(ImportError):
    """A module of the learner's hides the scribble package."""


def _is_course_package(origin):
    if origin is None:
        return False
    path = Path(origin)
    return path.name == "__init__.py" and (path.parent / MARKER).is_file()


def find_package_specs(name=PACKAGE):
    """Return the origin of every module called ``name`` that an import could load.

    The first entry is the one ``import name`` loads; later entries are hidden by
    it. Each finder on ``sys.meta_path`` is asked in turn, which covers plain
    ``sys.path`` folders and the finder of an editable install alike.
    """
    origins = []
    for finder in sys.meta_path:
        find_spec = getattr(finder, "find_spec", None)
        if find_spec is None:
            continue
        try:
            spec = find_spec(name, None)
        except (ImportError, ValueError):
            continue
        if spec is not None and spec.origin and spec.origin not in origins:
            origins.append(spec.origin)
    return origins


def check(name=PACKAGE):
    """Raise ShadowedPackageError if ``import scribble`` would not load the package.

    A ``scribble`` that was already imported is judged by its ``__file__``.
    """
    loaded = sys.modules.get(name)
    if loaded is not None:
        first = getattr(loaded, "__file__", None)
    else:
        spec = importlib.util.find_spec(name)
        first = None if spec is None else spec.origin
    if first is None or _is_course_package(first):
        return
    real = [origin for origin in find_package_specs(name) if _is_course_package(origin)]
    hiding = Path(first)
    if hiding.name == "__init__.py":
        hiding = hiding.parent
    where = (
        f"the course package is installed at {Path(real[0]).parent}"
        if real
        else "the course package was not found either: run `make venv`"
    )
    raise ShadowedPackageError(
        f"{hiding} hides the scribble package, so `import scribble` would load your "
        f"file instead ({where}). Rename {hiding.name} to another name, for example "
        f"my_{hiding.stem}{hiding.suffix}, then restart the kernel."
    )


check()
