"""Files replaced whole or not at all: the last step of the flow, for handouts and figures.

Each file is written to a temporary name beside its destination and synced; only when
every one is complete are they renamed into place, so a failure (a full disk, a missing
permission) leaves the old files as they were. A replaced file keeps its mode; a new
one gets what the umask allows, as any file made by an editor would.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from derive.core.errors import InputError
from derive.core.i18n import gettext


def check_place(path: Path) -> Path:
    """A file a command may write: not a folder, in a folder that exists; checked before
    any work, so that a wrong name costs nothing."""
    if path.is_dir():
        raise InputError(gettext("{path} is a folder, not a file").format(path=path))
    if not path.parent.is_dir():
        raise InputError(
            gettext("{path}: the folder {folder} does not exist").format(
                path=path, folder=path.parent
            )
        )
    return path


def replace_files(folder: Path, contents: Mapping[str, bytes]) -> tuple[Path, ...]:
    """Write each file (a path relative to `folder`) in full, then rename them all into
    place; an `InputError`, and no file changed, when one cannot be written."""
    staged: list[tuple[Path, Path]] = []
    try:
        for name, data in contents.items():
            final = folder / name
            final.parent.mkdir(parents=True, exist_ok=True)
            staged.append((_stage(final, data), final))
        for temporary, final in staged:
            os.replace(temporary, final)
    except OSError as error:
        raise InputError(
            gettext("{path} cannot be written: {reason}").format(
                path=error.filename or folder, reason=error.strerror or error
            )
        ) from None
    finally:
        for temporary, _final in staged:
            temporary.unlink(missing_ok=True)
    return tuple(final for _temporary, final in staged)


def _stage(final: Path, data: bytes) -> Path:
    """`data` in a synced temporary file beside `final`, with the mode `final` will have."""
    handle, path = tempfile.mkstemp(dir=final.parent, prefix=f".{final.name}.", suffix=".part")
    try:
        os.fchmod(handle, _mode(final))  # mkstemp makes private files; these are not
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
    except BaseException:
        Path(path).unlink(missing_ok=True)
        raise
    return Path(path)


def _mode(final: Path) -> int:
    """The mode of the file being replaced, or what a new file gets under the umask."""
    if final.is_file():
        return final.stat().st_mode & 0o777
    mask = os.umask(0o022)  # reading the umask means setting it; put it straight back
    os.umask(mask)
    return 0o666 & ~mask
