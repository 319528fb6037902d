"""The panel's themes: the list sorted by reach with a form to add one, a page per theme
(its words, its reach, every item it tags), merging one theme into another and deleting
one, each after a confirmation."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from werkzeug.wrappers import Response

from audit_app.core.access import allow
from audit_app.core.commit_point import discard_changes
from audit_app.core.error_pages import EXPIRED_FORM, on_expired_form
from audit_app.core.errors import DomainError
from audit_app.core.roles import Role
from audit_app.core.web import db
from audit_app.panel import themes as rules
from audit_app.panel.blueprint import blueprint
from audit_app.panel.models import Theme
from audit_app.panel.pages import panel_audit, render_panel
from audit_app.panel.reading import PanelAudit


def _theme(panel: PanelAudit, theme_id: int) -> Theme:
    try:
        return rules.theme_of(db(), panel.audit, theme_id)
    except rules.ThemeNotFound:
        abort(404)


def _form_id(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() else None


def _limits() -> dict[str, int]:
    return {
        "max_name": rules.MAX_NAME_LENGTH,
        "max_description": rules.MAX_DESCRIPTION_LENGTH,
    }


# --- The list ----------------------------------------------------------------------------------


def _render_themes(
    panel: PanelAudit,
    *,
    typed: dict[str, str] | None = None,
    problem: str | None = None,
    problem_field: str | None = None,
) -> str:
    listing = rules.themes_page(db(), panel.audit, panel.definition)
    return render_panel(
        "panel/themes.html",
        panel,
        "panel.themes",
        listing=listing,
        typed=typed or {},
        problem=problem,
        problem_field=problem_field,
        problem_href=f"#{problem_field}" if problem_field else "#add-a-theme",
        **_limits(),
    )


@blueprint.route("/themes")
@allow(Role.AUDIT_LEAD, Role.PANEL)
def themes(audit_id: int) -> str:
    return _render_themes(panel_audit(audit_id))


@blueprint.route("/themes/new", methods=["POST"])
@allow(Role.AUDIT_LEAD, Role.PANEL)
def theme_new(audit_id: int) -> str | Response:
    panel = panel_audit(audit_id)
    typed = {
        "name": request.form.get("name", ""),
        "description": request.form.get("description", ""),
    }
    try:
        theme = rules.create_theme(db(), panel.audit, typed["name"], typed["description"])
    except DomainError as error:
        discard_changes()
        return _render_themes(panel, typed=typed, problem=error.message, problem_field=error.field)
    flash(f"The theme '{theme.name}' has been added.")
    return redirect(url_for("panel.themes", audit_id=audit_id, _anchor="themes"))


@blueprint.route("/themes/suggested", methods=["POST"])
@allow(Role.AUDIT_LEAD, Role.PANEL)
def theme_suggested(audit_id: int) -> str | Response:
    """Add the suggested themes ticked (the template's hints, the earlier audits' names)."""
    panel = panel_audit(audit_id)
    session = db()
    offered = rules.suggested_names(session, panel.audit, panel.definition)
    chosen = [
        offered[key]
        for key in dict.fromkeys(rules.name_key(name) for name in request.form.getlist("suggested"))
        if key in offered
    ]
    if not chosen:
        return _render_themes(
            panel, problem="Choose at least one suggested theme", problem_field="suggested"
        )
    try:
        for name in chosen:
            rules.create_theme(session, panel.audit, name)
    except DomainError as error:
        discard_changes()
        return _render_themes(panel, problem=error.message, problem_field="suggested")
    added = ", ".join(f"'{name}'" for name in chosen)
    flash(f"Added {'the theme' if len(chosen) == 1 else 'the themes'} {added}.")
    return redirect(url_for("panel.themes", audit_id=audit_id, _anchor="themes"))


# --- One theme ---------------------------------------------------------------------------------


def _render_theme(
    panel: PanelAudit,
    theme: Theme,
    *,
    shown: dict[str, str] | None = None,
    typed: dict[str, str] | None = None,
    problem: str | None = None,
    problem_field: str | None = None,
) -> str:
    """The theme's page. ``shown``: the words to put in the form (what was sent, when a
    rule refused it); ``typed``: what was sent when someone else saved first, shown apart
    while the form shows their version."""
    session = db()
    reach = rules.reach_of(session, panel.audit, [theme.id]).get(theme.id, rules.Reach())
    earlier = rules.earlier_themes(session, panel.audit).get(rules.name_key(theme.name), [])
    problem_href = (
        "#your-words" if typed else (f"#{problem_field}" if problem_field else "#edit-theme")
    )
    return render_panel(
        "panel/theme.html",
        panel,
        "panel.themes",
        theme=theme,
        reach=reach,
        recurring=rules.recurring_words(earlier),
        items=rules.items_of(session, panel.audit, theme, panel.definition),
        items_shown=rules.ITEMS_SHOWN,
        findings=rules.findings_of(session, theme),
        others=rules.other_themes(session, panel.audit, theme),
        shown=shown or {"name": theme.name, "description": theme.description},
        version=theme.version,
        typed=typed,
        problem=problem,
        problem_field=problem_field,
        problem_href=problem_href,
        **_limits(),
    )


THEME_GONE = (
    "Someone else deleted this theme, or merged it into another, while you were editing it. "
    "Your words have not been saved: they are in the form to add a theme below, to add it "
    "again if it is still needed."
)


def _gone(panel: PanelAudit) -> str:
    """An edit sent for a theme deleted or merged meanwhile: the list of themes, with the
    words typed put in the form that adds a theme."""
    typed = {
        "name": request.form.get("name", ""),
        "description": request.form.get("description", ""),
    }
    return _render_themes(panel, typed=typed, problem=THEME_GONE)


@blueprint.route("/themes/<id:theme_id>", methods=["GET", "POST"])
@allow(Role.AUDIT_LEAD, Role.PANEL)
def theme(audit_id: int, theme_id: int) -> str | Response:
    panel = panel_audit(audit_id)
    if request.method == "POST" and db().get(Theme, theme_id) is None:
        return _gone(panel)  # (another audit's theme is "not found", below)
    found = _theme(panel, theme_id)
    if request.method == "GET":
        return _render_theme(panel, found)
    session = db()
    sent = {
        "name": request.form.get("name", ""),
        "description": request.form.get("description", ""),
    }
    seen = _form_id(request.form.get("version"))
    try:
        rules.update_theme(session, panel.audit, found, seen, sent["name"], sent["description"])
    except rules.ThemeConflict as conflict:
        discard_changes()
        session.rollback()  # to read the theme as the other person left it
        panel = panel_audit(audit_id)
        found = _theme(panel, theme_id)
        return _render_theme(panel, found, typed=sent, problem=conflict.message)
    except DomainError as error:
        discard_changes()
        session.rollback()
        panel = panel_audit(audit_id)
        found = _theme(panel, theme_id)
        return _render_theme(
            panel, found, shown=sent, problem=error.message, problem_field=error.field
        )
    flash("The theme has been saved.")
    return redirect(url_for("panel.theme", audit_id=audit_id, theme_id=theme_id))


@on_expired_form("panel.theme")
def theme_expired(audit_id: int, theme_id: int) -> str:
    """The theme's words sent with an expired token: shown again, not saved, with the
    version the page was built from."""
    discard_changes()
    panel = panel_audit(audit_id)
    if db().get(Theme, theme_id) is None:
        return _gone(panel)
    found = _theme(panel, theme_id)
    sent = {
        "name": request.form.get("name", ""),
        "description": request.form.get("description", ""),
    }
    return _render_theme(panel, found, shown=sent, problem=EXPIRED_FORM)


@blueprint.route("/themes/<id:theme_id>/untag", methods=["POST"])
@allow(Role.AUDIT_LEAD, Role.PANEL)
def theme_untag(audit_id: int, theme_id: int) -> Response:
    """Take the theme off one item (the item stays)."""
    panel = panel_audit(audit_id)
    found = _theme(panel, theme_id)
    tag_id = _form_id(request.form.get("tag_id"))
    back = url_for("panel.theme", audit_id=audit_id, theme_id=theme_id, _anchor="items")
    if tag_id is None:
        flash("Choose an item to take the theme off.", "error")
        return redirect(back)
    try:
        rules.remove_tag(db(), panel.audit, found, tag_id)
    except rules.ThemeNotFound:
        abort(404)
    flash(f"The item is no longer tagged '{found.name}'.")
    return redirect(back)


# --- Merging and deleting ----------------------------------------------------------------------


@blueprint.route("/themes/<id:theme_id>/merge", methods=["GET", "POST"])
@allow(Role.AUDIT_LEAD, Role.PANEL)
def theme_merge(audit_id: int, theme_id: int) -> str | Response:
    """Merge this theme into another: its tags and finding links move there and this theme
    goes. The theme to merge into is chosen on the theme's page (or here), then confirmed."""
    panel = panel_audit(audit_id)
    session = db()
    source = _theme(panel, theme_id)
    into_id = _form_id(request.values.get("into"))
    target = _theme(panel, into_id) if into_id is not None else None
    problem = None
    if target is not None and target.id == source.id:
        target, problem = None, "Choose another theme to merge this one into"
    if request.method == "POST":
        if target is None:
            problem = problem or "Choose the theme to merge this one into"
        else:
            name, into_name = source.name, target.name
            try:
                merged = rules.merge_themes(session, panel.audit, source, target)
            except DomainError as error:
                discard_changes()
                problem = error.message
            else:
                flash(
                    f"'{name}' has been merged into '{into_name}': {merged.moved} tagged "
                    f"{'item' if merged.moved == 1 else 'items'} moved"
                    + (f", {merged.already} already tagged there" if merged.already else "")
                    + "."
                )
                return redirect(url_for("panel.theme", audit_id=audit_id, theme_id=target.id))
    return render_panel(
        "panel/theme_merge.html",
        panel,
        "panel.themes",
        theme=source,
        target=target,
        others=rules.other_themes(session, panel.audit, source),
        removes=rules.what_deleting_removes(session, source),
        problem=problem,
        problem_href="#into",
    )


@blueprint.route("/themes/<id:theme_id>/delete", methods=["GET", "POST"])
@allow(Role.AUDIT_LEAD, Role.PANEL)
def theme_delete(audit_id: int, theme_id: int) -> str | Response:
    """Delete a theme, with its tags and its links to findings, once confirmed."""
    panel = panel_audit(audit_id)
    session = db()
    found = _theme(panel, theme_id)
    if request.method == "POST":
        name = found.name
        removed = rules.delete_theme(session, panel.audit, found)
        flash(
            f"The theme '{name}' has been deleted, with its {removed.tags} "
            f"{'tag' if removed.tags == 1 else 'tags'}. The items themselves are kept."
        )
        return redirect(url_for("panel.themes", audit_id=audit_id))
    return render_panel(
        "panel/theme_delete.html",
        panel,
        "panel.themes",
        theme=found,
        removes=rules.what_deleting_removes(session, found),
    )
