"""Writing outputs without losing anything: all-or-nothing, never over a user's files.

Two operations:

- :func:`write_file` writes one file through a temporary name in the same folder and a
  rename, and refuses an existing path unless ``overwrite=True``; a path that is one of
  the command's own inputs (the same file, whatever the name) is refused even then.
- :class:`OutputFolder` writes a *set* of files as one unit. It is checked before the
  analysis starts (so a bad ``--out`` fails in a second, not after the analysis) and
  published after it succeeded: the files are written into a hidden staging folder beside
  the target, which then replaces the target by one rename (an atomic exchange on Linux).
  A reader, or a process killed at any point, sees either the previous complete set or the
  new one. A non-empty target is refused unless ``overwrite=True``, and even then only if
  it holds nothing but the files periodize writes there: other files are never deleted.
  Existing entries are never opened for writing, so a symlink inside the folder is
  replaced by a file (its target left untouched), never written through.
"""

from __future__ import annotations

import contextlib
import ctypes
import glob
import os
import shutil
import stat
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from ._interrupt import check as check_interrupt
from .exceptions import ParameterError

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def write_file(
    path: str | os.PathLike[str],
    data: bytes,
    *,
    overwrite: bool = False,
    inputs: Iterable[str | os.PathLike[str]] = (),
) -> Path:
    """Write ``data`` to ``path`` atomically; an existing path needs ``overwrite=True``,
    and a path that is one of ``inputs`` is refused."""
    check_interrupt()  # a Ctrl-C swallowed on the way writes nothing
    target = Path(os.fspath(path))
    if target.is_dir():
        raise ParameterError(f"{target} is a folder; give the path of a file to write.")
    refuse_input(target, inputs)
    if (target.exists() or target.is_symlink()) and not overwrite:
        raise ParameterError(
            f"{target} exists; pass overwrite=True (--force on the command line) to replace it."
        )
    parent = target.parent
    _check_writable_folder(parent)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o666 & ~_umask())
        if overwrite:
            os.replace(temporary, target)
        else:
            try:
                os.link(temporary, target)  # fails if the path appeared meanwhile
            except FileExistsError:
                raise ParameterError(
                    f"{target} exists; pass overwrite=True to replace it."
                ) from None
            os.unlink(temporary)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    _fsync_folder(parent)
    return target


def refuse_input(target: Path, inputs: Iterable[str | os.PathLike[str]]) -> None:
    """Raise if ``target`` is the same file as one of ``inputs`` (an output never replaces
    what it was made from, even with ``--force``)."""
    if not target.exists():
        return
    for source in inputs:
        with contextlib.suppress(OSError):
            if os.path.samefile(target, source):
                raise ParameterError(
                    f"{target} is an input of this command ({os.fspath(source)}); write the "
                    "output to another file."
                )


class OutputFolder:
    """A folder that receives a set of files all at once (see the module docstring).

    Parameters
    ----------
    path : path-like
        The target folder; created if missing.
    names : iterable of str
        The file names this writer produces; with ``overwrite=True`` the target may hold
        these and nothing else.
    overwrite : bool
        Replace a previous set of these files.

    Examples
    --------
    >>> import tempfile, os
    >>> out = os.path.join(tempfile.mkdtemp(), "study")
    >>> folder = OutputFolder(out, ["a.txt"])
    >>> sorted(p.name for p in folder.publish({"a.txt": b"hello"}).values())
    ['a.txt']
    >>> OutputFolder(out, ["a.txt"])
    Traceback (most recent call last):
    ...
    periodize.exceptions.ParameterError: ... is not empty (a.txt); pass overwrite=True ...
    """

    def __init__(
        self, path: str | os.PathLike[str], names: Iterable[str], *, overwrite: bool = False
    ) -> None:
        self.given = Path(os.fspath(path))  # as the caller named it, for messages
        self.path = Path(os.path.realpath(self.given))
        self.names = frozenset(names)
        self.overwrite = overwrite
        self._check_target()
        parent = self.path.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ParameterError(
                f"Cannot create the folder {parent}: {error.strerror or error}."
            ) from None
        _check_writable_folder(parent)
        _remove_stale_staging(parent, self.path.name)
        try:
            self.staging: Path | None = Path(
                tempfile.mkdtemp(prefix=f".{self.path.name}.periodize-{os.getpid()}-", dir=parent)
            )
        except OSError as error:
            raise ParameterError(f"Cannot write in {parent}: {error.strerror or error}.") from None
        os.chmod(self.staging, 0o777 & ~_umask())

    def _check_target(self) -> list[str]:
        """The entries already in the target; raise if it may not be replaced."""
        path = self.path
        if path.exists() and not path.is_dir():
            raise ParameterError(f"{path} is a file; the output must be a folder.")
        if not path.exists():
            return []
        entries = sorted(os.listdir(path))
        if not entries:
            return []
        shown = ", ".join(entries[:8]) + (", ..." if len(entries) > 8 else "")
        if not self.overwrite:
            raise ParameterError(
                f"{path} is not empty ({shown}); pass overwrite=True (--force on the command "
                "line) to replace a previous result there, or choose a new folder."
            )
        foreign = [e for e in entries if e not in self.names]
        if foreign:
            raise ParameterError(
                f"{path} holds files periodize did not write ({', '.join(foreign[:8])}); they "
                "would be lost, so it is not replaced even with overwrite. Choose an empty "
                "folder or move them."
            )
        folders = [e for e in entries if stat.S_ISDIR(os.lstat(path / e).st_mode)]
        if folders:
            raise ParameterError(
                f"{path} holds {', '.join(folders)} as folders, not plain files; remove them "
                "or choose another folder."
            )
        return entries

    def publish(self, files: Mapping[str, bytes]) -> dict[str, Path]:
        """Write every file, then replace the target by the new set in one step."""
        check_interrupt()  # a Ctrl-C swallowed on the way writes nothing
        if self.staging is None:
            raise ParameterError("This output folder was already published or discarded.")
        unknown = sorted(set(files) - self.names)
        if unknown:
            raise ParameterError(f"Files {unknown} were not declared for {self.path}.")
        staging = self.staging
        try:
            for name, data in files.items():
                with open(staging / name, "xb") as handle:
                    handle.write(data)
                    handle.flush()
                    os.fsync(handle.fileno())
            _fsync_folder(staging)
            self._check_target()  # the folder may have changed during the analysis
            if self.path.exists() and os.listdir(self.path):
                _exchange(staging, self.path)  # staging now holds the previous set
            else:
                os.rename(staging, self.path)
                self.staging = None
        except BaseException:
            self.discard()
            raise
        self.discard()
        _fsync_folder(self.path.parent)
        return {name: self.given / name for name in files}

    def discard(self) -> None:
        """Remove the staging folder (after a failure, or what it holds after an exchange)."""
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            self.staging = None


def _remove_stale_staging(parent: Path, name: str) -> None:
    """Remove staging folders of this output left by runs that were killed (their process
    is gone); a running process's staging folder is left alone."""
    prefix = f".{name}.periodize-"
    for entry in parent.glob(f"{glob.escape(prefix)}*"):
        pid = entry.name[len(prefix) :].split("-")[0]
        if not pid.isdigit() or int(pid) == os.getpid() or not entry.is_dir():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:  # the run that made it is gone
            shutil.rmtree(entry, ignore_errors=True)
        except PermissionError:  # another user's live process
            continue


def _exchange(new: Path, old: Path) -> None:
    """Swap two folders atomically where the system can (Linux ``renameat2``)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        swap = libc.renameat2
    except (OSError, AttributeError):
        swap = None
    if swap is not None:
        done = swap(_AT_FDCWD, os.fsencode(new), _AT_FDCWD, os.fsencode(old), _RENAME_EXCHANGE)
        if done == 0:
            return
    # No atomic exchange: move the old set aside, then the new one in (a short window in
    # which the target is absent; the old set stays complete in the staging folder).
    aside = new.with_name(new.name + "-previous")
    os.rename(old, aside)
    os.rename(new, old)
    os.rename(aside, new)


def _check_writable_folder(folder: Path) -> None:
    if not folder.is_dir():
        raise ParameterError(f"{folder} is not an existing folder.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ParameterError(f"Cannot write in {folder}: permission denied.")


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
