"""The `interviewer` command line.

Every command that produces a result takes `--json` and then prints only JSON on stdout.
Exit codes: 0 success, 1 a failed check, 2 bad input or a missing prerequisite (one line on
stderr saying what is wrong and how to fix it). Heavy libraries are imported inside the
commands that need them, so `bank`, `history` and `score` start quickly.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import signal
import sys

import click

from audio.errors import AudioError
from bank import BankError
from interviewer import __version__
from interviewer.errors import UserError

log = logging.getLogger("interviewer")
# a write that failed for want of space (or quota, or a file size limit) is the user's to fix
FULL_DISK_ERRORS = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, prog_name="interviewer")
@click.option("--data-dir", type=click.Path(file_okay=False), default=None,
              help="Where sessions and recordings are stored [env INTERVIEWER_DATA_DIR].")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), default=None,
              help="Settings file (TOML) [env INTERVIEWER_CONFIG].")
@click.option("--verbose", "-v", count=True,
              help="Say more on stderr (-v what happens, -vv details); the log file in the "
                   "data folder keeps warnings and crashes either way.")
@click.pass_context
def cli(ctx: click.Context, data_dir: str | None, config_file: str | None,
        verbose: int) -> None:
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

    paths = resolve_paths(data_dir, config_file)
    _start_logging(paths, verbose)
    log.info("command %s", ctx.invoked_subcommand)
    app = AppContext(paths)
    ctx.obj = app
    ctx.call_on_close(app.close)


def _start_logging(paths, verbose: int) -> None:
    from interviewer.logs import setup_logging
    from interviewer.private_files import private_dir

    try:
        private_dir(paths.data_dir)
        log_file = paths.log_file
    except OSError:
        log_file = None  # the data folder's own problem is reported by the command needing it
    setup_logging(log_file, verbose)


def _register_commands() -> None:
    from interviewer.commands import bank as bank_commands
    from interviewer.commands import demo as demo_commands
    from interviewer.commands import devices as devices_commands
    from interviewer.commands import doctor as doctor_commands
    from interviewer.commands import fix as fix_commands
    from interviewer.commands import history as history_commands
    from interviewer.commands import model as model_commands
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
    cli.add_command(fix_commands.fix)
    cli.add_command(history_commands.forget)
    cli.add_command(report_commands.report)
    cli.add_command(doctor_commands.doctor)
    cli.add_command(model_commands.model)


_register_commands()


def _error_line(message: str) -> None:
    from interviewer.output import printable

    # a file name or bank text in the message is shown, never acted on by the terminal
    click.echo(f"interviewer: {printable(message, one_line=True)}", err=True)
    _drop_unwritable_output()


def _drop_unwritable_output() -> None:
    """Output that cannot be written (a full disk under a redirection) is dropped, so the
    interpreter's last flush does not add a traceback to the one line already said."""
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())


class Terminated(KeyboardInterrupt):
    """SIGTERM: ended like Ctrl-C, so every answer so far and a partial recording are kept."""


class HungUp(Terminated):
    """SIGHUP (the terminal closed): ended like SIGTERM; every line typed so far is kept."""


def _on_sigterm(_signum, _frame) -> None:
    raise Terminated()


def _on_sighup(_signum, _frame) -> None:
    raise HungUp()


def _crashed(error: BaseException) -> None:
    """A bug: one line for the user, the traceback in the log; exit 70."""
    from interviewer.logs import log_file

    log.error("crashed", exc_info=error)
    where = f"; details in {log_file()}" if log_file() else ""
    _error_line(f"internal error: {type(error).__name__}: {error}{where}")
    sys.exit(70)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the command, turning every failure into one line and an exit code."""
    from audio.runtime import prepare_environment

    prepare_environment()  # before any library that could phone home is loaded
    # Answers, recordings and reports are personal: every file and folder made is private.
    os.umask(0o077)
    signal.signal(signal.SIGTERM, _on_sigterm)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, _on_sighup)
    try:
        # the context is made and invoked here rather than by click's main(), which turns
        # Ctrl-C into an Abort preceded by an empty line on stderr
        args = sys.argv[1:] if argv is None else list(argv)
        with cli.make_context("interviewer", args) as ctx:
            returned = cli.invoke(ctx)
        if isinstance(returned, int) and returned:
            sys.exit(returned)
    except click.exceptions.Exit as done:
        _drop_unwritable_output()
        sys.exit(done.exit_code)
    except click.UsageError as error:
        where = error.ctx.command_path if error.ctx else "interviewer"
        _error_line(f"{error.format_message()} (see '{where} --help')")
        sys.exit(2)
    except click.Abort:
        _error_line("interrupted")
        sys.exit(130)
    except HungUp:
        with contextlib.suppress(OSError):  # the terminal may be gone
            _error_line("hung up; every answer so far is kept ('interviewer rescore' "
                        "finishes unscored ones)")
        sys.exit(129)
    except Terminated:
        _error_line("terminated; every answer so far is kept ('interviewer rescore' finishes "
                    "unscored ones)")
        sys.exit(143)
    except click.ClickException as error:
        _error_line(error.format_message())
        sys.exit(error.exit_code if error.exit_code else 2)
    except (UserError, BankError, AudioError) as error:
        _error_line(str(error))
        sys.exit(2)
    except KeyboardInterrupt:
        _error_line("interrupted")
        sys.exit(130)
    except BrokenPipeError:  # `interviewer ... | head`: the reader has all it wanted
        _drop_unwritable_output()
        sys.exit(0)
    except OSError as error:
        if error.errno not in FULL_DISK_ERRORS:
            _crashed(error)
        where = f" ({error.filename})" if error.filename else ""
        _error_line(f"cannot write{where}: {error.strerror}; free some space or write the "
                    "output elsewhere")
        sys.exit(2)
    except Exception as error:  # a bug: one line for the user, the traceback in the log
        _crashed(error)
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _drop_unwritable_output()
    except OSError as error:
        _error_line(f"cannot write the output ({error.strerror}); free some space or write "
                    "it elsewhere")
        sys.exit(2)
    sys.exit(0)
