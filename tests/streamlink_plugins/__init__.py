"""Streamlink plugins for the tests' stand-in sites, loaded as an operator's own plugins are:
from this directory, named by ``STREAMLINK_PLUGIN_DIRS``."""

from __future__ import annotations

from pathlib import Path

PLUGIN_DIR = str(Path(__file__).parent)
