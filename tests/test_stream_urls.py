"""Stream URLs: the canonical form that tells one stream's links apart from another's, found in
text, and told apart as media or page."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.stream_urls import (
    TRACKING_PARAMETERS,
    canonical_stream_url,
    find_stream_urls,
    names_media,
)


@pytest.mark.parametrize(
    ("given_url", "canonical"),
    [
        ("https://www.twitch.tv/SomeOne/", "https://twitch.tv/someone"),
        ("http://m.twitch.tv/someone?utm_source=discord", "https://twitch.tv/someone"),
        ("HTTPS://Twitch.TV/someone#chat", "https://twitch.tv/someone"),
        # Only the channel is case-insensitive: a clip's slug is not.
        (
            "https://twitch.tv/SomeOne/clip/FunnyClipSlug",
            "https://twitch.tv/someone/clip/FunnyClipSlug",
        ),
        ("https://kick.com/Streamer?fbclid=abc", "https://kick.com/streamer"),
        (
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ&feature=share",
            "https://youtube.com/watch?v=dQw4w9WgXcQ",
        ),
        ("https://youtu.be/dQw4w9WgXcQ?si=Xy12", "https://youtube.com/watch?v=dQw4w9WgXcQ"),
        (
            "https://m.youtube.com/watch?t=42&v=dQw4w9WgXcQ",
            "https://youtube.com/watch?v=dQw4w9WgXcQ",
        ),
        (
            "https://www.youtube.com/live/dQw4w9WgXcQ?si=x",
            "https://youtube.com/watch?v=dQw4w9WgXcQ",
        ),
        ("https://www.youtube.com/@SomeHandle/live/", "https://youtube.com/@SomeHandle/live"),
        (
            "https://Streams.Example:443/Live/?tags=Fun&UTM_Medium=x",
            "https://streams.example/Live?tags=Fun",
        ),
        (
            "http://streams.example:8080/a.m3u8?b=2&a=1",
            "http://streams.example:8080/a.m3u8?b=2&a=1",
        ),
        ("http://[::1]:80/live", "http://[::1]/live"),
        ("rtmp://Ingest.Example:1935/app/key", "rtmp://ingest.example/app/key"),
        ("https://www.com/x", "https://www.com/x"),  # a name keeps a dot
        ("https://www.m.example.com/x", "https://example.com/x"),
    ],
)
def test_canonical_forms(given_url: str, canonical: str) -> None:
    assert canonical_stream_url(given_url) == canonical


def test_youtube_ids_are_case_sensitive() -> None:
    assert canonical_stream_url("https://youtu.be/abcdefghijk") != canonical_stream_url(
        "https://youtu.be/ABCDEFGHIJK"
    )


def test_what_is_not_a_url_is_left_as_it_is() -> None:
    assert canonical_stream_url("not a url") == "not a url"
    assert canonical_stream_url("http://host:99999/x") == "http://host:99999/x"


# Generated URLs: a host, a path and query parameters none of which is a tracking one.
_LABEL = st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=8)
_HOST = (
    st.lists(_LABEL, min_size=2, max_size=3)
    .map(".".join)
    .filter(lambda h: not h.startswith(("www.", "m.")))
)
_SEGMENT = st.text(string.ascii_letters + string.digits + "-_.~%", min_size=1, max_size=10)
_PATH = st.lists(_SEGMENT, max_size=3).map(lambda s: "".join("/" + p for p in s))
_NAME = _LABEL.filter(lambda n: n not in TRACKING_PARAMETERS and not n.startswith("utm_"))
_QUERY = st.lists(st.tuples(_NAME, _SEGMENT), max_size=3).map(
    lambda pairs: "&".join(f"{k}={v}" for k, v in pairs)
)
_TRACKING = st.lists(
    st.tuples(
        st.sampled_from([*sorted(TRACKING_PARAMETERS), "utm_source", "UTM_Campaign"]), _LABEL
    ),
    max_size=3,
)
_VIDEO_ID = st.text(string.ascii_letters + string.digits + "-_", min_size=11, max_size=11)


def _url(scheme: str, host: str, path: str, query: str) -> str:
    return f"{scheme}://{host}{path}" + (f"?{query}" if query else "")


@given(st.sampled_from(["http", "https", "rtmp"]), _HOST, _PATH, _QUERY)
def test_the_canonical_form_is_its_own_canonical_form(
    scheme: str, host: str, path: str, query: str
) -> None:
    once = canonical_stream_url(_url(scheme, host, path, query))
    assert canonical_stream_url(once) == once


@given(
    _HOST,
    _PATH,
    _QUERY,
    _TRACKING,
    st.sampled_from(["", "www.", "m.", "WWW."]),
    st.booleans(),
    st.sampled_from(["", "#t=1"]),
)
def test_spellings_of_one_stream_have_one_canonical_form(
    host: str,
    path: str,
    query: str,
    tracking: list[tuple[str, str]],
    prefix: str,
    slash: bool,
    fragment: str,
) -> None:
    plain = _url("https", host, path, query)
    noisy_query = "&".join(
        [query, *(f"{k}={v}" for k, v in tracking)] if query else [f"{k}={v}" for k, v in tracking]
    )
    noisy = _url("HTTPS", (prefix + host).upper(), path + ("/" if slash else ""), noisy_query)
    assert canonical_stream_url(noisy + fragment) == canonical_stream_url(plain)


@given(_HOST, _PATH, _QUERY, _TRACKING)
def test_only_tracking_parameters_go_and_the_rest_keep_their_order(
    host: str, path: str, query: str, tracking: list[tuple[str, str]]
) -> None:
    mixed = "&".join(filter(None, [*(f"{k}={v}" for k, v in tracking), query]))
    canonical = canonical_stream_url(_url("https", host, path, mixed))
    assert canonical.partition("?")[2] == query


@given(_VIDEO_ID, st.sampled_from(["", "www.", "m."]), _TRACKING)
def test_every_youtube_link_to_a_video_is_one_stream(
    video: str, prefix: str, tracking: list[tuple[str, str]]
) -> None:
    extra = "".join(f"&{k}={v}" for k, v in tracking)
    forms = [
        f"https://youtu.be/{video}",
        f"https://youtu.be/{video}?si=abc",
        f"https://{prefix}youtube.com/watch?v={video}{extra}",
        f"http://{prefix}youtube.com/live/{video}",
        f"https://{prefix}youtube.com/embed/{video}/",
    ]
    assert {canonical_stream_url(form) for form in forms} == {
        f"https://youtube.com/watch?v={video}"
    }


@given(st.sampled_from(["twitch.tv", "kick.com"]), _LABEL, st.sampled_from(["", "www.", "m."]))
def test_twitch_and_kick_channels_are_case_insensitive(site: str, name: str, prefix: str) -> None:
    assert canonical_stream_url(f"http://{prefix}{site}/{name.upper()}/") == (
        f"https://{site}/{name}"
    )


def test_an_announcement_linking_one_stream_twice_yields_it_once() -> None:
    text = (
        "LIVE: https://twitch.tv/Someone! also https://www.twitch.tv/someone/?utm_source=bot,"
        " and https://youtu.be/dQw4w9WgXcQ or https://www.youtube.com/watch?v=dQw4w9WgXcQ."
    )
    assert find_stream_urls(text) == ["https://twitch.tv/Someone", "https://youtu.be/dQw4w9WgXcQ"]


@pytest.mark.parametrize(
    ("url", "media"),
    [
        ("https://cdn.example/live/index.m3u8?token=1", True),
        ("https://cdn.example/manifest.MPD", True),
        ("https://cdn.example/radio.aac", True),
        ("https://cdn.example/clip.mp4", True),
        ("rtmp://ingest.example/app/key", True),
        ("rtmps://ingest.example/app/key", True),
        ("https://twitch.tv/someone", False),
        ("https://streams.example/live?tags=x.mp4", False),  # the path decides, not the query
        ("https://example.com/article.html", False),
    ],
)
def test_media_is_told_by_its_scheme_or_path(url: str, media: bool) -> None:
    assert names_media(url) is media
