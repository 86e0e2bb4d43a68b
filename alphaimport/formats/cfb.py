"""The structure of an OLE2 compound file (an .xls), checked before calamine is given it.

calamine follows sector chains without looking for loops: a few flipped bytes in a 6 kB .xls made it
loop forever, taking 6 GB of memory in 10 seconds. This walks every chain once ([MS-CFB]: the DIFAT,
the directory, the mini FAT, the mini stream and each stream), and refuses a file where a chain loops,
points outside the file, or a stream claims more bytes than the file holds. It reads the FAT and the
directory only: a few kB for a real .xls.
"""
from __future__ import annotations

import struct
from typing import BinaryIO

from alphaimport.errors import ReadError

ENDOFCHAIN, FREESECT, MAXREGSECT = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFA
_HEADER = 512
_ENTRY = 128
_STREAM, _ROOT = 2, 5
_MINI_CUTOFF = 4096


class _Damaged(Exception):
    pass


def check(handle: BinaryIO, name: str) -> None:
    """ReadError when the compound file's chains loop, leave the file or promise more than it holds."""
    try:
        _check(handle)
    except _Damaged as exc:
        raise ReadError(f"{name}: damaged .xls (its internal structure is broken: {exc}); "
                        "save it again from the program that made it") from None
    finally:
        handle.seek(0)


def _check(handle: BinaryIO) -> None:
    handle.seek(0, 2)
    size = handle.tell()
    handle.seek(0)
    header = handle.read(_HEADER)
    if len(header) < _HEADER:
        raise _Damaged("the header is cut short")
    shift, mini_shift = struct.unpack_from("<HH", header, 0x1E)
    if shift not in (9, 12) or mini_shift != 6:
        raise _Damaged(f"sector size 2^{shift}, mini sector size 2^{mini_shift}")
    sector = 1 << shift
    sectors = (size - sector) // sector if size >= sector else 0  # whole sectors after the header sector
    dir_start, = struct.unpack_from("<I", header, 0x30)
    mini_fat_start, = struct.unpack_from("<I", header, 0x3C)
    difat_start, = struct.unpack_from("<I", header, 0x44)

    def read_sector(number: int) -> bytes:
        if number >= sectors:
            raise _Damaged(f"sector {number} is past the end of the file ({sectors} sectors)")
        handle.seek((number + 1) * sector)
        return handle.read(sector)

    def ids(data: bytes) -> tuple[int, ...]:
        return struct.unpack(f"<{len(data) // 4}I", data)

    # the DIFAT: 109 entries in the header, then a chain of DIFAT sectors
    fat_sectors = [s for s in ids(header[0x4C:]) if s != FREESECT]
    seen: set[int] = set()
    current = difat_start
    while current not in (ENDOFCHAIN, FREESECT):
        if current in seen or len(seen) > sectors:
            raise _Damaged("the DIFAT chain loops")
        seen.add(current)
        entries = ids(read_sector(current))
        fat_sectors += [s for s in entries[:-1] if s != FREESECT]
        current = entries[-1]
    if len(fat_sectors) > sectors:
        raise _Damaged("more FAT sectors than the file holds")
    fat: list[int] = []
    for number in fat_sectors:
        fat += ids(read_sector(number))

    def chain(start: int, table: list[int], limit: int, what: str) -> list[int]:
        """The sectors of a chain; _Damaged when it loops or points outside ``limit``."""
        found: list[int] = []
        visited: set[int] = set()
        current = start
        while current != ENDOFCHAIN:
            if current > MAXREGSECT or current >= limit or current >= len(table):
                raise _Damaged(f"the {what} chain points to sector {current:#x}, outside the file")
            if current in visited:
                raise _Damaged(f"the {what} chain loops")
            visited.add(current)
            found.append(current)
            current = table[current]
        return found

    directory = b"".join(read_sector(s) for s in chain(dir_start, fat, sectors, "directory"))
    if not directory or len(directory) % _ENTRY:
        raise _Damaged("the directory is empty or cut short")
    mini_fat: list[int] = []
    if mini_fat_start != ENDOFCHAIN:
        for number in chain(mini_fat_start, fat, sectors, "mini FAT"):
            mini_fat += ids(read_sector(number))
    mini_sectors = 0
    for offset in range(0, len(directory), _ENTRY):
        kind = directory[offset + 0x42]
        start, = struct.unpack_from("<I", directory, offset + 0x74)
        length, = struct.unpack_from("<Q", directory, offset + 0x78)
        if sector == 512:
            length &= 0xFFFFFFFF  # version 3 files may leave garbage in the high half
        if kind not in (_STREAM, _ROOT):
            continue
        if length > size:
            raise _Damaged(f"a stream claims {length:,} bytes in a file of {size:,}")
        if kind == _ROOT or length >= _MINI_CUTOFF:
            if length == 0 and start in (ENDOFCHAIN, FREESECT):
                continue
            held = chain(start, fat, sectors, "stream")
            if len(held) * sector < length:
                raise _Damaged("a stream is longer than its sectors")
            if kind == _ROOT:
                mini_sectors = length // 64
        elif length:
            held = chain(start, mini_fat, mini_sectors, "mini stream")
            if len(held) * 64 < length:
                raise _Damaged("a small stream is longer than its sectors")
