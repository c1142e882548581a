"""pytest plugin (registered through the ``pytest11`` entry point): the ``imagine_emu`` fixture.

One emulator for the whole test run (virtual clock, ``--seed``), reset before each test that uses it::

    def test_maintenance_is_retried(imagine_emu):
        imagine_emu.scenario("maintenance", key="ci-key", times=1)
        ...

Options: ``--imagine-emu-binary PATH`` (else $IMAGINE_EMU_BINARY, else the wheel's own, else ``imagine-emu``
on PATH), ``--imagine-emu-url URL`` (attach to a running emulator instead), ``--imagine-emu-seed N`` (default 1),
``--imagine-emu-admin-token T``.
"""
import pytest

from .emulator import Emulator


def pytest_addoption(parser):
    group = parser.getgroup("imagine-emu", "imagine-emu fixture")
    group.addoption("--imagine-emu-binary", default=None, metavar="PATH",
                    help="the imagine-emu binary (default: $IMAGINE_EMU_BINARY, else the wheel's own, "
                         "else imagine-emu on PATH)")
    group.addoption("--imagine-emu-url", default=None, metavar="URL",
                    help="attach to an emulator already running at URL instead of starting one")
    group.addoption("--imagine-emu-seed", default="1", metavar="N", help="--seed of the started emulator (default 1)")
    group.addoption("--imagine-emu-admin-token", default=None, metavar="T", help="the emulator's admin token")


@pytest.fixture(scope="session")
def imagine_emu_session(request):
    """The run's one emulator, not reset: prefer ``imagine_emu``."""
    option = request.config.getoption
    if option("--imagine-emu-url"):
        emu = Emulator(url=option("--imagine-emu-url"), admin_token=option("--imagine-emu-admin-token"))
    else:
        emu = Emulator(binary=option("--imagine-emu-binary"), clock="virtual", seed=option("--imagine-emu-seed"),
                       admin_token=option("--imagine-emu-admin-token"))
    with emu:
        yield emu


@pytest.fixture
def imagine_emu(imagine_emu_session):
    """The run's emulator, reset (no tasks, journal, rules or run-time profiles) before this test."""
    imagine_emu_session.reset()
    return imagine_emu_session
