"""guard_zones.py: arrays between guard zones notice a write just outside them, for every
element size, and reset to their sentinel."""

import numpy as np
import pytest

from ziggurat.guard_zones import GUARD, Guarded, bits


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16, np.int64, np.bool_])
def test_a_write_just_outside_the_view_breaks_a_guard(dtype):
    data = np.arange(15).reshape(3, 5).astype(dtype)
    guarded = Guarded.of(data.shape, np.dtype(dtype), data)
    assert guarded.view.ctypes.data % 64 == 0
    assert np.array_equal(guarded.view, data) and guarded.guards_intact()
    for index in (GUARD - 1, GUARD + data.size):
        raw = bits(guarded.whole)
        kept = raw[index].copy()
        raw[index] = 1
        assert not guarded.guards_intact()
        raw[index] = kept
        assert guarded.guards_intact()


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
def test_an_unwritten_float_view_holds_nan(dtype):
    guarded = Guarded.of((4, 3), np.dtype(dtype))
    assert np.isnan(guarded.view).all()
    guarded.view[...] = 2
    guarded.whole[0] = 0
    guarded.reset()
    assert guarded.guards_intact() and np.isnan(guarded.view).all()
    guarded.reset(np.ones((4, 3)))
    assert (guarded.view == 1).all() and (bits(guarded.whole[:GUARD]) != 0).all()
