"""The partnership's audit templates in the database: load, list, version, compare.

A template version is identified by the SHA-256 of its content: loading the same file twice
creates nothing new, a changed file becomes a new version, and a version is never changed
in place, so returns made against it keep rendering with it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from audit_app.core.config import PROJECT_ROOT
from audit_app.questionnaires.models import AuditTemplate, AuditTemplateVersion
from audit_app.questionnaires.template_format import (
    AuditTemplateDefinition,
    TemplateDiff,
    TemplateError,
    TemplateInvalid,
    build,
    compare,
    parse,
)

SHIPPED_TEMPLATES = PROJECT_ROOT / "audit_templates"

# Built definitions by content hash. A version's content never changes, so this holds no
# state that another worker could disagree with; it only saves rebuilding the same objects.
_DEFINITIONS: dict[str, AuditTemplateDefinition] = {}
_MAX_CACHED = 64


@dataclass(frozen=True)
class LoadResult:
    version: AuditTemplateVersion
    created: bool
    new_template: bool

    @property
    def message(self) -> str:
        label = f"{self.version.template.title}, version {self.version.version_label}"
        if not self.created:
            return f"{label} is already loaded: nothing has changed."
        if self.new_template:
            return f"{label} has been added as a new template."
        return f"{label} has been added as a new version."


def definition_of(version: AuditTemplateVersion) -> AuditTemplateDefinition:
    """The typed template of a stored version."""
    cached = _DEFINITIONS.get(version.content_hash)
    if cached is None:
        cached = build(version.content)
        if len(_DEFINITIONS) >= _MAX_CACHED:
            _DEFINITIONS.clear()
        _DEFINITIONS[version.content_hash] = cached
    return cached


def load_template(
    session: Session, raw: bytes, filename: str | None = None, user_id: int | None = None
) -> LoadResult:
    """Validate a template file and store it as a new template or version, or as nothing new.

    Raises :class:`TemplateInvalid` listing every error; nothing is saved then.
    """
    definition = parse(raw, filename)
    template = session.scalar(select(AuditTemplate).where(AuditTemplate.key == definition.id))
    new_template = template is None
    if template is None:
        template = AuditTemplate(key=definition.id, title=definition.title)
        session.add(template)
        session.flush()
    versions = session.scalars(
        select(AuditTemplateVersion).where(AuditTemplateVersion.template_id == template.id)
    ).all()
    for existing in versions:
        if existing.content_hash == definition.content_hash:
            return LoadResult(existing, created=False, new_template=False)
    for existing in versions:
        if existing.version_label == definition.version:
            raise TemplateInvalid(
                [
                    TemplateError(
                        "version",
                        f"version {definition.version!r} of {definition.id!r} is already loaded "
                        "with different content: give the changed file a new version label",
                        filename,
                    )
                ]
            )
    version = AuditTemplateVersion(
        template=template,
        version_label=definition.version,
        content_hash=definition.content_hash,
        purpose=definition.purpose,
        content=definition.content,
        source_text=raw.decode("utf-8-sig"),
        created_by_id=user_id,
    )
    template.title = definition.title
    session.add(version)
    session.flush()
    return LoadResult(version, created=True, new_template=new_template)


def load_shipped_templates(session: Session) -> list[LoadResult]:
    """Load every template that ships in ``audit_templates/`` (idempotent)."""
    return [
        load_template(session, path.read_bytes(), path.name)
        for path in sorted(SHIPPED_TEMPLATES.glob("*.yaml"))
    ]


@dataclass(frozen=True)
class TemplateSummary:
    template: AuditTemplate
    latest: AuditTemplateVersion
    version_count: int

    @property
    def question_count(self) -> int:
        return len(definition_of(self.latest).questions)


def list_templates(session: Session) -> list[TemplateSummary]:
    """Every template with its latest version, for choosing one for an audit."""
    templates = session.scalars(
        select(AuditTemplate)
        .options(selectinload(AuditTemplate.versions))
        .order_by(func.lower(AuditTemplate.title))
    ).all()
    return [
        TemplateSummary(template, latest_version(template), len(template.versions))
        for template in templates
        if template.versions
    ]


def latest_version(template: AuditTemplate) -> AuditTemplateVersion:
    return max(template.versions, key=lambda version: (version.created_at, version.id))


def compare_versions(old: AuditTemplateVersion, new: AuditTemplateVersion) -> TemplateDiff:
    return compare(definition_of(old), definition_of(new))
