"""targets/cpu/build.py: a module cut into units of functions, built in worker processes or
here to the same object code, linked across units; an error in a worker is the user's
error, with its location."""

from __future__ import annotations

import numpy as np
import pytest

from ziggurat.diagnostics import ZigguratError
from ziggurat.ir_io import parse_module, print_module
from ziggurat.targets.cpu import LOWERING, compile_loop_module, jit
from ziggurat.targets.cpu import build as build_module
from ziggurat.targets.cpu.build import Unit, build_units, units_of

# Functions that call each other, a large constant (the globals' unit), a small one (a copy
# in each unit reading it) and a small one main only passes on (the globals' unit).
FUNCTIONS = 12
N = 1500
PASSED = 100.0


def module_text() -> str:
    large = ", ".join(str(float(i)) for i in range(N))
    functions = [
        f"""
func.func private @step{k}(%A: memref<{N}xf32>) {{
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %cn = arith.constant {N} : index
  %small = memref.get_global @small : memref<2xf32>
  %s = memref.load %small[%c1] : memref<2xf32>
  scf.for %i = %c0 to %cn step %c1 {{
    %x = memref.load %A[%i] : memref<{N}xf32>
    %y = arith.addf %x, %s : f32
    memref.store %y, %A[%i] : memref<{N}xf32>
  }}
  func.return
}}"""
        for k in range(FUNCTIONS)
    ]
    scale = f"""
func.func private @scale(%A: memref<{N}xf32>, %S: memref<2xf32>) {{
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %cn = arith.constant {N} : index
  %s = memref.load %S[%c1] : memref<2xf32>
  scf.for %i = %c0 to %cn step %c1 {{
    %x = memref.load %A[%i] : memref<{N}xf32>
    %y = arith.addf %x, %s : f32
    memref.store %y, %A[%i] : memref<{N}xf32>
  }}
  func.return
}}"""
    calls = "\n".join(
        f"  func.call @step{k}(%A) : (memref<{N}xf32>) -> ()" for k in range(FUNCTIONS)
    )
    return f"""
"memref.global"() <{{sym_name = "large", sym_visibility = "private", type = memref<{N}xf32>,
    initial_value = dense<[{large}]> : tensor<{N}xf32>, constant}}> : () -> ()
"memref.global"() <{{sym_name = "small", sym_visibility = "private", type = memref<2xf32>,
    initial_value = dense<[0.0, 1.0]> : tensor<2xf32>, constant}}> : () -> ()
"memref.global"() <{{sym_name = "passed", sym_visibility = "private", type = memref<2xf32>,
    initial_value = dense<[0.0, {PASSED}]> : tensor<2xf32>, constant}}> : () -> ()
{scale}
{"".join(functions)}
func.func @main(%A: memref<{N}xf32>) {{
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %cn = arith.constant {N} : index
  %W = memref.get_global @large : memref<{N}xf32>
  scf.for %i = %c0 to %cn step %c1 {{
    %w = memref.load %W[%i] : memref<{N}xf32>
    memref.store %w, %A[%i] : memref<{N}xf32>
  }}
{calls}
  %P = memref.get_global @passed : memref<2xf32>
  func.call @scale(%A, %P) : (memref<{N}xf32>, memref<2xf32>) -> ()
  func.return
}}
"""


@pytest.fixture(autouse=True)
def small_units(monkeypatch):
    """Units of two or three of these functions, forked however small."""
    monkeypatch.setattr(build_module, "UNIT_OPS", 30)
    monkeypatch.setattr(build_module, "SMALLEST_FORKED", 0)


def test_functions_are_cut_in_order_into_units_then_the_globals():
    module = parse_module(module_text())
    units = units_of(module)
    names = [name for unit in units for name in unit.functions]
    assert names == ["scale", *(f"step{k}" for k in range(FUNCTIONS)), "main"]
    assert 1 < len(units) - 1 < FUNCTIONS + 1  # a few functions a unit
    assert units[-1] == Unit(())  # @large and @passed: defined once; @small is copied


def test_a_small_constant_is_copied_where_read_and_defined_once_where_only_passed():
    units = build_units(parse_module(module_text()), LOWERING, jit.HOST, jobs=1)
    by_function = {name: built.llvm_ir for built in units for name in built.unit.functions}
    assert '@"small" = internal constant' in by_function["step0"]
    assert '@"passed"' not in by_function["step0"]
    assert '@"passed" = external global' in by_function["main"]
    # The globals' unit only declares its constants, large or small: the loader places them.
    (globals_unit,) = [built for built in units if not built.unit.functions]
    assert '@"passed" = external global' in globals_unit.llvm_ir
    assert '@"small"' not in globals_unit.llvm_ir
    passed = np.frombuffer(globals_unit.contents["passed"], np.float32)
    np.testing.assert_array_equal(passed, [0.0, PASSED])


@pytest.mark.parametrize("jobs", [1, 2])
def test_units_link_and_run_whoever_built_them(jobs, monkeypatch):
    monkeypatch.setenv("ZIGGURAT_JOBS", str(jobs))
    compiled = compile_loop_module(parse_module(module_text()))
    A = np.zeros(N, np.float32)
    compiled.main(A)
    np.testing.assert_array_equal(A, np.arange(N, dtype=np.float32) + FUNCTIONS + PASSED)


def test_the_object_code_is_the_same_in_workers_and_here():
    module = parse_module(module_text())
    before = print_module(module)
    forked = build_units(module, LOWERING, jit.HOST, jobs=2)
    here = build_units(module, LOWERING, jit.HOST, jobs=1)
    assert [b.unit for b in forked] == [b.unit for b in here] == units_of(module)
    assert [b.code for b in forked] == [b.code for b in here]
    assert print_module(module) == before  # left unchanged


def test_an_error_in_a_worker_is_the_users_error_at_its_place():
    text = module_text().replace(
        "func.func private @step3(%A: memref<1500xf32>) {",
        'func.func private @step3(%A: memref<1500xf32>) {\n  "test.op"() : () -> ()',
    )
    with pytest.raises(ZigguratError, match="loop-to-llvm cannot lower 'test.op'") as error:
        build_units(parse_module(text), LOWERING, jit.HOST, jobs=2)
    assert error.value.where.startswith("<input>:")  # the op's line in the text
