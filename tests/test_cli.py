"""The `antrean` command line: kiosk and staff registration, clear errors."""
from click.testing import CliRunner

from shared.cli import main
from shared.store import Store


def run(instance, *args, input=None):
    return CliRunner().invoke(main, ["--instance", str(instance), *args], input=input)


def test_kiosk_add_prints_the_token_on_the_last_line(instance_dir):
    result = run(instance_dir, "kiosk", "add", "Kiosk Lobi")
    assert result.exit_code == 0
    token = result.output.strip().splitlines()[-1]
    assert Store(instance_dir / "antrean.sqlite3").connect().accounts.kiosk_by_token(token)["name"] == "Kiosk Lobi"


def test_user_add_with_password_and_login(instance_dir):
    from shared.services.accounts import authenticate

    result = run(instance_dir, "user", "add", "siti", "--role", "supervisor", "--password", "rahasia-siti")
    assert result.exit_code == 0, result.output
    staff = authenticate(Store(instance_dir / "antrean.sqlite3").connect(), "siti", "rahasia-siti")
    assert staff.role == "supervisor"


def test_user_add_prompts_for_the_password(instance_dir):
    result = run(instance_dir, "user", "add", "andi", "--role", "officer", input="panjang-sekali\npanjang-sekali\n")
    assert result.exit_code == 0, result.output
    assert "panjang-sekali" not in result.output


def test_user_add_refuses_short_passwords_and_bad_roles(instance_dir):
    assert run(instance_dir, "user", "add", "x1", "--role", "officer", "--password", "short").exit_code != 0
    assert run(instance_dir, "user", "add", "x1", "--role", "boss", "--password", "long-enough").exit_code != 0


def test_missing_instance_becomes_the_demo_office_and_says_so(tmp_path):
    result = CliRunner().invoke(main, ["--instance", str(tmp_path / "new"), "kiosk", "add", "K1"])
    assert result.exit_code == 0
    assert (tmp_path / "new" / "office.toml").exists()
    assert (tmp_path / "new" / "secret_key").stat().st_mode & 0o077 == 0
    # A mistyped --instance must not pass silently as a fresh demo office.
    assert "NEW DEMO OFFICE" in result.stderr and str(tmp_path / "new") in result.stderr


def test_demo_on_purpose_is_quiet(tmp_path):
    result = CliRunner().invoke(main, ["--instance", str(tmp_path / "new"), "--demo",
                                                       "kiosk", "add", "K1"])
    assert result.exit_code == 0
    assert "DEMO" not in result.stderr


def test_broken_office_file_is_reported_by_field(instance_dir):
    config = instance_dir / "office.toml"
    config.write_text(config.read_text().replace('prefix = "B"', 'prefix = "bb"'))
    result = run(instance_dir, "kiosk", "add", "K1")
    assert result.exit_code != 0
    assert "services[1].prefix" in result.output
