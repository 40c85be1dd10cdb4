"""A voicemail's audio, fetched from Twilio with the account's credentials.

Twilio's recording URL asks for HTTP basic authentication when the account
protects its media (Twilio's recommended setting) and is readable by anyone
holding it when it does not. So the app never hands that URL out: it fetches
the audio itself for the users allowed to see the call, and streams it on
without keeping a copy. When it cannot, the error says why, for the listener
to be told: Twilio away, a recording kept encrypted, one the call simulator
made up.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

import requests

from hotline.simulator.scenario import DEFAULT_ACCOUNT_SID as SIMULATOR_ACCOUNT_SID

log = logging.getLogger("hotline.voice")

TWILIO_API_BASE = "https://api.twilio.com"
# Twilio serves a recording as WAV without extension and as MP3 with ".mp3":
# MP3 plays in every browser and weighs a fraction of the WAV.
MEDIA_EXTENSION = ".mp3"
# Twilio's answer to the MP3 of a recording it keeps encrypted with the account's
# public key (Voice Recording Encryption): only the WAV exists, which nobody can
# play without the account's private key.
ENCRYPTED_RECORDING_ERROR = 16109
ERROR_BODY_BYTES = 4096  # Twilio's JSON error is a few hundred bytes
# (connect, read) seconds: a listener waits a few seconds, not a worker's minute.
FETCH_TIMEOUT = (3.05, 10)
CHUNK_BYTES = 64 * 1024


class RecordingUnavailable(Exception):
    """Twilio could not be asked for the recording, or would not give it."""


class TwilioUnreachable(RecordingUnavailable):
    """Twilio did not answer, or failed to: the recording is still kept there."""


class RecordingEncrypted(RecordingUnavailable):
    """Twilio keeps the recording encrypted with the account's public key."""


class SimulatedRecording(RecordingUnavailable):
    """The call simulator made the recording up: there is no audio anywhere."""


def is_simulated(recording_url: str) -> bool:
    """Whether the recording belongs to the call simulator's account (`hotline simulate`
    against the demo, which has no Twilio account), not to a real one."""
    return f"/Accounts/{SIMULATOR_ACCOUNT_SID}/" in urlsplit(recording_url).path


def media_url(recording_url: str, api_base: str = "") -> str:
    """Twilio's MP3 of the recording at `recording_url`, on `api_base` (default Twilio's).

    Only the stored URL's path is kept: the account's credentials go to Twilio's
    API (or the configured stand-in), never to a host read from the database.
    """
    path = urlsplit(recording_url).path
    for extension in (".wav", ".mp3"):
        path = path.removesuffix(extension)
    return (api_base or TWILIO_API_BASE).rstrip("/") + path + MEDIA_EXTENSION


# The one form of Range a browser's audio player sends: a single span of bytes.
BYTE_RANGE = re.compile(r"bytes=(\d+-\d*|-\d+)")
# What the listener is told of Twilio's answer to a Range request.
PASSED_ON_HEADERS = ("Content-Range", "Accept-Ranges")


class RecordingStream:
    """The audio as it arrives from Twilio; closing it closes the upstream connection."""

    def __init__(self, upstream: requests.Response) -> None:
        self._upstream = upstream

    @property
    def status(self) -> int:
        """200 for the whole recording, 206 for the part a Range asked for."""
        return self._upstream.status_code

    @property
    def range_headers(self) -> dict[str, str]:
        headers = self._upstream.headers
        return {name: headers[name] for name in PASSED_ON_HEADERS if name in headers}

    @property
    def content_type(self) -> str:
        return self._upstream.headers.get("Content-Type", "audio/mpeg")

    @property
    def content_length(self) -> int | None:
        length = self._upstream.headers.get("Content-Length", "")
        return int(length) if length.isdigit() else None

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self._upstream.iter_content(CHUNK_BYTES)
        except requests.RequestException as exc:
            # Headers are gone already: all that is left is to cut the stream short.
            log.warning("recording %s cut short: %s", self._upstream.url, exc)

    def close(self) -> None:
        self._upstream.close()


class RangeNotSatisfiable(RecordingUnavailable):
    """The part of the recording asked for lies beyond its end."""


def open_recording(
    recording_url: str, config: Mapping[str, Any], byte_range: str | None = None
) -> RecordingStream:
    """Start fetching the recording's MP3, or the part `byte_range` (a Range header) asks
    for, so that a player can seek; raise RecordingUnavailable when Twilio says no."""
    if is_simulated(recording_url):
        raise SimulatedRecording(f"{recording_url} was made up by the call simulator")
    sid, token = config["TWILIO_ACCOUNT_SID"], config["TWILIO_AUTH_TOKEN"]
    if not sid or not token:
        raise RecordingUnavailable(
            "recordings need TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN to be fetched"
        )
    url = media_url(recording_url, config.get("TWILIO_API_BASE_URL") or "")
    try:
        # A redirect to Twilio's media storage is followed; requests drops the
        # credentials when the host changes.
        upstream = requests.get(
            url,
            auth=(sid, token),
            headers=_range_header(byte_range),
            stream=True,
            timeout=FETCH_TIMEOUT,
        )
    except requests.RequestException as exc:
        raise TwilioUnreachable(f"Twilio unreachable for {url}: {exc}") from exc
    stream = RecordingStream(upstream)
    if upstream.status_code == 416:
        stream.close()
        raise RangeNotSatisfiable(f"{byte_range} is beyond the end of {url}")
    if upstream.status_code not in (200, 206):
        refusal = _refusal(upstream, url)
        stream.close()
        raise refusal
    if not stream.content_type.startswith("audio/"):
        # Served from our own origin, anything but audio (an HTML page from a
        # proxy, say) would be a page of ours: refuse it.
        stream.close()
        raise RecordingUnavailable(f"Twilio sent {stream.content_type!r}, not audio, for {url}")
    return stream


def _refusal(upstream: requests.Response, url: str) -> RecordingUnavailable:
    """What Twilio's error answer means for whoever wanted to listen."""
    status = upstream.status_code
    if status >= 500:
        return TwilioUnreachable(f"Twilio answered {status} for {url}")
    if _twilio_error_code(upstream) == ENCRYPTED_RECORDING_ERROR:
        return RecordingEncrypted(f"Twilio answered {status} for {url}: the recording is encrypted")
    return RecordingUnavailable(f"Twilio answered {status} for {url}")


def _twilio_error_code(upstream: requests.Response) -> int | None:
    """The `code` of Twilio's JSON error answer, if that is what came."""
    try:
        body = json.loads(next(upstream.iter_content(ERROR_BODY_BYTES), b""))
    except (ValueError, requests.RequestException):
        return None
    code = body.get("code") if isinstance(body, dict) else None
    return code if isinstance(code, int) else None


def _range_header(byte_range: str | None) -> dict[str, str]:
    """The Range to ask Twilio for: a single span of bytes, anything else is ignored."""
    if byte_range is None or not BYTE_RANGE.fullmatch(byte_range.strip()):
        return {}
    return {"Range": byte_range.strip()}
