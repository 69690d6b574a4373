"""One module a command (or command group) of the `interviewer` command line; the parameter
types they share."""

from __future__ import annotations

import click


class RowId(click.ParamType):
    """A session or answer id: a whole number SQLite can hold (below 2**63), or a usage error
    that says where the ids are, rather than an overflow deep in the database driver."""

    name = "integer"

    def convert(self, value, param, ctx) -> int:
        number = click.INT.convert(value, param, ctx)
        if not 1 <= number < 2**63:
            self.fail(f"{value} is not an id; the ids are those 'interviewer history' shows",
                      param, ctx)
        return number


ROW_ID = RowId()
