"""People pages (admins and managers): list, create, edit."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from hotline.auth import role_required
from hotline.auth.forms import show_error
from hotline.db import get_session
from hotline.models import Person
from hotline.planning import bp
from hotline.planning.errors import PlanningError
from hotline.planning.forms import PersonCreateForm, PersonForm
from hotline.planning.people import create_person, list_people, update_person
from hotline.planning.views_common import EDITORS


@bp.get("/people")
@role_required(*EDITORS)
def people() -> ResponseReturnValue:
    """Everyone who can be rung, with their mobile in national format."""
    return render_template("planning/people.html", people=list_people(get_session()))


@bp.route("/people/new", methods=["GET", "POST"])
@role_required(*EDITORS)
def person_new() -> ResponseReturnValue:
    """Add a person."""
    form = PersonCreateForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("planning/person_new.html", form=form), status
    session = get_session()
    try:
        person = create_person(
            session,
            name=form.name.data or "",
            mobile=form.mobile.data or "",
            email=form.email.data,
            language=form.language.data,
            active=bool(form.active.data),
            ref=form.ref.data,
        )
    except PlanningError as error:
        session.rollback()
        show_error(form, error)
        return render_template("planning/person_new.html", form=form), 400
    session.commit()
    flash(_("%(name)s is added.", name=person.name), "success")
    return redirect(url_for("planning.person_edit", person_id=person.id))


@bp.route("/people/<int:person_id>", methods=["GET", "POST"])
@role_required(*EDITORS)
def person_edit(person_id: int) -> ResponseReturnValue:
    """Change a person's name, mobile, e-mail, language and status."""
    session = get_session()
    person = session.get(Person, person_id) or abort(404)
    form = PersonForm(obj=person)
    if not form.validate_on_submit():
        return _edit_page(person, form, 400 if form.is_submitted() else 200)
    try:
        update_person(
            session,
            person,
            name=form.name.data or "",
            mobile=form.mobile.data or "",
            email=form.email.data,
            language=form.language.data,
            active=bool(form.active.data),
        )
    except PlanningError as error:
        session.rollback()
        show_error(form, error)
        return _edit_page(person, form, 400)
    session.commit()
    flash(_("%(name)s is saved.", name=person.name), "success")
    return redirect(url_for("planning.person_edit", person_id=person.id))


def _edit_page(person: Person, form: PersonForm, status: int) -> ResponseReturnValue:
    return render_template("planning/person_edit.html", person=person, form=form), status
