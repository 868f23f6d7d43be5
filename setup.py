"""Builds the optional C accelerator; a failed build leaves the pure-Python path in place.

On CPython 3.11+ the extension uses only the stable ABI (``Py_LIMITED_API``), so one
``cp311-abi3`` wheel serves every later CPython. The buffer protocol it needs joined the
limited API in 3.11; on 3.9/3.10 a source build compiles a version-specific module.
A wheel whose extension failed to compile is tagged ``py3-none-any``, not as a binary.
"""

import os
import platform
import sys

from setuptools import Extension, setup
from setuptools.command.bdist_wheel import bdist_wheel

LIMITED_API = sys.version_info >= (3, 11)


class BdistWheel(bdist_wheel):
    """Tag the wheel by what was actually built."""

    def run(self) -> None:
        if self.distribution.ext_modules:
            self.run_command("build_ext")
            outputs = self.get_finalized_command("build_ext").get_outputs()
            if not all(os.path.exists(path) for path in outputs):
                self.root_is_pure = True  # optional build failed: a pure wheel, honestly tagged
        super().run()


ext_modules = []
options = {}
if platform.python_implementation() == "CPython" and not os.environ.get("WSPROTO_PURE_PYTHON"):
    # optional=True: a machine without a compiler still installs, and uses pure Python.
    ext_modules.append(
        Extension(
            "wsproto._speedups",
            ["wsproto/_speedups.c"],
            optional=True,
            py_limited_api=LIMITED_API,
            define_macros=[("Py_LIMITED_API", "0x030B0000")] if LIMITED_API else [],
        )
    )
    if LIMITED_API:
        options["bdist_wheel"] = {"py_limited_api": "cp311"}

setup(ext_modules=ext_modules, options=options, cmdclass={"bdist_wheel": BdistWheel})
