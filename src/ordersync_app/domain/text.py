"""Showing untrusted text safely: names and values from recipe files and vendors.

A name such as ``Safe sync \u202eelif.exe`` *displays* as "Safe sync exe.file" because U+202E
reverses what follows; zero-width characters make two different names look equal. Such characters
are refused where names are made and escaped wherever untrusted text is shown.
"""

from __future__ import annotations

import re

# Bidirectional controls (embeddings, overrides, isolates, marks), zero-width characters, the BOM,
# and C0/C1 controls other than the ordinary space. Unicode TR #9 and TR #36 (security) [V].
_INVISIBLE = re.compile(
    "[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2028\u2029"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff]"
)


def invisible_characters(text: str) -> list[str]:
    """The invisible or direction-changing characters in ``text``, as ``U+XXXX`` names."""
    return sorted({f"U+{ord(ch):04X}" for ch in _INVISIBLE.findall(text)})


def visible(text: str) -> str:
    """``text`` with every invisible or direction-changing character written as ``\\uXXXX``."""
    return _INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
