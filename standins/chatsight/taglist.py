"""``/audio/tagginglist.json``: the simulator's stand-in for Chatsight's published tag list.

The real list is public (no API key) at ``https://announce.chatsight.ai/audio/tagginglist.json``
and neither its contents nor its shape are known offline (docs/chatsight-api.md §6, §12.11), so
this serves the simulator's PLACEHOLDER vocabulary, marked as such in the document itself.
"""

from __future__ import annotations

from aiohttp import web

from standins.chatsight.rules import PLACEHOLDER_VOCABULARY

TAGLIST_PATH = "/audio/tagginglist.json"
NOTICE = (
    "PLACEHOLDER served by the Chatsight simulator for offline tests: not Chatsight's published"
    " tag list, whose contents are unknown here."
)


async def _tag_list(_: web.Request) -> web.Response:
    tags = sorted(PLACEHOLDER_VOCABULARY)
    return web.json_response({"placeholder": True, "notice": NOTICE, "tags": tags})


def add_taglist_route(app: web.Application) -> None:
    app.router.add_get(TAGLIST_PATH, _tag_list)
