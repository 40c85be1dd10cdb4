"""One ring leg of a `<Dial>`: progress callbacks, pick-up, screening whisper, conversation."""

from __future__ import annotations

from urllib.parse import urljoin

from hotline.simulator.call_state import (
    API_VERSION,
    DEFAULT_GATHER_TIMEOUT,
    MAX_DOCUMENTS,
    CallState,
    Jump,
    TwiMLLoop,
    UnsupportedTwiML,
    prompt_seconds,
)
from hotline.simulator.callees import KEY_PRESS_DELAY, SETUP_SECONDS, CalleePlan, plan_leg
from hotline.simulator.result import LegReport
from hotline.simulator.scenario import Behaviour
from hotline.simulator.twilio_peer import new_sid
from hotline.simulator.twiml_reader import Verb, read_twiml

# Status callback events, by the CallStatus they report; terminal statuses are "completed".
EVENT_OF_STATUS = {"initiated": "initiated", "ringing": "ringing", "in-progress": "answered"}
WHISPER_VERBS = frozenset({"Say", "Play", "Pause", "Gather", "Hangup"})
END_OF_RINGING = {
    "no-answer": "no answer after {seconds} s",
    "busy": "busy (rejected after {seconds} s)",
    "failed": "failed: the carrier could not reach the number",
}


def require_post(verb: Verb, attribute: str) -> None:
    """The simulator speaks POST only, as the hotline's TwiML asks everywhere."""
    method = verb.attr(attribute, "POST").upper()
    if method != "POST":
        raise UnsupportedTwiML(f"<{verb.name} {attribute}={method!r}>: only POST is simulated")


class RingLeg:
    """Rings one `<Number>` for the caller and plays the scripted callee."""

    def __init__(
        self,
        state: CallState,
        doc_url: str,
        number: Verb,
        *,
        timeout: int,
        caller_id: str,
        position: int,
        behaviour: Behaviour,
    ) -> None:
        self.state = state
        self.doc_url = doc_url
        self.number = number
        self.timeout = timeout
        self.caller_id = caller_id
        for attribute in ("method", "statusCallbackMethod"):
            require_post(number, attribute)
        callback = number.attr("statusCallback")
        self.callback_url = urljoin(doc_url, callback) if callback else ""
        events = number.attr("statusCallbackEvent") or "completed"
        self.events = set(events.replace(",", " ").split())
        self.sequence = 0
        self.leg = LegReport(
            position=position,
            number=number.text,
            name=state.scenario.name_of(number.text),
            behaviour=behaviour,
            leg_sid=new_sid("CA"),
            started_at=state.clock.elapsed,
        )

    def leg_params(self, status: str) -> dict[str, str]:
        """What Twilio sends about the callee's leg (whisper, key press, status)."""
        state = self.state
        return {
            "AccountSid": state.scenario.account_sid,
            "ApiVersion": API_VERSION,
            "CallSid": self.leg.leg_sid,
            "ParentCallSid": state.call_sid,
            "CallStatus": status,
            "Direction": "outbound-dial",
            "From": self.caller_id,
            "Caller": self.caller_id,
            "To": self.number.text,
            "Called": self.number.text,
        }

    def report(self, status: str) -> None:
        """Post the leg's status callback when its `<Number>` asked for this event."""
        event = EVENT_OF_STATUS.get(status, "completed")
        if not self.callback_url or event not in self.events:
            return
        params = self.leg_params(status)
        params["Timestamp"] = self.state.clock.rfc2822()
        params["SequenceNumber"] = str(self.sequence)
        params["CallbackSource"] = "call-progress-events"
        if event == "completed":
            params["CallDuration"] = str(self.leg.duration or 0)
        self.sequence += 1
        self.state.peer.post(self.callback_url, params)

    def run(self) -> LegReport:
        """Ring, then give up, get cancelled, or pick up (and screen, and talk)."""
        leg, state = self.leg, self.state
        plan = plan_leg(leg.behaviour, self.timeout)
        state.transcript.add(
            f"ring leg {leg.position}: {leg.who} ({leg.behaviour}; rings up to {self.timeout} s)"
        )
        self.report("initiated")
        if plan.rings:
            if state.wait(SETUP_SECONDS):
                return self._cancel()
            self.report("ringing")
        ring_started = state.clock.elapsed
        if state.wait(plan.seconds):
            return self._cancel()
        if not plan.answers:
            return self._give_up(plan, state.clock.elapsed - ring_started)
        return self._pick_up(plan, state.clock.elapsed - ring_started)

    def _end(self, status: str) -> LegReport:
        self.leg.status = status
        self.leg.ended_at = self.state.clock.elapsed
        self.report(status)
        return self.leg

    def _cancel(self) -> LegReport:
        self.state.transcript.add(
            f"caller hangs up while leg {self.leg.position} rings: leg canceled"
        )
        return self._end("canceled")

    def _give_up(self, plan: CalleePlan, seconds: int) -> LegReport:
        text = END_OF_RINGING[plan.end_status].format(seconds=seconds)
        self.state.transcript.add(f"leg {self.leg.position}: {self.leg.who}: {text}")
        return self._end(plan.end_status)

    def _pick_up(self, plan: CalleePlan, rang: int) -> LegReport:
        leg, state = self.leg, self.state
        leg.answered_at = state.clock.elapsed
        state.transcript.add(f"leg {leg.position}: {plan.pick_up} after {rang} s")
        self.report("in-progress")
        whisper = self.number.attr("url")
        bridged = self._screen(urljoin(self.doc_url, whisper), plan) if whisper else True
        if bridged and not state.caller_gone:
            leg.bridged = True
            self._talk()
        return self._end("completed")

    def _talk(self) -> None:
        leg, state = self.leg, self.state
        state.connected_at = state.clock.elapsed
        partner = (
            f"{leg.who}'s personal voicemail" if leg.behaviour == Behaviour.VOICEMAIL else leg.who
        )
        state.transcript.add(f"connected: the caller is talking to {partner}")
        talk = state.scenario.talk_seconds
        if state.wait(talk):
            talked = state.clock.elapsed - state.connected_at
            state.transcript.add(f"caller hangs up after {talked} s of conversation")
            return
        state.transcript.add(f"leg {leg.position} hangs up after {talk} s of conversation")

    def _screen(self, url: str, plan: CalleePlan) -> bool:
        """Play the whisper on the callee's leg; True when it ends in a bridge."""
        body = self.state.peer.post(url, self.leg_params("in-progress"))
        for _ in range(MAX_DOCUMENTS):
            outcome = self._whisper(url, body, plan)
            if not isinstance(outcome, Jump):
                return outcome
            url, body = outcome.url, outcome.body
        raise TwiMLLoop(f"the whisper of leg {self.leg.position} never ended")

    def _whisper(self, url: str, body: str, plan: CalleePlan) -> bool | Jump:
        for verb in read_twiml(body):
            if verb.name not in WHISPER_VERBS:
                raise UnsupportedTwiML(f"<{verb.name}> is not allowed in a <Number url> whisper")
            if verb.name == "Hangup":
                self.state.transcript.add(
                    f"whisper hangs up leg {self.leg.position}: not connected"
                )
                return False
            if verb.name == "Gather":
                outcome = self._gather(url, verb, plan)
                if outcome is not None:
                    return outcome
                continue
            if self._listen(verb):
                return self._caller_left_during_screening()
        # Twilio bridges the callee once the whisper document runs out of verbs.
        return True

    def _listen(self, verb: Verb) -> bool:
        """The callee hears a prompt; True when the caller hangs up meanwhile."""
        if verb.name == "Say":
            self.state.transcript.add(f'whisper to leg {self.leg.position}: "{verb.text}"')
        return self.state.wait(prompt_seconds(verb))

    def _gather(self, url: str, gather: Verb, plan: CalleePlan) -> bool | Jump | None:
        """Run a `<Gather>`: press the scripted key, or let it time out (None: go on)."""
        require_post(gather, "method")
        for prompt in gather.children:
            if self._listen(prompt):
                return self._caller_left_during_screening()
        state = self.state
        if plan.digit is None:
            if state.wait(gather.int_attr("timeout", DEFAULT_GATHER_TIMEOUT)):
                return self._caller_left_during_screening()
            state.transcript.add(f"leg {self.leg.position}: {plan.screening}")
            return None
        if state.wait(KEY_PRESS_DELAY):
            return self._caller_left_during_screening()
        state.transcript.add(f"leg {self.leg.position}: {self.leg.who} presses {plan.digit}")
        action = urljoin(url, gather.attr("action") or url)
        params = self.leg_params("in-progress") | {"Digits": plan.digit, "FinishedOnKey": ""}
        return Jump(action, state.peer.post(action, params))

    def _caller_left_during_screening(self) -> bool:
        self.state.transcript.add(
            f"caller hangs up while leg {self.leg.position} is being screened"
        )
        return False
