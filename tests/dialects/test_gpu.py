"""The gpu dialect: xDSL's kernel and launch ops with upstream MLIR's syntax and verifiers."""

import pytest
from xdsl.dialects import arith
from xdsl.dialects.builtin import IndexType, IntegerAttr, ModuleOp, StringAttr, SymbolRefAttr
from xdsl.ir import Block, Region

from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects import gpu
from ziggurat.ir_io import parse_module, print_module, verify_module

TEXT = """\
builtin.module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @fill(%A: memref<64xf32>, %v: f32) kernel attributes {gpu.known_block_size = array<i32: 32, 1, 1>} {
      %b = gpu.block_id x
      %t = gpu.thread_id x
      %n = gpu.block_dim x
      %o = arith.muli %b, %n : index
      %i = arith.addi %o, %t : index
      memref.store %v, %A[%i] : memref<64xf32>
      gpu.barrier
      gpu.return
    }
  }
  func.func @main(%A: memref<64xf32>, %v: f32) {
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %c32 = arith.constant 32 : index
    %s = arith.constant 0 : i32
    gpu.launch_func @kernels::@fill blocks in (%c2, %c1, %c1) threads in (%c32, %c1, %c1) dynamic_shared_memory_size %s args(%A : memref<64xf32>, %v : f32)
    func.return
  }
}
"""


@pytest.mark.parametrize("generic", [False, True])
def test_round_trip(generic):
    module = parse_module(TEXT)
    verify_module(module)
    printed = print_module(module, generic)
    assert print_module(parse_module(printed), generic) == printed
    if not generic:
        assert printed == TEXT


def test_launches_know_their_sizes_and_kernel():
    module = parse_module(TEXT)
    launch = next(op for op in module.walk() if isinstance(op, gpu.LaunchFuncOp))
    assert [gpu.constant_size(v) for v in launch.grid()] == [2, 1, 1]
    assert [gpu.constant_size(v) for v in launch.block()] == [32, 1, 1]
    kernel = launch.kernel_function()
    assert kernel is not None and kernel.sym_name.data == "fill"


def test_a_kernel_built_in_python_verifies():
    kernel = gpu.FuncOp("k", ([], []), kernel=True, known_block_size=[8, 8, 1])
    index = gpu.ThreadIdOp(gpu.dimension("y"))
    kernel.body.block.add_ops([index, gpu.BarrierOp(), gpu.ReturnOp([])])
    constant = arith.ConstantOp(IntegerAttr(1, IndexType()))
    sizes = [constant.result] * 3
    launch = gpu.LaunchFuncOp(SymbolRefAttr("kernels", ["k"]), sizes, sizes)
    module = ModuleOp(
        [gpu.ModuleOp(StringAttr("kernels"), Region(Block([kernel]))), constant, launch]  # type: ignore[arg-type]
    )
    with pytest.raises(ZigguratError, match=r"runs in blocks of \(8, 8, 1\) threads"):
        verify_module(module)
    assert "gpu.thread_id y" in print_module(module)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("array<i32: 32, 1, 1>", "array<i32: 2048, 1, 1>"), "a block of 2048 threads"),
        (("(%c32, %c1, %c1)", "(%c1, %c1, %c1)"), r"runs in blocks of \(32, 1, 1\) threads"),
        (("args(%A : memref<64xf32>, %v : f32)", "args(%A : memref<64xf32>)"), "takes"),
        (("gpu.thread_id x", "gpu.thread_id w"), "expected dimension x, y or z, got 'w'"),
    ],
)
def test_bad_kernels_and_launches_are_located_errors(change, message):
    old, new = change
    with pytest.raises(ZigguratError, match=message) as error:
        verify_module(parse_module(TEXT.replace(old, new), "k.mlir"))
    assert str(error.value).startswith("k.mlir:")
