"""The loop dialect: schedule annotations, memory scopes and the barrier."""

import pytest
from xdsl.dialects import arith, scf
from xdsl.dialects.builtin import ArrayAttr, IntAttr, StringAttr
from xdsl.ir import Block, Region
from xdsl.utils.exceptions import VerifyException

from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects.loop import (
    ANNOTATIONS,
    BarrierOp,
    BindAttr,
    ParallelAttr,
    ScopeAttr,
    UnrollAttr,
    VectorizeAttr,
    annotate,
    annotations,
)
from ziggurat.ir_io import parse_module, print_module, verify_module

TEXT = """\
func.func @f(%A: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  scf.for %i = %c0 to %c64 step %c1 {
    %a = memref.load %A[%i] : memref<64xf32>
    memref.store %a, %A[%i] : memref<64xf32>
  } {loop.annotations = [#loop.parallel, #loop.vectorize<8>, #loop.unroll<4>, #loop.bind<"blockIdx.y">]}
  %s = memref.alloc() : memref<8x8xf32, #loop.scope<shared>>
  loop.barrier
  func.return
}
"""


def empty_loop() -> scf.ForOp:
    bound = arith.ConstantOp.from_int_and_width(4, 64).result
    body = Block(arg_types=[bound.type])
    body.add_op(scf.YieldOp())
    return scf.ForOp(bound, bound, bound, [], Region(body))


def test_attributes_print_as_written():
    assert str(ParallelAttr()) == "#loop.parallel"
    assert str(VectorizeAttr(IntAttr(8))) == "#loop.vectorize<8>"
    assert str(UnrollAttr(IntAttr(4))) == "#loop.unroll<4>"
    assert str(BindAttr(StringAttr("threadIdx.z"))) == '#loop.bind<"threadIdx.z">'
    assert str(ScopeAttr(StringAttr("local"))) == "#loop.scope<local>"


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: VectorizeAttr(IntAttr(6)), "vector width must be a power of two, got 6"),
        (lambda: VectorizeAttr(IntAttr(0)), "vector width must be a power of two, got 0"),
        (lambda: UnrollAttr(IntAttr(0)), "unroll factor must be positive, got 0"),
        (lambda: BindAttr(StringAttr("warp.x")), "unknown GPU axis 'warp.x'"),
        (lambda: ScopeAttr(StringAttr("texture")), "unknown memory scope 'texture'"),
    ],
)
def test_attribute_verifiers(build, message):
    with pytest.raises(VerifyException, match=message):
        build()


def test_annotate_and_read_back():
    loop = empty_loop()
    assert annotations(loop) == []
    annotate(loop, ParallelAttr())
    annotate(loop, UnrollAttr(IntAttr(2)))
    assert annotations(loop) == [ParallelAttr(), UnrollAttr(IntAttr(2))]
    assert str(loop.attributes[ANNOTATIONS]) == "[#loop.parallel, #loop.unroll<2>]"


def test_annotations_must_be_loop_attributes():
    loop = empty_loop()
    loop.attributes[ANNOTATIONS] = ArrayAttr([StringAttr("parallel")])
    with pytest.raises(VerifyException, match="must be a list of #loop attributes"):
        annotations(loop)


def test_parsed_annotations():
    module = parse_module(TEXT)
    verify_module(module)
    loop = next(op for op in module.walk() if isinstance(op, scf.ForOp))
    assert annotations(loop) == [
        ParallelAttr(),
        VectorizeAttr(IntAttr(8)),
        UnrollAttr(IntAttr(4)),
        BindAttr(StringAttr("blockIdx.y")),
    ]
    assert any(isinstance(op, BarrierOp) for op in module.walk())


@pytest.mark.parametrize("generic", [False, True])
def test_round_trip(generic):
    printed = print_module(parse_module(TEXT), generic)
    assert print_module(parse_module(printed), generic) == printed
    assert "#loop.scope<shared>" in printed
    assert ('"loop.barrier"() : () -> ()' in printed) == generic


@pytest.mark.parametrize(
    ("attribute", "message"),
    [
        ("#loop.vectorize<3>", "vector width must be a power of two, got 3"),
        ("#loop.unroll<-1>", "unroll factor must be positive"),
        ('#loop.bind<"threadIdx.w">', "unknown GPU axis 'threadIdx.w'"),
        ("#loop.tile<4>", "unknown attribute '#loop.tile'"),
    ],
)
def test_bad_attributes_in_text_are_located(attribute, message):
    text = TEXT.replace("#loop.unroll<4>", attribute)
    with pytest.raises(ZigguratError, match=message) as error:
        parse_module(text, "l.mlir")
    column = TEXT.splitlines()[7].index("#loop.unroll") + 1
    assert error.value.where == f"l.mlir:8:{column}"


def test_barrier_takes_no_operands():
    text = 'func.func @f(%x: index) {\n  "loop.barrier"(%x) : (index) -> ()\n  func.return\n}\n'
    with pytest.raises(ZigguratError, match="Expected 0 operands"):
        verify_module(parse_module(text))
    BarrierOp().verify()
