"""TwiML documents of the call path, built with twilio's VoiceResponse."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from urllib.parse import urlencode

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


def greet_and_dial(hotline: HotlineSettings, call: CallFacts, leg: Leg, urls: Urls) -> str:
    response = VoiceResponse()
    greeting = hotline.greeting or hotline_prompts(hotline).greeting.format(hotline=hotline.name)
    _say(response, greeting, hotline)
    response.append(_dial(hotline, call, leg, urls))
    return str(response)


def dial(hotline: HotlineSettings, call: CallFacts, leg: Leg, urls: Urls) -> str:
    response = VoiceResponse()
    response.append(_dial(hotline, call, leg, urls))
    return str(response)


def _dial(hotline: HotlineSettings, call: CallFacts, leg: Leg, urls: Urls) -> Dial:
    query = {"call": call.call_sid, "pos": leg.position}
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


def greet_and_voicemail(hotline: HotlineSettings, call: CallFacts, urls: Urls) -> str:
    """Greeting then voicemail: nobody at all can be rung for this call."""
    response = VoiceResponse()
    greeting = hotline.greeting or hotline_prompts(hotline).greeting.format(hotline=hotline.name)
    _say(response, greeting, hotline)
    _append_voicemail(response, hotline, call, urls)
    return str(response)


def voicemail(hotline: HotlineSettings, call: CallFacts, urls: Urls) -> str:
    response = VoiceResponse()
    _append_voicemail(response, hotline, call, urls)
    return str(response)


def _append_voicemail(
    response: VoiceResponse, hotline: HotlineSettings, call: CallFacts, urls: Urls
) -> None:
    prompts = hotline_prompts(hotline)
    _say(response, prompts.voicemail, hotline)
    query = {"call": call.call_sid}
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
        hotline=hotline.name, caller=spoken_caller(call.from_number, prompts)
    )
    _say(gather, text, hotline)
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
