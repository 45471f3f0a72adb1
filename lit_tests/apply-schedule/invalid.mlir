// RUN: ziggurat-opt %s -p 'te-to-loop,apply-schedule' --split-input-file --verify-diagnostics

// Interchanging i and j would read elements before they are written.

// A loop nest written by hand: each element depends on the one above and to the right.
func.func @stencil(%A: memref<8x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c7 = arith.constant 7 : index
  %c8 = arith.constant 8 : index
  scf.for %i = %c1 to %c8 step %c1 {
    scf.for %j = %c0 to %c7 step %c1 {
      %up = arith.subi %i, %c1 : index
      %right = arith.addi %j, %c1 : index
      %a = memref.load %A[%up, %right] : memref<8x8xf32>
      memref.store %a, %A[%i, %j] : memref<8x8xf32>
    } {loop.axis = "j"}
  } {loop.axis = "i", te.compute = "stencil"}
  func.return
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %st = transform.structured.match attributes {te.compute = "stencil"} in %root : (!transform.any_op) -> !transform.any_op
  %i, %j = transform.schedule.get_loops %st : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  // expected-error@+1 {{the order (j, i) breaks a dependence on %A: iterations (i <, j >) touch the same element}}
  transform.schedule.reorder %j, %i : !transform.any_op, !transform.any_op
  transform.yield
}

// -----

// The iterations of i depend on each other.

// A loop nest written by hand: each element depends on the one above and to the right.
func.func @stencil(%A: memref<8x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c7 = arith.constant 7 : index
  %c8 = arith.constant 8 : index
  scf.for %i = %c1 to %c8 step %c1 {
    scf.for %j = %c0 to %c7 step %c1 {
      %up = arith.subi %i, %c1 : index
      %right = arith.addi %j, %c1 : index
      %a = memref.load %A[%up, %right] : memref<8x8xf32>
      memref.store %a, %A[%i, %j] : memref<8x8xf32>
    } {loop.axis = "j"}
  } {loop.axis = "i", te.compute = "stencil"}
  func.return
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %st = transform.structured.match attributes {te.compute = "stencil"} in %root : (!transform.any_op) -> !transform.any_op
  %i, %j = transform.schedule.get_loops %st : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  // expected-error@+1 {{cannot parallelize loop 'i': its iterations write %A where other iterations read or write it}}
  transform.schedule.parallel %i : !transform.any_op
  transform.yield
}

// -----

// Different iterations of a reduction loop add into the same element.

func.func @matmul(%A: tensor<6x5xf32>, %B: tensor<5x4xf32>) -> tensor<6x4xf32> {
  %C = te.compute "matmul" (%A, %B) axes ["i", "j"] reduce sum ["k" = 5]
         init 0.000000e+00 : f32 : (tensor<6x5xf32>, tensor<5x4xf32>) -> tensor<6x4xf32> {
  ^bb0(%i: index, %j: index, %k: index):
    %a = te.read %A[%i, %k] : tensor<6x5xf32>
    %b = te.read %B[%k, %j] : tensor<5x4xf32>
    %p = arith.mulf %a, %b : f32
    te.yield %p : f32
  }
  func.return %C : tensor<6x4xf32>
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %mm = transform.structured.match attributes {te.compute = "matmul"} in %root : (!transform.any_op) -> !transform.any_op
  %i, %j, %k = transform.schedule.get_loops %mm : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
  // expected-error@+1 {{cannot bind to threadIdx.x loop 'k': it carries values from one iteration to the next}}
  transform.schedule.bind %k to "threadIdx.x" : !transform.any_op
  transform.yield
}

// -----

// split consumes the handle to the loop it splits.

func.func @copy(%X: tensor<6x8xf32>) -> tensor<6x8xf32> {
  %Y = te.compute "copy" (%X) axes ["i", "j"] : (tensor<6x8xf32>) -> tensor<6x8xf32> {
  ^bb0(%i: index, %j: index):
    %x = te.read %X[%i, %j] : tensor<6x8xf32>
    te.yield %x : f32
  }
  func.return %Y : tensor<6x8xf32>
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %copy = transform.structured.match attributes {te.compute = "copy"} in %root : (!transform.any_op) -> !transform.any_op
  %i, %j = transform.schedule.get_loops %copy : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %o, %n = transform.schedule.split %i by 2 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  // expected-error@+1 {{invalid.mlir:99:12) consumed it}}
  transform.schedule.unroll %i by 2 : !transform.any_op
  transform.yield
}

// -----

// Another handle to the split loop is left pointing at nothing.

func.func @copy(%X: tensor<6x8xf32>) -> tensor<6x8xf32> {
  %Y = te.compute "copy" (%X) axes ["i", "j"] : (tensor<6x8xf32>) -> tensor<6x8xf32> {
  ^bb0(%i: index, %j: index):
    %x = te.read %X[%i, %j] : tensor<6x8xf32>
    te.yield %x : f32
  }
  func.return %Y : tensor<6x8xf32>
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %copy = transform.structured.match attributes {te.compute = "copy"} in %root : (!transform.any_op) -> !transform.any_op
  %i, %j = transform.schedule.get_loops %copy : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %same = transform.structured.match attributes {loop.axis = "i"} in %root : (!transform.any_op) -> !transform.any_op
  %o, %n = transform.schedule.split %i by 2 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  // expected-error@+1 {{invalid.mlir:122:12) erased}}
  transform.schedule.unroll %same by 2 : !transform.any_op
  transform.yield
}

// -----

// A knob without a value makes the schedule a search space, which cannot run.

func.func @copy(%X: tensor<6x8xf32>) -> tensor<6x8xf32> {
  %Y = te.compute "copy" (%X) axes ["i", "j"] : (tensor<6x8xf32>) -> tensor<6x8xf32> {
  ^bb0(%i: index, %j: index):
    %x = te.read %X[%i, %j] : tensor<6x8xf32>
    te.yield %x : f32
  }
  func.return %Y : tensor<6x8xf32>
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %copy = transform.structured.match attributes {te.compute = "copy"} in %root : (!transform.any_op) -> !transform.any_op
  %i, %j = transform.schedule.get_loops %copy : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  // expected-error@+1 {{knob 'factor' is open: a schedule with open knobs is a search space}}
  %f = transform.tune.knob<"factor"> options = [2, 4] -> !transform.param<i64>
  %o, %n = transform.schedule.split %i by %f : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
  transform.yield
}

// -----

// So do alternatives without a selected region.

func.func @copy(%X: tensor<6x8xf32>) -> tensor<6x8xf32> {
  %Y = te.compute "copy" (%X) axes ["i", "j"] : (tensor<6x8xf32>) -> tensor<6x8xf32> {
  ^bb0(%i: index, %j: index):
    %x = te.read %X[%i, %j] : tensor<6x8xf32>
    te.yield %x : f32
  }
  func.return %Y : tensor<6x8xf32>
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %copy = transform.structured.match attributes {te.compute = "copy"} in %root : (!transform.any_op) -> !transform.any_op
  %i, %j = transform.schedule.get_loops %copy : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  // expected-error@+1 {{alternatives 'order' has no selected region}}
  transform.tune.alternatives<"order"> {
    transform.yield
  }, {
    transform.yield
  }
  transform.yield
}

// -----

// A param selects a region that is not there.

func.func @copy(%X: tensor<6x8xf32>) -> tensor<6x8xf32> {
  %Y = te.compute "copy" (%X) axes ["i", "j"] : (tensor<6x8xf32>) -> tensor<6x8xf32> {
  ^bb0(%i: index, %j: index):
    %x = te.read %X[%i, %j] : tensor<6x8xf32>
    te.yield %x : f32
  }
  func.return %Y : tensor<6x8xf32>
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %copy = transform.structured.match attributes {te.compute = "copy"} in %root : (!transform.any_op) -> !transform.any_op
  %i, %j = transform.schedule.get_loops %copy : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %two = "transform.param.constant"() <{value = 2 : i64}> : () -> !transform.param<i64>
  // expected-error@+1 {{alternatives 'order' selects region 2 of 2}}
  transform.tune.alternatives<"order"> selected_region = %two : !transform.param<i64> {
    transform.yield
  }, {
    transform.yield
  }
  transform.yield
}

// -----

// A param that is not a positive integer cannot be a factor.

func.func @copy(%X: tensor<6x8xf32>) -> tensor<6x8xf32> {
  %Y = te.compute "copy" (%X) axes ["i", "j"] : (tensor<6x8xf32>) -> tensor<6x8xf32> {
  ^bb0(%i: index, %j: index):
    %x = te.read %X[%i, %j] : tensor<6x8xf32>
    te.yield %x : f32
  }
  func.return %Y : tensor<6x8xf32>
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %copy = transform.structured.match attributes {te.compute = "copy"} in %root : (!transform.any_op) -> !transform.any_op
  %i, %j = transform.schedule.get_loops %copy : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %zero = "transform.param.constant"() <{value = 0 : i64}> : () -> !transform.param<i64>
  // expected-error@+1 {{the split factor must be positive, got 0}}
  %o, %n = transform.schedule.split %i by %zero : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
  transform.yield
}

// -----

// A vector width from a param is checked too.

func.func @copy(%X: tensor<6x8xf32>) -> tensor<6x8xf32> {
  %Y = te.compute "copy" (%X) axes ["i", "j"] : (tensor<6x8xf32>) -> tensor<6x8xf32> {
  ^bb0(%i: index, %j: index):
    %x = te.read %X[%i, %j] : tensor<6x8xf32>
    te.yield %x : f32
  }
  func.return %Y : tensor<6x8xf32>
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %copy = transform.structured.match attributes {te.compute = "copy"} in %root : (!transform.any_op) -> !transform.any_op
  %i, %j = transform.schedule.get_loops %copy : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %six = "transform.param.constant"() <{value = 6 : i64}> : () -> !transform.param<i64>
  // expected-error@+1 {{the vector width must be a power of two, got 6}}
  transform.schedule.vectorize %j width %six : !transform.any_op, !transform.param<i64>
  transform.yield
}

// -----

// get_loops gives one handle per loop of the nest.

func.func @matmul(%A: tensor<6x5xf32>, %B: tensor<5x4xf32>) -> tensor<6x4xf32> {
  %C = te.compute "matmul" (%A, %B) axes ["i", "j"] reduce sum ["k" = 5]
         init 0.000000e+00 : f32 : (tensor<6x5xf32>, tensor<5x4xf32>) -> tensor<6x4xf32> {
  ^bb0(%i: index, %j: index, %k: index):
    %a = te.read %A[%i, %k] : tensor<6x5xf32>
    %b = te.read %B[%k, %j] : tensor<5x4xf32>
    %p = arith.mulf %a, %b : f32
    te.yield %p : f32
  }
  func.return %C : tensor<6x4xf32>
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %mm = transform.structured.match attributes {te.compute = "matmul"} in %root : (!transform.any_op) -> !transform.any_op
  // expected-error@+1 {{'matmul' has 3 loops (i, j, k), but get_loops gives 2 handles}}
  %i, %j = transform.schedule.get_loops %mm : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  transform.yield
}

// -----

// Loop primitives need loops.

func.func @copy(%X: tensor<6x8xf32>) -> tensor<6x8xf32> {
  %Y = te.compute "copy" (%X) axes ["i", "j"] : (tensor<6x8xf32>) -> tensor<6x8xf32> {
  ^bb0(%i: index, %j: index):
    %x = te.read %X[%i, %j] : tensor<6x8xf32>
    te.yield %x : f32
  }
  func.return %Y : tensor<6x8xf32>
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %f = transform.structured.match ops{["func.func"]} in %root : (!transform.any_op) -> !transform.any_op
  // expected-error@+1 {{'transform.schedule.get_loops' needs scf.for loops, got 'func.func'}}
  %i = transform.schedule.get_loops %f : (!transform.any_op) -> !transform.any_op
  transform.yield
}

// -----

// A handle to several loops where one is needed.

func.func @copy(%X: tensor<6x8xf32>) -> tensor<6x8xf32> {
  %Y = te.compute "copy" (%X) axes ["i", "j"] : (tensor<6x8xf32>) -> tensor<6x8xf32> {
  ^bb0(%i: index, %j: index):
    %x = te.read %X[%i, %j] : tensor<6x8xf32>
    te.yield %x : f32
  }
  func.return %Y : tensor<6x8xf32>
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %all = transform.structured.match ops{["scf.for"]} in %root : (!transform.any_op) -> !transform.any_op
  %i = transform.structured.match attributes {loop.axis = "i"} in %root : (!transform.any_op) -> !transform.any_op
  // expected-error@+1 {{'transform.schedule.reorder' needs a handle to one loop, got 2 payload ops}}
  transform.schedule.reorder %all, %i : !transform.any_op, !transform.any_op
  transform.yield
}

// -----

// Loops of two different nests cannot be reordered.

func.func @chain(%X: tensor<6x9xf32>) -> tensor<6x8xf32> {
  %T = te.compute "t" (%X) axes ["i", "j"] : (tensor<6x9xf32>) -> tensor<6x9xf32> {
  ^bb0(%i: index, %j: index):
    %x = te.read %X[%i, %j] : tensor<6x9xf32>
    te.yield %x : f32
  }
  %S = te.compute "s" (%T) axes ["i", "j"] : (tensor<6x9xf32>) -> tensor<6x8xf32> {
  ^bb0(%i: index, %j: index):
    %c1 = arith.constant 1 : index
    %next = arith.addi %j, %c1 : index
    %a = te.read %T[%i, %j] : tensor<6x9xf32>
    %b = te.read %T[%i, %next] : tensor<6x9xf32>
    %s = arith.addf %a, %b : f32
    te.yield %s : f32
  }
  func.return %S : tensor<6x8xf32>
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %t = transform.structured.match attributes {te.compute = "t"} in %root : (!transform.any_op) -> !transform.any_op
  %s = transform.structured.match attributes {te.compute = "s"} in %root : (!transform.any_op) -> !transform.any_op
  %ti, %tj = transform.schedule.get_loops %t : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %si, %sj = transform.schedule.get_loops %s : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  // expected-error@+1 {{the loops to reorder are not nested in one another}}
  transform.schedule.reorder %si, %ti : !transform.any_op, !transform.any_op
  transform.yield
}

// -----

// tile needs loops nested directly in one another.

func.func @matmul(%A: tensor<6x5xf32>, %B: tensor<5x4xf32>) -> tensor<6x4xf32> {
  %C = te.compute "matmul" (%A, %B) axes ["i", "j"] reduce sum ["k" = 5]
         init 0.000000e+00 : f32 : (tensor<6x5xf32>, tensor<5x4xf32>) -> tensor<6x4xf32> {
  ^bb0(%i: index, %j: index, %k: index):
    %a = te.read %A[%i, %k] : tensor<6x5xf32>
    %b = te.read %B[%k, %j] : tensor<5x4xf32>
    %p = arith.mulf %a, %b : f32
    te.yield %p : f32
  }
  func.return %C : tensor<6x4xf32>
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %mm = transform.structured.match attributes {te.compute = "matmul"} in %root : (!transform.any_op) -> !transform.any_op
  %i, %j, %k = transform.schedule.get_loops %mm : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
  // expected-error@+1 {{tile needs loops nested directly in one another, but loop 'k' is not directly in loop 'i'}}
  %a, %b, %c, %d = transform.schedule.tile %i, %k by [2, 2] : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
  transform.yield
}

// -----

// fuse too.

func.func @matmul(%A: tensor<6x5xf32>, %B: tensor<5x4xf32>) -> tensor<6x4xf32> {
  %C = te.compute "matmul" (%A, %B) axes ["i", "j"] reduce sum ["k" = 5]
         init 0.000000e+00 : f32 : (tensor<6x5xf32>, tensor<5x4xf32>) -> tensor<6x4xf32> {
  ^bb0(%i: index, %j: index, %k: index):
    %a = te.read %A[%i, %k] : tensor<6x5xf32>
    %b = te.read %B[%k, %j] : tensor<5x4xf32>
    %p = arith.mulf %a, %b : f32
    te.yield %p : f32
  }
  func.return %C : tensor<6x4xf32>
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %mm = transform.structured.match attributes {te.compute = "matmul"} in %root : (!transform.any_op) -> !transform.any_op
  %i, %j, %k = transform.schedule.get_loops %mm : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
  // expected-error@+1 {{cannot fuse loop 'i' with loop 'k', not nested in it}}
  %f = transform.schedule.fuse %i, %k : (!transform.any_op, !transform.any_op) -> !transform.any_op
  transform.yield
}

// -----

// Only an innermost loop can be vectorized.

func.func @copy(%X: tensor<6x8xf32>) -> tensor<6x8xf32> {
  %Y = te.compute "copy" (%X) axes ["i", "j"] : (tensor<6x8xf32>) -> tensor<6x8xf32> {
  ^bb0(%i: index, %j: index):
    %x = te.read %X[%i, %j] : tensor<6x8xf32>
    te.yield %x : f32
  }
  func.return %Y : tensor<6x8xf32>
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %copy = transform.structured.match attributes {te.compute = "copy"} in %root : (!transform.any_op) -> !transform.any_op
  %i, %j = transform.schedule.get_loops %copy : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  // expected-error@+1 {{vectorize needs an innermost loop, but loop 'i' contains loop 'j'}}
  transform.schedule.vectorize %i width 4 : !transform.any_op
  transform.yield
}

// -----

// A nest attached by compute_at is between i and j: they are no longer perfectly nested.

func.func @chain(%X: tensor<6x9xf32>) -> tensor<6x8xf32> {
  %T = te.compute "t" (%X) axes ["i", "j"] : (tensor<6x9xf32>) -> tensor<6x9xf32> {
  ^bb0(%i: index, %j: index):
    %x = te.read %X[%i, %j] : tensor<6x9xf32>
    te.yield %x : f32
  }
  %S = te.compute "s" (%T) axes ["i", "j"] : (tensor<6x9xf32>) -> tensor<6x8xf32> {
  ^bb0(%i: index, %j: index):
    %c1 = arith.constant 1 : index
    %next = arith.addi %j, %c1 : index
    %a = te.read %T[%i, %j] : tensor<6x9xf32>
    %b = te.read %T[%i, %next] : tensor<6x9xf32>
    %s = arith.addf %a, %b : f32
    te.yield %s : f32
  }
  func.return %S : tensor<6x8xf32>
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %t = transform.structured.match attributes {te.compute = "t"} in %root : (!transform.any_op) -> !transform.any_op
  %s = transform.structured.match attributes {te.compute = "s"} in %root : (!transform.any_op) -> !transform.any_op
  %ti, %tj = transform.schedule.get_loops %t : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %si, %sj = transform.schedule.get_loops %s : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %t2 = transform.schedule.compute_at %t at %si : (!transform.any_op, !transform.any_op) -> !transform.any_op
  // expected-error@+1 {{loop 'i' and loop 'j' are not perfectly nested: 'scf.for' is between them}}
  transform.schedule.reorder %sj, %si : !transform.any_op, !transform.any_op
  transform.yield
}

// -----

// compute_at moves a nest as te-to-loop made it.

func.func @chain(%X: tensor<6x9xf32>) -> tensor<6x8xf32> {
  %T = te.compute "t" (%X) axes ["i", "j"] : (tensor<6x9xf32>) -> tensor<6x9xf32> {
  ^bb0(%i: index, %j: index):
    %x = te.read %X[%i, %j] : tensor<6x9xf32>
    te.yield %x : f32
  }
  %S = te.compute "s" (%T) axes ["i", "j"] : (tensor<6x9xf32>) -> tensor<6x8xf32> {
  ^bb0(%i: index, %j: index):
    %c1 = arith.constant 1 : index
    %next = arith.addi %j, %c1 : index
    %a = te.read %T[%i, %j] : tensor<6x9xf32>
    %b = te.read %T[%i, %next] : tensor<6x9xf32>
    %s = arith.addf %a, %b : f32
    te.yield %s : f32
  }
  func.return %S : tensor<6x8xf32>
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %t = transform.structured.match attributes {te.compute = "t"} in %root : (!transform.any_op) -> !transform.any_op
  %s = transform.structured.match attributes {te.compute = "s"} in %root : (!transform.any_op) -> !transform.any_op
  %ti, %tj = transform.schedule.get_loops %t : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %si, %sj = transform.schedule.get_loops %s : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %o, %n = transform.schedule.split %tj by 2 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  // expected-error@+1 {{compute_at needs the loop nest of 't' as te-to-loop emitted it; apply compute_at before other transforms of 't'}}
  %t2 = transform.schedule.compute_at %t at %si : (!transform.any_op, !transform.any_op) -> !transform.any_op
  transform.yield
}

// -----

// The loop must read the producer.

func.func @chain(%X: tensor<6x9xf32>) -> tensor<6x8xf32> {
  %T = te.compute "t" (%X) axes ["i", "j"] : (tensor<6x9xf32>) -> tensor<6x9xf32> {
  ^bb0(%i: index, %j: index):
    %x = te.read %X[%i, %j] : tensor<6x9xf32>
    te.yield %x : f32
  }
  %S = te.compute "s" (%T) axes ["i", "j"] : (tensor<6x9xf32>) -> tensor<6x8xf32> {
  ^bb0(%i: index, %j: index):
    %c1 = arith.constant 1 : index
    %next = arith.addi %j, %c1 : index
    %a = te.read %T[%i, %j] : tensor<6x9xf32>
    %b = te.read %T[%i, %next] : tensor<6x9xf32>
    %s = arith.addf %a, %b : f32
    te.yield %s : f32
  }
  func.return %S : tensor<6x8xf32>
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %t = transform.structured.match attributes {te.compute = "t"} in %root : (!transform.any_op) -> !transform.any_op
  %s = transform.structured.match attributes {te.compute = "s"} in %root : (!transform.any_op) -> !transform.any_op
  %ti, %tj = transform.schedule.get_loops %t : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %si, %sj = transform.schedule.get_loops %s : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  // expected-error@+1 {{loop 'i' is not outside the loop nest of 't'}}
  %t2 = transform.schedule.compute_at %t at %ti : (!transform.any_op, !transform.any_op) -> !transform.any_op
  transform.yield
}

// -----

// A function result cannot be computed only where one loop needs it.

func.func @chain(%X: tensor<6x9xf32>) -> tensor<6x8xf32> {
  %T = te.compute "t" (%X) axes ["i", "j"] : (tensor<6x9xf32>) -> tensor<6x9xf32> {
  ^bb0(%i: index, %j: index):
    %x = te.read %X[%i, %j] : tensor<6x9xf32>
    te.yield %x : f32
  }
  %S = te.compute "s" (%T) axes ["i", "j"] : (tensor<6x9xf32>) -> tensor<6x8xf32> {
  ^bb0(%i: index, %j: index):
    %c1 = arith.constant 1 : index
    %next = arith.addi %j, %c1 : index
    %a = te.read %T[%i, %j] : tensor<6x9xf32>
    %b = te.read %T[%i, %next] : tensor<6x9xf32>
    %s = arith.addf %a, %b : f32
    te.yield %s : f32
  }
  func.return %S : tensor<6x8xf32>
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %t = transform.structured.match attributes {te.compute = "t"} in %root : (!transform.any_op) -> !transform.any_op
  %s = transform.structured.match attributes {te.compute = "s"} in %root : (!transform.any_op) -> !transform.any_op
  %ti, %tj = transform.schedule.get_loops %t : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %si, %sj = transform.schedule.get_loops %s : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  // expected-error@+1 {{'s' computes a result of the function; compute_at would leave it unwritten}}
  %s2 = transform.schedule.compute_at %s at %ti : (!transform.any_op, !transform.any_op) -> !transform.any_op
  transform.yield
}

// -----

// compute_inline of a reduction.

func.func @matmul(%A: tensor<6x5xf32>, %B: tensor<5x4xf32>) -> tensor<6x4xf32> {
  %C = te.compute "matmul" (%A, %B) axes ["i", "j"] reduce sum ["k" = 5]
         init 0.000000e+00 : f32 : (tensor<6x5xf32>, tensor<5x4xf32>) -> tensor<6x4xf32> {
  ^bb0(%i: index, %j: index, %k: index):
    %a = te.read %A[%i, %k] : tensor<6x5xf32>
    %b = te.read %B[%k, %j] : tensor<5x4xf32>
    %p = arith.mulf %a, %b : f32
    te.yield %p : f32
  }
  func.return %C : tensor<6x4xf32>
}
func.func @chain2(%X: tensor<6x9xf32>) -> tensor<6x8xf32> {
  %T = te.compute "t2" (%X) axes ["i", "j"] : (tensor<6x9xf32>) -> tensor<6x9xf32> {
  ^bb0(%i: index, %j: index):
    %x = te.read %X[%i, %j] : tensor<6x9xf32>
    te.yield %x : f32
  }
  %S = te.compute "s2" (%T) axes ["i", "j"] : (tensor<6x9xf32>) -> tensor<6x8xf32> {
  ^bb0(%i: index, %j: index):
    %c1 = arith.constant 1 : index
    %next = arith.addi %j, %c1 : index
    %a = te.read %T[%i, %j] : tensor<6x9xf32>
    %b = te.read %T[%i, %next] : tensor<6x9xf32>
    %s = arith.addf %a, %b : f32
    te.yield %s : f32
  }
  func.return %S : tensor<6x8xf32>
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %mm = transform.structured.match attributes {te.compute = "matmul"} in %root : (!transform.any_op) -> !transform.any_op
  // expected-error@+1 {{compute_inline needs an elementwise compute, 'matmul' has loops of its own}}
  transform.schedule.compute_inline %mm : !transform.any_op
  transform.yield
}

// -----

// cache_read counts the inputs of the nest.

func.func @matmul(%A: tensor<6x5xf32>, %B: tensor<5x4xf32>) -> tensor<6x4xf32> {
  %C = te.compute "matmul" (%A, %B) axes ["i", "j"] reduce sum ["k" = 5]
         init 0.000000e+00 : f32 : (tensor<6x5xf32>, tensor<5x4xf32>) -> tensor<6x4xf32> {
  ^bb0(%i: index, %j: index, %k: index):
    %a = te.read %A[%i, %k] : tensor<6x5xf32>
    %b = te.read %B[%k, %j] : tensor<5x4xf32>
    %p = arith.mulf %a, %b : f32
    te.yield %p : f32
  }
  func.return %C : tensor<6x4xf32>
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %mm = transform.structured.match attributes {te.compute = "matmul"} in %root : (!transform.any_op) -> !transform.any_op
  %i, %j, %k = transform.schedule.get_loops %mm : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
  // expected-error@+1 {{'matmul' reads 2 inputs, it has no input 2}}
  %c = transform.schedule.cache_read %j input 2 into "local" : (!transform.any_op) -> !transform.any_op
  transform.yield
}

// -----

// A second cache_read of input 0 at the same loop: input 0 is now the first cache, which
// is allocated inside the loop, so a copy at the start of the loop would read it before it
// exists. (Caching a cache at a loop inside the one that allocates it is fine.)

func.func @matmul(%A: tensor<6x5xf32>, %B: tensor<5x4xf32>) -> tensor<6x4xf32> {
  %C = te.compute "matmul" (%A, %B) axes ["i", "j"] reduce sum ["k" = 5]
         init 0.000000e+00 : f32 : (tensor<6x5xf32>, tensor<5x4xf32>) -> tensor<6x4xf32> {
  ^bb0(%i: index, %j: index, %k: index):
    %a = te.read %A[%i, %k] : tensor<6x5xf32>
    %b = te.read %B[%k, %j] : tensor<5x4xf32>
    %p = arith.mulf %a, %b : f32
    te.yield %p : f32
  }
  func.return %C : tensor<6x4xf32>
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %mm = transform.structured.match attributes {te.compute = "matmul"} in %root : (!transform.any_op) -> !transform.any_op
  %i, %j, %k = transform.schedule.get_loops %mm : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
  %a = transform.schedule.cache_read %j input 0 into "local" : (!transform.any_op) -> !transform.any_op
  // expected-error@+1 {{cache_read at loop 'j' would copy %A_local, which is allocated inside it (a cache made there or further in)}}
  %b = transform.schedule.cache_read %j input 0 into "local" : (!transform.any_op) -> !transform.any_op
  transform.yield
}

// -----

// cache_write at a loop around one where the output is cached already.

func.func @matmul(%A: tensor<6x5xf32>, %B: tensor<5x4xf32>) -> tensor<6x4xf32> {
  %C = te.compute "matmul" (%A, %B) axes ["i", "j"] reduce sum ["k" = 5]
         init 0.000000e+00 : f32 : (tensor<6x5xf32>, tensor<5x4xf32>) -> tensor<6x4xf32> {
  ^bb0(%i: index, %j: index, %k: index):
    %a = te.read %A[%i, %k] : tensor<6x5xf32>
    %b = te.read %B[%k, %j] : tensor<5x4xf32>
    %p = arith.mulf %a, %b : f32
    te.yield %p : f32
  }
  func.return %C : tensor<6x4xf32>
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %mm = transform.structured.match attributes {te.compute = "matmul"} in %root : (!transform.any_op) -> !transform.any_op
  %i, %j, %k = transform.schedule.get_loops %mm : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
  %w = transform.schedule.cache_write %j into "local" : (!transform.any_op) -> !transform.any_op
  // expected-error@+1 {{cache_write at loop 'i' would copy %out0_local, which is allocated inside it (a cache made there or further in)}}
  %v = transform.schedule.cache_write %i into "local" : (!transform.any_op) -> !transform.any_op
  transform.yield
}

// -----

// An op the interpreter does not know.

func.func @copy(%X: tensor<6x8xf32>) -> tensor<6x8xf32> {
  %Y = te.compute "copy" (%X) axes ["i", "j"] : (tensor<6x8xf32>) -> tensor<6x8xf32> {
  ^bb0(%i: index, %j: index):
    %x = te.read %X[%i, %j] : tensor<6x8xf32>
    te.yield %x : f32
  }
  func.return %Y : tensor<6x8xf32>
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %copy = transform.structured.match attributes {te.compute = "copy"} in %root : (!transform.any_op) -> !transform.any_op
  %i, %j = transform.schedule.get_loops %copy : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  // expected-error@+1 {{apply-schedule cannot run 'transform.structured.tile_using_for'}}
  %t, %l = transform.structured.tile_using_for %i tile_sizes [2] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  transform.yield
}

// -----

// In memory too, once reorder moved the accumulation there.

func.func @matmul(%A: tensor<6x5xf32>, %B: tensor<5x4xf32>) -> tensor<6x4xf32> {
  %C = te.compute "matmul" (%A, %B) axes ["i", "j"] reduce sum ["k" = 5]
         init 0.000000e+00 : f32 : (tensor<6x5xf32>, tensor<5x4xf32>) -> tensor<6x4xf32> {
  ^bb0(%i: index, %j: index, %k: index):
    %a = te.read %A[%i, %k] : tensor<6x5xf32>
    %b = te.read %B[%k, %j] : tensor<5x4xf32>
    %p = arith.mulf %a, %b : f32
    te.yield %p : f32
  }
  func.return %C : tensor<6x4xf32>
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %mm = transform.structured.match attributes {te.compute = "matmul"} in %root : (!transform.any_op) -> !transform.any_op
  %i, %j, %k = transform.schedule.get_loops %mm : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
  transform.schedule.reorder %k, %i : !transform.any_op, !transform.any_op
  transform.schedule.parallel %i : !transform.any_op
  // expected-error@+1 {{cannot parallelize loop 'k': its iterations write %out0 where other iterations read or write it}}
  transform.schedule.parallel %k : !transform.any_op
  transform.yield
}

// -----

// tensorize needs the nest to compute the intrinsic's pattern exactly.

func.func @matmul(%A: tensor<3x8xf32>, %B: tensor<8x5xf32>) -> tensor<3x5xf32> {
  %C = te.compute "matmul" (%A, %B) axes ["i", "j"] reduce sum ["k" = 8]
         init 0.000000e+00 : f32 : (tensor<3x8xf32>, tensor<8x5xf32>) -> tensor<3x5xf32> {
  ^bb0(%i: index, %j: index, %k: index):
    %a = te.read %A[%i, %k] : tensor<3x8xf32>
    %b = te.read %B[%k, %j] : tensor<8x5xf32>
    %p = arith.mulf %a, %b : f32
    te.yield %p : f32
  }
  func.return %C : tensor<3x5xf32>
}

te.intrinsic @dot4 compute @dot4 reset @dot4_reset update @dot4_update {
^bb0(%a: tensor<4xf32>, %b: tensor<4xf32>):
  %c = te.compute "dot4" (%a, %b) axes [] reduce sum ["k" = 4] init 0.000000e+00 : f32 : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32> {
  ^bb0(%k: index):
    %x = te.read %a[%k] : tensor<4xf32>
    %y = te.read %b[%k] : tensor<4xf32>
    %p = arith.addf %x, %y : f32
    te.yield %p : f32
  }
}

func.func private @dot4_update(%a: memref<4xf32, strided<[?], offset: ?>>, %b: memref<4xf32, strided<[?], offset: ?>>, %c: memref<f32, strided<[], offset: ?>>)

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %mm = transform.structured.match attributes {te.compute = "matmul"} in %root : (!transform.any_op) -> !transform.any_op
  %i, %j, %k = transform.schedule.get_loops %mm : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
  %ko, %ki = transform.schedule.split %k by 4 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  // expected-error@+1 {{the loop nest under loop 'k.inner' does not compute the pattern of intrinsic @dot4: 'arith.mulf' where the pattern has 'arith.addf'}}
  transform.schedule.tensorize %ki with @dot4 : !transform.any_op
  transform.yield
}


// -----

// Its loops must run over the pattern's extents.

func.func @matmul(%A: tensor<3x8xf32>, %B: tensor<8x5xf32>) -> tensor<3x5xf32> {
  %C = te.compute "matmul" (%A, %B) axes ["i", "j"] reduce sum ["k" = 8]
         init 0.000000e+00 : f32 : (tensor<3x8xf32>, tensor<8x5xf32>) -> tensor<3x5xf32> {
  ^bb0(%i: index, %j: index, %k: index):
    %a = te.read %A[%i, %k] : tensor<3x8xf32>
    %b = te.read %B[%k, %j] : tensor<8x5xf32>
    %p = arith.mulf %a, %b : f32
    te.yield %p : f32
  }
  func.return %C : tensor<3x5xf32>
}

te.intrinsic @dot4 compute @dot4 reset @dot4_reset update @dot4_update {
^bb0(%a: tensor<4xf32>, %b: tensor<4xf32>):
  %c = te.compute "dot4" (%a, %b) axes [] reduce sum ["k" = 4] init 0.000000e+00 : f32 : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32> {
  ^bb0(%k: index):
    %x = te.read %a[%k] : tensor<4xf32>
    %y = te.read %b[%k] : tensor<4xf32>
    %p = arith.mulf %x, %y : f32
    te.yield %p : f32
  }
}

func.func private @dot4_update(%a: memref<4xf32, strided<[?], offset: ?>>, %b: memref<4xf32, strided<[?], offset: ?>>, %c: memref<f32, strided<[], offset: ?>>)

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %mm = transform.structured.match attributes {te.compute = "matmul"} in %root : (!transform.any_op) -> !transform.any_op
  %i, %j, %k = transform.schedule.get_loops %mm : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
  %ko, %ki = transform.schedule.split %k by 2 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  // expected-error@+1 {{its loops do not run over the pattern's extents}}
  transform.schedule.tensorize %ki with @dot4 : !transform.any_op
  transform.yield
}


// -----

// And be as many as the pattern's axes.

func.func @matmul(%A: tensor<3x8xf32>, %B: tensor<8x5xf32>) -> tensor<3x5xf32> {
  %C = te.compute "matmul" (%A, %B) axes ["i", "j"] reduce sum ["k" = 8]
         init 0.000000e+00 : f32 : (tensor<3x8xf32>, tensor<8x5xf32>) -> tensor<3x5xf32> {
  ^bb0(%i: index, %j: index, %k: index):
    %a = te.read %A[%i, %k] : tensor<3x8xf32>
    %b = te.read %B[%k, %j] : tensor<8x5xf32>
    %p = arith.mulf %a, %b : f32
    te.yield %p : f32
  }
  func.return %C : tensor<3x5xf32>
}

te.intrinsic @dot4 compute @dot4 reset @dot4_reset update @dot4_update {
^bb0(%a: tensor<4xf32>, %b: tensor<4xf32>):
  %c = te.compute "dot4" (%a, %b) axes [] reduce sum ["k" = 4] init 0.000000e+00 : f32 : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32> {
  ^bb0(%k: index):
    %x = te.read %a[%k] : tensor<4xf32>
    %y = te.read %b[%k] : tensor<4xf32>
    %p = arith.mulf %x, %y : f32
    te.yield %p : f32
  }
}

func.func private @dot4_update(%a: memref<4xf32, strided<[?], offset: ?>>, %b: memref<4xf32, strided<[?], offset: ?>>, %c: memref<f32, strided<[], offset: ?>>)

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %mm = transform.structured.match attributes {te.compute = "matmul"} in %root : (!transform.any_op) -> !transform.any_op
  %i, %j, %k = transform.schedule.get_loops %mm : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
  // expected-error@+1 {{it has 2 loops, the pattern 1 axes}}
  transform.schedule.tensorize %j with @dot4 : !transform.any_op
  transform.yield
}


// -----

// A tail of a split that does not divide runs part of a tile only.

func.func @matmul(%A: tensor<3x10xf32>, %B: tensor<10x5xf32>) -> tensor<3x5xf32> {
  %C = te.compute "matmul" (%A, %B) axes ["i", "j"] reduce sum ["k" = 10]
         init 0.000000e+00 : f32 : (tensor<3x10xf32>, tensor<10x5xf32>) -> tensor<3x5xf32> {
  ^bb0(%i: index, %j: index, %k: index):
    %a = te.read %A[%i, %k] : tensor<3x10xf32>
    %b = te.read %B[%k, %j] : tensor<10x5xf32>
    %p = arith.mulf %a, %b : f32
    te.yield %p : f32
  }
  func.return %C : tensor<3x5xf32>
}

te.intrinsic @dot4 compute @dot4 reset @dot4_reset update @dot4_update {
^bb0(%a: tensor<4xf32>, %b: tensor<4xf32>):
  %c = te.compute "dot4" (%a, %b) axes [] reduce sum ["k" = 4] init 0.000000e+00 : f32 : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32> {
  ^bb0(%k: index):
    %x = te.read %a[%k] : tensor<4xf32>
    %y = te.read %b[%k] : tensor<4xf32>
    %p = arith.mulf %x, %y : f32
    te.yield %p : f32
  }
}

func.func private @dot4_update(%a: memref<4xf32, strided<[?], offset: ?>>, %b: memref<4xf32, strided<[?], offset: ?>>, %c: memref<f32, strided<[], offset: ?>>)

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %mm = transform.structured.match attributes {te.compute = "matmul"} in %root : (!transform.any_op) -> !transform.any_op
  %i, %j, %k = transform.schedule.get_loops %mm : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
  %ko, %ki = transform.schedule.split %k by 4 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  // expected-error@+1 {{a guard inside it runs part of a tile only (a split's tail)}}
  transform.schedule.tensorize %ki with @dot4 : !transform.any_op
  transform.yield
}


// -----

// The intrinsic must be declared.

func.func @matmul(%A: tensor<3x8xf32>, %B: tensor<8x5xf32>) -> tensor<3x5xf32> {
  %C = te.compute "matmul" (%A, %B) axes ["i", "j"] reduce sum ["k" = 8]
         init 0.000000e+00 : f32 : (tensor<3x8xf32>, tensor<8x5xf32>) -> tensor<3x5xf32> {
  ^bb0(%i: index, %j: index, %k: index):
    %a = te.read %A[%i, %k] : tensor<3x8xf32>
    %b = te.read %B[%k, %j] : tensor<8x5xf32>
    %p = arith.mulf %a, %b : f32
    te.yield %p : f32
  }
  func.return %C : tensor<3x5xf32>
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %mm = transform.structured.match attributes {te.compute = "matmul"} in %root : (!transform.any_op) -> !transform.any_op
  %i, %j, %k = transform.schedule.get_loops %mm : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
  %ko, %ki = transform.schedule.split %k by 4 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  // expected-error@+1 {{there is no te.intrinsic @dot4}}
  transform.schedule.tensorize %ki with @dot4 : !transform.any_op
  transform.yield
}


// -----

// So must the function it names.

func.func @matmul(%A: tensor<3x8xf32>, %B: tensor<8x5xf32>) -> tensor<3x5xf32> {
  %C = te.compute "matmul" (%A, %B) axes ["i", "j"] reduce sum ["k" = 8]
         init 0.000000e+00 : f32 : (tensor<3x8xf32>, tensor<8x5xf32>) -> tensor<3x5xf32> {
  ^bb0(%i: index, %j: index, %k: index):
    %a = te.read %A[%i, %k] : tensor<3x8xf32>
    %b = te.read %B[%k, %j] : tensor<8x5xf32>
    %p = arith.mulf %a, %b : f32
    te.yield %p : f32
  }
  func.return %C : tensor<3x5xf32>
}

te.intrinsic @dot4 compute @dot4 reset @dot4_reset update @dot4_update {
^bb0(%a: tensor<4xf32>, %b: tensor<4xf32>):
  %c = te.compute "dot4" (%a, %b) axes [] reduce sum ["k" = 4] init 0.000000e+00 : f32 : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32> {
  ^bb0(%k: index):
    %x = te.read %a[%k] : tensor<4xf32>
    %y = te.read %b[%k] : tensor<4xf32>
    %p = arith.mulf %x, %y : f32
    te.yield %p : f32
  }
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %mm = transform.structured.match attributes {te.compute = "matmul"} in %root : (!transform.any_op) -> !transform.any_op
  %i, %j, %k = transform.schedule.get_loops %mm : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
  %ko, %ki = transform.schedule.split %k by 4 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  // expected-error@+1 {{there is no func.func @dot4_update for the intrinsic}}
  transform.schedule.tensorize %ki with @dot4 : !transform.any_op
  transform.yield
}


// -----

// The loops t brings along when computed at s.i are t's, not part of s's nest.

func.func @chain(%X: tensor<6x9xf32>) -> tensor<6x8xf32> {
  %T = te.compute "t" (%X) axes ["i", "j"] : (tensor<6x9xf32>) -> tensor<6x9xf32> {
  ^bb0(%i: index, %j: index):
    %x = te.read %X[%i, %j] : tensor<6x9xf32>
    te.yield %x : f32
  }
  %S = te.compute "s" (%T) axes ["i", "j"] : (tensor<6x9xf32>) -> tensor<6x8xf32> {
  ^bb0(%i: index, %j: index):
    %a = te.read %T[%i, %j] : tensor<6x9xf32>
    te.yield %a : f32
  }
  func.return %S : tensor<6x8xf32>
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %t = transform.structured.match attributes {te.compute = "t"} in %root : (!transform.any_op) -> !transform.any_op
  %s = transform.structured.match attributes {te.compute = "s"} in %root : (!transform.any_op) -> !transform.any_op
  %si, %sj = transform.schedule.get_loops %s : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %t2 = transform.schedule.compute_at %t at %si : (!transform.any_op, !transform.any_op) -> !transform.any_op
  %ti, %tj = transform.schedule.get_loops %t2 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  // expected-error@+1 {{loop 'j' is not in the loop nest of loop 'i'}}
  transform.schedule.reorder %tj, %si : !transform.any_op, !transform.any_op
  transform.yield
}

// -----

// get_loops with an overflow_result that is not one of its results, or with fewer loops
// than the other results need.

func.func @copy(%X: tensor<6x8xf32>) -> tensor<6x8xf32> {
  %Y = te.compute "copy" (%X) axes ["i", "j"] : (tensor<6x8xf32>) -> tensor<6x8xf32> {
  ^bb0(%i: index, %j: index):
    %x = te.read %X[%i, %j] : tensor<6x8xf32>
    te.yield %x : f32
  }
  func.return %Y : tensor<6x8xf32>
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %copy = transform.structured.match attributes {te.compute = "copy"} in %root : (!transform.any_op) -> !transform.any_op
  // expected-error@+1 {{overflow_result 2 is not one of the 2 results}}
  %a, %b = transform.schedule.get_loops %copy {overflow_result = 2 : i64} : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  transform.yield
}

// -----

func.func @copy(%X: tensor<6x8xf32>) -> tensor<6x8xf32> {
  %Y = te.compute "copy" (%X) axes ["i", "j"] : (tensor<6x8xf32>) -> tensor<6x8xf32> {
  ^bb0(%i: index, %j: index):
    %x = te.read %X[%i, %j] : tensor<6x8xf32>
    te.yield %x : f32
  }
  func.return %Y : tensor<6x8xf32>
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %copy = transform.structured.match attributes {te.compute = "copy"} in %root : (!transform.any_op) -> !transform.any_op
  // expected-error@+1 {{'copy' has 2 loops (i, j), but get_loops gives 4 handles}}
  %a, %b, %c, %d = transform.schedule.get_loops %copy {overflow_result = 0 : i64} : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
  transform.yield
}

// -----

// A parallel loop checked when annotated stays checked: a reorder, a cache or a computation
// moved into it afterwards that makes two of its iterations touch one element is an error.

// Each element from the one up and to the left: j carries nothing inside i, but outside it
// (a legal interchange) it does.
func.func @diagonal(%A: memref<8x8xf32>) {
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.for %i = %c1 to %c8 step %c1 {
    scf.for %j = %c1 to %c8 step %c1 {
      %up = arith.subi %i, %c1 : index
      %left = arith.subi %j, %c1 : index
      %a = memref.load %A[%up, %left] : memref<8x8xf32>
      memref.store %a, %A[%i, %j] : memref<8x8xf32>
    } {loop.axis = "j"}
  } {loop.axis = "i", te.compute = "diagonal"}
  func.return
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %d = transform.structured.match attributes {te.compute = "diagonal"} in %root : (!transform.any_op) -> !transform.any_op
  %i, %j = transform.schedule.get_loops %d : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  transform.schedule.parallel %j : !transform.any_op
  // expected-error@+1 {{cannot reorder in the parallel loop 'j': its iterations write %A where other iterations read or write it}}
  transform.schedule.reorder %j, %i : !transform.any_op, !transform.any_op
  transform.yield
}

// -----

// Each iteration of the fused loop's tiles keeps the whole output in its buffer (the
// quotient and remainder of a tile are not bounded): copied in and written back whole,
// it would write back what other iterations compute.

func.func @copy(%X: tensor<5x7xf32>) -> tensor<5x7xf32> {
  %Y = te.compute "copy" (%X) axes ["i", "j"] : (tensor<5x7xf32>) -> tensor<5x7xf32> {
  ^bb0(%i: index, %j: index):
    %x = te.read %X[%i, %j] : tensor<5x7xf32>
    te.yield %x : f32
  }
  func.return %Y : tensor<5x7xf32>
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %copy = transform.structured.match attributes {te.compute = "copy"} in %root : (!transform.any_op) -> !transform.any_op
  %i, %j = transform.schedule.get_loops %copy : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %f = transform.schedule.fuse %i, %j : (!transform.any_op, !transform.any_op) -> !transform.any_op
  %fo, %fi = transform.schedule.split %f by 4 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  transform.schedule.parallel %fo : !transform.any_op
  // expected-error@+1 {{cannot cache_write in the parallel loop 'i.j.fused.outer': its iterations write %out0 where other iterations read or write it}}
  %w = transform.schedule.cache_write %fo into "local" : (!transform.any_op) -> !transform.any_op
  transform.yield
}

// -----

// t computed where s reads it, at s's loop over j: two iterations of j compute t[i, j + 1].

func.func @stencil(%X: tensor<6x9xf32>) -> tensor<6x8xf32> {
  %T = te.compute "t" (%X) axes ["i", "j"] : (tensor<6x9xf32>) -> tensor<6x9xf32> {
  ^bb0(%i: index, %j: index):
    %x = te.read %X[%i, %j] : tensor<6x9xf32>
    te.yield %x : f32
  }
  %S = te.compute "s" (%T) axes ["i", "j"] : (tensor<6x9xf32>) -> tensor<6x8xf32> {
  ^bb0(%i: index, %j: index):
    %c1 = arith.constant 1 : index
    %next = arith.addi %j, %c1 : index
    %a = te.read %T[%i, %j] : tensor<6x9xf32>
    %b = te.read %T[%i, %next] : tensor<6x9xf32>
    %s = arith.addf %a, %b : f32
    te.yield %s : f32
  }
  func.return %S : tensor<6x8xf32>
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %t = transform.structured.match attributes {te.compute = "t"} in %root : (!transform.any_op) -> !transform.any_op
  %s = transform.structured.match attributes {te.compute = "s"} in %root : (!transform.any_op) -> !transform.any_op
  %i, %j = transform.schedule.get_loops %s : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  transform.schedule.parallel %j : !transform.any_op
  // expected-error@+1 {{cannot compute_at in the parallel loop 'j': its iterations write %T where other iterations read or write it}}
  %t2 = transform.schedule.compute_at %t at %j : (!transform.any_op, !transform.any_op) -> !transform.any_op
  transform.yield
}

// -----

// A handle that holds one loop twice: the second split would split a loop the first one
// erased.

func.func @copy(%X: tensor<6x8xf32>) -> tensor<6x8xf32> {
  %Y = te.compute "copy" (%X) axes ["i", "j"] : (tensor<6x8xf32>) -> tensor<6x8xf32> {
  ^bb0(%i: index, %j: index):
    %x = te.read %X[%i, %j] : tensor<6x8xf32>
    te.yield %x : f32
  }
  func.return %Y : tensor<6x8xf32>
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %copy = transform.structured.match attributes {te.compute = "copy"} in %root : (!transform.any_op) -> !transform.any_op
  %i, %j = transform.schedule.get_loops %copy : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %twice = "transform.merge_handles"(%i, %i) : (!transform.any_op, !transform.any_op) -> !transform.any_op
  // expected-error@+1 {{'transform.schedule.split' would transform loop 'i' twice: the handle holds it twice}}
  %o, %n = transform.schedule.split %twice by 2 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  transform.yield
}
