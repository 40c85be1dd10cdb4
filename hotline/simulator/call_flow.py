"""Play Twilio's side of one inbound call: post the webhooks, follow the TwiML answered."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from urllib.parse import urljoin, urlsplit

from hotline.simulator.call_state import (
    DEFAULT_GATHER_TIMEOUT,
    MAX_DOCUMENTS,
    CallState,
    Jump,
    TwiMLLoop,
    UnsupportedTwiML,
    prompt_seconds,
)
from hotline.simulator.clock import SimulatedClock
from hotline.simulator.legs import RingLeg, require_post
from hotline.simulator.result import Ending, LegReport, SimulationResult
from hotline.simulator.scenario import Scenario
from hotline.simulator.transcript import Transcript
from hotline.simulator.twilio_peer import Transport, TwilioPeer, WebhookFailed, new_sid
from hotline.simulator.twiml_reader import InvalidTwiML, Verb, read_twiml

DEFAULT_DIAL_TIMEOUT = 30
DEFAULT_RECORD_SILENCE = 5
DEFAULT_RECORD_MAX_LENGTH = 3600
RECORDINGS = "https://api.twilio.com/2010-04-01/Accounts/{account}/Recordings/{sid}"
PROMPT_VERBS = frozenset({"Say", "Play", "Pause"})
SIMULATION_ERRORS = (WebhookFailed, InvalidTwiML, UnsupportedTwiML, TwiMLLoop)


class Flow(Enum):
    CONTINUE = "continue"  # on to the document's next verb
    END = "end"  # the call is over


Step = Flow | Jump


@dataclass(frozen=True)
class Recording:
    sid: str
    url: str
    duration: int
    started_at: int


def endpoint(base_url: str, path: str) -> str:
    """A path under the server's base URL (kept as is when already absolute)."""
    if urlsplit(path).scheme:
        return path
    return f"{base_url.rstrip('/')}/{path.lstrip('/')}"


def dial_params(leg: LegReport) -> dict[str, str]:
    """What the `<Dial action>` learns about the leg that ended."""
    params = {
        "DialCallSid": leg.leg_sid,
        "DialCallStatus": leg.status,
        "DialBridged": "true" if leg.bridged else "false",
    }
    if leg.duration is not None:
        params["DialCallDuration"] = str(leg.duration)
    return params


def dialled_number(dial: Verb) -> Verb:
    """The one `<Number>` a `<Dial>` rings (a bare number counts as one)."""
    if not dial.children:
        if not dial.text:
            raise InvalidTwiML("<Dial> with nothing to dial")
        return Verb("Number", text=dial.text)
    others = [noun.name for noun in dial.children if noun.name != "Number"]
    if others:
        raise UnsupportedTwiML(f"<Dial><{others[0]}> is not simulated")
    if len(dial.children) > 1:
        raise UnsupportedTwiML(
            f"<Dial> ringing {len(dial.children)} numbers at once is not simulated"
        )
    return dial.children[0]


class CallSimulation:
    """One inbound call, from the caller dialling to the final status callback."""

    def __init__(
        self,
        base_url: str,
        token: str,
        scenario: Scenario,
        transport: Transport | None = None,
        start: datetime | None = None,
        clock: SimulatedClock | None = None,
        echo: Callable[[str], None] | None = None,
    ) -> None:
        clock = clock or SimulatedClock(start)
        peer = TwilioPeer(token, clock, transport)
        self.state = CallState(scenario, base_url, clock, peer, Transcript(clock, echo))
        self.legs: list[LegReport] = []
        self.voicemail_offered = False
        self.message_seconds = 0
        self.error: str | None = None
        self.verbs: dict[str, Callable[[str, Verb], Step]] = {
            "Say": self.say,
            "Play": self.play,
            "Pause": self.pause,
            "Gather": self.gather,
            "Dial": self.dial,
            "Record": self.record,
            "Redirect": self.redirect,
            "Hangup": self.hangup,
            "Reject": self.reject,
        }

    def run(self) -> SimulationResult:
        state, scenario = self.state, self.state.scenario
        state.transcript.add(
            f"caller {scenario.from_number} dials {scenario.to_number} (call {state.call_sid})"
        )
        try:
            url = endpoint(state.base_url, "/voice/incoming")
            self.follow(url, state.peer.post(url, state.call_params("ringing")))
        except SIMULATION_ERRORS as exc:
            self.fail(exc)
        try:
            self.finish()
        finally:
            state.peer.close()
        return self.result()

    def follow(self, url: str, body: str) -> None:
        for _ in range(MAX_DOCUMENTS):
            step = self.run_document(url, body)
            if not isinstance(step, Jump):
                return
            url, body = step.url, step.body
        raise TwiMLLoop(f"the call went through {MAX_DOCUMENTS} TwiML documents without ending")

    def run_document(self, url: str, body: str) -> Step:
        for verb in read_twiml(body):
            if self.state.caller_gone:
                return Flow.END
            play = self.verbs.get(verb.name)
            if play is None:
                raise UnsupportedTwiML(f"<{verb.name}> is not simulated")
            step = play(url, verb)
            if step is not Flow.CONTINUE:
                return step
        if not self.state.caller_gone:
            self.state.transcript.add("no more TwiML: Twilio hangs up")
        return Flow.END

    # Verbs of the caller's leg.

    def say(self, url: str, verb: Verb) -> Step:
        self.state.transcript.add(f'hotline says: "{verb.text}"')
        return self._listen(prompt_seconds(verb))

    def play(self, url: str, verb: Verb) -> Step:
        self.state.transcript.add(f"hotline plays {verb.text}")
        return self._listen(prompt_seconds(verb))

    def pause(self, url: str, verb: Verb) -> Step:
        return self._listen(prompt_seconds(verb))

    def gather(self, url: str, verb: Verb) -> Step:
        """The caller is asked for keys but presses none: Twilio moves on."""
        for prompt in verb.children:
            if prompt.name not in PROMPT_VERBS:
                raise UnsupportedTwiML(f"<{prompt.name}> is not allowed in a <Gather>")
            if self.verbs[prompt.name](url, prompt) is Flow.END:
                return Flow.END
        step = self._listen(verb.int_attr("timeout", DEFAULT_GATHER_TIMEOUT))
        if step is Flow.CONTINUE:
            self.state.transcript.add("caller presses no key")
        return step

    def _listen(self, seconds: int) -> Step:
        if self.state.wait(seconds):
            self.state.transcript.add("caller hangs up")
            return Flow.END
        return Flow.CONTINUE

    def dial(self, url: str, verb: Verb) -> Step:
        """Ring one number, then post the dial action and follow what it answers."""
        require_post(verb, "method")
        state = self.state
        ringer = RingLeg(
            state,
            url,
            dialled_number(verb),
            timeout=verb.int_attr("timeout", DEFAULT_DIAL_TIMEOUT),
            caller_id=verb.attr("callerId") or state.scenario.from_number,
            position=len(self.legs) + 1,
            behaviour=state.scenario.behaviour_of_leg(len(self.legs)),
        )
        self.legs.append(ringer.leg)
        leg = ringer.run()
        action = verb.attr("action")
        if not action:
            # Without an action Twilio goes on with the verbs after <Dial>.
            return Flow.END if state.caller_gone else Flow.CONTINUE
        action_url = urljoin(url, action)
        body = state.peer.post(
            action_url, state.call_params(state.parent_status) | dial_params(leg)
        )
        # Twilio still reports to the action when the caller is gone, but plays nothing more.
        return Flow.END if state.caller_gone else Jump(action_url, body)

    def record(self, url: str, verb: Verb) -> Step:
        """Voicemail: the caller leaves the scripted message, or none."""
        for attribute in ("method", "recordingStatusCallbackMethod"):
            require_post(verb, attribute)
        state = self.state
        self.voicemail_offered = True
        if verb.attr("playBeep", "true").lower() != "false":
            state.transcript.add("beep")
        wanted = state.scenario.message_seconds
        max_length = verb.int_attr("maxLength", DEFAULT_RECORD_MAX_LENGTH)
        started = state.clock.elapsed
        if wanted > 0:
            state.wait(min(wanted, max_length))
        recorded = state.clock.elapsed - started
        if recorded == 0:
            return self._record_nothing(url, verb)
        self.message_seconds = recorded
        cut_off = wanted > max_length and not state.caller_gone
        if cut_off:
            state.transcript.add(f"voicemail: recording stops at its {max_length} s limit")
        else:
            state.transcript.add(f"voicemail: caller leaves {recorded} s, then hangs up")
            state.caller_gone = True
        sid = new_sid("RE")
        recording = Recording(
            sid, RECORDINGS.format(account=state.scenario.account_sid, sid=sid), recorded, started
        )
        params = state.call_params(state.parent_status) | {
            "RecordingUrl": recording.url,
            "RecordingSid": recording.sid,
            "RecordingDuration": str(recording.duration),
        }
        if not cut_off:
            params["Digits"] = "hangup"
        action_url = urljoin(url, verb.attr("action") or url)
        body = state.peer.post(action_url, params)
        self._recording_status(url, verb, "completed", recording)
        return Flow.END if state.caller_gone else Jump(action_url, body)

    def _record_nothing(self, url: str, verb: Verb) -> Step:
        # Nothing recorded: Twilio skips the action and plays the verbs after <Record>.
        state = self.state
        state.transcript.add("voicemail: caller leaves no message")
        gone = state.wait(verb.int_attr("timeout", DEFAULT_RECORD_SILENCE))
        self._recording_status(url, verb, "absent", Recording(new_sid("RE"), "", 0, 0))
        return Flow.END if gone else Flow.CONTINUE

    def _recording_status(self, url: str, verb: Verb, status: str, recording: Recording) -> None:
        callback = verb.attr("recordingStatusCallback")
        events = verb.attr("recordingStatusCallbackEvent") or "completed"
        if not callback or status not in events.replace(",", " ").split():
            return
        state = self.state
        params = {
            "AccountSid": state.scenario.account_sid,
            "CallSid": state.call_sid,
            "RecordingSid": recording.sid,
            "RecordingStatus": status,
            "RecordingDuration": str(recording.duration),
            "RecordingChannels": "1",
            "RecordingSource": "RecordVerb",
            "RecordingStartTime": state.clock.rfc2822(recording.started_at),
        }
        if recording.url:
            params["RecordingUrl"] = recording.url
        state.peer.post(urljoin(url, callback), params)

    def redirect(self, url: str, verb: Verb) -> Step:
        require_post(verb, "method")
        target = urljoin(url, verb.text or url)
        self.state.transcript.add(f"redirected to {target}")
        return Jump(target, self.state.peer.post(target, self.state.call_params("in-progress")))

    def hangup(self, url: str, verb: Verb) -> Step:
        self.state.transcript.add("the server hangs up")
        return Flow.END

    def reject(self, url: str, verb: Verb) -> Step:
        self.state.transcript.add(
            f"the server rejects the call ({verb.attr('reason', 'rejected')})"
        )
        return Flow.END

    # End of the call.

    def fail(self, exc: Exception) -> None:
        if self.error is None:
            self.error = str(exc)
            self.state.transcript.add(f"error: {exc}")

    def finish(self) -> None:
        """Post the caller's leg's final status to the number's status callback."""
        state = self.state
        if not state.peer.exchanges:
            return  # the server was never reached: nothing to report to
        state.transcript.add(f"call ends after {state.clock.elapsed} s")
        if not state.scenario.status_path:
            return
        params = state.call_params("completed") | {
            "CallDuration": str(state.clock.elapsed),
            "Timestamp": state.clock.rfc2822(),
            "CallbackSource": "call-progress-events",
        }
        try:
            state.peer.post(endpoint(state.base_url, state.scenario.status_path), params)
        except WebhookFailed as exc:
            self.fail(exc)

    def ending(self) -> Ending:
        if self.error is not None:
            return Ending.ERROR
        if any(leg.bridged for leg in self.legs):
            return Ending.ANSWERED
        if self.message_seconds > 0:
            return Ending.VOICEMAIL
        if self.voicemail_offered:
            return Ending.MISSED
        if self.state.hung_up_at is not None:
            return Ending.ABANDONED
        return Ending.ENDED

    def result(self) -> SimulationResult:
        state = self.state
        return SimulationResult(
            call_sid=state.call_sid,
            from_number=state.scenario.from_number,
            to_number=state.scenario.to_number,
            ending=self.ending(),
            duration=state.clock.elapsed,
            legs=self.legs,
            message_seconds=self.message_seconds,
            transcript=state.transcript.lines,
            exchanges=state.peer.exchanges,
            error=self.error,
            hung_up_at=state.hung_up_at,
            connected_at=state.connected_at,
        )


def simulate_call(
    base_url: str,
    token: str,
    scenario: Scenario,
    *,
    transport: Transport | None = None,
    start: datetime | None = None,
    clock: SimulatedClock | None = None,
    echo: Callable[[str], None] | None = None,
) -> SimulationResult:
    """Play one call against the server at `base_url`, signing with `token`.

    Time is compressed unless `clock` is a `RealTimeClock`: then the call takes as
    long as it would on a phone, and the server's timeline of it is truthful.
    `echo` gets each transcript line as it happens.
    """
    return CallSimulation(base_url, token, scenario, transport, start, clock, echo).run()
