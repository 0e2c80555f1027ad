"""The report's words (labels.yaml, Chinese and English) and layout (layout.yaml), read once."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
LABELS_FILE = HERE / "labels.yaml"
LAYOUT_FILE = HERE / "layout.yaml"
LANGUAGES = ("zh", "en")


@cache
def _labels_file() -> dict[str, Any]:
    return yaml.safe_load(LABELS_FILE.read_text(encoding="utf-8"))


@cache
def load_layout() -> dict[str, Any]:
    """Headline figures, rules, ranking columns and status thresholds of the report."""
    return yaml.safe_load(LAYOUT_FILE.read_text(encoding="utf-8"))


def label_keys(node: dict[str, Any] | None = None, prefix: str = "") -> dict[str, dict[str, str]]:
    """Every label of labels.yaml by dotted key, each a {language: text} mapping."""
    node = _labels_file() if node is None else node
    found: dict[str, dict[str, str]] = {}
    for key, value in node.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and set(value) <= set(LANGUAGES) and value:
            found[dotted] = value
        elif isinstance(value, dict):
            found.update(label_keys(value, dotted + "."))
        else:
            raise ValueError(f"{LABELS_FILE}: {dotted} is not a mapping of languages to text")
    return found


@dataclass(frozen=True)
class Labels:
    """Labels of one language: `labels("section.rules")`, with str.format fields filled."""

    lang: str
    texts: dict[str, str]

    def __call__(self, key: str, **fields: Any) -> str:
        try:
            text = self.texts[key]
        except KeyError:
            raise KeyError(f"no label {key!r} in {LABELS_FILE.name} for {self.lang!r}") from None
        return text.format(**fields) if fields else text

    def get(self, key: str, default: str) -> str:
        return self.texts.get(key, default)


def load_labels(lang: str) -> Labels:
    if lang not in LANGUAGES:
        raise ValueError(f"language {lang!r} is not one of {', '.join(LANGUAGES)}")
    texts = {key: value[lang] for key, value in label_keys().items() if lang in value}
    return Labels(lang, texts)
