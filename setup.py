"""Package discovery for the `ziggurat` package, which is the repository root (everything
else is in pyproject.toml)."""

from setuptools import find_packages, setup

EXCLUDE = ["tests", "tests.*", "lit_tests", "lit_tests.*", "benchmarks", "benchmarks.*", "build"]
setup(packages=["ziggurat", *(f"ziggurat.{p}" for p in find_packages(".", exclude=EXCLUDE))])
