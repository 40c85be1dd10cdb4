"""The call simulator: plays Twilio against a running server, with scripted callees."""

from hotline.simulator.call_flow import simulate_call
from hotline.simulator.result import Ending, LegReport, SimulationResult
from hotline.simulator.scenario import Behaviour, InvalidScenario, Scenario, parse_legs

__all__ = [
    "Behaviour",
    "Ending",
    "InvalidScenario",
    "LegReport",
    "Scenario",
    "SimulationResult",
    "parse_legs",
    "simulate_call",
]
