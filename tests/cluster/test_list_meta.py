"""`list_meta`: a list page's continue token read from the head of its body, so that the
reflector asks for the next page before decoding this one."""

from __future__ import annotations

import orjson

from kubetui.cluster.reflector import list_meta
from tests.cluster.helpers import connect
from tests.cluster.test_store import CM_PATH, make_cm


async def test_a_served_page_s_metadata_is_read_from_its_head(start_sandbox):
    sb = await start_sandbox(controllers=False)
    for i in range(5):
        make_cm(sb, f"cm-{i}")
    client = await connect(sb)
    try:
        raw = await client.request_bytes("GET", CM_PATH, query={"limit": 3})
        meta = list_meta(raw)
        assert meta == orjson.loads(raw)["metadata"] and meta["continue"]
        last = await client.request_bytes("GET", CM_PATH,
                                          query={"limit": 3, "continue": meta["continue"]})
        assert list_meta(last) == orjson.loads(last)["metadata"]
        assert "continue" not in list_meta(last)
    finally:
        await client.close()


def test_go_s_layout_with_white_space():
    body = (b'{\n  "kind": "PodList",\n  "apiVersion": "v1",\n  "metadata": {\n'
            b'    "resourceVersion": "42", "continue": "abc", "remainingItemCount": 7\n  },\n'
            b'  "items": [{"metadata": {"name": "x"}}]\n}')
    assert list_meta(body) == {"resourceVersion": "42", "continue": "abc",
                               "remainingItemCount": 7}


def test_bodies_that_do_not_say_it_at_their_head_are_decoded_instead():
    # items first; a brace inside the metadata's strings; no metadata; not an object
    for body in (b'{"items": [], "metadata": {"continue": "abc"}}',
                 b'{"kind": "PodList", "metadata": {"continue": "a}b"}, "items": []}',
                 b'{"kind": "PodList", "metadata": {"continue": "a{b"}, "items": []}',
                 b'{"kind": "PodList", "items": []}', b'[]', b''):
        assert list_meta(body) is None, body
