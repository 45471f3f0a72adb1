"""lower-allocations' guard zones: a write just outside a buffer the kernel allocates, on the
stack or the heap, before it or after it, is caught when the buffer is freed; writes inside
it are not flagged."""

from __future__ import annotations

import ctypes

import numpy as np
import pytest

from ziggurat.ir_io import parse_module
from ziggurat.targets.cpu import compile_loop_module
from ziggurat.targets.cpu.passes.lower_allocations import VIOLATIONS

# Stores %A[0] to elements first .. first + n - 1 of a local (stack) or a heap buffer.
KERNEL = """
func.func @fill(%A: memref<5xf32>, %first: index, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %end = arith.addi %first, %n : index
  %L = memref.alloc() : memref<3xf32, #loop.scope<local>>
  %H = memref.alloc() : memref<7xf32>
  scf.for %i = %first to %end step %c1 {
    %v = memref.load %A[%c0] : memref<5xf32>
    memref.store %v, %BUFFER[%i] : TYPE
  }
  memref.dealloc %L : memref<3xf32, #loop.scope<local>>
  memref.dealloc %H : memref<7xf32>
  func.return
}
"""


@pytest.mark.parametrize(
    "buffer, type, size",
    [("L", "memref<3xf32, #loop.scope<local>>", 3), ("H", "memref<7xf32>", 7)],
)
def test_guard_zones_catch_writes_just_outside_a_buffer(buffer: str, type: str, size: int):
    text = KERNEL.replace("BUFFER", buffer).replace("TYPE", type)
    fill = compile_loop_module(parse_module(text), guard_zones=True).fill
    flags = (ctypes.c_int64 * 2).from_address(fill.owner.get_global_value_address(VIOLATIONS))
    for first, count, outside in [(0, size, False), (0, size + 1, True), (-1, 1, True)]:
        flags[1] = 0
        fill(np.ones(5, np.float32), first, count)
        assert flags[1] == outside, (first, count)


def test_without_guard_zones_a_local_buffer_is_on_the_stack():
    text = KERNEL.replace("BUFFER", "H").replace("TYPE", "memref<7xf32>")
    compiled = compile_loop_module(parse_module(text))
    assert "alloca" in compiled.llvm_ir
    assert VIOLATIONS not in compiled.llvm_ir
    assert compiled.llvm_ir.count('@"aligned_alloc"(i64 64') == 1
