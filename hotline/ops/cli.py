"""Operations commands."""

from hotline.ops.doctor import doctor_command
from hotline.ops.replay import replay_calls_command

COMMANDS = [doctor_command, replay_calls_command]
