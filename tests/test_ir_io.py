"""ir_io: parsed ops carry their source location; every mistake is a located ZigguratError,
reported quickly whatever the text."""

import signal
from contextlib import contextmanager

import pytest
from xdsl.dialects import arith, func
from xdsl.dialects.builtin import FileLineColLoc, ModuleOp

from ziggurat.diagnostics import ZigguratError
from ziggurat.ir_io import parse_module, pass_pipeline, print_module, verify_module

TEXT = """\
func.func @f(%a: index) -> index {
  %b = arith.addi %a, %a : index
  %c = "arith.muli"(%b, %b) : (index, index) -> index
  func.return %c : index loc("elsewhere.mlir":7:9)
}
"""


def where(op) -> tuple[str, int, int]:
    location = op.location
    assert isinstance(location, FileLineColLoc)
    return location.filename.data, location.line.data, location.column.data


def test_ops_are_located_at_their_name():
    module = parse_module(TEXT, "f.mlir")
    function = next(iter(module.ops))
    add, mul, ret = function.body.block.ops
    assert where(module) == ("f.mlir", 1, 1)
    assert where(function) == ("f.mlir", 1, 1)
    assert where(add) == ("f.mlir", 2, 8)
    assert where(mul) == ("f.mlir", 3, 8)  # generic form too


def test_explicit_locations_are_kept():
    module = parse_module(TEXT, "f.mlir")
    ret = list(next(iter(module.ops)).body.block.ops)[-1]
    assert where(ret) == ("elsewhere.mlir", 7, 9)


def test_nested_ops_are_located():
    text = "builtin.module {\n  builtin.module {\n    func.func @g() {\n      func.return\n    }\n  }\n}\n"
    module = parse_module(text)
    assert [where(op)[1:] for op in module.walk()] == [(1, 1), (2, 3), (3, 5), (4, 7)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("func.func @f() {\n  %x = arith.addi\n}", "x.mlir:3:1: error: "),
        ("func.func @f() {\n  %x = zz.op\n}", "x.mlir:2:8: error: unknown dialect 'zz'"),
        ("func.func @f() {\n  arith.zz\n}", "x.mlir:2:3: error: unknown operation 'arith.zz'"),
        ("func.func @f() -> !zz.t {\n}", "x.mlir:1:19: error: unknown type '!zz.t'"),
        ('"test.op"() {a = #zz.a} : () -> ()', "x.mlir:1:18: error: unknown attribute '#zz.a'"),
        (
            '"test.op"() {a = [#loop.unroll<2>, #loop.vectorize<3>]} : () -> ()',
            "x.mlir:1:36: error: vector width must be a power of two, got 3",
        ),
        (
            "func.func @f() {\n  func.return %v : i32\n}",
            "x.mlir:2:3: error: use of undefined value %v",
        ),
    ],
    ids=["malformed", "dialect", "operation", "type", "attribute", "bad-attribute", "undefined"],
)
def test_parse_errors_are_located(text, expected):
    with pytest.raises(ZigguratError) as error:
        parse_module(text, "x.mlir")
    assert str(error.value).startswith(expected)


@contextmanager
def time_limit(seconds: float):
    """Raise TimeoutError inside the block once `seconds` of wall time have passed."""

    def expire(signum, frame):
        raise TimeoutError(f"took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# Lexing string literals ----------------------------------------------------------------

# xDSL's string-literal pattern backtracked exponentially in the length of the line after
# a quote that is never closed: this schedule did not parse in minutes.
UNTERMINATED_STRING = """\
transform.named_sequence @__transform_main(%copy: !transform.any_op) {
  %i," %j = transform.schedule.get_loops %copy : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  transform.yield
}
"""


def test_an_unterminated_string_is_reported_at_its_quote_quickly():
    with time_limit(1.0), pytest.raises(ZigguratError) as error:
        parse_module(UNTERMINATED_STRING, "s.mlir")
    assert str(error.value) == "s.mlir:2:6: error: unterminated string"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"test.op"() {a = "abc\n"} : () -> ()', "x.mlir:1:18: error: unterminated string"),
        ('"test.op"() {a = "abc', "x.mlir:1:18: error: unterminated string"),
        ('"test.op', "x.mlir:1:1: error: unterminated string"),
        (
            '"test.op"() {a = "a\\qb"} : () -> ()',
            "x.mlir:1:20: error: unknown escape in string literal",
        ),
    ],
    ids=["newline", "end-of-file", "first-token", "escape"],
)
def test_string_literal_errors(text, expected):
    with pytest.raises(ZigguratError) as error:
        parse_module(text, "x.mlir")
    assert str(error.value) == expected


def test_string_literals_keep_their_escapes():
    module = parse_module(r'"test.op"() {a = "q\"\n\t\\\41", b = @"s y"} : () -> ()')
    op = next(iter(module.ops))
    assert op.attributes["a"].data == 'q"\n\t\\A'
    assert op.attributes["b"].root_reference.data == "s y"


def test_verify_reports_the_innermost_failing_op():
    text = (
        "func.func @f() -> i32 {\n"
        "  %x = arith.constant 1 : i32\n"
        '  %y = "arith.addi"(%x, %x) : (i32, i32) -> i64\n'
        "  func.return %x : i32\n"
        "}\n"
    )
    module = parse_module(text, "v.mlir")
    with pytest.raises(ZigguratError) as error:
        verify_module(module)
    assert error.value.where == "v.mlir:3:8"


def test_verify_reports_block_errors_at_their_op():
    text = '"func.func"() <{sym_name = "f", function_type = () -> ()}> ({\n^bb0:\n}) : () -> ()'
    function = parse_module(text, "v.mlir")
    with pytest.raises(ZigguratError, match="empty block") as error:
        verify_module(function)
    assert error.value.where == "v.mlir:1:1"


def test_verify_accepts_a_good_module_and_built_ops():
    verify_module(parse_module(TEXT))
    function = func.FuncOp("g", ((), ()))
    function.body.block.add_op(func.ReturnOp())
    verify_module(ModuleOp([function]))


def test_verify_error_on_built_op_has_no_location():
    bad = arith.AddiOp(
        arith.ConstantOp.from_int_and_width(1, 32).result,
        arith.ConstantOp.from_int_and_width(1, 64).result,
    )
    with pytest.raises(ZigguratError) as error:
        verify_module(bad)
    assert str(error.value).startswith("error: ")


@pytest.mark.parametrize("generic", [False, True])
def test_print_parse_round_trip(generic):
    printed = print_module(parse_module(TEXT), generic)
    assert print_module(parse_module(printed), generic) == printed
    assert ('"arith.addi"' in printed) == generic


def test_pass_pipeline():
    pipeline = pass_pipeline("cse,arith-add-fastmath{flags=none}")
    assert [p.name for p in pipeline.passes] == ["cse", "arith-add-fastmath"]
    assert pipeline.passes[1].flags == "none"
    with pytest.raises(ZigguratError, match="unknown pass 'zz'"):
        pass_pipeline("cse,zz")
    with pytest.raises(ZigguratError, match="bad options for pass 'cse'"):
        pass_pipeline("cse{zz=1}")
    with pytest.raises(ZigguratError, match="malformed pass pipeline"):
        pass_pipeline("cse{")
