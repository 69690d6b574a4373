"""`interviewer report`: one self-contained HTML file of sessions, answers and progress."""

from __future__ import annotations

from pathlib import Path

import click

from interviewer.commands import ROW_ID
from interviewer.errors import UserError


@click.command("report")
@click.argument("session_id", type=ROW_ID, required=False)
@click.option("--all", "everything", is_flag=True, help="Every session.")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False),
              help="The HTML file to write.")
@click.option("--no-audio", is_flag=True,
              help="Link the recordings instead of embedding them (a smaller file).")
@click.option("--force", is_flag=True, help="Overwrite --out if it exists.")
@click.option("--demo", is_flag=True,
              help="The demo's sessions, kept apart from your own (with --all or alone).")
@click.pass_obj
def report(app, session_id, everything, out_path, no_audio, force, demo) -> None:
    """Write an HTML report that opens offline: transcripts with covered concepts highlighted,
    missed concepts, model answers, delivery, the recordings, and charts of scores over time.

    Without SESSION or --all, your latest session is reported. The demo's sessions are kept
    apart: --demo reports them instead.

    \b
    Examples:
      interviewer report --out last.html
      interviewer report --all --out progress.html
    """
    from interviewer.private_files import atomic_write, is_same_file
    from interviewer.report import render

    if session_id is not None and everything:
        raise UserError("give a SESSION or --all, not both")
    out = Path(out_path).expanduser().resolve()
    if not out.parent.is_dir():
        raise UserError(f"{out.parent}: no such folder; create it first or choose another "
                        "--out")
    store = app.store
    # what the report is made from: the database (and its journal) and the recordings
    data = store.data_dir
    if is_same_file(out.parent, data) or store.recordings_dir.resolve() in out.parents:
        raise UserError(f"{out}: --out is inside the data folder {data}, which holds what "
                        "the report is made from; write it elsewhere")
    if out.exists() and not force:
        raise UserError(f"{out}: already exists; choose another --out or pass --force")
    from interviewer.rescoring import finish_typed_answers
    from interviewer.states import SessionMode

    finish_typed_answers(app)  # typed answers a stopped session left unscored
    own = [session for session in store.sessions()
           if (session.mode is SessionMode.DEMO) == demo]
    if session_id is not None:
        sessions = [store.session(session_id)]
    elif everything:
        sessions = own
    else:
        sessions = own[-1:]
    if not sessions:
        raise UserError("there are no demo sessions yet; run 'interviewer demo' first" if demo
                        else "there are no sessions of yours yet; run 'interviewer practice' "
                        "first ('--demo' reports the demo's)")
    html = render(store, sessions, embed_audio=not no_audio)
    atomic_write(out, html, "the report")
    click.echo(f"Wrote {out} ({len(html) / 1e6:.1f} MB, {len(sessions)} session(s)); open it "
               "in a browser.")
