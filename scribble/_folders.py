"""Output folders of the command line: checked before the work, filled all at once.

``python -m scribble train`` writes a run's files into a hidden staging folder
inside the run folder and moves them into place only after every one of them
exists. A run that fails before that point leaves an older run in the folder
unchanged, and a folder that the command created is removed again.
"""

import os
import shutil
import tempfile
from pathlib import Path

__all__ = [
    "OutputDirError",
    "RunFolder",
    "missing_folders",
    "remove_empty_folders",
]

STAGING_PREFIX = ".incomplete-run-"
OPTION = "--output-dir"
# The option name in errors about the folder that train picks without --output-dir.
DEFAULT_OPTION = "--output-dir (default)"


class OutputDirError(Exception):
    """An output folder option (--output-dir, --dest) whose path cannot be used.

    The message names the option, the path and the fix.
    """


def missing_folders(path, option=OPTION):
    """Return ``path`` and those of its parents that do not exist, outermost first.

    Raises OutputDirError, naming ``option``, when the nearest existing one is not
    a folder.
    """
    path = Path(path)
    missing = []
    for folder in (path, *path.parents):
        if folder.exists():
            if not folder.is_dir():
                if folder == path:
                    raise OutputDirError(
                        f"{option} {path} is a file, not a folder; pass the path "
                        "of a folder, which is created if it is missing"
                    )
                raise OutputDirError(
                    f"{option} {path} cannot be created because {folder} is a "
                    "file, not a folder; choose a path outside it"
                )
            break
        missing.append(folder)
    return missing[::-1]


def remove_empty_folders(folders):
    """Remove each of ``folders`` that is empty, innermost first; keep the others.

    ``folders`` is a list as :func:`missing_folders` returns it, outermost first.
    """
    for folder in reversed(folders):
        try:
            folder.rmdir()
        except FileNotFoundError:
            continue
        except OSError:  # not empty, so its parents are not empty either
            return


def _create_folders(folders, path, option):
    """Create ``folders`` (outermost first) and raise OutputDirError on failure."""
    for folder in folders:
        try:
            folder.mkdir(exist_ok=True)
        except OSError as error:
            remove_empty_folders(folders)
            raise OutputDirError(
                f"{option} {path} cannot be created ({error}); choose a folder "
                "that you can write to"
            ) from error


class RunFolder:
    """A run folder and the staging folder inside it that receives the new files.

    Create one with :meth:`open` or :meth:`open_new`, write every file to
    ``staged(name)``, then call :meth:`commit` to move them into place, or
    :meth:`discard` to drop them.
    """

    def __init__(self, path, created, staging, names):
        self.path = path
        self.created = created  # the folders this run created, outermost first
        self.staging = staging
        self.names = tuple(names)

    @classmethod
    def open(cls, path, names):
        """Check and create the folder ``path`` for a run that writes ``names``."""
        path = Path(path)
        created = missing_folders(path)
        for name in names:
            slot = path / name
            if slot.is_dir() and not slot.is_symlink():
                raise OutputDirError(
                    f"{OPTION} {path}: {slot} is a folder, so train cannot write "
                    f"its {name} there; remove that folder or choose another "
                    f"{OPTION}"
                )
        _create_folders(created, path, OPTION)
        return cls._with_staging(path, created, names)

    @classmethod
    def open_new(cls, parent, name, names):
        """Create a new folder ``parent/name`` for a run that writes ``names``.

        An existing folder is never reused: when ``parent/name`` exists, the next
        free one of ``name-2``, ``name-3`` and so on is created instead.
        """
        parent = Path(parent)
        created = missing_folders(parent, DEFAULT_OPTION)
        _create_folders(created, parent, DEFAULT_OPTION)
        suffix = 1
        while True:
            path = parent / (name if suffix == 1 else f"{name}-{suffix}")
            try:
                path.mkdir()
            except FileExistsError:
                suffix += 1
                continue
            except OSError as error:
                remove_empty_folders(created)
                raise OutputDirError(
                    f"{DEFAULT_OPTION} {path} cannot be created ({error}); pass "
                    f"{OPTION} with a folder that you can write to"
                ) from error
            return cls._with_staging(path, [*created, path], names)

    @classmethod
    def _with_staging(cls, path, created, names):
        try:
            staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=path))
        except OSError as error:
            remove_empty_folders(created)
            raise OutputDirError(
                f"{OPTION} {path} is not writable ({error}); choose a folder "
                "that you can write to"
            ) from error
        return cls(path, created, staging, names)

    def staged(self, name):
        """Return the path in the staging folder where the file ``name`` goes."""
        return self.staging / name

    def commit(self):
        """Move the staged files into the run folder and remove the staging folder.

        The old model.npz is deleted first and the new one moved in last, so
        model.npz never sits beside files of another run.
        """
        missing = [name for name in self.names if not self.staged(name).is_file()]
        if missing:
            raise RuntimeError(f"not staged yet: {', '.join(missing)}")
        model = "model.npz"
        order = [name for name in self.names if name != model]
        if model in self.names:
            (self.path / model).unlink(missing_ok=True)
            order.append(model)
        # NOTE: if os.replace fails partway (within one file system, only on errors
        # such as EIO), some new files are in place but no model.npz, so no model
        # is loaded with another run's preprocessing.json.
        for name in order:
            os.replace(self.staged(name), self.path / name)
        self.staging.rmdir()

    def discard(self):
        """Delete the staging folder and the folders this run created, if empty."""
        shutil.rmtree(self.staging, ignore_errors=True)
        remove_empty_folders(self.created)
