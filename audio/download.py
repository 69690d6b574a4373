"""Fetching a catalogue model: resumable, checked, and never half-used.

Each file is fetched into `<name>.partial/`; an interrupted fetch keeps what arrived and the
next one asks only for the rest (an HTTP Range request). A file counts once it has the size the
hub announced and its SHA-256 matches (pinned in the catalogue, or the hub's `X-Linked-Etag`,
which Hugging Face gives for its large files); a file no checksum is known for is reported as
unchecked, never claimed checked. The JSON files must parse. Only then is the folder renamed to
`<name>/`, the name the application looks for.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import re
import shutil
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from audio.catalogue import (
    MODEL_FILES,
    VOCABULARY_FILES,
    CatalogueModel,
    damaged_model_file,
    hub_url,
    models_dir,
)
from audio.errors import ModelError

BLOCK = 1 << 20
TIMEOUT_S = 30
OFFLINE_ALTERNATIVE = ("without a connection, copy a model folder (with model.bin) from a "
                       "connected machine and run 'interviewer model use /path/to/folder'")
Progress = Callable[[str, int, int | None], None]  # file, bytes so far, bytes in all


class DownloadError(ModelError):
    pass


@dataclass(frozen=True)
class RemoteFile:
    size: int | None
    sha256: str | None


@dataclass(frozen=True)
class FetchedModel:
    folder: Path
    unchecked: tuple[str, ...] = ()  # files no SHA-256 was known for: only their size counted


def fetch_model(model: CatalogueModel, cache_dir: Path,
                progress: Progress | None = None) -> FetchedModel:
    """Fetch `model` into the cache (resuming a fetch that stopped); returns its folder and
    the files whose checksum could not be checked."""
    final = models_dir(cache_dir) / model.name
    if (final / "model.bin").is_file():
        return FetchedModel(final)
    partial = models_dir(cache_dir) / f"{model.name}.partial"
    try:
        partial.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DownloadError(f"cannot create {partial} ({error.strerror}); choose another "
                            "cache with INTERVIEWER_CACHE_DIR") from error
    try:
        unchecked = _fetch_files(model, partial, progress)
    except _Offline as offline:
        raise DownloadError(f"{offline}; {by_hand(model, final)}") from offline
    finally:
        with contextlib.suppress(OSError):
            partial.rmdir()  # only when nothing arrived: an empty folder helps no resume
    problem = damaged_model_file(partial)
    if problem:
        shutil.rmtree(partial, ignore_errors=True)
        raise DownloadError(f"{model.name}: {problem}; the download was removed, so it is "
                            f"never used; try again later, or {OFFLINE_ALTERNATIVE}")
    if final.exists():  # an older, incomplete folder
        shutil.rmtree(final)
    partial.rename(final)
    return FetchedModel(final, tuple(unchecked))


def _fetch_files(model: CatalogueModel, partial: Path, progress: Progress | None) -> list[str]:
    """Every file of the model into `partial`; returns those fetched without a checksum."""
    pinned = dict(model.sha256)
    unchecked = []
    for name in MODEL_FILES:
        if not _fetch_file(_url(model, name), partial / name, pinned.get(name), progress):
            unchecked.append(name)
    for index, name in enumerate(VOCABULARY_FILES):
        try:
            if not _fetch_file(_url(model, name), partial / name, pinned.get(name), progress):
                unchecked.append(name)
            break
        except _NotFound:
            if index == len(VOCABULARY_FILES) - 1:
                raise DownloadError(f"{model.repo} has no vocabulary file; it is not a "
                                    "faster-whisper model") from None
    return unchecked


class _NotFound(DownloadError):
    pass


class _Offline(DownloadError):
    pass


def by_hand(model: CatalogueModel, folder: Path) -> str:
    """How to install `model` without a connection here: the exact files, where from, and
    the folder they go in."""
    urls = ", ".join(_url(model, name) for name in MODEL_FILES)
    vocabulary = " or ".join(_url(model, name) for name in VOCABULARY_FILES)
    return (f"to install {model.name} by hand, fetch on a connected machine {urls} and "
            f"{vocabulary} (whichever exists), put them in {folder} (with those file names), "
            f"then run 'interviewer model use {model.name}'")


def _url(model: CatalogueModel, name: str) -> str:
    return f"{hub_url()}/{model.repo}/resolve/main/{name}"


def _fetch_file(url: str, path: Path, pinned_sha256: str | None,
                progress: Progress | None) -> bool:
    """Fetch one file, resuming; True when its SHA-256 was checked (False: only its size)."""
    remote = _describe(url)
    expected = pinned_sha256 or remote.sha256
    have = path.stat().st_size if path.exists() else 0
    if remote.size is not None and have > remote.size:
        path.unlink()  # not the file announced now: start again
        have = 0
    if remote.size is None or have < remote.size:
        _transfer(url, path, have, remote.size, progress)
    size = path.stat().st_size
    if remote.size is not None and size != remote.size:
        raise DownloadError(f"{path.name}: the download stopped at {size:,} of "
                            f"{remote.size:,} bytes; run the same command again to resume")
    if expected is not None:
        actual = _sha256(path)
        if actual != expected:
            path.unlink()
            raise DownloadError(f"{path.name}: checksum mismatch (SHA-256 {actual[:12]}..., "
                                f"expected {expected[:12]}...); the file was removed, so it "
                                "is never used; run the command again, or " +
                                OFFLINE_ALTERNATIVE)
        return True
    return False


def _describe(url: str) -> RemoteFile:
    """Size and SHA-256 the hub announces for a file (HEAD, redirects not followed: the hub's
    own answer carries them, the CDN's does not)."""
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, method="HEAD")
    try:
        response = opener.open(request, timeout=TIMEOUT_S)
        headers = response.headers
    except urllib.error.HTTPError as error:
        if error.code not in (301, 302, 303, 307, 308):
            raise _http_error(url, error) from error
        headers = error.headers
    except (urllib.error.URLError, OSError) as error:
        raise _offline(url, error) from error
    size = headers.get("X-Linked-Size") or headers.get("Content-Length")
    etag = (headers.get("X-Linked-Etag") or "").strip('"')
    return RemoteFile(int(size) if size and size.isdigit() else None,
                      etag.lower() if re.fullmatch(r"[0-9a-fA-F]{64}", etag) else None)


def _transfer(url: str, path: Path, have: int, total: int | None,
              progress: Progress | None) -> None:
    request = urllib.request.Request(url)
    if have:
        request.add_header("Range", f"bytes={have}-")
    try:
        response = urllib.request.urlopen(request, timeout=TIMEOUT_S)
    except urllib.error.HTTPError as error:
        raise _http_error(url, error) from error
    except (urllib.error.URLError, OSError) as error:
        raise _offline(url, error) from error
    if have and response.status != 206:  # the server ignored the range: start again
        have = 0
    with response, path.open("ab" if have else "wb") as out:
        done = have
        while True:
            try:
                block = response.read(BLOCK)
            except (OSError, http.client.HTTPException):
                return  # the connection dropped: what arrived is kept, the size check says
            if not block:
                return
            try:
                out.write(block)
            except OSError as error:
                raise DownloadError(f"{path}: cannot write ({error.strerror}); free some "
                                    "space and run the command again to resume") from error
            done += len(block)
            if progress:
                progress(path.name, done, total)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def _http_error(url: str, error: urllib.error.HTTPError) -> DownloadError:
    if error.code == 404:
        return _NotFound(f"{url}: not found")
    return DownloadError(f"{url}: the server answered {error.code} {error.reason}; try again "
                         f"later, or {OFFLINE_ALTERNATIVE}")


def _offline(url: str, error: BaseException) -> DownloadError:
    reason = getattr(error, "reason", None) or error
    host = re.sub(r"^\w+://([^/]+).*", r"\1", url)
    return _Offline(f"cannot reach {host} ({reason})")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
