"""Translating the llvm dialect to LLVM IR: the ops translated directly (the most frequent)
come out as xDSL's translation makes them."""

from __future__ import annotations

import importlib

from ziggurat.ir_io import parse_module
from ziggurat.pipeline import lower
from ziggurat.targets.cpu import lower_to_llvm_dialect

llvm_ir = importlib.import_module("ziggurat.targets.cpu.llvm_ir")

MODEL = """
func.func @main(%x: tensor<1x4x9x9xf32>, %w: tensor<8x2x3x3xf32>, %b: tensor<8xf32>) -> tensor<1x8x1x1xf32> {
  %conv = graph.conv2d %x, %w, %b strides [2, 2] padding [1, 0, 2, 1] dilation [2, 1] groups 2 : (tensor<1x4x9x9xf32>, tensor<8x2x3x3xf32>, tensor<8xf32>) -> tensor<1x8x4x4xf32>
  %relu = graph.relu %conv : tensor<1x8x4x4xf32>
  %mean = graph.global_avg_pool2d %relu : (tensor<1x8x4x4xf32>) -> tensor<1x8x1x1xf32>
  func.return %mean : tensor<1x8x1x1xf32>
}
"""


def test_direct_translations_are_xdsls(monkeypatch):
    lowered = lower_to_llvm_dialect(lower(parse_module(MODEL), "loop"))
    translated = {type(op) for op in lowered.walk()} & set(llvm_ir.DIRECT)
    assert len(translated) >= 6  # constants, descriptors, loads, GEPs, calls, stack slots
    direct = str(llvm_ir.translate(lowered))
    monkeypatch.setattr(llvm_ir, "DIRECT", {})
    assert str(llvm_ir.translate(lowered)) == direct
