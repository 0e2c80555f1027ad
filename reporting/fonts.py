"""The Chinese (CJK) font the report's charts are drawn with.

matplotlib's default fonts have no Chinese glyphs: every 汉字 would come out as an empty box
(tofu). The font is looked up by file — fontconfig's choice for Simplified Chinese first, then
the known paths of Debian's `fonts-noto-cjk` — and checked to hold Chinese glyphs before use.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from matplotlib import font_manager, ft2font

# Debian fonts-noto-cjk; the family name picks the Simplified Chinese face of the collection.
KNOWN_CJK_FONTS = (
    (Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"), "Noto Sans CJK SC"),
    (Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"), "Noto Serif CJK SC"),
    (Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"), "WenQuanYi Micro Hei"),
)
# Characters a usable font must draw (the report's own words).
PROBE_TEXT = "防返贫监测季度评估县"


class CjkFontMissingError(RuntimeError):
    """No font with Chinese glyphs is installed."""


@dataclass(frozen=True)
class CjkFont:
    path: Path
    face_index: int
    family: str


def _has_chinese_glyphs(path: Path, face_index: int) -> bool:
    try:
        face = ft2font.FT2Font(str(path), face_index=face_index)
    except (OSError, RuntimeError, ValueError):
        return False
    return all(face.get_char_index(ord(char)) != 0 for char in PROBE_TEXT)


def _fontconfig_choice() -> CjkFont | None:
    """fontconfig's font for Simplified Chinese text (it falls back to any font when none)."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    try:
        answer = subprocess.run(
            [fc_match, "--format=%{file}\t%{index}\t%{family[0]}", "sans-serif:lang=zh-cn"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
    except (subprocess.SubprocessError, OSError):
        return None
    parts = answer.split("\t")
    if len(parts) != 3 or not parts[0]:
        return None
    path, index, family = Path(parts[0]), int(parts[1] or 0), parts[2]
    return CjkFont(path, index, family) if _has_chinese_glyphs(path, index) else None


def _face_index(path: Path, family: str) -> int | None:
    try:
        faces = ft2font.FT2Font(str(path)).num_faces
    except (OSError, RuntimeError, ValueError):
        return None
    for index in range(faces):
        if ft2font.FT2Font(str(path), face_index=index).family_name == family:
            return index
    return None


def find_cjk_font() -> CjkFont:
    """The installed font to draw Chinese with, or an error that says what to install."""
    choice = _fontconfig_choice()
    if choice is not None:
        return choice
    for path, family in KNOWN_CJK_FONTS:
        if path.exists():
            index = _face_index(path, family)
            if index is not None and _has_chinese_glyphs(path, index):
                return CjkFont(path, index, family)
    known = ", ".join(str(path) for path, _ in KNOWN_CJK_FONTS)
    raise CjkFontMissingError(
        "no font with Chinese glyphs found (fontconfig offers none for zh-cn; none of "
        f"{known} exists): install the Debian package fonts-noto-cjk "
        "(`make install` does, or `apt-get install fonts-noto-cjk`) / "
        "未找到中文字体：请安装 Debian 软件包 fonts-noto-cjk"
    )


def chart_rc(font: CjkFont) -> dict[str, object]:
    """matplotlib settings for charts in `font`: text as outlines, so the SVG needs no font."""
    registered = {entry.fname for entry in font_manager.fontManager.ttflist}
    if str(font.path) not in registered:
        font_manager.fontManager.addfont(str(font.path))
    return {
        "font.family": [font.family],
        "svg.fonttype": "path",
        "svg.hashsalt": "fangpin",
        "axes.unicode_minus": False,
    }
