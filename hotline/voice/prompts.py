"""What the hotline says, in the hotline's language, from the same catalog as the pages."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import force_locale, gettext

from hotline.phone import is_withheld, spoken_digits

# The text-to-speech language and voice Twilio's <Say> uses for each language we speak.
VOICES = {"fr": ("fr-FR", "Polly.Lea"), "en": ("en-GB", "Polly.Amy")}
DEFAULT_LANGUAGE = "en"


@dataclass(frozen=True)
class Prompts:
    say_language: str
    voice: str
    greeting: str
    whisper: str
    plain_whisper: str
    caller_gone: str
    withheld_number: str
    voicemail: str
    voicemail_thanks: str
    no_message: str
    emergency: str
    unavailable: str


def prompts_for(language: str) -> Prompts:
    """The prompts in `language` (English for a language we do not speak).

    `greeting` and `whisper` keep `{hotline}` and `{caller}` to fill in.
    """
    language = language if language in VOICES else DEFAULT_LANGUAGE
    say_language, voice = VOICES[language]
    with force_locale(language):
        return Prompts(
            say_language=say_language,
            voice=voice,
            greeting=gettext(
                "Hello, you have reached {hotline}. We are finding the person on call, please hold."
            ),
            # Heard on every call: short, and says that a refusal is a key away.
            whisper=gettext(
                "Call for {hotline}, from {caller}. Press 1 to accept, another key to refuse."
            ),
            plain_whisper=gettext(
                "A call for your on-call line. Press 1 to accept, another key to refuse."
            ),
            caller_gone=gettext("The caller has hung up. Goodbye."),
            withheld_number=gettext("a withheld number"),
            voicemail=gettext(
                "Nobody is available right now. "
                "Please leave a message after the tone, then hang up."
            ),
            voicemail_thanks=gettext("Thank you, your message has been recorded. Goodbye."),
            no_message=gettext("No message was recorded. Goodbye."),
            emergency=gettext(
                "We are having a technical problem. "
                "We are transferring your call to the emergency number."
            ),
            unavailable=gettext("The service is temporarily unavailable. Please call again."),
        )


def spoken_caller(number: str, home: str, prompts: Prompts) -> str:
    """Say the caller's number digit by digit as dialled from `home`, or that it is withheld."""
    if is_withheld(number):
        return prompts.withheld_number
    return spoken_digits(number, home)
