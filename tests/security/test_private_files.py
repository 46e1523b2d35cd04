"""Private material at rest (issue 11 finding 5): instance/ 0700, files 0600 from creation, LRS passwords sealed."""
from __future__ import annotations

import os
import stat

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo
from sqlalchemy import select

from lti_tool import create_app, database, prepare, services
from lti_tool.config import write_private
from lti_tool.tracking.cli import xapi_cli
from xapi.models import Endpoint

PASSWORD = "s3cret-lrs-password"


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_instance_directory_and_everything_in_it_is_private(tmp_path):
    instance = tmp_path / "instance"
    app = create_app({"DATABASE_URL": f"sqlite:///{instance / 'passeport.db'}", "INSTANCE_PATH": str(instance),
                      "DEMO": True})
    prepare(app)
    from lti_tool.demo import platform_key

    with app.app_context():
        platform_key()  # the demo LMS's RSA key, written on first use
    assert _mode(instance) == 0o700
    files = [p for p in instance.rglob("*") if p.is_file()]
    assert {"secret_key", "passeport.db"} <= {p.name for p in files}
    assert any(p.suffix == ".pem" for p in files)
    for path in files:
        assert _mode(path) & 0o077 == 0, f"{path} is {oct(_mode(path))}"
    for path in (p for p in instance.rglob("*") if p.is_dir()):
        assert _mode(path) == 0o700, path


def test_private_files_are_never_readable_by_others_even_briefly(tmp_path):
    """Created with mode 0600 by os.open: there is no moment between writing and chmod."""
    previous = os.umask(0)  # even a permissive umask cannot widen it
    try:
        target = tmp_path / "key.pem"
        write_private(target, b"secret")
    finally:
        os.umask(previous)
    assert _mode(target) == 0o600
    target.chmod(0o644)
    write_private(target, b"again")  # an existing file is narrowed too
    assert _mode(target) == 0o600 and target.read_bytes() == b"again"


def _lrs_cli(app, *args, env=None):
    return CliRunner(env=env).invoke(xapi_cli, list(args), obj=ScriptInfo(create_app=lambda: app))


def _stored_password(app) -> str:
    with database(app).read() as connection:
        return connection.execute(select(Endpoint.__table__.c.password)).scalar_one()


def test_external_lrs_passwords_are_sealed_at_rest(app):
    result = _lrs_cli(app, "lrs", "add", "warehouse", "--url", "https://lrs.example.org/xapi",
                      "--username", "passeport", "--password", PASSWORD)
    assert result.exit_code == 0, result.output
    stored = _stored_password(app)
    assert PASSWORD not in stored and stored.startswith("sealed:v1:")
    assert services.lrs(app).sealer.open(stored) == PASSWORD


def test_too_long_passwords_are_refused_clearly(app):
    result = _lrs_cli(app, "lrs", "add", "w", "--url", "https://lrs.example.org/xapi", "--username", "u",
                      "--password", "p" * 101)
    assert result.exit_code != 0 and "at most 100" in result.output


def test_key_rotation_reseals_passwords(make_app, tmp_path, database_url):
    old = make_app()
    _lrs_cli(old, "lrs", "add", "warehouse", "--url", "https://lrs.example.org/xapi", "--username", "u",
             "--password", PASSWORD)
    old_key = old.config["SECRET_KEY"]
    rotated = create_app({"DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path / "instance"),
                          "ENCRYPTION_KEY": "a-brand-new-encryption-key-of-48-characters-xxxx"})
    from xapi.sealing import Unsealable

    with pytest.raises(Unsealable):
        services.lrs(rotated).sealer.open(_stored_password(rotated))
    refused = _lrs_cli(rotated, "lrs", "reseal")
    assert refused.exit_code != 0 and "--previous-key" in refused.output
    done = _lrs_cli(rotated, "lrs", "reseal", "--previous-key", old_key)
    assert done.exit_code == 0 and "resealed 1" in done.output
    assert services.lrs(rotated).sealer.open(_stored_password(rotated)) == PASSWORD


def test_plain_passwords_stored_before_sealing_are_read_then_resealed(app):
    from xapi.forwarding import save_endpoint

    with database(app).begin() as connection:
        save_endpoint(connection, "legacy", "https://lrs.example.org/xapi", "u", PASSWORD)  # no sealer: as before
    assert _stored_password(app) == PASSWORD
    assert services.lrs(app).sealer.open(PASSWORD) == PASSWORD
    assert _lrs_cli(app, "lrs", "reseal").exit_code == 0
    assert _stored_password(app).startswith("sealed:v1:")
