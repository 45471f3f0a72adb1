"""Where a ZigguratError says the mistake is: file:line:col, an ONNX node's name, or the
nearest located ancestor of an op."""

from __future__ import annotations

from xdsl.dialects.builtin import FileLineColLoc, IntAttr, NameLoc, StringAttr, UnknownLoc

from ziggurat.diagnostics import ZigguratError
from ziggurat.ir_io import parse_module


def test_file_line_col():
    location = FileLineColLoc(StringAttr("m.mlir"), IntAttr(3), IntAttr(7))
    assert str(ZigguratError("bad", location)) == "m.mlir:3:7: error: bad"


def test_an_imported_op_is_named_after_its_onnx_node():
    location = NameLoc(StringAttr("node 'conv1' (Conv)"), UnknownLoc())
    assert str(ZigguratError("bad", location)) == "node 'conv1' (Conv): error: bad"


def test_an_op_without_location_takes_its_parents():
    module = parse_module("func.func @f() {\n  func.return\n}\n", "m.mlir")
    function = next(iter(module.ops))
    ret = function.body.block.last_op
    ret.location = UnknownLoc()
    assert str(ZigguratError("bad", ret)) == "m.mlir:1:1: error: bad"


def test_no_location():
    assert str(ZigguratError("bad")) == "error: bad"
