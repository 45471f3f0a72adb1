"""Analyses shared by passes and schedule primitives: the payload's loop nests, affine
forms and value ranges, dependences, and the ops that combine reductions."""
