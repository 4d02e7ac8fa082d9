"""Domain vocabulary kept as data: synonyms, question words, situations, alert and phrase rules."""

from importlib import resources

import yaml


def read_text(name: str) -> str:
    return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")


def load_yaml(name: str):
    return yaml.safe_load(read_text(name))
