"""TwiML documents of the call path, built with twilio's VoiceResponse."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote_plus, urlencode

import phonenumbers
from twilio.twiml.voice_response import Dial, Gather, VoiceResponse

from hotline.voice.calls import CallFacts, HotlineSettings, Leg
from hotline.voice.prompts import Prompts, prompts_for, spoken_caller

LEG_EVENTS = "initiated ringing answered completed"
# Countries whose ringback tone Twilio can play (<Dial ringTone>).
RING_TONES = frozenset(
    [
        "at",
        "au",
        "bg",
        "br",
        "be",
        "ch",
        "cl",
        "cn",
        "cz",
        "de",
        "dk",
        "ee",
        "es",
        "fi",
        "fr",
        "gr",
        "hu",
        "il",
        "in",
        "it",
        "lt",
        "jp",
        "mx",
        "my",
        "nl",
        "no",
        "nz",
        "ph",
        "pl",
        "pt",
        "ru",
        "se",
        "sg",
        "th",
        "uk",
        "us",
        "tw",
        "ve",
        "za",
    ]
)


@functools.lru_cache(maxsize=256)
def ring_tone(hotline_number: str) -> str:
    """The caller hears the ringback of the hotline's own country."""
    region = (phonenumbers.region_code_for_number(phonenumbers.parse(hotline_number)) or "").lower()
    region = "uk" if region == "gb" else region
    return region if region in RING_TONES else "us"


@dataclass(frozen=True)
class Urls:
    """Absolute webhook URLs under the public base Twilio reaches us at."""

    base: str

    def to(self, path: str, **query: object) -> str:
        url = f"{self.base}/voice/{path}"
        return f"{url}?{urlencode(query)}" if query else url


def hotline_prompts(hotline: HotlineSettings) -> Prompts:
    return prompts_for(hotline.language)


def _say(response: VoiceResponse | Gather, text: str, hotline: HotlineSettings) -> None:
    prompts = hotline_prompts(hotline)
    response.say(text, language=prompts.say_language, voice=hotline.voice or prompts.voice)


@dataclass(frozen=True)
class Settings:
    """The hotline settings a document depends on, as a hashable value (a cache key)."""

    id: int
    number: str
    name: str
    language: str
    voice: str | None
    greeting: str | None
    ring_timeout: int
    screening: bool
    fallback_number: str | None
    voicemail_max_seconds: int

    @classmethod
    def of(cls, hotline: HotlineSettings) -> Settings:
        return cls(
            hotline.id,
            hotline.number,
            hotline.name,
            hotline.language,
            hotline.voice,
            hotline.greeting,
            hotline.ring_timeout,
            bool(hotline.screening),
            hotline.fallback_number,
            hotline.voicemail_max_seconds,
        )


# Stands for the CallSid in a cached document. Letters only, so urlencode and
# XML escaping leave it as is and it can be swapped for the real, encoded one.
_CALL_SID = "CAcallSidPlaceholder"

Builder = Callable[..., str]


def per_call(build: Builder) -> Callable[..., str]:
    """Serve `build(settings, call_sid, *args)` from a cache where only the CallSid varies.

    The documents of the call path differ from call to call by the CallSid in
    their callback URLs alone; building them with VoiceResponse once per
    hotline, ring leg and base URL keeps serialisation off every request.
    """
    cached = functools.lru_cache(maxsize=1024)(lambda *key: build(key[0], _CALL_SID, *key[1:]))

    @functools.wraps(build)
    def document(hotline: HotlineSettings, call: CallFacts, *args: object) -> str:
        return cached(Settings.of(hotline), *args).replace(_CALL_SID, quote_plus(call.call_sid))

    return document


@per_call
def greet_and_dial(hotline: Settings, call_sid: str, leg: Leg, urls: Urls) -> str:
    response = VoiceResponse()
    greeting = hotline.greeting or hotline_prompts(hotline).greeting.format(hotline=hotline.name)
    _say(response, greeting, hotline)
    response.append(_dial(hotline, call_sid, leg, urls))
    return str(response)


@per_call
def dial(hotline: Settings, call_sid: str, leg: Leg, urls: Urls) -> str:
    response = VoiceResponse()
    response.append(_dial(hotline, call_sid, leg, urls))
    return str(response)


def _dial(hotline: HotlineSettings, call_sid: str, leg: Leg, urls: Urls) -> Dial:
    query = {"call": call_sid, "pos": leg.position}
    dial_verb = Dial(
        action=urls.to("dial-result", **query),
        method="POST",
        timeout=hotline.ring_timeout,
        answer_on_bridge=True,
        ring_tone=ring_tone(hotline.number),
    )
    screening = {"url": urls.to("screen", **query), "method": "POST"} if hotline.screening else {}
    dial_verb.number(
        leg.number,
        status_callback=urls.to("leg-status", **query),
        status_callback_event=LEG_EVENTS,
        status_callback_method="POST",
        **screening,
    )
    return dial_verb


@per_call
def greet_and_voicemail(hotline: Settings, call_sid: str, urls: Urls) -> str:
    """Greeting then voicemail: nobody at all can be rung for this call."""
    response = VoiceResponse()
    greeting = hotline.greeting or hotline_prompts(hotline).greeting.format(hotline=hotline.name)
    _say(response, greeting, hotline)
    _append_voicemail(response, hotline, call_sid, urls)
    return str(response)


@per_call
def voicemail(hotline: Settings, call_sid: str, urls: Urls) -> str:
    response = VoiceResponse()
    _append_voicemail(response, hotline, call_sid, urls)
    return str(response)


def _append_voicemail(
    response: VoiceResponse, hotline: HotlineSettings, call_sid: str, urls: Urls
) -> None:
    prompts = hotline_prompts(hotline)
    _say(response, prompts.voicemail, hotline)
    query = {"call": call_sid}
    response.record(
        action=urls.to("voicemail-done", **query),
        method="POST",
        max_length=hotline.voicemail_max_seconds,
        play_beep=True,
        finish_on_key="#",
        recording_status_callback=urls.to("recording", **query),
        recording_status_callback_method="POST",
    )
    # Reached only when nothing was recorded: Twilio skips the action then.
    _say(response, prompts.no_message, hotline)
    response.hangup()


def screening(
    hotline: HotlineSettings, call: CallFacts, position: int, urls: Urls, seconds: int
) -> str:
    """Whisper to the agent who answered: who calls, for which hotline, press 1."""
    prompts = hotline_prompts(hotline)
    response = VoiceResponse()
    gather = Gather(
        num_digits=1,
        timeout=seconds,
        action=urls.to("screen-result", call=call.call_sid, pos=position),
        method="POST",
    )
    text = prompts.whisper.format(
        hotline=hotline.name, caller=spoken_caller(call.from_number, hotline.number, prompts)
    )
    _say(gather, text, hotline)
    response.append(gather)
    response.hangup()
    return str(response)


def plain_screening(language: str, action: str, seconds: int) -> str:
    """The screening prompt without the call's record (the database is away): press 1."""
    prompts = prompts_for(language)
    response = VoiceResponse()
    gather = Gather(num_digits=1, timeout=seconds, action=action, method="POST")
    gather.say(prompts.plain_whisper, language=prompts.say_language, voice=prompts.voice)
    response.append(gather)
    response.hangup()
    return str(response)


def bridge() -> str:
    """An empty document: Twilio connects the agent to the caller."""
    return str(VoiceResponse())


def say_and_hangup(hotline: HotlineSettings, text: str) -> str:
    response = VoiceResponse()
    _say(response, text, hotline)
    response.hangup()
    return str(response)


def hangup() -> str:
    response = VoiceResponse()
    response.hangup()
    return str(response)


def emergency(number: str, language: str) -> str:
    """Reach a human without the database: say sorry and dial the emergency number."""
    prompts = prompts_for(language)
    response = VoiceResponse()
    if number:
        response.say(prompts.emergency, language=prompts.say_language, voice=prompts.voice)
        response.dial(number, answer_on_bridge=True)
    else:
        response.say(prompts.unavailable, language=prompts.say_language, voice=prompts.voice)
        response.hangup()
    return str(response)
