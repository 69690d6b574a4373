"""The `interviewer` command line.

Every command that produces a result takes `--json` and then prints only JSON on stdout.
Exit codes: 0 success, 1 a failed check, 2 bad input or a missing prerequisite (one line on
stderr saying what is wrong and how to fix it). Heavy libraries are imported inside the
commands that need them, so `bank`, `history` and `score` start quickly.
"""

from __future__ import annotations

import sys
import traceback
from datetime import datetime, timezone

import click

from audio.errors import AudioError
from bank import BankError
from interviewer import __version__
from interviewer.errors import CheckFailed, UserError

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, prog_name="interviewer")
@click.option("--data-dir", type=click.Path(file_okay=False), default=None,
              help="Where sessions and recordings are stored [env INTERVIEWER_DATA_DIR].")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), default=None,
              help="Settings file (TOML) [env INTERVIEWER_CONFIG].")
@click.pass_context
def cli(ctx: click.Context, data_dir: str | None, config_file: str | None) -> None:
    """Offline spoken mock-interview simulator.

    \b
    Practise aloud:        interviewer practice
    See it work:           interviewer demo
    Score a typed answer:  interviewer score --question devsecops-03 "I keep secrets in Vault..."
    Review recordings:     interviewer review answers/ --question devsecops-03
    Browse the questions:  interviewer bank list
    """
    from interviewer.context import AppContext
    from interviewer.paths import resolve_paths

    app = AppContext(resolve_paths(data_dir, config_file))
    ctx.obj = app
    ctx.call_on_close(app.close)


def _register_commands() -> None:
    from interviewer.commands import bank as bank_commands
    from interviewer.commands import demo as demo_commands
    from interviewer.commands import devices as devices_commands
    from interviewer.commands import doctor as doctor_commands
    from interviewer.commands import history as history_commands
    from interviewer.commands import practice as practice_commands
    from interviewer.commands import report as report_commands
    from interviewer.commands import review as review_commands
    from interviewer.commands import score as score_commands

    cli.add_command(bank_commands.bank)
    cli.add_command(score_commands.score)
    cli.add_command(devices_commands.devices)
    cli.add_command(practice_commands.practice)
    cli.add_command(demo_commands.demo)
    cli.add_command(review_commands.review)
    cli.add_command(history_commands.history)
    cli.add_command(history_commands.rescore)
    cli.add_command(history_commands.forget)
    cli.add_command(report_commands.report)
    cli.add_command(doctor_commands.doctor)


_register_commands()


def _error_line(message: str) -> None:
    click.echo(f"interviewer: {message}", err=True)


def _log_crash(error: BaseException) -> str:
    """Keep the traceback for a bug report without showing it to the user."""
    try:
        from interviewer.paths import resolve_paths

        log = resolve_paths().error_log
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("a", encoding="utf-8") as handle:
            handle.write(f"--- {datetime.now(timezone.utc).isoformat()} {sys.argv!r}\n")
            handle.write("".join(traceback.format_exception(error)))
        return str(log)
    except OSError:
        return ""


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the command, turning every failure into one line and an exit code."""
    try:
        # Without standalone mode click returns a command's exit code instead of exiting
        returned = cli.main(args=argv, prog_name="interviewer", standalone_mode=False)
        if isinstance(returned, int) and returned:
            sys.exit(returned)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.UsageError as error:
        where = error.ctx.command_path if error.ctx else "interviewer"
        _error_line(f"{error.format_message()} (see '{where} --help')")
        sys.exit(2)
    except click.Abort:
        _error_line("interrupted")
        sys.exit(130)
    except click.ClickException as error:
        _error_line(error.format_message())
        sys.exit(error.exit_code if error.exit_code else 2)
    except (UserError, CheckFailed, BankError, AudioError) as error:
        _error_line(str(error))
        sys.exit(getattr(error, "exit_code", 2))
    except KeyboardInterrupt:
        _error_line("interrupted")
        sys.exit(130)
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(0)
    except Exception as error:  # a bug: one line for the user, the traceback in the log
        log = _log_crash(error)
        where = f"; details in {log}" if log else ""
        _error_line(f"internal error: {type(error).__name__}: {error}{where}")
        sys.exit(70)
    sys.exit(0)
