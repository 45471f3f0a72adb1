"""Level detection and the default pipeline strings."""

import pytest
from xdsl.parser import Parser

from ziggurat.diagnostics import ZigguratError
from ziggurat.pipeline import level_of, pipeline_between
from ziggurat.registry import make_context

TE_MODULE = """
func.func @relu(%X: tensor<7xf32>) -> tensor<7xf32> {
  %Y = te.compute "relu" (%X) axes ["i"] : (tensor<7xf32>) -> tensor<7xf32> {
  ^bb0(%i: index):
    %x = te.read %X[%i] : tensor<7xf32>
    %z = arith.constant 0.000000e+00 : f32
    %r = arith.maximumf %x, %z : f32
    te.yield %r : f32
  }
  func.return %Y : tensor<7xf32>
}
"""

LOOP_MODULE = """
func.func @scale(%A: memref<7xf32>) {
  %c0 = arith.constant 0 : index
  %c7 = arith.constant 7 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %c7 step %c1 {
    %a = memref.load %A[%i] : memref<7xf32>
    %b = arith.addf %a, %a : f32
    memref.store %b, %A[%i] : memref<7xf32>
  }
  func.return
}
"""


def parse(text: str):
    return Parser(make_context(), text).parse_module()


def test_level_of_te_and_loop_modules():
    assert level_of(parse(TE_MODULE)) == "te"
    assert level_of(parse(LOOP_MODULE)) == "loop"


def test_pipeline_between_levels():
    assert pipeline_between("te", "loop").endswith("te-to-loop")
    assert "graph-to-te" in pipeline_between("graph", "loop")
    assert pipeline_between("loop", "loop") == ""


def test_cannot_raise_a_module():
    with pytest.raises(ZigguratError, match="cannot raise"):
        pipeline_between("loop", "graph")
