"""Streamed responses that stay streamed under ASGI.

`make run` and `make cluster` serve the application with uvicorn, through Django's ASGI handler. Given a
StreamingHttpResponse (or FileResponse) over a synchronous iterator, that handler first reads the *whole* iterator
into a list in a worker thread (`sync_to_async(list)`, with a "must consume synchronous iterators" warning) and only
then sends it: a GeoJSON export of a million reports, a records CSV or a photo would sit whole in the web
process's memory before the first byte leaves. These two classes keep the synchronous iterator (the export's
database cursor, a file) and hand it to the ASGI handler piece by piece instead: each piece, at least
`PIECE_BYTES` unless the iterator ends, is read in the request's own worker thread (thread-sensitive, where the
view ran, so a cursor stays on its connection) and sent before the next is read. Under WSGI and Django's test
client nothing changes: they iterate `streaming_content` as before.
"""
from __future__ import annotations

from asgiref.sync import sync_to_async
from django.http import FileResponse, StreamingHttpResponse

PIECE_BYTES = 64 * 1024


def _next_piece(parts, size: int) -> bytes:
    """Parts of the iterator joined until `size` bytes or its end; b"" only at its end."""
    piece, total = [], 0
    for part in parts:
        if part:
            piece.append(part)
            total += len(part)
            if total >= size:
                break
    return b"".join(piece)


class _PieceByPiece:
    async def __aiter__(self):
        parts = iter(self.streaming_content)
        read = sync_to_async(_next_piece, thread_sensitive=True)
        while piece := await read(parts, PIECE_BYTES):
            yield piece


class StreamingResponse(_PieceByPiece, StreamingHttpResponse):
    """A StreamingHttpResponse over a synchronous iterator, streamed piece by piece under ASGI too."""


class FileStreamResponse(_PieceByPiece, FileResponse):
    """A FileResponse streamed piece by piece under ASGI too (read in blocks of PIECE_BYTES)."""

    block_size = PIECE_BYTES
