"""Errors the command line turns into one clear line and an exit code."""

from __future__ import annotations


class UserError(Exception):
    """Bad input or a missing prerequisite: exit 2 with one line saying what and how to fix."""

    exit_code = 2

