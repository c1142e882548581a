"""The pytest plugin: loaded through the pytest11 entry point, one emulator per run, reset between tests."""
import textwrap

INNER = textwrap.dedent('''
    import _client

    urls = []

    def test_first(imagine_emu):
        assert imagine_emu.clock()["mode"] == "virtual"
        _client.create_evolink(imagine_emu.url, "inner-key")
        imagine_emu.scenario("maintenance", key="inner-key")
        imagine_emu.assert_created(1)
        urls.append(imagine_emu.url)

    def test_second_sees_a_reset_emulator(imagine_emu, imagine_emu_session):
        assert imagine_emu is imagine_emu_session
        assert imagine_emu.url == urls[0], "one emulator for the whole run"
        imagine_emu.assert_created(0)
        assert imagine_emu.scenarios()["rules"] == []
''')


def test_the_plugin_is_registered_by_its_entry_point(request):
    plugin = request.config.pluginmanager.get_plugin("imagine_emu")
    assert plugin is not None and plugin.__name__ == "imagine_emu.pytest_plugin"


def test_one_emulator_per_run_reset_between_tests(pytester, request):
    pytester.syspathinsert(request.path.parent)  # _client
    pytester.makepyfile(test_inner=INNER)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_the_url_option_attaches_to_a_running_emulator(pytester, request, imagine_emu):
    pytester.syspathinsert(request.path.parent)
    pytester.makepyfile(test_attached='''
        def test_attached(imagine_emu):
            assert imagine_emu.url == %r
            assert imagine_emu._process is None
    ''' % imagine_emu.url)
    result = pytester.runpytest("-p", "no:cacheprovider", "--imagine-emu-url", imagine_emu.url)
    result.assert_outcomes(passed=1)


def test_a_missing_binary_is_an_error_naming_the_option(pytester, monkeypatch):
    monkeypatch.delenv("IMAGINE_EMU_BINARY")
    monkeypatch.setenv("PATH", str(pytester.path))
    pytester.makepyfile(test_needs_emulator="def test_x(imagine_emu):\n    pass\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*imagine-emu is not on PATH*"])
