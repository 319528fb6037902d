"""Word reports filled from an editable .docx template with docxtpl: rendering, pictures of
charts with their text alternative, and the checks a partnership's own template must pass.

User text is never changed on its way into a report:

* Jinja runs sandboxed with autoescape on, so ``&``, ``<`` and Word XML fragments are
  written as text, and ``{{ }}`` or ``{% %}`` in a finding is never read as a tag.
* Every ``{{ ... }}`` goes through :func:`word_text` (the environment's ``finalize``, and the
  ``lines`` filter for those who like to say so; ``|safe`` and ``|e`` change nothing, so no
  template can make user text raw XML): a line break becomes a Word line break
  (``<w:br/>``), a tab a Word tab (``<w:tab/>``), every piece of text sits in a
  ``<w:t xml:space="preserve">`` so that spaces at either end survive, and the few character
  sequences docxtpl rewrites after rendering (``{_{``, ``%_}`` ...) are written so that it
  leaves them alone. Read back with python-docx, ``paragraph.text`` gives the text exactly.
* What XML cannot hold is dropped: the C0 control characters other than tab, line feed and
  carriage return, U+FFFE, U+FFFF and lone surrogates. A carriage return, alone or before a
  line feed, is a line break like a line feed (Word has one kind of line break).

A chart becomes a picture whose ``wp:docPr`` carries the chart's text alternative (``descr``)
and title (``title``), which python-docx and docxtpl leave out; each chart in a report is
followed by the table of its figures.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from datetime import date
from typing import Any

from defusedxml import ElementTree as SafeElementTree
from defusedxml.common import DefusedXmlException
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.shared import Cm
from docxtpl import DocxTemplate, InlineImage
from jinja2 import StrictUndefined, TemplateSyntaxError, Undefined, meta
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape

from audit_app.charts import Chart, bar_chart
from audit_app.core.config import PROJECT_ROOT
from audit_app.core.spreadsheets import NOT_XML

REPORT_TEMPLATES = PROJECT_ROOT / "audit_templates" / "reports"
KINDS = ("findings_report", "meeting_pack")
KIND_LABELS = {"findings_report": "findings report", "meeting_pack": "meeting pack"}

MAX_TEMPLATE_BYTES = 5 * 1024 * 1024
"""The largest report template accepted (the file as uploaded)."""
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
"""The most its parts may hold once unzipped (a zip bomb is refused)."""
MAX_PARTS = 500
PICTURE_WIDTH = Cm(16)
"""A chart's width on the page: the text width of A4 with 2.5 cm margins."""

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MAIN_PART = "word/document.xml"

# --- User text as Word text --------------------------------------------------------------------

_NOT_XML = NOT_XML
_LINE_BREAK = re.compile("\r\n|\r|\n")
_OPEN_TEXT = '<w:t xml:space="preserve">'


def xml_safe(text: str) -> str:
    """``text`` less what XML cannot hold, with each line break a line feed."""
    return _LINE_BREAK.sub("\n", _NOT_XML.sub("", text))


def _escaped(piece: str) -> str:
    # docxtpl turns "{_{", "}_}", "{_%" and "%_}" into "{{", "}}", "{%" and "%}" in the
    # rendered XML; an underscore written as a character reference is not touched by that,
    # and reads back as "_".
    return str(escape(piece)).replace("_", "&#95;")


class WordText(Markup):
    """Text already written as Word runs (by :func:`word_text`), or a picture's XML."""


def word_text(value: Any) -> WordText:
    """A value as the runs of Word text that show it exactly (see the module's notes).

    Word text and pictures pass through; anything else is text, even markup a template made
    with ``|safe``, so no tag can write raw XML. None shows nothing; a date is in words."""
    if isinstance(value, WordText):
        return value
    if isinstance(value, InlineImage):
        return WordText(value.__html__())  # a picture's XML, made by python-docx
    if value is None:
        return WordText("")
    if isinstance(value, date):
        value = f"{value:%-d %B %Y}"
    text = xml_safe(str(value))
    lines = []
    for line in text.split("\n"):
        lines.append("</w:t><w:tab/><w:t xml:space=\"preserve\">".join(
            _escaped(piece) for piece in line.split("\t")
        ))  # fmt: skip
    body = '</w:t><w:br/><w:t xml:space="preserve">'.join(lines)
    # Close the template's own <w:t>, write ours (spaces kept), and open one for the rest of
    # the template's text in the run.
    return WordText(f"</w:t>{_OPEN_TEXT}{body}</w:t>{_OPEN_TEXT}")  # escaped above


class _ReportSandbox(ImmutableSandboxedEnvironment):
    """The sandbox, which also refuses the arithmetic that could make a huge value (a text
    repeated a billion times) while a report is made."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" or any(isinstance(side, str | list | tuple) for side in (left, right)):
            raise SecurityError("A report template may not repeat text or raise to a power.")
        return super().call_binop(context, operator, left, right)


def report_environment(*, strict: bool = False) -> ImmutableSandboxedEnvironment:
    """The Jinja environment every report renders in: sandboxed (a template is uploaded by an
    administrator, and may only read the report's data), autoescaped, each value Word text.
    ``strict``: a field that does not exist is an error, not an empty text (for checking a
    template against the sample data)."""
    environment = _ReportSandbox(
        autoescape=True,
        finalize=word_text,
        undefined=StrictUndefined if strict else Undefined,
    )
    environment.filters["lines"] = word_text
    for name in ("safe", "e", "escape", "forceescape"):  # every value is escaped once anyway
        environment.filters[name] = _as_it_is
    return environment


def _as_it_is(value: Any) -> Any:
    """``|safe`` and ``|e`` change nothing: user text is always text, escaped once."""
    return value if isinstance(value, WordText) or not isinstance(value, Markup) else str(value)


def _plain_text(value: Any) -> str:
    return "" if value is None else xml_safe(str(value))


class ReportTemplate(DocxTemplate):
    """docxtpl's template, but the document's properties (title, subject ...) are filled as
    plain text: python-docx escapes them itself, so they take no Word markup."""

    def render_properties(self, context: dict[str, Any], jinja_env: Any = None) -> None:
        # Not autoescaped: these are plain text, escaped by python-docx as it saves them.
        plain = ImmutableSandboxedEnvironment(autoescape=False, finalize=_plain_text)
        properties = self.docx.core_properties
        for name in ("author", "comments", "identifier", "language", "subject", "title"):
            initial = getattr(properties, name)
            if initial and ("{{" in initial or "{%" in initial):
                setattr(properties, name, plain.from_string(initial).render(context)[:255])


# --- Pictures ----------------------------------------------------------------------------------


class ChartPicture(InlineImage):
    """A chart drawn as PNG, inline, with its text alternative on the picture."""

    def __init__(self, tpl: DocxTemplate, chart: Chart, width: Any = PICTURE_WIDTH) -> None:
        super().__init__(tpl, io.BytesIO(chart.png()), width=width)
        self.alt = xml_safe(chart.alt)
        self.title = xml_safe(chart.title)

    def _insert_image(self) -> str:
        inline = self.tpl.current_rendering_part.new_pic_inline(
            self.image_descriptor, self.width, self.height
        )
        inline.docPr.set("descr", self.alt)
        inline.docPr.set("title", self.title)
        for properties in inline.iter(qn("pic:cNvPr")):
            properties.set("descr", self.alt)
        return f"</w:t></w:r><w:r><w:drawing>{inline.xml}</w:drawing></w:r><w:r>{_OPEN_TEXT}"

    def __html__(self) -> str:
        return self._insert_image()


class _AnyPicture(dict):  # type: ignore[type-arg]
    """Stands for a report's charts when checking a template: any name gives a small chart."""

    def __init__(self, make: Callable[[], ChartPicture]) -> None:
        super().__init__()
        self._make = make

    def __missing__(self, key: str) -> ChartPicture:
        picture = self._make()
        self[key] = picture
        return picture


# --- Rendering ---------------------------------------------------------------------------------


def render_docx(
    template: bytes, context: dict[str, Any], charts: dict[str, Chart] | None = None
) -> bytes:
    """The template filled with ``context``; each chart of ``charts`` is in the context as
    ``charts.<name>`` (or ``charts[name]``), a picture with its text alternative."""
    document = ReportTemplate(io.BytesIO(template))
    filled = dict(context)
    filled["charts"] = {
        name: ChartPicture(document, chart) for name, chart in (charts or {}).items()
    }
    document.render(filled, report_environment(), autoescape=True)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


_MISSING_FIELD = re.compile(r"has no attribute '([^']+)'|'([^']+)' is undefined")


def _render_sample(template: bytes, kind: str) -> None:
    document = ReportTemplate(io.BytesIO(template))
    sample = _sample_chart()
    context = dict(SAMPLE_CONTEXTS[kind])
    context["charts"] = _AnyPicture(lambda: ChartPicture(document, sample))
    document.render(context, report_environment(strict=True), autoescape=True)
    document.save(io.BytesIO())


def _sample_chart() -> Chart:
    return bar_chart("Sample chart", ["Good", "Requires improvement"], {"Answers": [3, 1]})


# --- The fields each kind of report fills --------------------------------------------------------

_ACTION = {
    "recommendation": 1,
    "description": "Agree a protocol for telling schools of an admission",
    "success_measure": "9 of 10 schools told within 2 days at re-audit",
    "lead_agency": "Children's Social Care",
    "owner": "A. Person",
    "target_date": "31 March 2027",
    "state": "Open",
    "rag": "Green",
}
_FINDING = {"label": "Worried about 1", "text": "Text", "support": "Themes: Voice."}
_COUNTS = {
    "actions": 1,
    "open": 1,
    "awaiting_sign_off": 0,
    "closed": 0,
    "cancelled": 0,
    "overdue": 0,
    "red": 0,
    "amber": 0,
    "green": 1,
    "no_update": 0,
    "complete": 0,
}

SAMPLE_CONTEXTS: dict[str, dict[str, Any]] = {
    "findings_report": {
        "title": "Children in crisis",
        "partnership": "Safeguarding Children Partnership",
        "period": "1 January 2020 to 31 December 2020",
        "generated_on": "1 December 2026",
        "generated_by": "Audit lead",
        "status": "Panel",
        "theme": "Children in mental health crisis",
        "terms_of_reference": "To explore the pathway.",
        "audit_question": "How well does support help?",
        "scope_criteria": "Children discharged from the ward in 2020.",
        "cohort": {
            "size": 10,
            "drawn": True,
            "method": "a simple random sample",
            "seed": "seed",
            "population_size": 40,
            "fingerprint": "0" * 64,
            "drawn_on": "1 March 2021",
            "added_by_hand": 0,
            "removed": 0,
        },
        "agencies": [
            {"name": "Police", "sent": 8, "no_involvement": 2, "outstanding": 0,
             "summary_sent": "Yes"}
        ],
        "returns": {"sent": 8, "no_involvement": 2, "outstanding": 0, "summaries_sent": 1},
        "interview_count": 1,
        "voice_count": 1,
        "voice_participants": 71,
        "meetings": [
            {"held_on": "1 March 2021", "attended": "Chair (Police)", "agencies": "Police"}
        ],
        "earlier_audit": "Children in crisis 2019",
        "agreed_grades": {
            "question": "Overall grade", "agreed": 2, "children": 3,
            "counts": [{"name": "Good", "children": 1}, {"name": "Inadequate", "children": 1}],
        },
        "provisional": "Returns are still to come.",
        "grading": [
            {"number": 1, "question": "Overall grade", "now": "50% (5 of 10)",
             "then": "40% (4 of 10)", "change": "Up 10 percentage points"}
        ],
        "working_well": [_FINDING],
        "worried_about": [_FINDING],
        "needs_to_happen": [_FINDING],
        "themes": [
            {"name": "Voice", "description": "Text", "recurring": "", "children": 1,
             "agencies": 1, "tagged": 1}
        ],
        "voice": [
            {
                "title": "Event",
                "about": "An event on 1 March 2021; 71 took part.",
                "notes": "Notes",
                "quotes": ["A quote"],
                "points": [{"text": "Text"}],
                "survey": [
                    {"question": "How?", "answered": 3,
                     "answers": [{"answer": "At school", "count": 3}]}
                ],
            }
        ],
        "interviews": [
            {
                "title": "Interview",
                "about": "Teacher, Education, 1 March 2021",
                "points": [{"prompt": "What is working well", "text": "Text"}],
            }
        ],
        "concerns": {"raised": 1, "dealt_with": 1, "open": 0, "summary": "One concern."},
        "findings": [{**_FINDING, "themes": "Voice", "recommendations": "1"}],
        "recommendations": [{"number": 1, "text": "Text", "details": "Answers Worried about 1."}],
        "actions": [_ACTION],
        "draft_actions": 0,
        "distributions": [
            {"number": 1, "question": "Overall grade", "section": "Overall",
             "chart": "question_1", "answers": [{"answer": "Good", "count": 3}], "total": 3}
        ],
    },
    "meeting_pack": {
        "title": "Action plans: meeting pack",
        "partnership": "Safeguarding Children Partnership",
        "generated_on": "1 December 2026",
        "generated_by": "Subgroup member",
        "since": "1 September 2026",
        "first_pack": False,
        "totals": _COUNTS,
        "plans": [{**_COUNTS, "audit": "Children in crisis", "status": "Monitoring"}],
        "overdue": [
            {**_ACTION, "audit": "Children in crisis", "days_overdue": 3,
             "latest_update": "On track: text", "latest_update_on": "1 March 2026"}
        ],
        "rag_table": [
            {"month": "Dec 2026", "red": 0, "amber": 0, "green": 1, "no_update": 0,
             "complete": 0, "total": 1}
        ],
        "moves": [
            {"on": "1 March 2026", "action": "Text", "audit": "Children in crisis",
             "recommendation": 1, "from_state": "Open", "to_state": "Closed", "by": "A. Person",
             "reason": ""}
        ],
        "updates": [
            {"on": "1 March 2026", "action": "Text", "audit": "Children in crisis",
             "recommendation": 1, "status": "On track", "progress": "Text", "by": "A. Person"}
        ],
        "new_actions": [{**_ACTION, "audit": "Children in crisis", "added_on": "1 March 2026"}],
    },
}  # fmt: skip
"""Sample data of each kind of report, to check that a template fills: it has every
top-level field the service fills, so it names them too."""

KNOWN_FIELDS: dict[str, frozenset[str]] = {
    kind: frozenset(context) | {"charts"} for kind, context in SAMPLE_CONTEXTS.items()
}
"""The top-level names each kind of report fills (``charts`` holds its charts)."""


# --- Checking a template -----------------------------------------------------------------------


_EMBEDDED_FOLDERS = ("word/embeddings/", "word/activex/")
_EMBEDDED = (
    "The file contains embedded objects or controls (such as another document or an ActiveX "
    "control). Remove them, save the template as a plain .docx and upload it again."
)
_REFUSED_RELATIONSHIPS = (
    "attachedTemplate",
    "oleObject",
    "package",
    "control",
    "activeXControl",
    "aFChunk",
    "vbaProject",
    "subDocument",
    "frame",
)
_RELATIONSHIP = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"


def _relationship_problem(root: Any) -> str | None:
    """What is wrong with a part's relationships: a link to something outside the file
    that Word would fetch on opening (an attached template, a frame, a picture; a hyperlink
    is only followed when clicked), or an embedded object, a control or another document."""
    for relationship in root.iter(_RELATIONSHIP):
        kind = relationship.get("Type", "").rsplit("/", 1)[-1]
        if kind in _REFUSED_RELATIONSHIPS:
            return (
                _EMBEDDED
                if kind != "attachedTemplate"
                else (
                    "The file is attached to another template, which Word would fetch when the "
                    "report is opened. In Word, detach it (Developer, Document Template), save "
                    "the template as a plain .docx and upload it again."
                )
            )
        if relationship.get("TargetMode") == "External" and kind != "hyperlink":
            return (
                "The file links to something outside it that Word would fetch when the "
                "report is opened (such as a picture on a website). Insert pictures into "
                "the document itself, save it and upload it again."
            )
    return None


def _zip_problem(template: bytes) -> str | None:
    not_word = "The file is not a Word document (.docx). Save the template in Word as a .docx."
    if len(template) > MAX_TEMPLATE_BYTES:
        return (
            f"The file is larger than {MAX_TEMPLATE_BYTES // (1024 * 1024)} MB: a report "
            "template should be much smaller. Remove large pictures and try again."
        )
    if not template.startswith(b"PK") or not zipfile.is_zipfile(io.BytesIO(template)):
        return not_word
    try:
        with zipfile.ZipFile(io.BytesIO(template)) as archive:
            entries = archive.infolist()
            names = {entry.filename for entry in entries}
            if len(entries) > MAX_PARTS or sum(e.file_size for e in entries) > MAX_UNPACKED_BYTES:
                return "The file holds more than a report template can: it was refused."
            if "[Content_Types].xml" not in names or MAIN_PART not in names:
                return not_word
            macros = "The file contains macros. Save the template as a plain .docx, not .docm."
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                return macros
            types = archive.read("[Content_Types].xml")
            if DOCX_CONTENT_TYPE.encode() not in types:
                return not_word
            if any(word in types.lower() for word in (b"macroenabled", b"vbaproject")):
                return macros
            if any(name.lower().startswith(_EMBEDDED_FOLDERS) for name in names):
                return _EMBEDDED
            for entry in entries:
                if entry.filename.lower().endswith((".xml", ".rels")):
                    root = SafeElementTree.fromstring(archive.read(entry))
                    if entry.filename.lower().endswith(".rels"):
                        problem = _relationship_problem(root)
                        if problem:
                            return problem
    except (zipfile.BadZipFile, DefusedXmlException, SafeElementTree.ParseError, OSError):
        return not_word
    except (ValueError, RuntimeError, NotImplementedError):  # encrypted, odd compression
        return not_word
    return None


def _template_source(document: DocxTemplate) -> str:
    """The Jinja source docxtpl renders, one paragraph a line (so errors can say where)."""
    docx = document.get_docx()
    xml = document.patch_xml(document.xml_to_string(docx._element.body))
    for uri in (document.HEADER_URI, document.FOOTER_URI):
        for relation in docx._part.rels.values():
            if relation.reltype == uri and relation.target_part.blob:
                part_xml = document.xml_to_string(parse_xml(relation.target_part.blob))
                xml += document.patch_xml(part_xml)
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", xml)


def _words_near(source: str, line_number: int | None) -> str:
    if not line_number:
        return ""
    lines = source.splitlines()
    for index in (line_number - 1, line_number - 2):
        if 0 <= index < len(lines):
            words = " ".join(re.sub(r"<[^>]+>", "", lines[index]).split())
            if words:
                return words[:120]
    return ""


def template_fields(template: bytes) -> set[str]:
    """The top-level names the template uses (docxtpl's undeclared variables)."""
    document = DocxTemplate(io.BytesIO(template))
    return set(document.get_undeclared_template_variables(report_environment()))


def check_report_template(kind: str, template: bytes) -> list[str]:
    """What is wrong with ``template`` as the report of ``kind``, in plain words (empty: it
    may be used): not a Word file, a tag Word cannot read, a field the service does not fill,
    or a template that does not fill with sample data."""
    if kind not in KNOWN_FIELDS:
        raise ValueError(f"no such kind of report: {kind}")
    problem = _zip_problem(template)
    if problem:
        return [problem]
    try:
        document = DocxTemplate(io.BytesIO(template))
        source = _template_source(document)
    except Exception:  # python-docx could not read it as a Word document
        return ["The file could not be read as a Word document. Save it in Word as a .docx."]
    environment = report_environment()
    try:
        parsed = environment.parse(source)
    except TemplateSyntaxError as error:
        where = _words_near(source, error.lineno)
        place = f" in the paragraph that reads “{where}”" if where else ""
        return [
            f"A tag in the template cannot be read{place}. Check that each {{{{ is closed "
            "with }}, each {% with %}, and that each {%p if %} or {%p for %} has its "
            "{%p endif %} or {%p endfor %}."
        ]
    known = KNOWN_FIELDS[kind]
    unknown = sorted(meta.find_undeclared_variables(parsed) - known)
    if unknown:
        usable = ", ".join(sorted(known))
        return [
            f"The template uses a field the service does not fill: {{{{ {name} }}}}. "
            f"Fields you can use: {usable}."
            for name in unknown
        ]
    try:
        _render_sample(template, kind)
    except UndefinedError as error:
        missing = _MISSING_FIELD.search(str(error))
        name = f"“{missing.group(1) or missing.group(2)}”" if missing else "a field"
        return [
            f"The template asks for {name}, which the service does not fill where it is "
            "used (check its spelling, and what it belongs to, against the fields you can "
            "use)."
        ]
    except SecurityError as error:
        return [f"The template does something a report may not: {error}"]
    except Exception as error:
        return [
            f"The template could not be filled with sample data for a {KIND_LABELS[kind]}: "
            f"{type(error).__name__}: {str(error)[:200]}. Check the tags around tables and "
            "lists."
        ]
    return []


def shipped_template(kind: str) -> bytes:
    """The template the service ships for ``kind`` (audit_templates/reports/<kind>.docx)."""
    if kind not in KINDS:
        raise ValueError(f"no such kind of report: {kind}")
    return (REPORT_TEMPLATES / f"{kind}.docx").read_bytes()
