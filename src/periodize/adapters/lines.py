"""Lines of archive text: what ends one, and how long one may be.

Both readers of the archives (the compiled scanner and pyarrow's CSV reader) follow one rule,
pyarrow's: a line ends at LF, CRLF or a lone CR, and empty lines are skipped. A line may
hold at most :data:`MAX_LINE_BYTES`: no line of an event archive comes near it (GDELT's
are under 3 kB), so a longer one is a damaged or foreign file, refused as it is read,
before it fills memory (a 2 MB zip can hold a 2 GiB line).
"""

from __future__ import annotations

import codecs
import io
from typing import IO, Any

from ..exceptions import ParameterError

#: The longest line a reader accepts (pyarrow's block size: a line no longer always parses).
MAX_LINE_BYTES = 1 << 22


def too_long(label: str) -> ParameterError:
    """The error for a line over :data:`MAX_LINE_BYTES`."""
    return ParameterError(
        f"{label} holds a line longer than {MAX_LINE_BYTES // 2**20} MiB, which no line of "
        "an event archive is: the file is damaged or not in the archive's format."
    )


def next_line_end(data: bytes | bytearray, start: int, stop: int, cr: bool = True) -> int:
    """The first line end (LF, or CR unless ``cr`` is false) in ``data[start:stop]``, or -1."""
    lf = data.find(b"\n", start, stop)
    if not cr:
        return lf
    at = data.find(b"\r", start, stop if lf < 0 else lf)
    return lf if at < 0 else at


def _last_end(data: bytes | bytearray, start: int, stop: int, cr: bool = True) -> int:
    lf = data.rfind(b"\n", start, stop)
    return max(lf, data.rfind(b"\r", max(start, lf + 1), stop)) if cr else lf


class LineLengths:
    """Refuse a line longer than :data:`MAX_LINE_BYTES` as the blocks of a stream go by.

    Cheap on any block: besides the first and the last line end, it looks for a line end
    in windows of half the limit stepped through the block (a longer line holds a whole
    window), and measures a line exactly only where a window holds none.

    Examples
    --------
    >>> lengths = LineLengths("x.txt")
    >>> lengths.feed(b"a\\tb\\nc", 0, 5)
    >>> lengths.run  # bytes of the line still open
    1
    """

    def __init__(self, label: str) -> None:
        self.label = label
        self.run = 0

    def _check(self, length: int) -> None:
        if length > MAX_LINE_BYTES:
            raise too_long(self.label)

    def feed(self, data: bytes | bytearray, start: int, stop: int) -> None:
        """Account for ``data[start:stop]``, the next bytes of the stream."""
        cr = data.find(b"\r", start, stop) >= 0  # rare: the searches below skip CR without
        first = next_line_end(data, start, stop, cr)
        if first < 0:
            self.run += stop - start
            self._check(self.run)
            return
        self._check(self.run + first - start)
        last = _last_end(data, first, stop, cr)
        half = MAX_LINE_BYTES // 2
        at = first + 1
        while at + half <= last:
            if next_line_end(data, at, at + half, cr) >= 0:
                at += half
                continue
            begin = _last_end(data, first, at, cr) + 1
            end = next_line_end(data, at + half, last + 1, cr)
            self._check(end - begin)
            at = end + 1
        self.run = stop - last - 1
        self._check(self.run)


class _CheckedRaw(io.RawIOBase):
    """The bytes of ``handle`` with each byte that is not UTF-8 replaced by U+FFFD (as the
    compiled scanner reads it; pyarrow's handler of a malformed row would fail on it), and
    with the line lengths checked. Reads end (as at the end of the stream) at a line over
    the limit, with ``refused`` set: raising inside a read would unwind through pyarrow's
    reading thread."""

    def __init__(self, handle: IO[bytes], label: str) -> None:
        self._handle = handle
        self._lengths = LineLengths(label)
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._pending = b""
        self.refused: ParameterError | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending and self.refused is None:
            data = self._handle.read(len(buffer))
            try:
                self._lengths.feed(data, 0, len(data))
            except ParameterError as error:
                self.refused = error
                return 0
            if data.isascii() and not self._decoder.getstate()[0]:
                self._pending = data
            else:
                self._pending = self._decoder.decode(data, final=not data).encode()
            if not data:
                break
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def bounded(handle: IO[bytes], label: str) -> io.BufferedReader:
    """``handle`` read as UTF-8 (bad bytes replaced) through a check of the line lengths:
    at a line over :data:`MAX_LINE_BYTES` the stream ends early; :func:`check` then
    raises."""
    return io.BufferedReader(_CheckedRaw(handle, label), buffer_size=1 << 16)


def check(handle: io.BufferedReader) -> None:
    """Raise the error of a stream from :func:`bounded` that ended at a line too long."""
    refused = getattr(handle.raw, "refused", None)
    if refused is not None:
        raise refused
