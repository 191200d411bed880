#!/usr/bin/env python3
"""Writes Sources/Primitives/FoldTable.swift: each letter whose canonical decomposition is a
base letter with marks (é, Å, ỹ, ...), mapped to the base, and the few Latin letters people
type without their stroke (ø, ł, đ, ß, æ, œ, þ), as FTS5's remove_diacritics does for the former."""
import unicodedata, pathlib

entries = {}
ranges = [(0x00C0, 0x0250), (0x0370, 0x0530), (0x1E00, 0x1F00), (0x1F00, 0x2000)]
for low, high in ranges:
    for cp in range(low, high):
        ch = chr(cp)
        decomposed = unicodedata.normalize("NFD", ch)
        base = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
        if base and base != ch:
            entries[cp] = base
extra = {"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "þ": "th", "Þ": "TH", "ı": "i"}
for k, v in extra.items():
    entries[ord(k)] = v
data = ";".join(f"{cp:X}:" + ".".join(f"{ord(c):X}" for c in base) for cp, base in sorted(entries.items()))
out = f'''/// Letters folded to their base for matching and sorting names (`NameKey.fold`): each letter
/// whose canonical decomposition is a base letter and marks, and a few stroked Latin letters.
/// Generated from Python's unicodedata (Unicode {unicodedata.unidata_version}) by scripts/fold_table.py.
/// Format: `scalar:replacement.scalars;` in hex.
enum FoldTable {{
    static let data = "{data}"
}}
'''
pathlib.Path("Sources/Primitives/FoldTable.swift").write_text(out)
print(len(entries), "entries")
