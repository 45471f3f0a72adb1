"""Textual IR in and out, with source locations and errors a user can read.

xDSL's parser leaves every op at an unknown location and its verifier does not say which op
failed. Here each parsed op gets `file:line:col` of its name (as MLIR does, unless the text
gives `loc(...)`), and every mistake in the text, the verifier or a pass pipeline becomes a
`ZigguratError` at that place, quickly: string literals lex in linear time, and the Python
exceptions xDSL's parser raises on some bad text become located errors too.

    module = parse_module(text, "model.mlir")
    verify_module(module)
    print(print_module(module))
"""

from __future__ import annotations

import re
import struct
from bisect import bisect_right
from collections.abc import Callable
from io import StringIO
from typing import TypeVar

from xdsl.context import Context
from xdsl.dialects.builtin import (
    FileLineColLoc,
    IntAttr,
    ModuleOp,
    StringAttr,
    UnknownLoc,
)
from xdsl.ir import Attribute, Block, Operation, TypeAttribute
from xdsl.parser import Parser, Span
from xdsl.parser.generic_parser import ParserState
from xdsl.passes import ModulePass, PassPipeline
from xdsl.printer import Printer
from xdsl.utils.arg_spec import parse_pipeline
from xdsl.utils.exceptions import ArgSpecParseError, ParseError, VerifyException
from xdsl.utils.lexer import Input, Position
from xdsl.utils.mlir_lexer import MLIRLexer, MLIRToken, MLIRTokenKind

from ziggurat.diagnostics import ZigguratError, op_location
from ziggurat.registry import all_passes, make_context

T = TypeVar("T")


# A string literal's longest well-formed start, one character or escape per repetition.
# xDSL's pattern repeats runs, `(?:[^"...]+|...)*`, so when no closing quote comes it tries
# every way to cut the rest of the line into runs: exponential in the line's length.
STRING_START = re.compile(r'"(?:[^"\\\n\v\f]|\\(?:["nt\\]|[0-9A-Fa-f]{2}))*')


class LinearLexer(MLIRLexer):
    """xDSL's lexer with string literals lexed in linear time and their errors named."""

    _unescaped_characters_regex = re.compile(STRING_START.pattern + '"')

    def _lex_string_literal(self, start_pos: Position) -> MLIRToken:
        content = self.input.content
        end = STRING_START.match(content, start_pos).end()
        if content.startswith("\\", end):
            raise ParseError(Span(end, end + 2, self.input), "unknown escape in string literal")
        if not content.startswith('"', end):
            raise ParseError(Span(start_pos, start_pos + 1, self.input), "unterminated string")
        return super()._lex_string_literal(start_pos)


class LocatingParser(Parser):
    """xDSL's parser on the linear lexer, and every op it parses is located at its name in
    the source."""

    def __init__(self, ctx: Context, text: str, filename: str):
        # xDSL's init lexes the first token with its own lexer: give it nothing to lex.
        super().__init__(ctx, "", filename)
        self._parser_state = ParserState(LinearLexer(Input(text, filename)))
        self.filename = StringAttr(filename)
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self._op_name_positions: list[int] = []

    def parse_module(self, allow_implicit_module: bool = True) -> ModuleOp:
        try:
            return super().parse_module(allow_implicit_module)
        except RecursionError:
            # xDSL's parser descends a few Python calls per level of brackets or regions.
            self.raise_error("nesting too deep")

    def line_and_column(self, position: int) -> tuple[int, int]:
        """1-based line and column of a character offset."""
        line = bisect_right(self._line_starts, position)
        return line, position - self._line_starts[line - 1] + 1

    def _parse_op_result_list(self) -> list[tuple[Span, int]]:
        # Called once per op, right before its name: the name's offset is the op's place.
        results = super()._parse_op_result_list()
        self._op_name_positions.append(self._current_token.span.start)
        return results

    def parse_operation(self) -> Operation:
        depth = len(self._op_name_positions)
        try:
            op = super().parse_operation()
        except XDSL_PARSE_FAILURES as error:
            # Ops with a declarative format verify their operand types while being built,
            # and xDSL's parse methods fail in more ways than ParseError.
            start = self._op_name_positions[-1] if self._op_name_positions else self.pos
            self.raise_error(describe_failure(error, "operation"), start, self.pos)
        position = self._op_name_positions[depth]
        del self._op_name_positions[depth:]
        if isinstance(op.location, UnknownLoc):
            line, column = self.line_and_column(position)
            op.location = FileLineColLoc(self.filename, IntAttr(line), IntAttr(column))
        return op

    def _parse_block(self) -> Block:
        # A region that goes on with neither an op nor `}` reaches here; xDSL's error for a
        # missing block label has an empty message.
        if self._current_token.kind != MLIRTokenKind.CARET_IDENT:
            self.raise_error("expected '}' to close the region")
        return super()._parse_block()

    def _get_op_by_name(self, name: str) -> type[Operation]:
        if op_type := self.ctx.get_optional_op(
            name, dialect_stack=self._parser_state.dialect_stack
        ):
            return op_type
        dialect = name.split(".", 1)[0]
        known = "." in name and dialect in self.ctx.registered_dialect_names
        message = f"unknown operation '{name}'" if known else f"unknown dialect '{dialect}'"
        self.raise_error(message, self._op_name_positions[-1], self.pos)

    def parse_optional_attribute(self) -> Attribute | None:
        return self._parse_located(super().parse_optional_attribute, "attribute", "#")

    def parse_optional_type(self) -> TypeAttribute | None:
        return self._parse_located(super().parse_optional_type, "type", "!")

    def _parse_located(self, parse: Callable[[], T], kind: str, sigil: str) -> T:
        # Attributes verify when built and unknown ones are reported after their name, so
        # both fail past the attribute; report them at its first character instead.
        start, name = self._current_token.span.start, self._current_token.text
        try:
            return parse()
        except XDSL_PARSE_FAILURES as error:
            self.raise_error(describe_failure(error, f"{kind} '{name}'"), start, self.pos)
        except ParseError as error:
            unknown = re.fullmatch(r"'(.*)' is not registered", error.msg)
            if unknown is None:
                raise
            self.raise_error(f"unknown {kind} '{sigil}{unknown.group(1)}'", start, self.pos)


# What xDSL's parser raises, besides ParseError, on text it cannot take: a VerifyException
# from an attribute or op verified as it is built; a ValueError from an enum given an unknown
# keyword, from a string that is not UTF-8, or from a parametrized attribute given the wrong
# number of parameters (it zips them with its fields strictly); an OverflowError or a
# struct.error from a number too large for its type; an AssertionError from a token other
# than the one it expected; a NotImplementedError from a semi-affine map.
XDSL_PARSE_FAILURES = (
    VerifyException,
    ValueError,
    OverflowError,
    struct.error,
    AssertionError,
    NotImplementedError,
)


def describe_failure(error: Exception, what: str) -> str:
    """The message for one of XDSL_PARSE_FAILURES met while parsing `what`."""
    if isinstance(error, AssertionError):
        return f"malformed {what}"
    if isinstance(error, OverflowError | struct.error):
        return f"number out of range in {what}"
    if str(error).startswith("zip()"):
        return f"wrong number of parameters for {what}"
    return str(error)


def parse_module(
    text: str,
    filename: str = "<input>",
    ctx: Context | None = None,
    implicit_module: bool = True,
) -> ModuleOp:
    """Parse IR text into a module whose ops carry `filename:line:col` locations; top-level
    ops other than one module are wrapped in one unless `implicit_module` is off."""
    parser: LocatingParser | None = None
    try:
        # Building the parser lexes the first token, which may be wrong already.
        parser = LocatingParser(ctx or make_context(), text, filename)
        module = parser.parse_module(implicit_module)
    except ParseError as error:
        # Other errors stop the parse while a value may still be awaited; that is no error.
        awaited = error.msg.startswith("values used but not defined")
        undefined = undefined_value_use(parser) if parser and awaited else None
        if undefined is not None:
            raise undefined from None
        raise ZigguratError(error.msg, str(error.span.get_location())) from None
    if isinstance(module.location, UnknownLoc):
        # The implicit module around top-level ops starts where the text starts.
        module.location = FileLineColLoc(parser.filename, IntAttr(1), IntAttr(1))
    return module


def undefined_value_use(parser: Parser) -> ZigguratError | None:
    """xDSL finds undefined values only at the end of the input; name the first use."""
    for name, values in parser.forward_ssa_references.items():
        for value in values.values():
            for use in value.uses:
                return ZigguratError(f"use of undefined value %{name}", use.operation)
    return None


def verify_module(module: Operation) -> None:
    """Run the verifier; a failure is a ZigguratError at the innermost failing op."""
    try:
        module.verify()
    except VerifyException as error:
        # xDSL verifies regions before their op, so the first op that fails in post order
        # is the one that raised.
        for op in module.walk(region_first=True):
            try:
                op.verify()
            except VerifyException as inner:
                # An error about one op of a region (an accelerator's instruction) names it.
                at = getattr(inner, "op", op)
                raise ZigguratError(str(inner), op_location(at)) from None
        raise ZigguratError(str(error), op_location(module)) from None


def print_module(module: Operation, generic: bool = False) -> str:
    """The textual IR of `module`, in custom or generic form."""
    stream = StringIO()
    Printer(stream=stream, print_generic_format=generic).print_op(module)
    return stream.getvalue() + "\n"


# An option value, unquoted; xDSL's pipeline lexer splits one that is not a word or number.
BARE_OPTION = re.compile(r"(?<=[{\s])([\w-]+)=([^\s\"{}\[\],]+)")
WORD_OR_NUMBER = re.compile(r"[\w-]+|[-+]?[0-9]+(\.[0-9]*([eE][-+]?[0-9]+)?)?")


def quote_option_values(spec: str) -> str:
    """Quote option values MLIR takes bare but xDSL does not, such as `file=s.mlir`; a bare
    value's backslashes stay backslashes."""

    def quote(match: re.Match[str]) -> str:
        key, value = match.groups()
        if WORD_OR_NUMBER.fullmatch(value):
            return match.group(0)
        escaped = value.replace("\\", "\\\\")
        return f'{key}="{escaped}"'

    return BARE_OPTION.sub(quote, spec)


def pass_pipeline(
    spec: str, available: dict[str, Callable[[], type[ModulePass]]] | None = None
) -> PassPipeline:
    """The pipeline `name{option=value},...` over `available` passes (default: every pass);
    an unknown pass or a bad option is a ZigguratError."""
    available = all_passes() if available is None else available
    try:
        specs = list(parse_pipeline(quote_option_values(spec)))
    except (ArgSpecParseError, ParseError, ValueError) as error:
        # A quoted value with an escape xDSL's pipeline lexer takes but cannot decode
        # (`\r`, or `\ff` that is not UTF-8) fails as a ParseError or a ValueError.
        raise ZigguratError(f"malformed pass pipeline: {str(error).strip()}") from None
    passes: list[ModulePass] = []
    for pass_spec in specs:
        if pass_spec.name not in available:
            raise ZigguratError(f"unknown pass '{pass_spec.name}'")
        try:
            passes.append(available[pass_spec.name]().from_pass_spec(pass_spec))
        except (ValueError, TypeError) as error:
            raise ZigguratError(f"bad options for pass '{pass_spec.name}': {error}") from None
    return PassPipeline(tuple(passes))
