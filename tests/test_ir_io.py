"""ir_io: parsed ops carry their source location; every mistake is a located ZigguratError,
reported quickly whatever the text (a fuzz test of mutated IR checks both)."""

import random
import re
import signal
from contextlib import contextmanager
from pathlib import Path

import pytest
from xdsl.dialects import arith, func
from xdsl.dialects.builtin import FileLineColLoc, ModuleOp

from ziggurat.diagnostics import ZigguratError
from ziggurat.ir_io import parse_module, pass_pipeline, print_module, verify_module

ROOT = Path(__file__).resolve().parents[1]

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
        (
            "func.func @f() {\n  func.return\n",
            "x.mlir:3:1: error: expected '}' to close the region",
        ),
        (
            "func.func @f(%a: index) {\n  %b = arith.addi %a, %later : index\n  arith.zz\n}",
            "x.mlir:3:3: error: unknown operation 'arith.zz'",
        ),
    ],
    ids=[
        "malformed",
        "dialect",
        "operation",
        "type",
        "attribute",
        "bad-attribute",
        "undefined",
        "unclosed-region",
        "while-a-value-is-awaited",
    ],
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


# Crashes of xDSL's parser the fuzz test found, each now a located error -------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '"test.op"() : () -> !transform.param',
            "x.mlir:1:21: error: wrong number of parameters for type '!transform.param'",
        ),
        (
            '"test.op"() {a = #vector.kind<maxx>} : () -> ()',
            "x.mlir:1:18: error: 'maxx' is not a valid CombiningKindFlag",
        ),
        (
            "func.func @f(%v: vector<4xf32>, %s: f32) -> f32 {\n"
            "  %m = vector.reduction <maxx>, %v, %s : vector<4xf32> into f32\n"
            "  func.return %m : f32\n"
            "}",
            "x.mlir:2:8: error: 'maxx' is not a valid CombiningKindFlag",
        ),
        (
            'func.func @"\\ff"() {\n  func.return\n}',
            "x.mlir:1:1: error: 'utf-8' codec can't decode byte 0xff",
        ),
        (
            "%c = arith.constant dense<1.0e39> : tensor<2xf32>",
            "x.mlir:1:21: error: number out of range in attribute 'dense'",
        ),
        (
            "func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {\n"
            '  %y = graph.pad %x pads [0, 99999999999999999999] mode "constant"'
            " : (tensor<4xf32>) -> tensor<4xf32>\n"
            "  func.return %y : tensor<4xf32>\n"
            "}",
            "x.mlir:2:8: error: number out of range in operation",
        ),
        (
            "%c = arith.constant dense<(1.0, 2.0, 3.0)> : tensor<1xcomplex<f32>>",
            "x.mlir:1:21: error: malformed attribute 'dense'",
        ),
        (
            '"test.op"() {a = affine_map<(d0)[s0] -> (d0 * s0)>} : () -> ()',
            "x.mlir:1:18: error: Multiplication with non-constant (semi-affine)",
        ),
    ],
    ids=[
        "parameters",
        "enum-attribute",
        "enum-keyword",
        "not-utf-8",
        "float-overflow",
        "integer-overflow",
        "unexpected-token",
        "semi-affine",
    ],
)
def test_xdsl_parser_crashes_are_located_errors(text, expected):
    with pytest.raises(ZigguratError) as error:
        parse_module(text, "x.mlir")
    assert str(error.value).startswith(expected)


@pytest.mark.parametrize("text", ['"test.op"() {a = ' + "[" * 2000, "builtin.module {\n" * 500])
def test_deep_nesting_is_a_located_error(text):
    with pytest.raises(ZigguratError, match=r"^x\.mlir:\d+:\d+: error: nesting too deep$"):
        parse_module(text, "x.mlir")


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


def test_pass_pipeline_bare_values_keep_their_backslashes():
    assert pass_pipeline(r"apply-schedule{file=C:\x\ff.mlir}").passes[0].file == r"C:\x\ff.mlir"


@pytest.mark.parametrize("spec", [r'apply-schedule{file="a\rb"}', r'apply-schedule{file="\ff"}'])
def test_pass_pipeline_undecodable_escapes_are_malformed(spec):
    with pytest.raises(ZigguratError, match="malformed pass pipeline"):
        pass_pipeline(spec)


# Fuzzing ---------------------------------------------------------------------------------

# Characters whose loss or surplus unbalances IR text: quotes, escapes, brackets, sigils.
SPECIAL = '"\\{}<>()[]%:,'
TOKEN = re.compile(r"\s+|\w+|.")


def mutant(text: str, rng: random.Random) -> str:
    """`text` with one random edit: a character deleted, doubled or inserted, the text cut
    short, two tokens swapped, a line doubled, or a long run of one character inserted."""
    at = rng.randrange(len(text) + 1)
    # Insertions twice as often as each other edit: a stray quote or bracket is the usual slip.
    match rng.randrange(8):
        case 0:
            return text[:at] + text[at + 1 :]
        case 1:
            return text[: at + 1] + text[at:]
        case 2 | 7:
            return text[:at] + rng.choice(SPECIAL) + text[at:]
        case 3:
            return text[:at]
        case 4:
            tokens = TOKEN.findall(text) or [""]
            i, j = rng.randrange(len(tokens)), rng.randrange(len(tokens))
            tokens[i], tokens[j] = tokens[j], tokens[i]
            return "".join(tokens)
        case 5:
            lines = text.splitlines(keepends=True) or [""]
            i = rng.randrange(len(lines))
            return "".join(lines[: i + 1] + lines[i:])
        case 6:
            return text[:at] + rng.choice(SPECIAL + "a1 \n") * rng.randint(50, 2000) + text[at:]


def test_mutated_ir_parses_or_fails_with_a_located_error_quickly():
    """Seeded mutants of the repository's IR files: each parses or raises a ZigguratError
    with a location and a message, in at most two seconds."""
    files = [
        *ROOT.glob("examples/*.mlir"),
        *ROOT.glob("targets/cpu/schedules/*.mlir"),
        *ROOT.glob("lit_tests/**/*.mlir"),
    ]
    sources = [(path.relative_to(ROOT), path.read_text()) for path in sorted(files)]
    failures = []
    for seed in range(600):
        rng = random.Random(seed)
        path, text = rng.choice(sources)
        for _ in range(rng.randint(1, 3)):
            text = mutant(text, rng)
        try:
            with time_limit(2.0):
                parse_module(text, "mutant.mlir")
        except ZigguratError as error:
            located = error.where.startswith("mutant.mlir:")
            worded = error.message == error.message.strip() != ""
            if not (located and worded):
                failures.append(f"mutant {seed} of {path}: {error}")
        except Exception as error:
            failures.append(f"mutant {seed} of {path}: {type(error).__name__}: {error}")
    assert not failures, "\n".join(failures)
