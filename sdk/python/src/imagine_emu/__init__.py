"""Start or attach to imagine-emu and drive it from tests through its control API (/_emulator/).

    from imagine_emu import Emulator

    with Emulator(seed=1) as emu:          # binary=..., IMAGINE_EMU_BINARY, the wheel's own, or PATH
        ...                                # point the code under test at emu.url
        emu.wait_until_terminal(task_id)

With pytest installed, the ``imagine_emu`` fixture gives each test the same emulator, reset.
"""
from ._version import __version__
from .emulator import TERMINAL_STATES, Emulator, EmulatorError, find_binary

__all__ = ["Emulator", "EmulatorError", "TERMINAL_STATES", "find_binary", "__version__"]
