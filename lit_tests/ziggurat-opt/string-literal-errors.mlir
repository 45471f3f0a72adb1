// RUN: ziggurat-opt %s --split-input-file --verify-diagnostics
// RUN: not ziggurat-opt %s --split-input-file 2>&1 | filecheck %s

// A string with no closing quote is reported at its quote, at once however long the line
// (xDSL's pattern backtracked exponentially along the rest of the line).

transform.named_sequence @__transform_main(%copy: !transform.any_op) {
  // CHECK: string-literal-errors.mlir:[[# @LINE + 4]]:6: error: unterminated string
  // CHECK-NEXT: {{^}}  %i," %j = transform.schedule.get_loops
  // CHECK-NEXT: {{^}}     ^
  // expected-error@+1 {{unterminated string}}
  %i," %j = transform.schedule.get_loops %copy : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  transform.yield
}

// -----

// A string ends on its line.
// CHECK: string-literal-errors.mlir:[[# @LINE + 2]]:22: error: unterminated string
// expected-error@+1 {{unterminated string}}
"test.op"() {label = "two
lines"} : () -> ()

// -----

// The escapes are \", \\, \n, \t and two hex digits.
// CHECK: string-literal-errors.mlir:[[# @LINE + 2]]:26: error: unknown escape in string literal
// expected-error@+1 {{unknown escape in string literal}}
"test.op"() {label = "tab\q"} : () -> ()
