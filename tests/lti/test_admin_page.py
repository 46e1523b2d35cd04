"""The administrator page: platforms and deployments listed and added from pasted values, without a shell."""
from __future__ import annotations

import re

from click.testing import CliRunner
from flask.cli import ScriptInfo
from sqlalchemy import select

from lti_tool import database
from lti_tool.cli import admin_cli
from lti_tool.models import Platform
from tests.peers.lti_platform import landing

PASTED = {"issuer": "https://moodle.example.fr", "client_id": "Xy12",
          "auth_login_url": "https://moodle.example.fr/mod/lti/auth.php",
          "auth_token_url": "https://moodle.example.fr/mod/lti/token.php",
          "jwks_url": "https://moodle.example.fr/mod/lti/certs.php", "deployment_ids": "4\n5", "name": "Moodle CCI"}


def _token_link(tool) -> str:
    result = CliRunner().invoke(admin_cli, ["token"], obj=ScriptInfo(create_app=lambda: tool.app))
    assert result.exit_code == 0, result.output
    return result.stdout.strip().splitlines()[0]


def _csrf(page) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def test_one_time_token_opens_the_page_once_and_a_platform_is_added(tool):
    link = _token_link(tool)
    assert link.startswith(tool.url + "/admin/token/")
    admin = tool.browser()
    page = admin.get(link)
    assert page.status_code == 200 and "Plateformes inscrites" in page.text
    assert tool.url + "/demo" in page.text  # the demo LMS is listed
    assert tool.browser().get(link).status_code == 403  # single use

    refused = admin.post(tool.url + "/admin/platforms", data=PASTED | {"jwks_url": "certs.php",
                                                                     "csrf_token": _csrf(page)})
    assert refused.status_code == 400
    assert "--jwks-url must be an http(s) URL" in refused.text and 'value="Xy12"' in refused.text  # kept
    added = admin.post(tool.url + "/admin/platforms", data=PASTED | {"csrf_token": _csrf(page)})
    assert added.status_code == 200 and "Plateforme enregistrée" in added.text
    with database(tool.app).sessions() as db:
        platform = db.scalars(select(Platform).where(Platform.issuer == PASTED["issuer"])).one()
        assert (platform.client_id, sorted(d.deployment_id for d in platform.deployments), platform.name) == (
            "Xy12", ["4", "5"], "Moodle CCI")


def test_page_is_refused_without_an_administrator(tool, platform):
    assert tool.browser().get(tool.url + "/admin/platforms").status_code == 403
    assert tool.browser().get(tool.url + "/admin/token/made-up").status_code == 403
    learner = tool.browser()
    assert landing(platform.launch(learner))
    assert learner.get(tool.url + "/admin/platforms").status_code == 403
    assert learner.post(tool.url + "/admin/platforms", data=PASTED).status_code == 403
    trainer = tool.browser()
    platform.launch(trainer, user="trainer-1")
    assert trainer.get(tool.url + "/admin/platforms").status_code == 403


def test_institution_administrator_launch_lands_on_the_page(tool, platform):
    admin = tool.browser()
    response = platform.launch(admin, user="admin-1")
    assert response.status_code == 303 and response.headers["Location"].endswith("/admin/platforms")
    page = admin.get(tool.url + "/admin/platforms")
    assert page.status_code == 200 and platform.client_id in page.text
    without_csrf = admin.post(tool.url + "/admin/platforms", data=PASTED)
    assert without_csrf.status_code == 400


def test_values_longer_than_kept_are_refused_with_the_form_kept(tool):
    admin = tool.browser()
    page = admin.get(_token_link(tool))
    for field, value, named in (("issuer", "https://moodle.example.fr/" + "i" * 500, "--issuer"),
                                ("deployment_ids", "4\n" + "d" * 256, "--deployment-id"),
                                ("name", "N" * 256, "--name")):
        refused = admin.post(tool.url + "/admin/platforms", data=PASTED | {field: value, "csrf_token": _csrf(page)})
        assert refused.status_code == 400 and f"{named} is " in refused.text, field
        assert 'value="Xy12"' in refused.text
    with database(tool.app).sessions() as db:
        assert db.scalars(select(Platform).where(Platform.client_id == "Xy12")).all() == []
