"""The styles every workbook gkplan writes shares: named once per workbook (xl/styles.xml), each cell refers to one
by its number. The same named styles, fonts, fills, borders, alignments and number formats openpyxl wrote for
them: the named style k is cellStyleXfs k and cellXfs k (0 is Excel's Normal), so a name's number is known
before any row is written and never changes."""

from __future__ import annotations

from gkplan.kinds import AMOUNT, DATE, LIGHT, LIGHT_FILLS, NUMBER, PERCENT, TEXT, TIME, WRAP

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_ATTR = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})
_LIGHTS = sorted(set(LIGHT_FILLS.values()))

# fonts: Excel's default, bold, none of its own (Excel's default, as openpyxl writes an empty Font()), the title
_FONTS = ('<font><sz val="11"/><color theme="1"/><name val="Calibri"/><family val="2"/><scheme val="minor"/></font>',
          '<font><b val="1"/></font>', "<font/>", '<font><b val="1"/><sz val="16"/></font>')  # fmt: skip
_BOLD, _PLAIN, _TITLE = 1, 2, 3
_FILLS = ['<fill><patternFill/></fill>', '<fill><patternFill patternType="gray125"/></fill>',
          *(f'<fill><patternFill patternType="solid"><fgColor rgb="00{c}"/><bgColor rgb="00{c}"/></patternFill></fill>'
            for c in ("D9E1F2", *_LIGHTS))]  # fmt: skip
_HEAD_FILL = 2
_THIN = '<{0} style="thin"><color rgb="00BFBFBF"/></{0}>'
_BORDERS = ("<border><left/><right/><top/><bottom/><diagonal/></border>",
            f"<border>{''.join(_THIN.format(side) for side in ('left', 'right', 'top', 'bottom'))}</border>", "<border/>")  # fmt: skip
_BOXED, _NONE = 1, 2
_TOP = '<alignment vertical="top"/>'
_CENTRE = '<alignment horizontal="center" vertical="top"/>'

# name → (number format, font, fill, border, alignment); in openpyxl's order of the same styles
_NAMED = {
    "gk 表头": ("General", _BOLD, _HEAD_FILL, _BOXED, '<alignment horizontal="center" vertical="center" wrapText="1"/>'),
    "gk 文字": ("General", _PLAIN, 0, _NONE, _TOP),
    "gk 换行": ("General", _PLAIN, 0, _NONE, '<alignment vertical="top" wrapText="1"/>'),
    "gk 日期": ("yyyy-mm-dd", _PLAIN, 0, _NONE, _TOP),
    "gk 时间": ("yyyy-mm-dd hh:mm", _PLAIN, 0, _NONE, _TOP),
    "gk 进度": ('0"%"', _PLAIN, 0, _NONE, _TOP),
    "gk 数值": ("General", _PLAIN, 0, _NONE, _TOP),
    "gk 右": ("General", _PLAIN, 0, _NONE, '<alignment horizontal="right" vertical="top"/>'),
    "gk 标题": ("General", _TITLE, 0, _NONE, ""),
    "gk 粗体": ("General", _BOLD, 0, _NONE, ""),
    **{f"gk 灯 {color}": ("General", _PLAIN, _HEAD_FILL + 1 + i, _NONE, _CENTRE) for i, color in enumerate(_LIGHTS)},
}  # fmt: skip

_STYLE_OF = {TEXT: "gk 文字", WRAP: "gk 换行", DATE: "gk 日期", TIME: "gk 时间", PERCENT: "gk 进度", NUMBER: "gk 数值",
             AMOUNT: "gk 数值", LIGHT: "gk 文字"}  # fmt: skip


class Styles:
    """One workbook's named styles: the fixed ones, and an amount's in 万 of each unit met (added as rows come)."""

    def __init__(self) -> None:
        self.named = dict(_NAMED)
        self.ids = {name: i for i, name in enumerate(self.named, start=1)}

    def id(self, name: str) -> int:
        """The named style's number (cellXfs): what a cell's s="…" says."""
        return self.ids[name]

    def amount(self, unit: str) -> str:
        """The style of an amount in 万 of `unit` (1500 shown as 1500万元)."""
        name = f"gk 万{unit}"
        if name not in self.ids:
            shown = unit.replace('"', "").replace("\\", "")
            self.named[name] = (f'General"万{shown}"', _PLAIN, 0, _NONE, _TOP)
            self.ids[name] = len(self.named)
        return name

    def xml(self) -> str:
        """xl/styles.xml, every style named so far."""
        formats: dict[str, int] = {}
        for code, *_ in self.named.values():
            if code != "General" and code not in formats:
                formats[code] = 164 + len(formats)  # Excel's own formats are 0–163
        xfs = []
        for code, font, fill, border, align in self.named.values():
            attrs = f'numFmtId="{formats.get(code, 0)}" fontId="{font}" fillId="{fill}" borderId="{border}"'
            xfs.append((attrs + (' applyAlignment="1"' if align else ""), align))
        numbers = "".join(f'<numFmt numFmtId="{n}" formatCode="{_attr(code)}"/>' for code, n in formats.items())
        base = '<xf numFmtId="0" fontId="0" fillId="0" borderId="0"'
        return "".join([
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{_MAIN}">',
            f'<numFmts count="{len(formats)}">{numbers}</numFmts>' if formats else "",
            f'<fonts count="{len(_FONTS)}">{"".join(_FONTS)}</fonts>',
            f'<fills count="{len(_FILLS)}">{"".join(_FILLS)}</fills>',
            f'<borders count="{len(_BORDERS)}">{"".join(_BORDERS)}</borders>',
            f'<cellStyleXfs count="{len(xfs) + 1}">{base}/>', *(_xf(a, al, "") for a, al in xfs), "</cellStyleXfs>",
            f'<cellXfs count="{len(xfs) + 1}">{base} xfId="0"/>',
            *(_xf(a, al, f' xfId="{i}"') for i, (a, al) in enumerate(xfs, start=1)), "</cellXfs>",
            f'<cellStyles count="{len(xfs) + 1}"><cellStyle name="Normal" xfId="0" builtinId="0"/>',
            *(f'<cellStyle name="{_attr(name)}" xfId="{i}"/>' for i, name in enumerate(self.named, start=1)),
            '</cellStyles><dxfs count="0"/>',
            '<tableStyles count="0" defaultTableStyle="TableStyleMedium9" defaultPivotStyle="PivotStyleLight16"/>',
            "</styleSheet>",
        ])  # fmt: skip


def _attr(words: str) -> str:
    from gkplan.xlsx_rows import _ILLEGAL

    return _ILLEGAL.sub("\ufffd", words).translate(_ATTR)


def _xf(attrs: str, align: str, xf_id: str) -> str:
    return f"<xf {attrs}{xf_id}>{align}</xf>" if align else f"<xf {attrs}{xf_id}/>"
