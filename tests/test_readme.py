"""The README is the reference: every module and vocabulary file is named in its layout table,
and every setting in its settings table (as datasette checks that its settings are documented)."""

from pathlib import Path

from kb.config import Settings

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")
LAYOUT = README[README.index("## Layout"):README.index("## Settings")]
SETTINGS = README[README.index("## Settings"):]
PACKAGES = ("kb", "ingest", "evals", "application", "assist_api", "ui", "cli")


def test_every_module_is_named_in_the_layout_table():
    modules = [p for package in PACKAGES for p in (REPO / package).rglob("*.py")
               if p.name != "__init__.py" and "banks" not in p.parts]
    assert [str(p.relative_to(REPO)) for p in modules if f"`{p.name}`" not in LAYOUT] == []


def test_every_vocabulary_file_is_named_in_the_layout_table():
    files = [p.name for p in (REPO / "kb" / "vocab").iterdir() if p.suffix in (".yaml", ".txt")]
    assert [name for name in files if f"`{name}`" not in LAYOUT] == []


def test_every_setting_is_in_the_settings_table():
    assert [name for name in Settings.model_fields if f"`KB_{name.upper()}`" not in SETTINGS] == []
