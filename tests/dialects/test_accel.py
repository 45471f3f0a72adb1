"""The accel dialect: instructions built, verified, printed and parsed back; the regions
they touch; and each verifier error, located at the instruction."""

from __future__ import annotations

import pytest
from xdsl.dialects import func
from xdsl.dialects.builtin import MemRefType, ModuleOp, i8, i32
from xdsl.ir import Block, Region

from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects.accel import (
    AluOp,
    BufferOp,
    BufferType,
    GemmOp,
    LoadOp,
    PopOp,
    ProgramOp,
    PushOp,
    StoreOp,
)
from ziggurat.ir_io import parse_module, print_module, verify_module


def program(*build, tile: int = 16, sizes=(512, 256, 1024)) -> tuple[ModuleOp, list]:
    """A function over A (16x16 int8) and C (16x16 int8) holding a program with the three
    buffers and the instructions `build(inp, wgt, acc, A, C)` gives."""
    block = Block(arg_types=[MemRefType(i8, [16, 16]), MemRefType(i8, [16, 16])])
    a, c = block.args
    buffers = [
        BufferOp(BufferType("input", sizes[0])),
        BufferOp(BufferType("weight", sizes[1])),
        BufferOp(BufferType("accumulator", sizes[2])),
    ]
    inp, wgt, acc = (b.result for b in buffers)
    for value, name in ((inp, "inp"), (wgt, "wgt"), (acc, "acc"), (a, "A"), (c, "C")):
        value.name_hint = name
    ops = [op for make in build for op in make(inp, wgt, acc, a, c)]
    block.add_ops([ProgramOp(tile, [*buffers, *ops]), func.ReturnOp()])
    function = func.FuncOp("tiles", (block.arg_types, []), Region(block))
    return ModuleOp([function]), ops


def tile(inp, wgt, acc, a, c):
    return [
        GemmOp(acc, [0, 1], [16], [16]),
        LoadOp(a, 0, [16, 16], [16, 1], inp, 0),
        LoadOp(a, 0, [16, 16], [1, 16], wgt, 0),
        PushOp("load", "compute"),
        PopOp("compute", "load"),
        GemmOp(acc, [0, 1], [16], [16, 16, 0], inp, [0, 1], wgt, [0, 16, 1]),
        AluOp("shr", acc, [0, 1], [16], [16], [4], round=True),
        AluOp("clip", acc, [0, 1], [16], [16], [-128, 127]),
        PushOp("compute", "store"),
        PopOp("store", "compute"),
        StoreOp(acc, 0, [256], c, 0, [1]),
    ]


def test_a_program_verifies_prints_and_parses_back():
    module, _ = program(tile)
    verify_module(module)
    text = print_module(module)
    assert (
        "accel.gemm %acc[0 | 1] += %inp[0 | 1] * %wgt[0 | 16, 1] loops [16 x (16, 16, 0)]" in text
    )
    assert "accel.alu shr" in text and "round" in text and "accel.push load to compute" in text
    again = parse_module(text)
    verify_module(again)
    assert print_module(again) == text
    generic = parse_module(print_module(module, generic=True))
    assert print_module(generic) == text


def test_regions_of_the_instructions():
    _, ops = program(tile)
    reset, load, _, _, _, gemm, shr, *_ = ops
    assert [(a.low, a.high, a.write) for a in reset.accesses(16)] == [(0, 255, True)]
    assert [(a.low, a.high, a.write) for a in load.accesses(16)] == [
        (0, 255, False),
        (0, 255, True),
    ]
    # acc rows 0..15 of 16 lanes; inputs 16 per row; the weight block once.
    assert [(a.low, a.high) for a in gemm.accesses(16)] == [(0, 255), (0, 255), (0, 255)]
    assert [(a.low, a.high) for a in shr.accesses(16)] == [(0, 255)]
    assert gemm.unit_name() == "compute" and load.unit_name() == "load"


def error_of(module: ModuleOp) -> str:
    with pytest.raises(ZigguratError) as caught:
        verify_module(module)
    return caught.value.message


def test_a_pop_without_its_push():
    def missing(inp, wgt, acc, a, c):
        return [LoadOp(a, 0, [16, 16], [16, 1], inp, 0), PopOp("compute", "load")]

    assert "no push can reach it" in error_of(program(missing)[0])


def test_a_deadlock_names_every_waiting_unit():
    def cycle(inp, wgt, acc, a, c):
        return [
            PopOp("load", "compute"),
            PushOp("load", "compute"),
            PopOp("compute", "load"),
            PushOp("compute", "load"),
        ]

    message = error_of(program(cycle)[0])
    assert message.startswith("the token program deadlocks")
    assert "load at its instruction 0" in message and "compute at its instruction 0" in message


def test_a_region_outside_its_buffer():
    def large(inp, wgt, acc, a, c):
        return [LoadOp(a, 0, [16, 16], [16, 1], inp, 0)]

    message = error_of(program(large, sizes=(128, 256, 1024))[0])
    assert message == "'accel.load' touches elements 0 to 255 of %inp input buffer, which holds 128"


@pytest.mark.parametrize(
    "make, message",
    [
        (
            lambda inp, wgt, acc, a, c: [PushOp("store", "load")],
            "there is no token queue store->load",
        ),
        (
            lambda inp, wgt, acc, a, c: [AluOp("mul", acc, [0, 1], [1], [0], [2])],
            "unknown ALU op 'mul'",
        ),
        (
            lambda inp, wgt, acc, a, c: [AluOp("add", acc, [0, 1], [1], [0], [2], round=True)],
            "only 'accel.alu shr' rounds",
        ),
        (
            lambda inp, wgt, acc, a, c: [StoreOp(inp, 0, [16], c, 0, [1])],
            "'accel.store' stores from the accumulator buffer, not the input",
        ),
        (
            lambda inp, wgt, acc, a, c: [GemmOp(acc, [0, 1], [2], [16, 0])],
            "'accel.gemm' needs 1 steps per loop, one per operand",
        ),
        (
            lambda inp, wgt, acc, a, c: [LoadOp(a, 200, [16, 16], [16, 1], inp, 0)],
            "'accel.load' reaches elements 200 to 455 of a tensor of 256 elements",
        ),
    ],
)
def test_instruction_errors(make, message):
    assert message in error_of(program(make)[0])


def test_buffer_types():
    assert str(BufferType("accumulator", 64)) == "!accel.buffer<accumulator, 64, i32>"
    with pytest.raises(Exception, match="the input buffer holds i8, not i32"):
        BufferType("input", 64, i32)
