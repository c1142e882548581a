# The imagine_emu fixture comes from the installed package's pytest11 entry point (run-tests.sh installs
# it), not from here; pytester runs inner test sessions for the plugin's own tests.
pytest_plugins = ["pytester"]
