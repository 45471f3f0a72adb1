"""Loading object code: the names a module declares and the loader places (its large
constants) resolve to the addresses given, and never hide a symbol of the process."""

from __future__ import annotations

import pytest

from ziggurat.diagnostics import ZigguratError
from ziggurat.targets.cpu import jit


def test_a_placed_global_cannot_take_the_name_of_a_process_symbol():
    with pytest.raises(ZigguratError, match="'@expf' has the name of a symbol of this process"):
        jit.load_objects([], symbols={"expf": 4096})


def test_a_placed_name_may_be_placed_again_by_the_next_module():
    jit.load_objects([], symbols={"__test_placed": 4096})
    jit.load_objects([], symbols={"__test_placed": 8192})  # another model's global, same name
