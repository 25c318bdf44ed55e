"""Work a hostile input could make endless, run in a child process and killed at a wall-clock bound.

A check between steps cannot stop one step that never returns (GDAL reading a GeoPackage whose feature
table is an endless SQLite view, PROJ on a pathological coordinate, a parser on a crafted file): only
the operating system can. `run_bounded(func, *args, seconds=…)` runs `func` in a process forked from a
clean, pre-loaded server process (multiprocessing's "forkserver": Django is set up there once, so a
call costs a fork, not an interpreter start; forking the threaded web process itself could inherit a
lock held by another thread), waits at most `seconds`, and kills it if it is not done. A process with no other
thread (a background worker running a task) forks itself directly instead: safe there, and it saves
the fork server's start.

`func` and its arguments and result must pickle; it runs in the caller's language and must not use the
database (the child has no transaction of the caller's). A ValidationError it raises is raised again in
the caller with the same messages and code; the bound exceeded is `BoundExceeded`.

`read_bounded(func, *args, seconds=…)` is the same for a file import's reading step, with the two
failures told to the uploader as a 400 (ValidationError) in their language: the bound exceeded
(code "import_timeout") and the reader dying (code "invalid_file").
"""
import multiprocessing
import threading

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

_context = None


class BoundExceeded(Exception):
    """The work ran longer than its bound and was killed."""


class BoundedWorkDied(Exception):
    """The child process ended without an answer (killed by the system, or a crash in a C library)."""


def _forkserver():
    global _context
    if _context is None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["geoplatform.bounded_boot"])
        _context = context
    return _context


def _child(conn, func, args, kwargs, language):
    from geoplatform import bounded_boot  # noqa: F401  (Django set up, if the server did not preload it)

    try:
        with translation.override(language):
            try:
                answer = ("ok", func(*args, **kwargs))
            except ValidationError as exc:
                answer = ("invalid", [str(m) for m in exc.messages], exc.code)
    except BaseException as exc:  # noqa: BLE001  (told to the caller, who fails the work with it)
        answer = ("error", f"{type(exc).__name__}: {exc}"[:500])
    conn.send(answer)
    conn.close()


def run_bounded(func, /, *args, seconds: float, **kwargs):
    """`func(*args, **kwargs)` in a child process; its result, or BoundExceeded after `seconds`."""
    context = multiprocessing.get_context("fork") if threading.active_count() == 1 else _forkserver()
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(sender, func, args, kwargs, translation.get_language()),
                              daemon=True)
    process.start()
    sender.close()
    try:
        if not receiver.poll(max(0.0, seconds)):
            raise BoundExceeded(seconds)
        try:
            kind, *payload = receiver.recv()
        except EOFError:
            raise BoundedWorkDied(process.exitcode)
    finally:
        if process.is_alive():
            process.kill()
        process.join(10)
        receiver.close()
    if kind == "ok":
        return payload[0]
    if kind == "invalid":
        messages, code = payload
        raise ValidationError(messages[0] if len(messages) == 1 else messages, code=code)
    raise BoundedWorkDied(payload[0])


def read_bounded(func, /, *args, seconds: float, **kwargs):
    """`run_bounded` for reading an uploaded file: past `seconds`, or if the reader dies, a ValidationError
    the uploader reads (400), and nothing read is returned, so nothing is stored."""
    try:
        return run_bounded(func, *args, seconds=max(0.0, seconds), **kwargs)
    except BoundExceeded:
        raise ValidationError(_("Reading the file took longer than %(seconds)d seconds and was stopped; "
                                "split it into smaller files.") % {"seconds": seconds}, code="import_timeout")
    except BoundedWorkDied:
        raise ValidationError(_("The file could not be read: the reader stopped unexpectedly. Check the file, "
                                "or split it."), code="invalid_file")
