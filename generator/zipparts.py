"""A zip writer for parts deflated ahead of time: the static pieces of a workbook template.

A part is a sequence of pieces, each deflated on its own and ended with a full flush, which
byte-aligns the output and resets the compressor: raw deflate pieces made that way can be
concatenated into one valid stream. A template deflates its static pieces once; each render
deflates only the few short values that differ, then writes the zip around them.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

#: Raw deflate (no zlib header), as zip entries hold it.
_RAW = -zlib.MAX_WBITS
LEVEL = 6
#: Zip: version 2.0 is needed to extract deflated entries.
_VERSION = 20
_DEFLATED = 8
#: 2020-01-01 00:00:00 in MS-DOS form: fixed, so that equal inputs give equal files.
DOS_DATE = (2020 - 1980) << 9 | 1 << 5 | 1
DOS_TIME = 0
#: Zip without its 64-bit extension holds entries below 4 GiB and 65,535 entries.
MAX_ENTRY = 0xFFFFFFFF


def deflate_piece(data: bytes, *, last: bool) -> bytes:
    """`data` deflated on its own: fully flushed, or finished when it ends the part."""
    compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, _RAW)
    return compressor.compress(data) + compressor.flush(
        zlib.Z_FINISH if last else zlib.Z_FULL_FLUSH
    )


class PieceDeflater:
    """Deflates many short pieces with one compressor, each ended by a full flush."""

    def __init__(self) -> None:
        self._compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, _RAW)

    def piece(self, data: bytes) -> bytes:
        return self._compressor.compress(data) + self._compressor.flush(zlib.Z_FULL_FLUSH)


@dataclass(frozen=True)
class Entry:
    """One zip entry, already deflated: its name, CRC-32, sizes and deflated bytes."""

    name: str
    crc: int
    size: int
    deflated: bytes

    @classmethod
    def of(cls, name: str, data: bytes) -> Entry:
        return cls(name, zlib.crc32(data), len(data), deflate_piece(data, last=True))


def write_zip(entries: Iterable[Entry]) -> bytes:
    """The zip file holding `entries` in order."""
    chunks: list[bytes] = []
    directory: list[bytes] = []
    offset = 0
    count = 0
    for entry in entries:
        name = entry.name.encode("utf-8")
        if entry.size > MAX_ENTRY or len(entry.deflated) > MAX_ENTRY:
            raise ValueError(f"{entry.name}: too large for a zip without its 64-bit extension")
        common = struct.pack(
            "<HHHHHIII",
            _VERSION,
            0x800,
            _DEFLATED,
            DOS_TIME,
            DOS_DATE,
            entry.crc,
            len(entry.deflated),
            entry.size,
        )
        local = b"PK\x03\x04" + common + struct.pack("<HH", len(name), 0) + name
        directory.append(
            b"PK\x01\x02"
            + struct.pack("<H", _VERSION)
            + common
            + struct.pack("<HHHHHII", len(name), 0, 0, 0, 0, 0, offset)
            + name
        )
        chunks += [local, entry.deflated]
        offset += len(local) + len(entry.deflated)
        count += 1
    central = b"".join(directory)
    end = b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, count, count, len(central), offset, 0)
    return b"".join(chunks) + central + end
