"""loop-to-llvm, after the CPU's passes before it (its lowering pipeline): what the llvm-level
IR looks like, and the errors it reports."""

from __future__ import annotations

import pytest
from xdsl.dialects import llvm
from xdsl.dialects.builtin import ModuleOp

from ziggurat.diagnostics import ZigguratError
from ziggurat.ir_io import parse_module, pass_pipeline, print_module, verify_module
from ziggurat.registry import make_context
from ziggurat.targets.cpu import LOWERING


def lower(text: str) -> ModuleOp:
    module = parse_module(text)
    pass_pipeline(LOWERING).apply(make_context(), module)
    verify_module(module)
    return module


def test_only_llvm_ops_remain_and_the_result_round_trips():
    module = lower("""
func.func @axpy(%a: f32, %X: memref<?xf32>, %Y: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %X, %c0 : memref<?xf32>
  scf.for %i = %c0 to %n step %c1 {
    %x = memref.load %X[%i] : memref<?xf32>
    %y = memref.load %Y[%i] : memref<?xf32>
    %p = arith.mulf %a, %x fastmath<fast> : f32
    %s = arith.addf %p, %y : f32
    memref.store %s, %Y[%i] : memref<?xf32>
  }
  func.return
}
""")
    names = {op.name for op in module.walk()} - {"builtin.module"}
    assert all(name.startswith("llvm.") for name in names), names
    text = print_module(module)
    assert "ptrtoint" not in text and "inttoptr" not in text
    assert "#llvm.fastmath<fast>" in text
    assert print_module(parse_module(text)) == text


def test_memref_arguments_are_passed_as_descriptor_fields():
    module = lower("""
func.func @f(%A: memref<4x?xf32>, %i: index) -> index {
  func.return %i : index
}
""")
    function = next(op for op in module.walk() if isinstance(op, llvm.FuncOp))
    inputs = [str(t) for t in function.function_type.inputs]
    assert inputs == ["!llvm.ptr", "!llvm.ptr", *["i64"] * 5, "i64"]
    assert str(function.function_type.output) == "i64"


def test_static_strides_are_constants_and_addresses_are_geps():
    text = print_module(
        lower("""
func.func @f(%A: memref<7x13xf32>, %i: index, %j: index) -> f32 {
  %v = memref.load %A[%i, %j] : memref<7x13xf32>
  func.return %v : f32
}
""")
    )
    assert "llvm.mlir.constant(13) : i64" in text
    assert "llvm.getelementptr inbounds" in text
    # The static stride is not read back from the descriptor.
    assert "[4, 0]" not in text.split("llvm.mlir.constant(13) : i64")[1]


def test_alloc_is_64_byte_aligned_and_freed():
    text = print_module(
        lower("""
func.func @f() {
  %t = memref.alloc() : memref<3x5xf32>
  memref.dealloc %t : memref<3x5xf32>
  func.return
}
""")
    )
    assert "llvm.func @aligned_alloc(i64, i64) -> !llvm.ptr" in text
    # The alignment, and 60 bytes rounded up to a multiple of it.
    assert text.count("llvm.mlir.constant(64) : i64") == 2
    assert "llvm.call @free" in text


def test_loop_annotations_stay_on_the_back_edge():
    text = print_module(
        lower("""
func.func @f(%n: index, %A: memref<?xindex>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
    memref.store %i, %A[%i] : memref<?xindex>
  } {loop.annotations = [#loop.parallel, #loop.unroll<4>]}
  func.return
}
""")
    )
    back_edge = next(line for line in text.splitlines() if "loop.annotations" in line)
    assert back_edge.strip().startswith("llvm.br")
    assert "#loop.unroll<4>" in back_edge


def test_unsupported_op_is_named_with_its_location():
    with pytest.raises(
        ZigguratError, match=r"<input>:3:8: error: loop-to-llvm cannot lower 'test.op'"
    ):
        lower("""
func.func @f() {
  %x = "test.op"() : () -> i32
  func.return
}
""")


def test_shared_memory_argument_is_an_error():
    with pytest.raises(ZigguratError, match=r"<input>:2:1: .*#loop.scope<shared>.* CPU"):
        lower("""
func.func @f(%A: memref<4xf32, #loop.scope<shared>>) {
  func.return
}
""")


def test_local_and_global_scopes_are_ordinary_memory():
    module = lower("""
func.func @f(%A: memref<4xf32, #loop.scope<global>>) -> f32 {
  %c0 = arith.constant 0 : index
  %t = memref.alloca() : memref<4xf32, #loop.scope<local>>
  %v = memref.load %A[%c0] : memref<4xf32, #loop.scope<global>>
  memref.store %v, %t[%c0] : memref<4xf32, #loop.scope<local>>
  %w = memref.load %t[%c0] : memref<4xf32, #loop.scope<local>>
  func.return %w : f32
}
""")
    assert any(isinstance(op, llvm.AllocaOp) for op in module.walk())


def test_casts_llvm_lacks_use_the_extra_ops():
    text = print_module(
        lower("""
func.func @f(%x: f32, %i: i32) -> (i32, i32, f32) {
  %a = arith.fptosi %x : f32 to i32
  %b = arith.fptoui %x : f32 to i32
  %c = arith.uitofp %i : i32 to f32
  func.return %a, %b, %c : i32, i32, f32
}
""")
    )
    for name in ("llvm.fptosi", "llvm.fptoui", "llvm.uitofp"):
        assert name in text


PARALLEL_IN_SEQUENTIAL = """
func.func @f(%A: memref<16x16xf32>, %reps: index, %k: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c16 = arith.constant 16 : index
  %c20 = arith.addi %c16, %c4 : index
  scf.for %r = %c0 to %reps step %c1 {
    scf.for %i = %c0 to %c16 step %c4 {
      scf.for %j = %c0 to %c16 step %c1 {
        %a = memref.load %A[%i, %j] : memref<16x16xf32>
        %s = arith.mulf %a, %k : f32
        memref.store %s, %A[%i, %j] : memref<16x16xf32>
      } {loop.annotations = [#loop.parallel, #loop.vectorize<16>]}
      %last = arith.subi %c20, %c1 : index
    } {loop.annotations = [#loop.parallel, #loop.unroll<2>]}
  }
  func.return
}
"""


def test_outermost_parallel_loop_becomes_a_call_to_the_thread_pool():
    module = lower(PARALLEL_IN_SEQUENTIAL)
    functions = {op.sym_name.data: op for op in module.ops if isinstance(op, llvm.FuncOp)}
    assert set(functions) == {"f", "f_parallel_0", "ziggurat_parallel_for"}
    calls = [op for op in module.walk() if isinstance(op, llvm.CallOp)]
    assert [c.callee.string_value() for c in calls] == ["ziggurat_parallel_for"]
    assert functions["f_parallel_0"].linkage.linkage.data == "internal"
    # The context holds the memref and the scalar, not the constants (step, bounds).
    (slot,) = [op for op in functions["f"].walk() if isinstance(op, llvm.AllocaOp)]
    assert slot.parent_block() is functions["f"].body.blocks[0]
    context = slot.elem_type
    assert isinstance(context, llvm.LLVMStructType)
    assert [str(t) for t in context.types][1:] == ["f32"]
    # The outlined loop keeps its other annotations; the inner parallel loop runs in it,
    # vectorized.
    text = print_module(module)
    outlined = text[text.index("llvm.func internal @f_parallel_0") :]
    assert "#loop.unroll<2>" in outlined and "vector<16xf32>" in outlined


def test_parallel_loop_with_iter_args_is_an_error():
    with pytest.raises(ZigguratError, match=r"<input>:6:8: .*#loop.parallel loop cannot carry"):
        lower("""
func.func @f(%A: memref<?xf32>, %n: index) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %s = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> (f32) {
    %x = memref.load %A[%i] : memref<?xf32>
    %t = arith.addf %acc, %x : f32
    scf.yield %t : f32
  } {loop.annotations = [#loop.parallel]}
  func.return %s : f32
}
""")


def test_each_op_is_lowered_once(monkeypatch):
    """One walk: the lowering of each op runs once, however nested the op."""
    import ziggurat.passes.conversion.loop_to_llvm as loop_to_llvm

    calls: dict[str, int] = {}
    lowerings = {
        kind: (
            lambda lower, op, f=f: (
                calls.__setitem__(op.name, calls.get(op.name, 0) + 1) or f(lower, op)
            )
        )
        for kind, f in loop_to_llvm.LOWERINGS.items()
    }
    monkeypatch.setattr(loop_to_llvm, "LOWERINGS", lowerings)
    lower("""
func.func @f(%A: memref<8x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.for %i = %c0 to %c8 step %c1 {
    scf.for %j = %c0 to %c8 step %c1 {
      %x = memref.load %A[%i, %j] : memref<8x8xf32>
      %y = arith.addf %x, %x : f32
      memref.store %y, %A[%j, %i] : memref<8x8xf32>
    }
  }
  func.return
}
""")
    assert calls == {
        "arith.constant": 3,
        "scf.for": 2,
        "memref.load": 1,
        "arith.addf": 1,
        "memref.store": 1,
        "func.return": 1,
    }


def test_an_llvm_function_with_a_loop_level_body_is_lowered_inside():
    """A target may lower a function's signature itself (a GPU kernel's) and leave its
    body to loop-to-llvm, the descriptor cast to the memref the body uses."""
    from ziggurat.passes.conversion.loop_to_llvm import lower_to_llvm

    module = parse_module("""
llvm.func @kernel(%p: !llvm.ptr, %n: i64) {
  %u = llvm.mlir.undef : !llvm.struct<(!llvm.ptr, !llvm.ptr, i64, !llvm.array<1 x i64>, !llvm.array<1 x i64>)>
  %d0 = llvm.insertvalue %p, %u[0] : !llvm.struct<(!llvm.ptr, !llvm.ptr, i64, !llvm.array<1 x i64>, !llvm.array<1 x i64>)>
  %d1 = llvm.insertvalue %p, %d0[1] : !llvm.struct<(!llvm.ptr, !llvm.ptr, i64, !llvm.array<1 x i64>, !llvm.array<1 x i64>)>
  %A = builtin.unrealized_conversion_cast %d1 : !llvm.struct<(!llvm.ptr, !llvm.ptr, i64, !llvm.array<1 x i64>, !llvm.array<1 x i64>)> to memref<16xf32>
  %i = builtin.unrealized_conversion_cast %n : i64 to index
  %x = memref.load %A[%i] : memref<16xf32>
  memref.store %x, %A[%i] : memref<16xf32>
  llvm.return
}
""")
    lower_to_llvm(make_context(), module)
    verify_module(module)
    text = print_module(module)
    assert "memref." not in text and "unrealized_conversion_cast" not in text
    assert "llvm.getelementptr inbounds" in text and "llvm.load" in text
