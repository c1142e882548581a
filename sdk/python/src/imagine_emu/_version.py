# The emulator's version (CMakeLists.txt project(VERSION)); tests/test_version.py keeps them equal.
__version__ = "0.2.0"
