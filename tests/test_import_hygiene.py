"""The headless core never imports Textual (the CLI must not pay for the TUI)."""

import subprocess
import sys

CORE = ["phonetui.cisco", "phonetui.config", "phonetui.push", "phonetui.service", "phonetui.simulator",
        "phonetui.history", "phonetui.cli", "phonetui.object_host", "phonetui.logfile",
        "phonetui.tui.screens.history_view"]  # fmt: skip


def test_core_modules_do_not_import_textual() -> None:
    code = f"import sys\nfor m in {CORE!r}: __import__(m)\nprint('textual' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_protocol_package_imports_only_the_standard_library() -> None:
    code = (
        "import sys\nbefore = set(sys.modules)\nimport phonetui.cisco\n"
        "new = {m.split('.')[0] for m in set(sys.modules) - before}\n"
        "print(sorted(new & {'httpx', 'aiohttp', 'textual', 'tomli_w', 'platformdirs'}))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
