"""The OpenAPI description matches the routes the app serves, both ways, and is valid."""

from __future__ import annotations

import re

from hotline.api.openapi import METHODS

ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def served(app):
    """(path, method) of every route under /api/v1, in OpenAPI spelling."""
    return {
        (ARGUMENT.sub(r"{\1}", rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
        for method in rule.methods & set(METHODS)
    }


def described(document):
    return {(path, method) for path, item in document["paths"].items() for method in item}


def test_every_route_is_described_and_every_description_is_served(app, admin_api):
    response = admin_api.get("/api/v1/openapi.json")

    assert response.status_code == 200
    document = response.json
    assert document["openapi"] == "3.1.0"
    assert served(app) - described(document) == set(), "routes missing from the description"
    assert described(document) - served(app) == set(), "described routes the app does not serve"
    assert ("/api/v1/me", "get") in described(document)
    assert ("/api/v1/hotlines/{hotline_id}/oncall", "get") in described(document)


def test_every_reference_resolves_and_every_operation_names_its_roles(admin_api):
    document = admin_api.get("/api/v1/openapi.json").json
    text = str(document)
    schemas = document["components"]["schemas"]

    for name in re.findall(r"#/components/schemas/([A-Za-z0-9_.-]+)", text):
        assert name in schemas, name
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert operation["description"].startswith("Roles: "), (path, method)
            assert "401" in operation["responses"], (path, method)
            names = {p["name"] for p in operation["parameters"] if p["in"] == "path"}
            assert names == set(re.findall(r"{(\w+)}", path)), (path, method)


def test_the_description_needs_a_token(client):
    assert client.get("/api/v1/openapi.json").status_code == 401


def answer_schema(document, path, method, status):
    """The component schema of an operation's answer with `status`."""
    answer = document["paths"][path][method]["responses"][status]["content"]["application/json"]
    return document["components"]["schemas"][answer["schema"]["$ref"].rsplit("/", 1)[1]]


def test_recording_an_absence_documents_the_slots_still_ringing_the_person(admin_api):
    document = admin_api.get("/api/v1/openapi.json").json
    schemas = document["components"]["schemas"]

    for path, method, status in (
        ("/api/v1/people/{person_id}/unavailability", "post", "201"),
        ("/api/v1/unavailability/{unavailability_id}", "patch", "200"),
    ):
        operation = document["paths"][path][method]
        assert "still_on_call" in operation["description"], (path, method)
        answer = answer_schema(document, path, method, status)
        assert {"still_on_call", "still_on_call_elsewhere"} <= set(answer["required"])
        assert answer["properties"]["still_on_call"]["items"]["$ref"].endswith("/StillOnCallOut")
    place = schemas["StillOnCallOut"]["properties"]
    assert {"hotline_id", "hotline_name", "slot_id", "starts_at", "ends_at", "position"} <= set(
        place
    )


def test_a_replacement_documents_the_absence_refusal_and_its_confirmation(admin_api):
    document = admin_api.get("/api/v1/openapi.json").json
    operation = document["paths"]["/api/v1/hotlines/{hotline_id}/overrides/replace"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]

    sent = document["components"]["schemas"][body.rsplit("/", 1)[1]]["properties"]
    assert "refused" in sent["despite_absence"]["description"]
    assert "despite_absence" in operation["description"]
    answer = answer_schema(document, "/api/v1/hotlines/{hotline_id}/overrides/replace", "post",
                           "201")  # fmt: skip
    assert answer["properties"]["absent_places"]["items"]["$ref"].endswith("/AbsentPlaceOut")


def test_every_change_putting_people_on_call_documents_the_absence_refusal(admin_api):
    document = admin_api.get("/api/v1/openapi.json").json
    for path, method, status in (
        ("/api/v1/hotlines/{hotline_id}/overrides/swap", "post", "201"),
        ("/api/v1/hotlines/{hotline_id}/overrides", "post", "201"),
        ("/api/v1/hotlines/{hotline_id}/slots", "post", "201"),
        ("/api/v1/slots/{slot_id}", "patch", "200"),
    ):
        operation = document["paths"][path][method]
        body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        sent = document["components"]["schemas"][body.rsplit("/", 1)[1]]["properties"]
        assert "refused" in sent["despite_absence"]["description"], (path, method)
        assert "despite_absence" in operation["description"], (path, method)
        answer = answer_schema(document, path, method, status)
        assert answer["properties"]["absent_places"]["items"]["$ref"].endswith("/AbsentPlaceOut")
        # The refusal lists the same pieces as the confirmed answer.
        refusal = answer_schema(document, path, method, "422")
        assert refusal["properties"]["absent_places"]["items"]["$ref"].endswith(
            "/AbsentPlaceOut"
        ), (path, method)
        assert {"error", "message"} <= set(refusal["required"])
    # Other operations' problems keep their three members.
    other = answer_schema(document, "/api/v1/people", "post", "422")
    assert set(other["properties"]) == {"error", "message", "field"}
    place = document["components"]["schemas"]["AbsentPlaceOut"]["properties"]
    assert {"person_id", "person_name", "position", "starts_at", "ends_at"} <= set(place)
