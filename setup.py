"""Builds the optional C accelerator; a failed build leaves the pure-Python path in place."""

import os
import platform

from setuptools import Extension, setup

ext_modules = []
if platform.python_implementation() == "CPython" and not os.environ.get("WSPROTO_PURE_PYTHON"):
    # optional=True: a machine without a compiler still installs, and uses pure Python.
    ext_modules.append(Extension("wsproto._speedups", ["wsproto/_speedups.c"], optional=True))

setup(ext_modules=ext_modules)
