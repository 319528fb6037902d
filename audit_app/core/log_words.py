"""The audit log in words: what each entry did, to what, and in which audit.

Each area registers a :class:`Describer` for each of its record types (what the record is
called, its fields in words, which fields name another thing), and a loader for each kind
of name it can give ("return": "CAMHS return for Child A"). :func:`in_words` gathers every
name a page of entries needs and asks each loader once, so a page runs one statement per
kind of name whatever the number of entries. A child is only ever named by code.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from audit_app.core.models import AuditLogEntry

Values = Mapping[str, Any]


@dataclass(frozen=True)
class Name:
    """What a record is called: a subject, and the record it sits on if any."""

    subject: str
    where: str | None = None

    def __str__(self) -> str:
        return f"{self.subject} on {self.where}" if self.where else self.subject


NameLoader = Callable[[Session, set[int]], Mapping[int, Name | str]]
"""Names of one kind, for many ids at once (one statement)."""


@dataclass(frozen=True)
class Describer:
    """How the log page speaks of one record type."""

    record_type: str
    noun: str
    """What one record is called when nothing better is known ("Agency return")."""
    plural: str
    """The record type in the filter ("Agency returns")."""
    kind: str | None = None
    """The kind of name of the record itself (its loader names it by its id)."""
    fields: Mapping[str, str] = field(default_factory=dict)
    """Field names in words; others are written from the column name."""
    refers: Mapping[str, str] = field(default_factory=dict)
    """Fields holding another record's id, and the kind of name that says what it is."""
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """Stored values in words, by field (a status "returned_for_amendment")."""
    fallback: Callable[[Values, Callable[[str], str | None]], Name | str | None] | None = None
    """The record's name from its logged values, for a record that no longer exists: given
    the values, and what names the record a field refers to (None if it is gone too)."""
    own_format: str = "{}"
    """How a plain name reads as the subject of an entry (``"Agency \\u2018{}\\u2019"``)."""


_describers: dict[str, Describer] = {}
_loaders: dict[str, NameLoader] = {}


def enum_words(enum_cls: Any) -> dict[str, str]:
    """Stored enum values and their labels, for :attr:`Describer.values`."""
    return {
        member.value: getattr(member, "label", None) or member.value.replace("_", " ").capitalize()
        for member in enum_cls
    }


def by_id(session: Session, query: Any) -> dict[int, str]:
    """Names from a query of (id, name) rows."""
    return {row[0]: row[1] for row in session.execute(query)}


def register_describer(describer: Describer) -> None:
    _describers[describer.record_type] = describer


def register_names(kind: str, loader: NameLoader) -> None:
    _loaders[kind] = loader


def describer_for(record_type: str) -> Describer:
    found = _describers.get(record_type)
    if found is not None:
        return found
    words = record_type.replace("_", " ")
    return Describer(record_type, words.capitalize(), f"{words.capitalize()}s")


def record_type_labels(record_types: list[str]) -> list[tuple[str, str]]:
    """(record type, its plural in words), in the order of the words."""
    return sorted(
        ((name, describer_for(name).plural) for name in record_types), key=lambda pair: pair[1]
    )


def field_words(name: str) -> str:
    """A column name as words when no describer says better ("happened_on": "Happened on")."""
    words = name.removesuffix("_id").replace("_", " ")
    return words[:1].upper() + words[1:]


VERBS = {"create": "created", "update": "changed", "delete": "deleted"}


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    before: Any
    after: Any
    had_before: bool
    had_after: bool


@dataclass(frozen=True)
class EntryInWords:
    entry: AuditLogEntry
    title: str
    audit: str | None
    changes: list[Change]


def _as_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def in_words(session: Session, entries: list[AuditLogEntry]) -> list[EntryInWords]:
    """Each entry as a person would say it, with every name looked up in bulk."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for entry in entries:
        describer = describer_for(entry.record_type)
        own = _as_id(entry.record_id)
        if describer.kind and own is not None:
            wanted[describer.kind].add(own)
        if entry.audit_id is not None:
            wanted["audit"].add(entry.audit_id)
        for values in (entry.before or {}, entry.after or {}):
            for name, kind in describer.refers.items():
                referred = _as_id(values.get(name))
                if referred is not None:
                    wanted[kind].add(referred)
    names: dict[str, Mapping[int, Name | str]] = {
        kind: _loaders[kind](session, ids) for kind, ids in wanted.items() if kind in _loaders
    }

    def name_of(kind: str | None, key: int | None) -> Name | str | None:
        if kind is None or key is None:
            return None
        return names.get(kind, {}).get(key)

    described = []
    for entry in entries:
        describer = describer_for(entry.record_type)
        before, after = entry.before or {}, entry.after or {}
        logged = {**before, **after}
        own = name_of(describer.kind, _as_id(entry.record_id))
        if own is None and describer.fallback is not None:

            def named(
                name: str, describer: Describer = describer, logged: Values = logged
            ) -> str | None:
                found = name_of(describer.refers.get(name), _as_id(logged.get(name)))
                return None if found is None else str(found)

            own = describer.fallback(logged, named)
        if own is None:
            own = Name(f"{describer.noun} {entry.record_id}")
        if isinstance(own, Name):
            subject, where = own.subject, own.where
        else:
            subject, where = describer.own_format.format(own), None
        title = f"{subject} {VERBS.get(entry.action, entry.action)}"
        if where:
            title += f" on {where}"
        audit = name_of("audit", entry.audit_id)
        if audit is not None and entry.record_type != "audit":
            title += f" in \u2018{audit}\u2019"

        def shown(name: str, value: Any, describer: Describer = describer) -> Any:
            kind = describer.refers.get(name)
            if kind is not None and _as_id(value) is not None:
                found = name_of(kind, _as_id(value))
                return str(found) if found is not None else f"{field_words(name)} {value}"
            words = describer.values.get(name)
            if words is not None and isinstance(value, str):
                return words.get(value, value)
            if words is not None and isinstance(value, list):
                return ", ".join(words.get(str(item), str(item)) for item in value)
            return value

        changes = [
            Change(
                field=name,
                label=describer.fields.get(name) or field_words(name),
                before=shown(name, before.get(name)),
                after=shown(name, after.get(name)),
                had_before=name in before,
                had_after=name in after,
            )
            for name in dict.fromkeys([*before, *after])
        ]
        described.append(
            EntryInWords(entry, title, str(audit) if audit is not None else None, changes)
        )
    return described
