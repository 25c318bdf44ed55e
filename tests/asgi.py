"""Tests' view of what an ASGI server sends."""
import asyncio
import warnings

from asgiref.sync import async_to_sync


BUFFERED = "synchronous iterators"  # Django's warning when it reads a whole synchronous iterator before sending


def sent_as_asgi(response, on_piece=lambda piece: None):
    """The pieces Django's ASGI handler sends for a streamed `response` (it iterates `aiter(response)`), and
    whether Django read the whole iterator first (its warning) while sending them.

    Run from the test's own thread so that the response's thread-sensitive reads use the test's database
    connection (and see its uncommitted rows), as they use the view's connection when served. Playwright's sync
    API (the browser tests' session-wide Chromium) leaves its event loop marked as running in this thread, where
    AsyncToSync refuses to start; the mark is lifted while the response is sent, then put back."""
    async def send_all():
        pieces = []
        async for piece in aiter(response):
            on_piece(piece)
            pieces.append(piece)
        return pieces

    playwright_loop = asyncio._get_running_loop()
    asyncio._set_running_loop(None)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            pieces = async_to_sync(send_all)()
    finally:
        asyncio._set_running_loop(playwright_loop)
    response.close()
    return pieces, any(BUFFERED in str(w.message) for w in caught)
