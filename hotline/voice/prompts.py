"""What the hotline says, in each language it speaks."""

from __future__ import annotations

from dataclasses import dataclass

from hotline.phone import spoken_digits


@dataclass(frozen=True)
class Prompts:
    say_language: str
    voice: str
    greeting: str
    whisper: str
    caller_gone: str
    withheld_number: str
    voicemail: str
    voicemail_thanks: str
    no_message: str
    emergency: str
    unavailable: str


PROMPTS: dict[str, Prompts] = {
    "fr": Prompts(
        say_language="fr-FR",
        voice="Polly.Lea",
        greeting="Bonjour, vous êtes en relation avec {hotline}. "
        "Nous recherchons la personne d'astreinte, merci de patienter.",
        whisper="Appel pour {hotline}, de la part du {caller}. Appuyez sur 1 pour prendre l'appel.",
        caller_gone="L'appelant a raccroché. Au revoir.",
        withheld_number="numéro masqué",
        voicemail="Personne n'est disponible pour le moment. "
        "Laissez votre message après le bip, puis raccrochez.",
        voicemail_thanks="Merci, votre message a été enregistré. Au revoir.",
        no_message="Aucun message n'a été enregistré. Au revoir.",
        emergency="Nous rencontrons un problème technique. "
        "Nous transférons votre appel vers le numéro de secours.",
        unavailable="Le service est momentanément indisponible. Merci de rappeler.",
    ),
    "en": Prompts(
        say_language="en-GB",
        voice="Polly.Amy",
        greeting="Hello, you have reached {hotline}. "
        "We are finding the person on call, please hold.",
        whisper="Call for {hotline}, from {caller}. Press 1 to take the call.",
        caller_gone="The caller has hung up. Goodbye.",
        withheld_number="a withheld number",
        voicemail="Nobody is available right now. "
        "Please leave a message after the tone, then hang up.",
        voicemail_thanks="Thank you, your message has been recorded. Goodbye.",
        no_message="No message was recorded. Goodbye.",
        emergency="We are having a technical problem. "
        "We are transferring your call to the emergency number.",
        unavailable="The service is temporarily unavailable. Please call again.",
    ),
}


def prompts_for(language: str) -> Prompts:
    return PROMPTS.get(language, PROMPTS["en"])


def spoken_caller(number: str, prompts: Prompts) -> str:
    """Say the caller's number digit by digit, or that it is withheld."""
    if not number or not number.startswith("+") or not number[1:].isdigit():
        return prompts.withheld_number
    return spoken_digits(number)
