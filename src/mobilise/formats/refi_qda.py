"""REFI-QDA project exchange (``.qdpx``): a codebook and its coding of text sources, read and
written so that NVivo, ATLAS.ti, MAXQDA and QualCoder users can carry on.

A ``.qdpx`` file is a zip holding ``project.qde`` (XML in the namespace
``urn:QDA-XML:project:1.0``, schema ``Project-mrt2019.xsd`` of the Rotterdam Exchange Format
Initiative, shipped in ``refi_qda_schema/`` under its MIT licence) and the sources' text under
``Sources/``. What mobilise writes:

- ``Users/User``: one per coder (a GUID derived from the coder's name, so every export names a
  coder alike);
- ``CodeBook/Codes/Code``: the themes, sub-themes nested, ``Description`` the definition,
  ``color`` the theme's colour;
- ``Sources/TextSource``: one per contribution (its GUID the contribution's id), its text in
  ``Sources/<guid>.txt`` (``plainTextPath="internal://<guid>.txt"``);
- a span coding: a ``PlainTextSelection`` (``startPosition``/``endPosition`` in characters,
  end exclusive, as the standard counts them) with one ``Coding`` and the memo as
  ``Description``; a whole-contribution coding: a ``Coding`` of the ``TextSource`` itself.

Reading refuses a file over the upload limit, a zip that would inflate past the limits or
holds more than :data:`MAX_ENTRIES` entries, a member it cannot read (damaged, encrypted, an
unknown compression), XML with a DOCTYPE or an entity declaration (found by expat itself, in any
encoding: so no external entities and no entity expansion, "billion laughs"), XML nesting
deeper than ``max_json_depth``, and more sources or selections than ``max_rows``. Other source
kinds (PDF, pictures, audio, video) are counted and left out.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
import zipfile
import zlib
from dataclasses import dataclass, field
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any

from mobilise.errors import Problem, ValidationError
from mobilise.formats._limits import DEFAULT_LIMITS, check_rows, check_zip, limit_error, parse_xml
from mobilise.settings import Limits

__all__ = [
    "MAX_ENTRIES",
    "NAMESPACE",
    "QdaCode",
    "QdaProject",
    "QdaSelection",
    "QdaSource",
    "read_qdpx",
    "user_guid",
    "validate",
    "write_qdpx",
]

NAMESPACE = "urn:QDA-XML:project:1.0"
SCHEMA = Path(__file__).parent / "refi_qda_schema" / "Project-mrt2019.xsd"
MAX_ENTRIES = 20_000
"""The most entries a .qdpx zip may hold (the project and its sources)."""
_USERS = uuid.UUID("6f1d2c5e-4a7b-4c1e-9d2f-0b7e5a3c8d41")
_Q = f"{{{NAMESPACE}}}"


@dataclass
class QdaCode:
    guid: str
    name: str
    description: str = ""
    color: str = ""
    children: list[QdaCode] = field(default_factory=list)


@dataclass
class QdaSelection:
    """A coding: ``start``/``end`` None for a whole source; ``user`` the coder's GUID."""

    guid: str
    code: str
    user: str | None
    start: int | None = None
    end: int | None = None
    description: str = ""


@dataclass
class QdaSource:
    guid: str
    name: str
    text: str
    selections: list[QdaSelection] = field(default_factory=list)


@dataclass
class QdaProject:
    name: str
    users: dict[str, str] = field(default_factory=dict)  # guid -> name
    codes: list[QdaCode] = field(default_factory=list)
    sources: list[QdaSource] = field(default_factory=list)
    skipped_sources: int = 0


def user_guid(name: str) -> str:
    """The GUID a coder's name always gets."""
    return str(uuid.uuid5(_USERS, name))


def _derived(guid: str, what: str) -> str:
    return str(uuid.uuid5(uuid.UUID(guid), what))


# -- writing -------------------------------------------------------------------------------
def _code_element(parent: ET.Element, code: QdaCode) -> None:
    attributes = {"guid": code.guid, "name": code.name, "isCodable": "true"}
    if code.color:
        attributes["color"] = code.color
    element = ET.SubElement(parent, f"{_Q}Code", attributes)
    if code.description:
        ET.SubElement(element, f"{_Q}Description").text = code.description
    for child in code.children:
        _code_element(element, child)


def _coding(parent: ET.Element, selection: QdaSelection) -> None:
    attributes = {"guid": _derived(selection.guid, "coding")}
    if selection.user:
        attributes["creatingUser"] = selection.user
    coding = ET.SubElement(parent, f"{_Q}Coding", attributes)
    ET.SubElement(coding, f"{_Q}CodeRef", {"targetGUID": selection.code})


def _source_element(parent: ET.Element, source: QdaSource) -> None:
    element = ET.SubElement(
        parent,
        f"{_Q}TextSource",
        {
            "guid": source.guid,
            "name": source.name,
            "plainTextPath": f"internal://{source.guid}.txt",
        },
    )
    spans = [s for s in source.selections if s.start is not None]
    for selection in spans:
        attributes = {
            "guid": selection.guid,
            "startPosition": str(selection.start),
            "endPosition": str(selection.end),
        }
        if selection.user:
            attributes["creatingUser"] = selection.user
        chosen = ET.SubElement(element, f"{_Q}PlainTextSelection", attributes)
        if selection.description:
            ET.SubElement(chosen, f"{_Q}Description").text = selection.description
        _coding(chosen, selection)
    for selection in (s for s in source.selections if s.start is None):
        _coding(element, selection)


def project_xml(project: QdaProject) -> bytes:
    """The ``project.qde`` document of a project."""
    ET.register_namespace("", NAMESPACE)
    root = ET.Element(f"{_Q}Project", {"name": project.name, "origin": "mobilise"})
    if project.users:
        users = ET.SubElement(root, f"{_Q}Users")
        for guid, name in project.users.items():
            ET.SubElement(users, f"{_Q}User", {"guid": guid, "name": name})
    if project.codes:
        codes = ET.SubElement(ET.SubElement(root, f"{_Q}CodeBook"), f"{_Q}Codes")
        for code in project.codes:
            _code_element(codes, code)
    if project.sources:
        sources = ET.SubElement(root, f"{_Q}Sources")
        for source in project.sources:
            _source_element(sources, source)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8")


def write_qdpx(project: QdaProject) -> bytes:
    """The ``.qdpx`` file of a project (checked against the schema before it is returned)."""
    document = project_xml(project)
    validate(document)
    out = BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", document)
        for source in project.sources:
            archive.writestr(f"Sources/{source.guid}.txt", source.text.encode("utf-8"))
    return out.getvalue()


@cache
def _schema() -> Any:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.XMLSchema(etree.parse(str(SCHEMA), parser))


def validate(document: bytes, *, name: str = "project.qde") -> None:
    """Check a ``project.qde`` document against the REFI-QDA schema (lxml); every problem in
    one :class:`~mobilise.errors.ValidationError` with its line."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        tree = etree.fromstring(document, parser)
    except etree.XMLSyntaxError as error:
        raise ValidationError(
            f"{name} is not well-formed XML.", problems=[Problem(str(error), file=name)]
        ) from None
    schema = _schema()
    if not schema.validate(tree):
        problems = [
            Problem(entry.message, file=name, row=entry.line) for entry in schema.error_log
        ][:50]
        raise ValidationError(f"{name} does not follow the REFI-QDA schema.", problems=problems)


# -- reading -------------------------------------------------------------------------------
def _refuse(name: str, message: str, field_name: str | None = None) -> ValidationError:
    return ValidationError(
        f"Cannot read {name}: {message}.", problems=[Problem(message, file=name, field=field_name)]
    )


def _codes(element: ET.Element) -> list[QdaCode]:
    found = []
    for code in element.findall(f"{_Q}Code"):
        description = code.find(f"{_Q}Description")
        found.append(
            QdaCode(
                guid=code.get("guid", ""),
                name=code.get("name", "").strip(),
                description=(description.text or "") if description is not None else "",
                color=code.get("color", ""),
                children=_codes(code),
            )
        )
    return found


def _selections(element: ET.Element, start: int | None, end: int | None) -> list[QdaSelection]:
    out = []
    description = element.find(f"{_Q}Description")
    memo = (description.text or "") if description is not None and start is not None else ""
    for coding in element.findall(f"{_Q}Coding"):
        reference = coding.find(f"{_Q}CodeRef")
        if reference is None:
            continue
        out.append(
            QdaSelection(
                guid=element.get("guid", "") if start is not None else coding.get("guid", ""),
                code=reference.get("targetGUID", ""),
                user=coding.get("creatingUser") or element.get("creatingUser"),
                start=start,
                end=end,
                description=memo,
            )
        )
    return out


def _source_text(element: ET.Element, archive: zipfile.ZipFile, name: str, limits: Limits) -> str:
    content = element.find(f"{_Q}PlainTextContent")
    if content is not None:
        return content.text or ""
    path = element.get("plainTextPath", "")
    if not path.startswith("internal://"):
        return ""
    member = "Sources/" + path.removeprefix("internal://")
    data = _member(archive, member, name, missing=f"the source {member} is missing from the zip")
    return data.decode("utf-8-sig", errors="replace")


def _member(archive: zipfile.ZipFile, member: str, name: str, *, missing: str) -> bytes:
    """The bytes of one member of the zip, or the format's refusal: missing, damaged (a bad
    CRC, a truncated stream), encrypted, or packed by a method Python's zipfile cannot read."""
    try:
        return archive.read(member)
    except KeyError:
        raise _refuse(name, missing) from None
    except NotImplementedError:
        raise _refuse(
            name, f"{member} is compressed by a method mobilise cannot read; save it again"
        ) from None
    except RuntimeError:  # zipfile's "is encrypted, password required"
        raise _refuse(
            name, f"{member} is encrypted; export the project without a password"
        ) from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as error:
        raise _refuse(name, f"{member} is damaged in the zip ({error})") from None


def _refuse_declarations(document: bytes, name: str) -> None:
    """Refuse a DOCTYPE or any entity declaration, read by expat itself (so in whatever
    encoding the document declares, UTF-16 too): no external entities, no expansion."""
    from xml.parsers import expat

    def refuse(*_: object) -> None:
        raise _refuse(name, "project.qde declares a DOCTYPE or entities; none are read")

    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    try:
        parser.Parse(document, True)
    except expat.ExpatError as error:
        raise _refuse(name, f"project.qde is not well-formed XML ({error})") from None


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def read_qdpx(
    data: bytes, *, name: str = "project.qdpx", limits: Limits | None = None
) -> QdaProject:
    """A ``.qdpx`` file's users, codebook and text sources with their codings (see the module's
    limits).

    Raises
    ------
    mobilise.errors.ValidationError
        Naming the file and what is wrong: not a zip, no ``project.qde``, a limit exceeded, a
        DOCTYPE, XML that is not well-formed or not a REFI-QDA project.
    """
    limits = limits or DEFAULT_LIMITS
    if len(data) > limits.upload_bytes:
        raise limit_error(name, f"it is larger than {limits.max_upload_mb} MB", "max_upload_mb")
    check_zip(data, name=name, limits=limits)
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except zipfile.BadZipFile:
        raise _refuse(name, "it is not a zip file (a .qdpx project is one)") from None
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ENTRIES:
            raise _refuse(name, f"it holds {len(entries):,} entries; at most {MAX_ENTRIES:,}")
        document = _member(archive, "project.qde", name, missing="it holds no project.qde")
        _refuse_declarations(document, name)
        try:
            root = parse_xml(document, name=name, limits=limits)
        except ET.ParseError as error:
            raise _refuse(name, f"project.qde is not well-formed XML ({error})") from None
        if root.tag != f"{_Q}Project":
            raise _refuse(name, f"project.qde is not a REFI-QDA project (root {root.tag})")
        return _project(root, archive, name, limits)


def _project(root: ET.Element, archive: zipfile.ZipFile, name: str, limits: Limits) -> QdaProject:
    project = QdaProject(name=root.get("name", ""))
    for user in root.iterfind(f"{_Q}Users/{_Q}User"):
        project.users[user.get("guid", "")] = user.get("name") or user.get("id") or "imported"
    codes = root.find(f"{_Q}CodeBook/{_Q}Codes")
    project.codes = _codes(codes) if codes is not None else []
    sources = root.find(f"{_Q}Sources")
    if sources is None:
        return project
    check_rows(len(sources), name=name, limits=limits, what="sources")
    selections = 0
    for element in sources:
        if element.tag != f"{_Q}TextSource":
            project.skipped_sources += 1
            continue
        source = QdaSource(
            guid=element.get("guid", ""),
            name=element.get("name", ""),
            text=_source_text(element, archive, name, limits),
            selections=_selections(element, None, None),
        )
        for chosen in element.findall(f"{_Q}PlainTextSelection"):
            start, end = _int(chosen.get("startPosition")), _int(chosen.get("endPosition"))
            if start is not None and end is not None:
                source.selections.extend(_selections(chosen, start, end))
        selections += len(source.selections)
        check_rows(selections, name=name, limits=limits, what="codings")
        project.sources.append(source)
    return project
