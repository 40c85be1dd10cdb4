"""Operations commands."""

from hotline.ops.doctor import doctor_command

COMMANDS = [doctor_command]
