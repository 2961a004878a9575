"""The house rules that keep the code easy to change: small modules, a small app.py."""

from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "phonetui"
MODULE_MAX = 400
APP_MAX = 299


def test_no_module_over_400_lines_and_app_under_300() -> None:
    sizes = {path.relative_to(SRC).as_posix(): len(path.read_text().splitlines()) for path in SRC.rglob("*.py")}
    assert len(sizes) > 50  # the package was found
    too_long = {name: lines for name, lines in sizes.items() if lines > MODULE_MAX}
    assert not too_long, f"split these modules (at most {MODULE_MAX} lines): {too_long}"
    assert sizes["tui/app.py"] <= APP_MAX, f"tui/app.py has {sizes['tui/app.py']} lines: move logic to screens"
