"""The Signs of Safety board: every item of the audit in the three columns, filtered and
paged, and tagging items with themes from the board (a plain form that posts and comes back
to the same place; the page's script sends the same forms in the background)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from audit_app.core.access import allow
from audit_app.core.commit_point import discard_changes
from audit_app.core.roles import Role
from audit_app.core.web import db
from audit_app.panel import board as rules
from audit_app.panel.blueprint import blueprint
from audit_app.panel.pages import panel_audit, render_panel
from audit_app.panel.reading import PanelAudit
from audit_app.questionnaires.definitions import COLUMNS, SUB_HEADING_LABELS


def _fetched() -> bool:
    """Whether the page's script sent the form (it wants JSON back, not a page)."""
    return request.headers.get("X-Requested-With") == "fetch"


def _filters(panel: PanelAudit, args: Any) -> tuple[rules.BoardFilters, list[tuple[int, str]]]:
    themes = rules.themes_of(db(), panel.audit.id)
    return rules.read_filters(args, panel, [theme_id for theme_id, _ in themes]), themes


def _back_filters(panel: PanelAudit) -> tuple[rules.BoardFilters, list[tuple[int, str]]]:
    """The filters of the board the form was sent from (its hidden ``back`` field)."""
    query = dict(parse_qsl(request.form.get("back", ""), keep_blank_values=False))
    return _filters(panel, query)


def _anchor(kind: str, item_id: int) -> str:
    column = request.form.get("column", "")
    return f"{kind}-{item_id}" + (f"-{column}" if column in COLUMNS else "")


def _render_board(
    panel: PanelAudit,
    filters: rules.BoardFilters,
    themes: list[tuple[int, str]],
    problem: str | None = None,
    problem_item: str | None = None,
    problem_field: str | None = None,
    typed: str = "",
) -> str:
    board = rules.read_board(db(), panel, filters, themes)
    return render_panel(
        "panel/board.html",
        panel,
        "panel.board",
        board=board,
        filters=filters,
        back=urlencode(filters.args()),
        sub_heading_labels=SUB_HEADING_LABELS,
        choices=rules.filter_choices(panel, filters, themes),
        page_numbers=rules.page_numbers,
        per_page=rules.PER_PAGE,
        problem=problem,
        problem_href=f"#{problem_item}-{problem_field}" if problem_item else None,
        problem_item=problem_item,
        problem_field=problem_field,
        typed=typed,
    )


@blueprint.route("/board")
@allow(Role.AUDIT_LEAD, Role.PANEL)
def board(audit_id: int) -> str:
    panel = panel_audit(audit_id)
    filters, themes = _filters(panel, request.args)
    return _render_board(panel, filters, themes)


def _tags_html(panel: PanelAudit, kind: str, item_id: int) -> str:
    """The item's tags as the board shows them, for the page's script to put in place."""
    return render_template(
        "panel/_board_tags.html",
        audit=panel.audit,
        tags=rules.item_tags(db(), kind, item_id),
        back=request.form.get("back", ""),
        column=request.form.get("column", ""),
    )


@blueprint.route("/board/tag", methods=["POST"])
@allow(Role.AUDIT_LEAD, Role.PANEL)
def tag(audit_id: int) -> str | Response | tuple[Response, int]:
    panel = panel_audit(audit_id)
    filters, themes = _back_filters(panel)
    kind = request.form.get("kind", "")
    item_id = rules.whole_number(request.form.get("item"))
    if kind not in rules.KIND_OF_TARGET or item_id is None:
        flash("Choose an item on the board to tag.", "error")
        return redirect(url_for("panel.board", audit_id=audit_id, **filters.args()))
    raw_theme = request.form.get("theme", "")
    theme_id = rules.whole_number(raw_theme)
    if raw_theme and theme_id is None:
        abort(404)
    typed = request.form.get("new_theme", "")
    anchor = _anchor(kind, item_id)
    try:
        tagged = rules.tag_item(
            db(), panel, kind, item_id, theme_id, typed, getattr(current_user, "id", None)
        )
    except rules.NotInAudit:
        abort(404)
    except rules.TagProblem as problem:
        discard_changes()
        if _fetched():
            return jsonify({"ok": False, "message": problem.message, "field": problem.field}), 422
        return _render_board(panel, filters, themes, problem.message, anchor, problem.field, typed)
    if tagged.already:
        message = f"Already tagged '{tagged.theme}'"
    elif tagged.created_theme:
        message = f"Tagged '{tagged.theme}' (a new theme)"
    else:
        message = f"Tagged '{tagged.theme}'"
    if _fetched():
        return jsonify(
            {
                "ok": True,
                "message": message,
                "theme": {"id": tagged.theme_id, "name": tagged.theme}
                if tagged.created_theme
                else None,
                "tags_html": _tags_html(panel, kind, item_id),
            }
        )
    flash(message)
    return redirect(url_for("panel.board", audit_id=audit_id, **filters.args(), _anchor=anchor))


@blueprint.route("/board/untag", methods=["POST"])
@allow(Role.AUDIT_LEAD, Role.PANEL)
def untag(audit_id: int) -> Response:
    panel = panel_audit(audit_id)
    filters, _themes = _back_filters(panel)
    tag_id = rules.whole_number(request.form.get("tag"))
    if tag_id is None:
        flash("Choose a tag to remove.", "error")
        return redirect(url_for("panel.board", audit_id=audit_id, **filters.args()))
    try:
        untagged = rules.untag(db(), panel, tag_id)
    except rules.NotInAudit:
        abort(404)
    message = f"Removed the tag '{untagged.theme}'"
    anchor = _anchor(untagged.kind, untagged.item_id)
    if _fetched():
        return jsonify(
            {
                "ok": True,
                "message": message,
                "tags_html": _tags_html(panel, untagged.kind, untagged.item_id),
            }
        )
    flash(message)
    return redirect(url_for("panel.board", audit_id=audit_id, **filters.args(), _anchor=anchor))
