"""The package's version follows the emulator's: CMakeLists.txt project(VERSION) and the binary's answer."""
import importlib.metadata
import os
import pathlib
import re

import imagine_emu as package


def expected_version():
    """CTest passes CMake's PROJECT_VERSION; run by hand in the repo, read CMakeLists.txt."""
    if os.environ.get("IMAGINE_EMU_EXPECTED_VERSION"):
        return os.environ["IMAGINE_EMU_EXPECTED_VERSION"]
    cmake = pathlib.Path(__file__).resolve().parents[3] / "CMakeLists.txt"
    return re.search(r"project\(imagine-emu VERSION ([0-9.]+)", cmake.read_text()).group(1)


def test_the_package_version_is_the_emulators():
    assert package.__version__ == expected_version()
    assert importlib.metadata.version("imagine-emu") == package.__version__, "pyproject's dynamic version"


def test_the_binary_reports_the_same_version(imagine_emu):
    assert imagine_emu.version() == expected_version()
