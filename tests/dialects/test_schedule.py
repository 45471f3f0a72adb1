"""The schedule ops of the transform dialect: built, verified, rejected, round-tripped; the
tuner's view of knobs."""

from collections.abc import Callable

import pytest
from xdsl.dialects import transform
from xdsl.dialects.builtin import IntegerAttr, ModuleOp, StringAttr, i64
from xdsl.ir import Block, Operation, Region, SSAValue

from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects.schedule import (
    AlternativesOp,
    BindOp,
    CacheReadOp,
    CacheWriteOp,
    ComputeAtOp,
    ComputeInlineOp,
    FuseOp,
    GetLoopsOp,
    KnobOp,
    ParallelOp,
    ReorderOp,
    SplitOp,
    TensorizeOp,
    TileOp,
    UnrollOp,
    VectorizeOp,
    fix_knobs,
    knobs,
    open_knobs,
)
from ziggurat.ir_io import parse_module, print_module, verify_module

ANY = transform.AnyOpType()
PARAM = transform.ParamType(i64)


def sequence(build: Callable[[SSAValue, Block], None]) -> ModuleOp:
    """A module holding @__transform_main whose body `build` fills from its root handle."""
    block = Block(arg_types=[ANY])
    build(block.args[0], block)
    block.add_op(transform.YieldOp())
    return ModuleOp([transform.NamedSequenceOp("__transform_main", ([ANY], []), Region(block))])


def every_op(root: SSAValue, block: Block) -> None:
    def add(op: Operation) -> Operation:
        block.add_op(op)
        return op

    match = add(transform.MatchOp(root, op_attrs={"te.compute": StringAttr("matmul")}))
    i, j, k = add(GetLoopsOp(match.results[0], 3)).results
    tile_i = add(KnobOp("tile_i", [IntegerAttr(n, i64) for n in (8, 16, 32)], IntegerAttr(16, i64)))
    io, ii = add(SplitOp(i, tile_i.results[0])).results
    jo, ji = add(SplitOp(j, 4)).results
    add(TileOp([io, jo], [4, tile_i.results[0]]))
    add(ReorderOp([k, ii]))
    add(FuseOp(io, k))
    add(ComputeAtOp(match.results[0], k))
    add(ComputeInlineOp(match.results[0]))
    add(CacheReadOp(k, 1, "local"))
    add(CacheWriteOp(k, "shared"))
    add(VectorizeOp(ji, 8))
    add(VectorizeOp(ji, tile_i.results[0]))
    add(UnrollOp(ji, 2))
    add(ParallelOp(io))
    add(BindOp(io, "threadIdx.x"))
    add(TensorizeOp(ji, "dot4"))
    regions = [Region(Block([transform.YieldOp(r)])) for r in (i, j)]
    add(AlternativesOp("order", regions, [ANY], 1))


def test_every_op_builds_verifies_and_round_trips():
    module = sequence(every_op)
    verify_module(module)
    text = print_module(module)
    assert 'transform.tune.knob<"tile_i"> = 16 from options = [8, 16, 32]' in text
    assert "transform.schedule.tile" in text and "by [4, %" in text
    assert "transform.schedule.cache_read %" in text and 'input 1 into "local"' in text
    assert 'transform.tune.alternatives<"order"> selected_region = 1 -> !transform.any_op' in text
    reparsed = parse_module(text)
    verify_module(reparsed)
    assert print_module(reparsed) == text
    generic = parse_module(print_module(module, generic=True))
    assert print_module(generic) == text


def one_op(build: Callable[[SSAValue], Operation]) -> ModuleOp:
    return sequence(lambda root, block: block.add_op(build(root)))


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda r: KnobOp("t", [IntegerAttr(8, i64)], IntegerAttr(4, i64)),
            "knob 't' is fixed to 4, which is not one of its options [8]",
        ),
        (lambda r: KnobOp("t", []), "knob 't' needs at least one option"),
        (
            lambda r: KnobOp("t", [StringAttr("a")]),
            'option "a" is not an i64 integer',
        ),
        (lambda r: SplitOp(r, 0), "split factor must be positive, got 0"),
        (lambda r: TileOp([r, r], [4]), "tile has 2 loops but 1 factors"),
        (lambda r: TileOp([r], [-2]), "tile factors must be positive"),
        (lambda r: ReorderOp([r]), "reorder needs at least two loops"),
        (lambda r: VectorizeOp(r, 12), "vector width must be a power of two, got 12"),
        (lambda r: UnrollOp(r, 0), "unroll factor must be positive, got 0"),
        (lambda r: BindOp(r, "lane.x"), "unknown GPU axis 'lane.x'"),
        (lambda r: CacheWriteOp(r, "texture"), "unknown memory scope 'texture'"),
        (lambda r: CacheReadOp(r, -1, "local"), "input number must not be negative"),
        (lambda r: GetLoopsOp(r, 0), "get_loops needs at least one result"),
        (
            lambda r: AlternativesOp("a", [Region(Block([transform.YieldOp()]))], [], 3),
            "alternatives 'a' selects region 3, but it has 1",
        ),
        (
            lambda r: AlternativesOp("a", [Region(Block([transform.YieldOp()]))], [ANY], 0),
            "region 0 of alternatives 'a' yields (), but the op gives (!transform.any_op)",
        ),
        (lambda r: AlternativesOp("a", []), "alternatives 'a' needs at least one region"),
    ],
)
def test_verifier_rejects(build: Callable[[SSAValue], Operation], message: str):
    with pytest.raises(ZigguratError) as error:
        verify_module(one_op(build))
    assert message in error.value.message


SPACE = """
transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %t = transform.tune.knob<"tile_i"> options = [8, 16, 32] -> !transform.param<i64>
  %v = transform.tune.knob<"width"> = 4 from options = [4, 8] -> !transform.param<i64>
  %s = transform.tune.knob<"scope"> options = ["local", "shared"] -> !transform.any_param
  transform.tune.alternatives<"order"> {
    %t2 = transform.tune.knob<"tile_i"> options = [8, 16, 32] -> !transform.param<i64>
    transform.yield
  }, {
    transform.yield
  }
  transform.yield
}
"""


def test_knobs_list_the_search_space_once_per_name():
    schedule = parse_module(SPACE)
    assert knobs(schedule) == [
        ("tile_i", [8, 16, 32]),
        ("width", [4, 8]),
        ("scope", ["local", "shared"]),
        ("order", [0, 1]),
    ]
    assert open_knobs(schedule) == ["tile_i", "scope", "order"]


def test_fix_knobs_gives_a_fixed_copy():
    schedule = parse_module(SPACE)
    fixed = fix_knobs(schedule, {"tile_i": 16, "scope": "shared", "order": 1, "width": 8})
    assert open_knobs(fixed) == []
    assert open_knobs(schedule) == ["tile_i", "scope", "order"]
    text = print_module(fixed)
    assert text.count('transform.tune.knob<"tile_i"> = 16 from options = [8, 16, 32]') == 2
    assert 'transform.tune.knob<"width"> = 8 from options = [4, 8]' in text
    assert 'transform.tune.knob<"scope"> = "shared" from options' in text
    assert 'transform.tune.alternatives<"order"> selected_region = 1 {' in text
    verify_module(parse_module(text))


@pytest.mark.parametrize(
    ("values", "where", "message"),
    [
        ({"tile_j": 8}, "1:1", "the schedule has no knob 'tile_j'; its knobs are tile_i, width"),
        (
            {"tile_i": 12},
            "3:8",
            "12 is not an option of knob 'tile_i', expected one of [8, 16, 32]",
        ),
        ({"width": 5}, "4:8", "5 is not an option of knob 'width', expected one of [4, 8]"),
        ({"order": 2}, "6:3", "2 is not an option of knob 'order', expected one of [0, 1]"),
        ({"tile_i": True}, "3:8", "True is not an option of knob 'tile_i'"),
    ],
)
def test_fix_knobs_rejects_at_the_knob(values: dict, where: str, message: str):
    with pytest.raises(ZigguratError) as error:
        fix_knobs(parse_module(SPACE, "space.mlir"), values)
    assert str(error.value).startswith(f"space.mlir:{where}: error: {message}")


def test_a_name_with_two_option_lists_is_an_error_at_the_second():
    text = SPACE.replace(
        '%t2 = transform.tune.knob<"tile_i"> options = [8, 16, 32]',
        '%t2 = transform.tune.knob<"tile_i"> options = [8, 16]',
    )
    with pytest.raises(ZigguratError) as error:
        knobs(parse_module(text, "space.mlir"))
    assert str(error.value).startswith(
        "space.mlir:7:11: error: knob 'tile_i' is declared twice with different options"
    )


def test_knob_selected_by_param_is_not_a_choice_itself():
    text = """
transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %k = transform.tune.knob<"which"> options = [0, 1] -> !transform.param<i64>
  transform.tune.alternatives<"order"> selected_region = %k : !transform.param<i64> {
    transform.yield
  }, {
    transform.yield
  }
  transform.yield
}
"""
    assert knobs(parse_module(text)) == [("which", [0, 1])]
