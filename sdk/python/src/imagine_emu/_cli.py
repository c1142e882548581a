"""The ``imagine-emu`` and ``imagine-conform`` commands of the platform wheel (its entry_points.txt
names them; the sdist installs no commands): each replaces this Python process with the binary the
wheel bundles, with the same arguments, so exit codes and signals are the binary's own."""
import os
import sys

from .emulator import bundled_binary


def _exec(name):
    path = bundled_binary(name)
    if not path:
        sys.exit("%s: this imagine-emu package carries no binary (only the platform wheel does); "
                 "install the binary another way and put it on PATH" % name)
    os.execv(path, [name] + sys.argv[1:])


def emu():
    _exec("imagine-emu")


def conform():
    _exec("imagine-conform")
