"""The deployment files docs/deploy.md describes: each is checked by the real tool where it is
installed (docker compose, systemd-analyze, caddy, nginx, hadolint) and, everywhere, against
what the guide promises. No network; a few subprocesses, well under a second each."""

from __future__ import annotations

import fnmatch
import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml  # type: ignore[import-untyped,unused-ignore]

from bot.config import DEFAULT_DATABASE_URL, load_settings

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
COMPOSE = DEPLOY / "compose.yaml"
CADDYFILE = DEPLOY / "Caddyfile"
NGINX = DEPLOY / "nginx.conf"
BOT_UNIT = DEPLOY / "sales-pulse.service"
BACKUP_UNIT = DEPLOY / "sales-pulse-backup.service"
BACKUP_TIMER = DEPLOY / "sales-pulse-backup.timer"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
GUIDE = ROOT / "docs" / "deploy.md"

# What deploy/.env holds in production; stand-ins here.
COMPOSE_ENV = {
    "BOT_TOKEN": "4242:TEST-TOKEN",
    "BOT_DOMAIN": "bot.example.com",
    "WEBHOOK_SECRET": "test-webhook-secret",
    "POSTGRES_PASSWORD": "test-password",
}
# The SQLite file of the default DATABASE_URL, relative to the working directory.
SQLITE_FILE = DEFAULT_DATABASE_URL.split(":///", 1)[1].removeprefix("./")
TIMEOUT = 30


def run(argv: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv, capture_output=True, text=True, timeout=TIMEOUT, check=False, **kwargs
    )


# --- docker compose --------------------------------------------------------------------------


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return data


INTERPOLATION = re.compile(r"\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


def interpolate(value: str, env: Mapping[str, str]) -> str:
    """Compose's `${VAR}`, `${VAR:-default}` and `${VAR:?message}`, as `docker compose` does."""

    def one(match: re.Match[str]) -> str:
        name, op, arg = match["name"], match["op"], match["arg"]
        current = env.get(name)
        if op in (":-", "-"):
            unset = not current if op == ":-" else current is None
            return arg if unset else str(current)
        if op in (":?", "?"):
            assert current, f"compose.yaml requires {name} ({arg})"
        return current or ""

    return INTERPOLATION.sub(one, value)


def environment(service: Mapping[str, Any]) -> dict[str, str]:
    raw = service.get("environment", {})
    if isinstance(raw, list):
        raw = dict(item.split("=", 1) for item in raw)
    return {str(key): str(value) for key, value in raw.items()}


def command_text(test: Any) -> str:
    return " ".join(test) if isinstance(test, list) else str(test)


def test_compose_file_is_valid() -> None:
    docker = shutil.which("docker")
    if docker and run([docker, "compose", "version"]).returncode == 0:
        result = run(
            [docker, "compose", "-f", str(COMPOSE), "config", "-q"],
            env={**os.environ, **COMPOSE_ENV},
        )
        assert result.returncode == 0, result.stderr
        return
    result = run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.compose-spec",
            str(COMPOSE),
        ]
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_runs_what_the_guide_promises() -> None:
    services = compose()["services"]
    assert set(services) >= {"postgres", "redis", "migrate", "bot", "proxy"}

    postgres, redis = services["postgres"], services["redis"]
    assert postgres["image"].startswith("postgres:16")
    assert "pg_isready" in command_text(postgres["healthcheck"]["test"])
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in postgres["volumes"])
    assert redis["image"].startswith("redis:7")
    assert "ping" in command_text(redis["healthcheck"]["test"])

    migrate = services["migrate"]
    assert migrate["command"] == ["python", "-m", "bot", "migrate"]
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert migrate["restart"] == "no"

    bot = services["bot"]
    assert bot["deploy"]["replicas"] >= 2
    assert (COMPOSE.parent / bot["build"]["context"] / bot["build"]["dockerfile"]).resolve() == (
        DOCKERFILE
    )
    assert migrate["image"] == bot["image"]
    assert bot["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert bot["depends_on"]["redis"]["condition"] == "service_healthy"
    healthcheck = command_text(bot["healthcheck"]["test"])
    assert "/healthz" in healthcheck and "urllib" in healthcheck and "curl" not in healthcheck

    env = environment(bot)
    assert env["DATABASE_URL"].startswith("postgresql+asyncpg://")
    assert "@postgres:5432/" in env["DATABASE_URL"]
    assert env["REDIS_URL"].startswith("redis://redis:")
    assert env["HTTP_HOST"] == "0.0.0.0"
    assert env["HTTP_PORT"] == "8080"
    assert env["RUN_SCHEDULER"] == "true"
    # Secrets come from deploy/.env or the environment, never written into the file.
    for secret in ("BOT_TOKEN", "WEBHOOK_SECRET"):
        assert env[secret] == f"${{{secret}:?set {secret} in deploy/.env}}"
    assert "${POSTGRES_PASSWORD" in env["DATABASE_URL"]

    proxy = services["proxy"]
    assert any(str(port).startswith("443:443") for port in proxy["ports"])
    assert any(volume.startswith("./Caddyfile:") for volume in proxy["volumes"])
    # Only the proxy is reachable from outside.
    for name in ("postgres", "redis", "migrate", "bot"):
        assert "ports" not in services[name], name


def test_compose_environment_is_what_the_bot_accepts() -> None:
    """The bot's settings, loaded from the replicas' environment as Compose fills it in."""
    bot = environment(compose()["services"]["bot"])
    env = {key: interpolate(value, COMPOSE_ENV) for key, value in bot.items()}
    settings = load_settings(_env_file=None, **{key.lower(): value for key, value in env.items()})
    assert settings.webhook_mode
    assert settings.serve_http == 8080
    assert settings.http_host == "0.0.0.0"
    assert settings.redis_url == "redis://redis:6379/0"
    assert settings.database_url == (
        "postgresql+asyncpg://sales_pulse:test-password@postgres:5432/sales_pulse"
    )
    assert str(settings.webhook_url) == "https://bot.example.com/telegram"
    # The path Caddy passes on is the one the bot listens on.
    assert settings.webhook_listen_path == caddy_webhook_path()


# --- systemd ---------------------------------------------------------------------------------

Unit = dict[str, dict[str, list[str]]]


def read_unit(path: Path) -> Unit:
    """A unit file as systemd reads it: `\\`-newline joins lines, a key may repeat."""
    text = re.sub(r"\\\n", " ", path.read_text(encoding="utf-8"))
    unit: Unit = {}
    section: dict[str, list[str]] | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = unit.setdefault(line[1:-1], {})
            continue
        key, sep, value = line.partition("=")
        assert section is not None and sep, f"{path.name}: {line!r}"
        section.setdefault(key.strip(), []).append(value.strip())
    return unit


def one(unit: Unit, section: str, key: str) -> str:
    values = unit[section][key]
    assert len(values) == 1, f"[{section}] {key} is set {len(values)} times"
    return values[0]


def exec_argv(line: str) -> list[str]:
    """ExecStart as systemd hands it over: `$$` is `$` and `%%` is `%`."""
    bare = line.replace("$$", "").replace("%%", "")
    assert "$" not in bare, f"a $ systemd would expand itself: {line}"
    assert "%" not in bare, f"a % systemd would read as a specifier: {line}"
    return [word.replace("$$", "$").replace("%%", "%") for word in shlex.split(line)]


def test_units_pass_systemd_analyze() -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed; the unit tests below parse the files")
    # One at a time: verify stops at the first unit it cannot load.
    for unit in (BOT_UNIT, BACKUP_UNIT, BACKUP_TIMER):
        result = run([analyze, "verify", "--man=no", str(unit)])
        # Without the installed venv, user and directories, verify also complains about those;
        # what counts is what it says about the file's contents (path:line: ...) and bad units.
        output = (result.stdout + result.stderr).splitlines()
        problems = [
            line
            for line in output
            if line.startswith(f"{unit}:") or "bad unit file setting" in line or "Refusing" in line
        ]
        assert not problems, "\n".join(output)


def test_bot_unit() -> None:
    unit = read_unit(BOT_UNIT)
    service = unit["Service"]
    assert one(unit, "Service", "Type") == "simple"
    assert one(unit, "Service", "User") not in ("root", "0")
    workdir = one(unit, "Service", "WorkingDirectory")
    assert one(unit, "Service", "EnvironmentFile") == f"{workdir}/.env"
    argv = exec_argv(one(unit, "Service", "ExecStart"))
    assert argv == [f"{workdir}/.venv/bin/python", "-m", "bot"]
    assert one(unit, "Service", "Restart") == "on-failure"
    assert one(unit, "Service", "NoNewPrivileges") == "true"
    assert one(unit, "Service", "ProtectSystem") == "strict"
    assert one(unit, "Service", "PrivateTmp") == "true"
    # The one place the bot writes: the directory of the default SQLite file.
    data_dir = f"{workdir}/{Path(SQLITE_FILE).parent}"
    assert data_dir in " ".join(service["ReadWritePaths"]).split()
    assert one(unit, "Install", "WantedBy") == "multi-user.target"


def test_backup_units() -> None:
    bot, backup, timer = read_unit(BOT_UNIT), read_unit(BACKUP_UNIT), read_unit(BACKUP_TIMER)
    assert one(backup, "Service", "Type") == "oneshot"
    for key in ("User", "Group", "WorkingDirectory"):
        assert one(backup, "Service", key) == one(bot, "Service", key)
    script = " ".join(exec_argv(one(backup, "Service", "ExecStart")))
    assert "sqlite3" in script and ".backup" in script and SQLITE_FILE in script
    settings = dict(value.split("=", 1) for value in backup["Service"]["Environment"])
    assert int(settings["KEEP"]) >= 7
    writable = " ".join(backup["Service"]["ReadWritePaths"]).split()
    assert settings["BACKUP_DIR"] in writable
    assert one(backup, "Service", "UMask") == "0077"

    assert one(timer, "Timer", "OnCalendar")
    assert one(timer, "Timer", "Persistent") == "true"
    assert one(timer, "Timer", "Unit") == BACKUP_UNIT.name
    assert one(timer, "Install", "WantedBy") == "timers.target"


@pytest.mark.skipif(
    shutil.which("sqlite3") is None or not Path("/bin/sh").exists(),
    reason="needs the sqlite3 command-line tool and /bin/sh",
)
def test_backup_command_copies_a_live_database_and_keeps_the_newest(tmp_path: Path) -> None:
    """The backup unit's command, run as systemd would run it, against a database in WAL mode
    with a write not yet checkpointed into the main file (a plain `cp` of it would miss it)."""
    database = tmp_path / SQLITE_FILE
    database.parent.mkdir(parents=True)
    live = sqlite3.connect(database)
    try:
        live.execute("PRAGMA journal_mode=WAL")
        live.execute("PRAGMA wal_autocheckpoint=0")
        live.execute("CREATE TABLE entries (value TEXT)")
        live.execute("INSERT INTO entries VALUES ('written while running')")
        live.commit()
        assert Path(f"{database}-wal").stat().st_size > 0

        backups = tmp_path / "backups"
        backups.mkdir()
        for day in ("20000101", "20000102", "20000103"):
            (backups / f"sales_pulse-{day}-031500.sqlite3").write_text("old")
        unit = read_unit(BACKUP_UNIT)
        argv = exec_argv(one(unit, "Service", "ExecStart"))
        env = {**os.environ, "BACKUP_DIR": str(backups), "KEEP": "2"}
        result = run(argv, cwd=tmp_path, env=env, umask=0o077)
        assert result.returncode == 0, result.stderr
    finally:
        live.close()

    kept = sorted(path.name for path in backups.iterdir())
    assert len(kept) == 2 and kept[0] == "sales_pulse-20000103-031500.sqlite3", kept
    copy = backups / kept[1]
    assert copy.stat().st_mode & 0o777 == 0o600
    restored = sqlite3.connect(copy)
    try:
        rows = restored.execute("SELECT value FROM entries").fetchall()
    finally:
        restored.close()
    assert rows == [("written while running",)]


# --- Caddy -----------------------------------------------------------------------------------


def config_lines(path: Path) -> list[str]:
    """Lines without comments or blank ones (neither file puts a # inside a value)."""
    lines = (
        line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines()
    )
    return [line for line in lines if line]


def blocks(path: Path) -> list[tuple[list[str], str]]:
    """Each directive line with the headers of the blocks around it, outermost first."""
    stack: list[str] = []
    found: list[tuple[list[str], str]] = []
    for line in config_lines(path):
        if line == "}":
            assert stack, f"{path.name}: unbalanced }}"
            stack.pop()
        elif line.endswith("{"):
            stack.append(line[:-1].strip())
        else:
            found.append((list(stack), line))
    assert not stack, f"{path.name}: unclosed block {stack[-1]!r}"
    return found


def caddy_webhook_path() -> str:
    handles = {
        header.split()[1]
        for stack, _ in blocks(CADDYFILE)
        for header in stack
        if header.startswith("handle ") and len(header.split()) == 2
    }
    assert len(handles) == 1, handles
    return handles.pop()


def test_caddyfile_is_valid(tmp_path: Path) -> None:
    caddy = shutil.which("caddy")
    if caddy is None:
        pytest.skip("caddy is not installed; test_caddyfile_exposes_only_the_webhook parses it")
    env = {
        **os.environ,
        "BOT_DOMAIN": COMPOSE_ENV["BOT_DOMAIN"],
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    result = run([caddy, "validate", "--adapter", "caddyfile", "--config", str(CADDYFILE)], env=env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_caddyfile_exposes_only_the_webhook() -> None:
    found = blocks(CADDYFILE)
    proxy = compose()["services"]["proxy"]
    assert "BOT_DOMAIN" in environment(proxy)
    # One site, the domain compose passes in; Caddy gets its certificate (automatic HTTPS).
    sites = {stack[0] for stack, _ in found if stack}
    assert sites == {"{$BOT_DOMAIN}"}
    path = caddy_webhook_path()
    assert path == "/telegram"
    # Proxied only inside the webhook's handle, to every replica of the `bot` service.
    proxied = [
        stack
        for stack, line in found
        if line.startswith("reverse_proxy") or any(h.startswith("reverse_proxy") for h in stack)
    ]
    assert proxied and all(f"handle {path}" in stack for stack in proxied)
    bot_port = environment(compose()["services"]["bot"])["HTTP_PORT"]
    replicas = f"dynamic a bot {bot_port}"
    assert any(line == replicas or replicas in stack for stack, line in found)
    assert any(line == "lb_policy round_robin" for _, line in found)
    # Nothing else is served: no /metrics, no /healthz; the rest is a 404.
    text = "\n".join(config_lines(CADDYFILE))
    assert "/metrics" not in text and "/healthz" not in text
    assert any(stack[-1:] == ["handle"] and line == "respond 404" for stack, line in found)


# --- nginx -----------------------------------------------------------------------------------


def nginx_blocks() -> dict[str, list[str]]:
    """Directives by the block header they sit directly in (`location = /telegram`, ...)."""
    grouped: dict[str, list[str]] = {}
    for stack, line in blocks(NGINX):
        grouped.setdefault(stack[-1] if stack else "", []).append(line.rstrip(";"))
    return grouped


def test_nginx_snippet_proxies_the_webhook_and_hides_the_rest() -> None:
    text = "\n".join(config_lines(NGINX))
    assert text.count("{") == text.count("}")
    grouped = nginx_blocks()
    servers = [line for line in grouped["upstream sales_pulse"] if line.startswith("server ")]
    assert len(servers) >= 2
    assert "proxy_pass http://sales_pulse" in grouped["location = /telegram"]
    assert "listen 443 ssl" in grouped["server"]
    assert any(line.startswith("ssl_certificate ") for line in grouped["server"])
    assert any(line.startswith("ssl_certificate_key ") for line in grouped["server"])
    for private in ("location = /metrics", "location = /healthz"):
        assert grouped[private][-2:] == ["deny all", "proxy_pass http://sales_pulse"]
        assert "allow all" not in grouped[private]
        assert all(
            line.startswith(("allow 127.", "allow ::1", "allow 10.", "allow 172.", "allow 192."))
            for line in grouped[private]
            if line.startswith("allow")
        )
    assert "return 404" in grouped["location /"]


def test_nginx_snippet_passes_nginx_t(tmp_path: Path) -> None:
    nginx, openssl = shutil.which("nginx"), shutil.which("openssl")
    if nginx is None or openssl is None:
        pytest.skip("needs nginx and openssl; the test above checks the snippet's structure")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    made = run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1",
         "-subj", "/CN=bot.example.com"]
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    snippet = re.sub(r"(ssl_certificate)\s+\S+;", rf"\1 {cert};", NGINX.read_text())
    snippet = re.sub(r"(ssl_certificate_key)\s+\S+;", rf"\1 {key};", snippet)
    (tmp_path / "site.conf").write_text(snippet)
    temp = tmp_path / "temp"
    temp.mkdir()
    paths = "\n".join(
        f"    {kind}_temp_path {temp}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n    access_log off;\n{paths}\n    include {tmp_path}/site.conf;\n}}\n"
    )
    result = run(
        [nginx, "-t", "-q", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"),
         "-c", str(tmp_path / "nginx.conf")]
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


# --- Dockerfile ------------------------------------------------------------------------------


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    instructions = []
    for raw in text.splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            instructions.append((word.upper(), rest.strip()))
    return instructions


def copied_sources() -> list[str]:
    sources = []
    for word, rest in dockerfile_instructions():
        if word == "COPY":
            args = [arg for arg in rest.split() if not arg.startswith("--")]
            sources += [source.rstrip("/") for source in args[:-1]]
    return sources


def test_dockerfile_passes_hadolint() -> None:
    hadolint = shutil.which("hadolint")
    if hadolint is None:
        pytest.skip("hadolint is not installed; test_dockerfile_builds_the_bot checks the file")
    result = run([hadolint, "--failure-threshold", "error", str(DOCKERFILE)])
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_builds_the_bot() -> None:
    instructions = dockerfile_instructions()
    assert instructions[0][0] == "FROM" and instructions[0][1].startswith("python:3.11")
    users = [rest for word, rest in instructions if word == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    assert instructions[-1] == ("CMD", '["python", "-m", "bot"]')
    exposed = {rest for word, rest in instructions if word == "EXPOSE"}
    assert environment(compose()["services"]["bot"])["HTTP_PORT"] in exposed
    runs = " ".join(rest for word, rest in instructions if word == "RUN")
    assert "pip install --no-cache-dir" in runs

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    include = pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = [name.rstrip("*") for name in include]
    sources = copied_sources()
    for needed in [*packages, "alembic.ini", "pyproject.toml", "README.md"]:
        assert needed in sources, f"the Dockerfile does not COPY {needed}"
        assert (ROOT / needed).exists()
    assert "." not in sources and not any(".env" in source for source in sources)


def test_dockerignore_keeps_local_state_and_secrets_out() -> None:
    lines = [line for line in config_lines(DOCKERIGNORE) if not line.startswith("!")]
    for must in (".venv", ".git", "data", "demo-out", ".env", ".pytest_cache", ".mypy_cache"):
        assert must in lines, must
    # Nor does it leave out anything the Dockerfile copies.
    for source in copied_sources():
        assert not any(fnmatch.fnmatch(source, pattern) for pattern in lines), source


# --- the guide -------------------------------------------------------------------------------

# Paths the guide names that the reader creates, not the repository.
CREATED_BY_THE_READER = {"deploy/.env"}
REPO_PATH = re.compile(
    r"(?<![\w./-])((?:deploy|docs|tests|bot|scheduler|models|domain|handlers|migrations|bench)"
    r"/[\w.@-]+(?:/[\w.@-]+)*|Dockerfile|\.dockerignore|\.env\.example|Makefile|pyproject\.toml)"
)


def test_guide_names_every_deploy_file_and_every_file_it_names_exists() -> None:
    guide = GUIDE.read_text(encoding="utf-8")
    for path in sorted(DEPLOY.rglob("*")):
        if path.is_file():
            assert f"deploy/{path.relative_to(DEPLOY)}" in guide, path
    named = {match.rstrip(".") for match in REPO_PATH.findall(guide)}
    assert {"Dockerfile", ".dockerignore", "deploy/compose.yaml"} <= named
    missing = sorted(name for name in named - CREATED_BY_THE_READER if not (ROOT / name).exists())
    assert not missing, f"docs/deploy.md names files that do not exist: {missing}"
    assert "docs/deploy.md" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_guide_commands_match_the_files() -> None:
    guide = GUIDE.read_text(encoding="utf-8")
    services = compose()["services"]
    assert "docker compose up -d --scale bot=3" in guide
    assert "python -c 'import secrets; print(secrets.token_urlsafe(32))'" in guide
    for key in COMPOSE_ENV:
        assert f"{key}=" in guide, f"the guide does not say to set {key}"
    # The webhook path the guide gives is the one the proxy and the bot use.
    webhook = interpolate(environment(services["bot"])["WEBHOOK_URL"], COMPOSE_ENV)
    assert urlsplit(webhook).path == caddy_webhook_path()
    assert f"location = {caddy_webhook_path()}" in NGINX.read_text(encoding="utf-8")
    # The ports of the replicas without Docker are the upstreams of the nginx snippet.
    upstreams = nginx_blocks()["upstream sales_pulse"]
    for port in ("8081", "8082"):
        assert f"HTTP_PORT={port}" in guide
        assert any(line.startswith(f"server 127.0.0.1:{port}") for line in upstreams)
