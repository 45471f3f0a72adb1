// RUN: ziggurat-opt %s -p cse,canonicalize --print-ir-after-all 2>&1 >/dev/null | filecheck %s --check-prefix=DUMPS
// RUN: ziggurat-opt %s -p cse,canonicalize --print-ir-after-all 2>/dev/null | filecheck %s --check-prefix=OUTPUT
// RUN: ziggurat-opt %s -p cse,canonicalize --print-between-passes 2>&1 >/dev/null | filecheck %s --check-prefix=BETWEEN
// RUN: ziggurat-opt %s -p cse,canonicalize --time-passes 2>&1 >/dev/null | filecheck %s --check-prefix=TIMES

// IR dumps and timings go to stderr, so FileCheck on stdout sees only the final IR.

// DUMPS: // -----// IR Dump After cse //----- //
// DUMPS: %[[B:.*]] = arith.addi
// DUMPS-NOT: arith.addi
// DUMPS: arith.muli %[[B]], %[[B]]
// DUMPS: // -----// IR Dump After canonicalize //----- //

// OUTPUT-NOT: IR Dump
// OUTPUT: func.func @square_of_double
// OUTPUT-NOT: IR Dump

// BETWEEN: IR after cse:
// BETWEEN-NOT: IR after canonicalize

// TIMES: Execution time report
// TIMES: cse
// TIMES: canonicalize
// TIMES: total
func.func @square_of_double(%a: index) -> index {
  %b = arith.addi %a, %a : index
  %c = arith.addi %a, %a : index
  %d = arith.muli %b, %c : index
  func.return %d : index
}
