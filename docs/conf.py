"""Sphinx configuration for the wsproto documentation."""

from __future__ import annotations

import importlib.metadata

project = "wsproto"
author = "the wsproto contributors"
copyright = "2026, the wsproto contributors"

try:
    release = importlib.metadata.version("wsproto")
except importlib.metadata.PackageNotFoundError:  # building without installing the package
    release = "2.0.0"
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.viewcode",
]

exclude_patterns = ["_build", "requirements.txt", "build.sh", "Thumbs.db", ".DS_Store"]

# Autodoc: document members in source order, show signatures without the
# annotations noise, and keep the type hints in the description.
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_description_target = "documented"
autodoc_preserve_defaults = True
autoclass_content = "class"

nitpicky = False

html_theme = "furo"
html_title = f"wsproto {release}"
html_static_path: list[str] = []
pygments_style = "friendly"
pygments_dark_style = "monokai"
