"""Arrays between guard zones: a kernel's arguments with a sentinel before and after them, so
a write out of bounds shows (the tuner's runner checks every candidate with them; the
schedule tests check every schedule they accept). lower-allocations{guard-zones=true} does
the same for the buffers a kernel allocates itself.

    guarded = Guarded.of(a.shape, a.dtype, a)
    kernel(guarded.view)
    assert guarded.guards_intact()
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

GUARD = 64  # elements on each side of an argument (keeps the view 64-byte aligned)
# The sentinel's bits per element size: a NaN with a payload no computation makes, for
# floats of that size (a byte pattern for one-byte elements).
SENTINELS = {1: 0xA5, 2: 0x7EA5, 4: 0x7FA5A5A5, 8: 0x7FF5A5A5A5A5A5A5}


@dataclass
class Guarded:
    """An array in the middle of a larger one whose ends hold the sentinel."""

    whole: np.ndarray
    view: np.ndarray

    @staticmethod
    def of(shape: tuple[int, ...], dtype: np.dtype, fill: np.ndarray | None = None) -> Guarded:
        """A 64-byte aligned array of `shape` between guard zones, holding `fill` (the
        sentinel, where None)."""
        dtype = np.dtype(dtype)
        count = int(np.prod(shape, dtype=np.int64))
        raw = np.empty(count + 2 * GUARD + 64, dtype)
        start = (-raw.ctypes.data % 64) // dtype.itemsize
        whole = raw[start : start + count + 2 * GUARD]
        bits(whole)[:] = sentinel(whole)
        view = whole[GUARD : GUARD + count].reshape(shape)
        if fill is not None:
            view[...] = fill
        return Guarded(whole, view)

    def guards_intact(self) -> bool:
        found, mark = bits(self.whole), sentinel(self.whole)
        return bool((found[:GUARD] == mark).all() and (found[-GUARD:] == mark).all())

    def reset(self, fill: np.ndarray | None = None) -> None:
        """Guards as they were, and the view holding `fill` (the sentinel, where None)."""
        found = bits(self.whole)
        found[:GUARD] = found[-GUARD:] = sentinel(self.whole)
        if fill is None:
            bits(self.view)[...] = sentinel(self.whole)
        else:
            self.view[...] = fill


def bits(array: np.ndarray) -> np.ndarray:
    """`array`'s elements as unsigned integers of their size."""
    return array.view(np.dtype(f"u{array.dtype.itemsize}"))


def sentinel(array: np.ndarray) -> int:
    return SENTINELS[array.dtype.itemsize]
