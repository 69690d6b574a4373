"""`interviewer report`: one self-contained HTML file of sessions, answers and progress."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click

from interviewer.errors import UserError


@click.command("report")
@click.argument("session_id", type=int, required=False)
@click.option("--all", "everything", is_flag=True, help="Every session.")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False),
              help="The HTML file to write.")
@click.option("--no-audio", is_flag=True,
              help="Link the recordings instead of embedding them (a smaller file).")
@click.pass_obj
def report(app, session_id, everything, out_path, no_audio) -> None:
    """Write an HTML report that opens offline: transcripts with covered concepts highlighted,
    missed concepts, model answers, delivery, the recordings, and charts of scores over time.

    Without SESSION or --all, the latest session is reported.

    \b
    Examples:
      interviewer report --out last.html
      interviewer report --all --out progress.html
    """
    from interviewer.report import render

    store = app.store
    if session_id is not None and everything:
        raise UserError("give a SESSION or --all, not both")
    if everything:
        sessions = store.sessions()
    else:
        chosen = session_id if session_id is not None else store.latest_session_id()
        if chosen is None:
            raise UserError("there are no sessions yet; run 'interviewer demo' or "
                            "'interviewer practice' first")
        sessions = [store.session(chosen)]
    if not sessions:
        raise UserError("there are no sessions yet; run 'interviewer demo' or "
                        "'interviewer practice' first")
    html = render(store, sessions, embed_audio=not no_audio)
    out = Path(out_path)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=out.parent, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(html)
        os.replace(temp, out)
    except OSError as error:
        raise UserError(f"{out}: cannot write the report ({error.strerror}); check the folder "
                        "and free space") from error
    click.echo(f"Wrote {out} ({len(html) / 1e6:.1f} MB, {len(sessions)} session(s)); open it "
               "in a browser.")
