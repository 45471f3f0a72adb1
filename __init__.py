"""Ziggurat: an MLIR-style compiler for machine-learning models, built on xDSL."""
