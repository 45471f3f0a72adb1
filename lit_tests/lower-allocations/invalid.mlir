// RUN: ziggurat-opt %s --split-input-file --verify-diagnostics -p lower-allocations

func.func @shared() {
  // expected-error@+1 {{'memref.alloc': #loop.scope<shared> memory does not exist on the CPU}}
  %t = memref.alloc() : memref<8xf32, #loop.scope<shared>>
  func.return
}

// -----

// expected-error@+1 {{'func.func': #loop.scope<shared> memory does not exist on the CPU}}
func.func @shared_argument(%A: memref<8xf32, #loop.scope<shared>>) {
  func.return
}
