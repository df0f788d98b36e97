"""The diagnosis report written as HTML (one self-contained file, printable), DOCX
(editable in Word or LibreOffice) and Markdown (figures as files beside it).

All three are deterministic for a given report: same content, same bytes.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import zipfile
from pathlib import Path

from territoire import __version__
from territoire._io import atomic_write_bytes, atomic_write_text
from territoire.rendu.rapport.blocs import Bullets, Figure, Heading, Link, Paragraph, Report, Table

# --------------------------------------------------------------------------- HTML


def to_html(report: Report) -> str:
    """One self-contained page: figures embedded, print stylesheet, autoescaped text."""
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("territoire", "templates"),
        autoescape=True,
        trim_blocks=False,
    )
    images = {}
    for block in report.blocks:
        if isinstance(block, Figure):
            data = base64.b64encode(Path(block.path).read_bytes()).decode()
            images[block.path] = f"data:image/png;base64,{data}"
    return environment.get_template("rapport.html.j2").render(report=report, images=images, version=__version__)


# --------------------------------------------------------------------------- Markdown

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")


def md_escape(text: str, *, block_start: bool = False) -> str:
    """Text that Markdown shows as written (no emphasis, links, HTML or table cells).

    With ``block_start``, a leading ``-``, ``+``, ``=``, ``1.`` or ``1)`` is escaped
    too, so that a paragraph never turns into a list or a heading underline.
    """
    escaped = _MD_SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")
    if block_start:
        escaped = escaped.lstrip()  # four leading spaces would make a code block
        escaped = re.sub(r"^(\s*)([-+=])", r"\1\\\2", escaped)  # - item, + item, === underline
        escaped = re.sub(r"^(\s*\d+)([.)])", r"\1\\\2", escaped)  # 1. item, 1) item
    return escaped


def to_markdown(report: Report, figures_dir: Path, base: Path) -> str:
    """Markdown text; figures referenced relative to ``base`` (the report's folder)."""
    lines = [f"# {md_escape(report.title)}", "", f"*{md_escape(report.subtitle)}*" + (f" — {md_escape(report.author)}" if report.author else ""), ""]
    figure_number = table_number = 0
    for block in report.blocks:
        if isinstance(block, Heading):
            lines += [f"{'#' * (block.level + 1)} {md_escape(block.text)}", ""]
        elif isinstance(block, Paragraph):
            text = md_escape(block.text, block_start=True)
            if block.kind in ("note", "a-completer"):
                text = f"> {text}"
            elif block.kind == "alerte":
                text = f"> **Attention :** {text}"
            lines += [text, ""]
        elif isinstance(block, Bullets):
            lines += [f"- {md_escape(item, block_start=True)}" for item in block.items] + [""]
        elif isinstance(block, Table):
            table_number += 1
            if block.caption:
                lines += [f"**Tableau {table_number} : {md_escape(block.caption)}**", ""]
            lines.append("| " + " | ".join(md_escape(h) or " " for h in block.headers) + " |")
            lines.append("|" + "|".join("---:" if i in block.numeric else "---" for i in range(len(block.headers))) + "|")
            for row in block.rows:
                lines.append("| " + " | ".join(md_escape(c) for c in row) + " |")
            lines.append("")
        elif isinstance(block, Figure):
            figure_number += 1
            relative = Path(block.path).relative_to(base).as_posix()
            lines += [f"![{md_escape(block.caption)}]({relative})", "", f"*Figure {figure_number} : {md_escape(block.caption)}*", ""]
        elif isinstance(block, Link):
            lines += [f"[{md_escape(block.text)}]({block.target})", ""]
    lines += ["---", "", "Sources : " + md_escape(" ; ".join(report.sources)) + f". Produit avec territoire {__version__} le {report.date:%d/%m/%Y}.", ""]
    return "\n".join(lines)


# --------------------------------------------------------------------------- DOCX


def _new_docx(report: Report):
    """A blank A4 portrait document: margins, fonts of the styles used, and the
    document properties (dated with the report's date, so the output is stable)."""
    from docx import Document
    from docx.shared import Cm, Pt

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.0)
    section.top_margin = section.bottom_margin = Cm(1.8)
    styles = document.styles
    styles["Normal"].font.name = "Calibri"
    styles["Normal"].font.size = Pt(10.5)
    styles["Table Grid"].font.size = Pt(8.5)  # table text, through the table style (editable in Word)
    properties = document.core_properties
    moment = dt.datetime.combine(report.date, dt.time())
    properties.title = report.title
    properties.subject = report.subtitle
    properties.author = report.author or "territoire"
    properties.last_modified_by = report.author or "territoire"
    properties.language = "fr-FR"
    properties.created = moment
    properties.modified = moment
    properties.revision = 1
    return document


class _DocxWriter:
    """Writes the blocks of a report into a python-docx document, one method per
    kind of block; numbers the tables and figures, and follows the text width
    (portrait pages, then landscape ones after a wide heading)."""

    def __init__(self, document) -> None:
        self.document = document
        styles = document.styles
        self.grid, self.caption_style, self.bullet = styles["Table Grid"], styles["Caption"], styles["List Bullet"]
        self.figure_number = 0
        self.table_number = 0
        self.text_width = 17.0  # cm, portrait pages

    def write(self, block) -> None:
        """Write one block, whatever its kind."""
        if isinstance(block, Heading):
            self.heading(block)
        elif isinstance(block, Paragraph):
            self.paragraph(block)
        elif isinstance(block, Bullets):
            self.bullets(block)
        elif isinstance(block, Table):
            self.table(block)
        elif isinstance(block, Figure):
            self.figure(block)
        elif isinstance(block, Link):
            self.link(block)

    def heading(self, block: Heading) -> None:
        """A real Word heading (level 3 at most); a wide one starts landscape pages."""
        from docx.enum.section import WD_ORIENT, WD_SECTION
        from docx.shared import Cm

        if block.wide:  # landscape pages from here on
            wide = self.document.add_section(WD_SECTION.NEW_PAGE)
            wide.orientation = WD_ORIENT.LANDSCAPE
            wide.page_width, wide.page_height = Cm(29.7), Cm(21.0)
            self.text_width = 25.7
        self.document.add_heading(block.text, level=min(block.level, 3))

    def paragraph(self, block: Paragraph) -> None:
        """A paragraph: grey italics for notes and parts to complete, dark red bold for alerts."""
        from docx.shared import RGBColor

        paragraph = self.document.add_paragraph()
        run = paragraph.add_run(block.text)
        if block.kind in ("note", "a-completer"):
            run.italic = True
            run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
        elif block.kind == "alerte":
            run.bold = True
            run.font.color.rgb = RGBColor(0x8B, 0x1A, 0x10)

    def bullets(self, block: Bullets) -> None:
        """One bulleted paragraph per item."""
        for item in block.items:
            self.document.add_paragraph(item, style=self.bullet)

    def table(self, block: Table) -> None:
        """A numbered caption, then a grid table (bold headers, numbers on the right),
        columns sized after their texts, and an empty paragraph after it."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        document = self.document
        self.table_number += 1
        if block.caption:
            caption = document.add_paragraph(f"Tableau {self.table_number} : {block.caption}", style=self.caption_style)
            caption.paragraph_format.keep_with_next = True
        table = document.add_table(rows=1, cols=len(block.headers))
        table.style = self.grid
        for i, header in enumerate(block.headers):
            cell = table.rows[0].cells[i]
            cell.text = ""
            run = cell.paragraphs[0].add_run(header)
            run.bold = True
        for row in block.rows:
            cells = table.add_row().cells
            for i, value in enumerate(row):
                cells[i].text = str(value)
                if i in block.numeric:
                    cells[i].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
        self._set_column_widths(table, block)
        document.add_paragraph()

    def _set_column_widths(self, table, block: Table) -> None:
        """Fixed column widths, shares of the text width (see :func:`_column_shares`)."""
        from docx.shared import Cm

        table.autofit = False
        for column, share in zip(table.columns, _column_shares(block), strict=True):
            column.width = Cm(self.text_width * share)  # the grid (LibreOffice)
            for cell in column.cells:
                cell.width = column.width  # each cell (Word)

    def figure(self, block: Figure) -> None:
        """The picture, centred, and its numbered caption."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Cm

        self.figure_number += 1
        self.document.add_picture(str(block.path), width=Cm(16.5))
        self.document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        self.document.add_paragraph(f"Figure {self.figure_number} : {block.caption}", style=self.caption_style)

    def link(self, block: Link) -> None:
        """« text : target », the text in bold."""
        paragraph = self.document.add_paragraph()
        paragraph.add_run(f"{block.text} : ").bold = True
        paragraph.add_run(block.target)


def to_docx(report: Report, path: Path) -> Path:
    """An editable Word document: real headings, tables, figures with captions."""
    import io

    document = _new_docx(report)
    document.add_heading(report.title, level=0)
    subtitle = document.add_paragraph(report.subtitle + (f" — {report.author}" if report.author else ""))
    subtitle.runs[0].italic = True
    writer = _DocxWriter(document)
    for block in report.blocks:
        writer.write(block)
    document.add_paragraph("Sources : " + " ; ".join(report.sources) + f". Produit avec territoire {__version__}.", style=writer.caption_style)
    buffer = io.BytesIO()
    document.save(buffer)
    atomic_write_bytes(path, _stable_zip(buffer.getvalue()))
    return path


def _column_shares(table: Table) -> list[float]:
    """Share of the text width for each column, after the length of its texts (a
    long-text column gets more room, but no column less than half the average)."""
    import math

    count = len(table.headers)
    weights = []
    for i in range(count):
        texts = [table.headers[i]] + [str(row[i]) for row in table.rows]
        longest_word = max((len(w) for t in texts for w in t.split()), default=1)
        mean = sum(len(t) for t in texts) / len(texts)
        weights.append(max(math.sqrt(max(mean, 1.0)), longest_word / 4))
    floor = 0.5 * sum(weights) / count
    weights = [max(w, floor) for w in weights]
    total = sum(weights)
    return [w / total for w in weights]


def _stable_zip(data: bytes) -> bytes:
    """The same archive with fixed entry dates, so that the same report gives the same file."""
    import io

    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=(1980, 1, 1, 0, 0, 0))
            # images are compressed already: stored as they are
            info.compress_type = zipfile.ZIP_STORED if item.filename.endswith((".png", ".jpeg", ".jpg")) else zipfile.ZIP_DEFLATED
            info.external_attr = item.external_attr
            target.writestr(info, source.read(item.filename))
    return output.getvalue()


# --------------------------------------------------------------------------- all formats

FORMATS = ("html", "docx", "md")


def write_report(report: Report, folder: Path, formats, *, name: str = "diagnostic") -> list[Path]:
    """Write the report in each format into ``folder``; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in formats:
        path = folder / f"{name}.{fmt}"
        if fmt == "html":
            atomic_write_text(path, to_html(report))
        elif fmt == "md":
            atomic_write_text(path, to_markdown(report, folder / "figures", folder))
        elif fmt == "docx":
            to_docx(report, path)
        else:
            raise ValueError(fmt)
        written.append(path)
    return written
