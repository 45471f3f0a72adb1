"""`ziggurat-opt`: xDSL's opt tool with every Ziggurat dialect and pass, MLIR-style.

    ziggurat-opt model.mlir -p 'canonicalize,graph-to-te' --print-ir-after-all
    ziggurat-opt errors.mlir --split-input-file --verify-diagnostics

The final IR goes to stdout (or `-o`); IR dumps, timings and errors go to stderr, errors as
`file:line:col: error: message` with the source line, and any error exits with 1.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass

from xdsl.dialects.builtin import ModuleOp
from xdsl.utils.exceptions import DiagnosticException
from xdsl.xdsl_opt_main import xDSLOptMain

from ziggurat.diagnostics import ZigguratError, closing_pipes_quietly
from ziggurat.ir_io import parse_module, pass_pipeline, print_module, verify_module
from ziggurat.registry import all_dialects, all_passes

SPLIT_MARKER = "// -----"
EXPECTATION = re.compile(
    r"expected-(?P<kind>error|warning|remark|note)"
    r"(?:@(?P<where>above|below|[+-]?\d+))?\s*\{\{(?P<text>.*)\}\}"
)
LOCATED = re.compile(r"(?P<file>.*):(?P<line>\d+):(?P<column>\d+)")


@closing_pipes_quietly
def main(argv: Sequence[str] | None = None) -> int:
    try:
        tool = ZigguratOpt(argv)
        return tool.run()
    except ZigguratError as error:
        print(error, file=sys.stderr)
        return 1
    except SystemExit as exit_:  # argparse's usage errors, --help and --version
        return exit_.code if isinstance(exit_.code, int) else 1


@dataclass
class Expectation:
    """One `// expected-error@+1 {{text}}` of the input: the line it expects a diagnostic
    on, and where the comment itself is."""

    kind: str
    line: int
    text: str
    comment_line: int
    comment_column: int
    seen: bool = False


class ZigguratOpt(xDSLOptMain):
    """xDSL's opt main, reading text through `ziggurat.ir_io` and reporting like mlir-opt."""

    version_format = "ziggurat-opt built on xdsl version {xdsl_version}"

    def __init__(self, argv: Sequence[str] | None = None):
        self.timings: dict[str, float] = {}
        super().__init__(description="Ziggurat modular optimizer driver", args=argv)

    def register_all_dialects(self) -> None:
        for name, load in all_dialects().items():
            self.ctx.register_dialect(name, load)

    def register_all_passes(self) -> None:
        for name, load in all_passes().items():
            self.register_pass(name, load)

    def register_all_arguments(self, arg_parser: argparse.ArgumentParser) -> None:
        super().register_all_arguments(arg_parser)
        arg_parser.add_argument(
            "--print-ir-after-all",
            "--mlir-print-ir-after-all",
            action="store_true",
            help="print the IR to stderr after each pass",
        )
        arg_parser.add_argument(
            "--print-ir-before-all",
            "--mlir-print-ir-before-all",
            action="store_true",
            help="print the IR to stderr before each pass",
        )

    def setup_pipeline(self) -> None:
        self.pipeline = pass_pipeline(self.args.passes, self.available_passes)

    # Running ---------------------------------------------------------------------------

    def run(self) -> int:  # type: ignore[override]
        """Process each chunk of the input; 0 when all went well (or as expected)."""
        filename, text = self.read_input()
        chunks = split_input(text) if self.args.split_input_file else [text]
        outputs: list[str] = []
        failed = False
        for chunk in chunks:
            errors: list[ZigguratError] = []
            try:
                outputs.append(self.process(chunk, filename))
            except ZigguratError as error:
                errors.append(error)
            if self.args.verify_diagnostics:
                failed |= not check_diagnostics(errors, chunk, filename)
            elif errors and self.args.parsing_diagnostics:
                print(errors[0])  # xDSL's flag: the error is the expected output
            else:
                for error in errors:
                    report(error, filename, text)
                failed |= bool(errors)
        output = self.prepare_output()
        try:
            output.write(f"{SPLIT_MARKER}\n".join(outputs))
        finally:
            if output is not sys.stdout:
                output.close()
        if self.args.time_passes:
            print_timings(self.timings)
        return 1 if failed else 0

    def read_input(self) -> tuple[str, str]:
        path = self.args.input_file
        if path is None or path == "-":
            return "<stdin>", sys.stdin.read()
        try:
            with open(path) as file:
                return path, file.read()
        except OSError as error:
            raise ZigguratError(f"cannot open input file '{path}': {error.strerror}") from None

    def process(self, text: str, filename: str) -> str:
        """Parse, verify, run the pipeline and print one chunk."""
        start = time.perf_counter()
        module = parse_module(text, filename, self.ctx, not self.args.no_implicit_module)
        self.time("parser", start)
        if not self.args.disable_verify:
            start = time.perf_counter()
            verify_module(module)
            self.time("verifier", start)
        self.apply_passes(module)
        start = time.perf_counter()
        printed = self.output_resulting_program(module)
        self.time("output", start)
        return printed

    def apply_passes(self, prog: ModuleOp) -> None:
        passes = self.pipeline.passes
        for index, module_pass in enumerate(passes):
            if self.args.print_ir_before_all:
                self.dump(f"// -----// IR Dump Before {module_pass.name} //----- //", prog)
            start = time.perf_counter()
            try:
                module_pass.apply(self.ctx, prog)
            except DiagnosticException as error:
                # xDSL's passes report bad input this way; it carries no location.
                raise ZigguratError(f"{module_pass.name}: {error}") from None
            self.time(module_pass.name, start)
            if not self.args.disable_verify:
                start = time.perf_counter()
                verify_module(prog)
                self.time("verifier", start)
            if self.args.print_ir_after_all:
                self.dump(f"// -----// IR Dump After {module_pass.name} //----- //", prog)
            if self.args.print_between_passes and index + 1 < len(passes):
                self.dump(f"IR after {module_pass.name}:", prog)

    def dump(self, header: str, module: ModuleOp) -> None:
        print(header, file=sys.stderr)
        print(print_module(module, self.args.print_op_generic), file=sys.stderr)

    def time(self, name: str, start: float) -> None:
        self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start


def split_input(text: str) -> list[str]:
    """The chunks between `// -----` lines, each padded so its lines keep their numbers."""
    chunks: list[str] = []
    first_line = 0
    current: list[str] = []
    for number, line in enumerate(text.splitlines(keepends=True)):
        if line.strip().startswith(SPLIT_MARKER):
            chunks.append("\n" * first_line + "".join(current))
            first_line, current = number + 1, []
        else:
            current.append(line)
    chunks.append("\n" * first_line + "".join(current))
    return chunks


def expectations(text: str) -> list[Expectation]:
    """The `expected-*` comments of a chunk, each at the line it refers to."""
    lines = text.splitlines()
    found: list[Expectation] = []
    for index, line in enumerate(lines):
        match = EXPECTATION.search(line)
        if match is None:
            continue
        where, target = match["where"], index
        if where == "above" or where == "below":
            step = -1 if where == "above" else 1
            target += step
            while 0 <= target < len(lines) and EXPECTATION.search(lines[target]):
                target += step
        elif where is not None and where[0] in "+-":
            target += int(where)
        elif where is not None:
            target = int(where) - 1
        found.append(
            Expectation(match["kind"], target + 1, match["text"], index + 1, match.start() + 1)
        )
    return found


def check_diagnostics(errors: list[ZigguratError], text: str, filename: str) -> bool:
    """Match the errors of a chunk with its expectations, MLIR's -verify-diagnostics; report
    every mismatch and say whether there was none."""
    expected = expectations(text)
    ok = True
    for error in errors:
        located = LOCATED.fullmatch(error.where)
        line = int(located["line"]) if located else None
        match = next(
            (
                e
                for e in expected
                if not e.seen and e.kind == "error" and e.line == line and e.text in error.message
            ),
            None,
        )
        if match is None:
            print(
                f"{error.where or filename}: error: unexpected error: {error.message}",
                file=sys.stderr,
            )
            ok = False
        else:
            match.seen = True
    for expectation in expected:
        if not expectation.seen:
            print(
                f"{filename}:{expectation.comment_line}:{expectation.comment_column}: "
                f"error: expected "
                f'{expectation.kind} "{expectation.text}" was not produced',
                file=sys.stderr,
            )
            ok = False
    return ok


def report(error: ZigguratError, filename: str, text: str) -> None:
    """Print an error, with its source line and a caret when it points into the input."""
    print(error, file=sys.stderr)
    located = LOCATED.fullmatch(error.where)
    if located is None or located["file"] != filename:
        return
    lines = text.splitlines()
    line, column = int(located["line"]), int(located["column"])
    if 1 <= line <= len(lines):
        print(lines[line - 1], file=sys.stderr)
        print(" " * (column - 1) + "^", file=sys.stderr)


def print_timings(timings: dict[str, float]) -> None:
    """MLIR's -mlir-timing report, on stderr."""
    total = sum(timings.values())
    rule = "===" + "-" * 73 + "==="
    lines = [
        rule,
        "Execution time report".center(79).rstrip(),
        rule,
        f"  Total Execution Time: {total:.4f} seconds",
        "",
        "  ----Wall Time----  ----Name----",
    ]
    for name, seconds in [*timings.items(), ("total", total)]:
        share = 100 * seconds / total if total else 0.0
        lines.append(f"  {seconds:8.4f} ({share:5.1f}%)  {name}")
    print("\n".join(lines), file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
