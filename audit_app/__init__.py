"""The multi-agency case file audit service."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader
from werkzeug.middleware.proxy_fix import ProxyFix

# Every area's tables, so that the mappers are configured with all of them known.
import audit_app.models  # noqa: F401
from audit_app.actions.smart import WordListInvalid, load_words
from audit_app.core.audit_log import install_audit_log_listener
from audit_app.core.config import PROJECT_ROOT, ConfigError, load_settings
from audit_app.core.db import Database

SERVICE_NAME = "Multi-agency case file audit"

csrf = CSRFProtect()
login_manager = LoginManager()


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the application from the environment (``overrides`` are for tests)."""
    app = Flask(__name__, instance_path=str(PROJECT_ROOT / "instance"))
    settings = load_settings(Path(app.instance_path))
    app.config.update(settings.flask_config())
    app.config["SERVICE_NAME"] = SERVICE_NAME
    if overrides:
        app.config.update(overrides)
    if app.config.get("AUDIT_SMART_WORDS"):
        # A partnership's own word lists are read now: a broken file stops the start, saying
        # why, instead of breaking the action pages later.
        try:
            load_words(Path(app.config["AUDIT_SMART_WORDS"]))
        except WordListInvalid as error:
            raise ConfigError(f"AUDIT_SMART_WORDS: {error}") from error
    if app.config["AUDIT_PROXY_HOPS"]:
        hops = app.config["AUDIT_PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    app.jinja_loader = ChoiceLoader(
        [
            PackageLoader("audit_app"),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    app.extensions["audit_db"] = Database(app.config["AUDIT_DATABASE_URL"])
    install_audit_log_listener()

    csrf.init_app(app)
    WTFormsHelpers(app)
    _init_login(app)

    from audit_app.core import access, commit_point, security, web

    security.init_security(app)
    app.url_map.converters["id"] = web.IdConverter
    app.before_request(web.refuse_nul_bytes)
    app.before_request(web.record_actor)
    app.before_request(access.enforce_access)
    commit_point.init_commit_point(app)
    app.teardown_appcontext(web.close_session)

    from audit_app.accounts import audit_log_views, sign_in_views
    from audit_app.accounts import views as accounts_views
    from audit_app.actions import views as actions_views
    from audit_app.agencies import views as agencies_views
    from audit_app.audits import views as audits_views
    from audit_app.cohort import views as cohort_views
    from audit_app.core import error_pages
    from audit_app.exports import views as exports_views
    from audit_app.home import views as home_views
    from audit_app.panel import views as panel_views
    from audit_app.questionnaires import views as questionnaires_views
    from audit_app.returns import summary_views
    from audit_app.returns import views as returns_views
    from audit_app.workbooks import views as workbooks_views

    for module in (
        sign_in_views,
        home_views,
        agencies_views,
        accounts_views,
        audit_log_views,
        questionnaires_views,
        audits_views,
        cohort_views,
        returns_views,
        summary_views,
        workbooks_views,
        panel_views,
        actions_views,
        exports_views,
    ):
        app.register_blueprint(module.blueprint)
    error_pages.register(app)

    from audit_app.cli import register_commands

    register_commands(app)
    _init_template_globals(app)
    return app


def _init_login(app: Flask) -> None:
    from audit_app.accounts.users import load_signed_in_user
    from audit_app.core.web import db

    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = None
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(session_id: str) -> object:
        return load_signed_in_user(db(), session_id)


def _init_template_globals(app: Flask) -> None:
    from audit_app.core.navigation import navigation_items
    from audit_app.core.roles import Role
    from audit_app.questionnaires.answer_types import ANSWER_TYPES
    from audit_app.questionnaires.field_handlers import FIELD_HANDLERS

    # Globals, so the question macros see them wherever they are imported.
    app.jinja_env.globals["answer_types"] = ANSWER_TYPES
    app.jinja_env.globals["field_handlers"] = FIELD_HANDLERS

    @app.context_processor
    def service_context() -> dict[str, Any]:
        return {
            "service_name": app.config["SERVICE_NAME"],
            "partnership_name": app.config["AUDIT_PARTNERSHIP_NAME"],
            "navigation_items": navigation_items,
            "role_descriptions": {role.value: role.description for role in Role},
        }
