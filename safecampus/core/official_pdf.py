"""The layout every formal Chinese document (公文) the platform prints shares: A4, Noto Sans SC
embedded as a subset, the issuing unit's red header with the document number and the red
line, body paragraphs with a two-character indent, numbered pages, dates in Chinese.

Rectification notices and monthly warning notices build on it; the text is theirs.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos

FONT = "NotoSansSC"
RED = (200, 16, 16)


def chinese_date(day: date) -> str:
    """2026年3月24日."""
    return f"{day.year}年{day.month}月{day.day}日"


class OfficialPdf(FPDF):
    def __init__(self) -> None:
        super().__init__(format="A4")
        self.set_margins(25, 25, 25)
        self.set_auto_page_break(True, margin=22)
        fonts = settings.PDF_FONT_DIR
        self.add_font(FONT, "", str(fonts / "NotoSansSC-Regular.ttf"))
        self.add_font(FONT, "B", str(fonts / "NotoSansSC-Bold.ttf"))
        self.set_creator("SafeCampus")

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font(FONT, "", 9)
        self.set_text_color(110, 110, 110)
        self.cell(0, 8, f"— {self.page_no()} —", align="C")
        self.set_text_color(0, 0, 0)

    def para(self, text: str, *, size: float = 12, indent: bool = True, style: str = "") -> None:
        self.set_font(FONT, style, size)
        lead = "\u3000\u3000" if indent else ""
        # Chinese has no spaces between words: wrap at any character, not at the last space.
        self.multi_cell(
            0, 8, lead + text, new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode=WrapMode.CHAR
        )

    def red_header(self, issuer: str, number: str, title: str, *, issuer_size: float = 22) -> None:
        """The issuer in red, the document number, the red line, then the title."""
        self.set_text_color(*RED)
        self.set_font(FONT, "B", issuer_size)
        self.multi_cell(0, 13, issuer, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0, 0, 0)
        self.set_font(FONT, "", 11)
        self.ln(2)
        self.cell(0, 7, number, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(*RED)
        self.set_line_width(0.8)
        y = self.get_y() + 2
        self.line(self.l_margin, y, self.w - self.r_margin, y)
        self.set_draw_color(0, 0, 0)
        self.set_line_width(0.2)
        self.set_y(y + 6)
        self.set_font(FONT, "B", 17)
        self.multi_cell(
            0, 10, title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode=WrapMode.CHAR
        )
        self.ln(4)

    def signature(self, *lines: str) -> None:
        """Issuer and date at the bottom right, kept on one page."""
        if self.get_y() > self.h - 60:
            self.add_page()
        self.ln(12)
        self.set_font(FONT, "", 12)
        for text in lines:
            self.cell(0, 8, text, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
