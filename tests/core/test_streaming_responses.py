"""Downloads stay streamed when the ASGI server (uvicorn: make run, make cluster) sends them.

Django's ASGI handler sends a streamed response by iterating `aiter(response)`; for a plain StreamingHttpResponse
over a synchronous iterator that first reads the whole iterator into a list. These tests iterate the product's
responses exactly as that handler does.
"""
import pytest

from geoplatform.responses import PIECE_BYTES, FileStreamResponse, StreamingResponse
from tests.asgi import sent_as_asgi

pytestmark = pytest.mark.django_db  # closing a response sends request_finished, which closes old connections


def test_the_next_piece_is_read_only_after_the_previous_one_was_sent():
    events = []

    def parts():
        for i in range(6):
            events.append(f"read {i}")
            yield b"x" * (PIECE_BYTES // 2)

    pieces, buffered = sent_as_asgi(StreamingResponse(parts()), on_piece=lambda piece: events.append("sent"))
    assert not buffered
    assert [len(p) for p in pieces] == [PIECE_BYTES] * 3
    assert events == ["read 0", "read 1", "sent", "read 2", "read 3", "sent", "read 4", "read 5", "sent"]


def test_a_file_is_sent_in_pieces_of_64_kib_under_asgi(tmp_path):
    path = tmp_path / "photo.jpg"
    data = bytes(range(256)) * 800  # 204,800 bytes
    path.write_bytes(data)
    handle = path.open("rb")
    pieces, buffered = sent_as_asgi(FileStreamResponse(handle, content_type="image/jpeg"))
    assert not buffered
    assert [len(p) for p in pieces] == [65536, 65536, 65536, 8192]
    assert b"".join(pieces) == data
    assert handle.closed


def test_under_wsgi_and_the_test_client_the_same_response_iterates_as_before():
    response = StreamingResponse(iter([b"a", b"", b"bc"]))
    assert b"".join(response.streaming_content) == b"abc"


def test_djangos_own_streaming_response_would_be_read_whole_before_the_first_byte():
    from django.http import StreamingHttpResponse

    pieces, buffered = sent_as_asgi(StreamingHttpResponse(iter([b"a", b"b"])))
    assert buffered and pieces == [b"a", b"b"]
