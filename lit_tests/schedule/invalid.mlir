// RUN: ziggurat-opt %s --split-input-file --verify-diagnostics

transform.named_sequence @knob_outside_options(%root: !transform.any_op) {
  // expected-error@+1 {{knob 'tile_i' is fixed to 48, which is not one of its options [8, 16, 32, 64]}}
  %t = transform.tune.knob<"tile_i"> = 48 from options = [8, 16, 32, 64] -> !transform.param<i64>
  transform.yield
}

// -----

transform.named_sequence @knob_without_options(%root: !transform.any_op) {
  // expected-error@+1 {{knob 'tile_i' needs at least one option}}
  %t = transform.tune.knob<"tile_i"> options = [] -> !transform.param<i64>
  transform.yield
}

// -----

transform.named_sequence @knob_option_twice(%root: !transform.any_op) {
  // expected-error@+1 {{knob 'tile_i' lists an option twice}}
  %t = transform.tune.knob<"tile_i"> options = [8, 8] -> !transform.param<i64>
  transform.yield
}

// -----

transform.named_sequence @knob_option_type(%root: !transform.any_op) {
  // expected-error@+1 {{knob 'scope' gives !transform.param<i64>, but option "local" is not an i64 integer}}
  %t = transform.tune.knob<"scope"> options = ["local", "shared"] -> !transform.param<i64>
  transform.yield
}

// -----

transform.named_sequence @alternatives_out_of_range(%root: !transform.any_op) {
  // expected-error@+1 {{alternatives 'order' selects region 2, but it has 2}}
  transform.tune.alternatives<"order"> selected_region = 2 {
    transform.yield
  }, {
    transform.yield
  }
  transform.yield
}

// -----

transform.named_sequence @alternatives_yield(%root: !transform.any_op) {
  // expected-error@+1 {{region 1 of alternatives 'order' yields (), but the op gives (!transform.any_op)}}
  %r = transform.tune.alternatives<"order"> selected_region = 0 -> !transform.any_op {
    transform.yield %root : !transform.any_op
  }, {
    transform.yield
  }
  transform.yield
}

// -----

transform.named_sequence @split_by_zero(%loop: !transform.any_op) {
  // expected-error@+1 {{split factor must be positive, got 0}}
  %o, %i = transform.schedule.split %loop by 0 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  transform.yield
}

// -----

transform.named_sequence @tile_results(%i: !transform.any_op, %j: !transform.any_op) {
  // expected-error@+1 {{tile of 2 loops gives 4 handles, not 2}}
  %a, %b = transform.schedule.tile %i, %j by [4, 4] : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)
  transform.yield
}

// -----

transform.named_sequence @tile_factors(%i: !transform.any_op, %j: !transform.any_op) {
  // expected-error@+1 {{tile has 2 loops but 1 factors}}
  %a, %b, %c, %d = transform.schedule.tile %i, %j by [4] : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
  transform.yield
}

// -----

transform.named_sequence @reorder_one(%i: !transform.any_op) {
  // expected-error@+1 {{reorder needs at least two loops}}
  transform.schedule.reorder %i : !transform.any_op
  transform.yield
}

// -----

transform.named_sequence @reorder_twice(%i: !transform.any_op) {
  // expected-error@+1 {{reorder names a loop twice}}
  transform.schedule.reorder %i, %i : !transform.any_op, !transform.any_op
  transform.yield
}

// -----

transform.named_sequence @vectorize_width(%i: !transform.any_op) {
  // expected-error@+1 {{vector width must be a power of two, got 6}}
  transform.schedule.vectorize %i width 6 : !transform.any_op
  transform.yield
}

// -----

transform.named_sequence @unroll_zero(%i: !transform.any_op) {
  // expected-error@+1 {{unroll factor must be positive, got 0}}
  transform.schedule.unroll %i by 0 : !transform.any_op
  transform.yield
}

// -----

transform.named_sequence @bind_axis(%i: !transform.any_op) {
  // expected-error@+1 {{unknown GPU axis 'warpIdx.x'}}
  transform.schedule.bind %i to "warpIdx.x" : !transform.any_op
  transform.yield
}

// -----

transform.named_sequence @cache_scope(%i: !transform.any_op) {
  // expected-error@+1 {{unknown memory scope 'texture', expected one of global, shared, local}}
  %c = transform.schedule.cache_read %i input 0 into "texture" : (!transform.any_op) -> !transform.any_op
  transform.yield
}

// -----

transform.named_sequence @get_no_loops(%c: !transform.any_op) {
  // expected-error@+1 {{get_loops needs at least one result}}
  transform.schedule.get_loops %c : (!transform.any_op) -> ()
  transform.yield
}
