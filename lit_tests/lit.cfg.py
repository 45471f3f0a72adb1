"""lit configuration: every .mlir file under lit_tests runs its RUN lines in a shell where
`ziggurat-opt` and `filecheck` are the installed commands of the Python that runs lit."""

import os
import shutil
import sys

import lit.formats

config.name = "ziggurat"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir"]
config.excludes = ["Output", "lit.cfg.py"]
config.test_source_root = os.path.dirname(os.path.abspath(__file__))
config.test_exec_root = config.test_source_root

# Scripts of a virtual environment or pyenv live next to its interpreter, which may not be
# on PATH when lit is started as `python -m lit`.
tool_dirs = [os.path.dirname(sys.executable), os.path.dirname(os.path.realpath(sys.executable))]
path = os.pathsep.join([*tool_dirs, os.environ.get("PATH", "")])
config.environment["PATH"] = path
# lit passes few variables through: without PYTHONPATH, a checkout put first on it (a
# worktree beside the installed one) would have its RUN lines import the installed one.
if "PYTHONPATH" in os.environ:
    config.environment["PYTHONPATH"] = os.environ["PYTHONPATH"]
for tool in ("ziggurat-opt", "filecheck"):
    if shutil.which(tool, path=path) is None:
        lit_config.fatal(f"'{tool}' not found; install the project with `pip install -e '.[dev]'`")
