"""Domain vocabulary kept as data: synonyms, question words, situations, alert and phrase rules."""

from importlib import resources

import yaml


def read_text(name: str) -> str:
    return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")


def read_words(name: str) -> list[str]:
    """The words of a word list, lines starting with '#' left out."""
    return [w for line in read_text(name).splitlines() if not line.lstrip().startswith("#") for w in line.split()]


def load_yaml(name: str):
    return yaml.safe_load(read_text(name))
