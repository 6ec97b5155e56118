"""How to run an export in its tool: the exact command line, the password supplied.

The commands read the password from the `SENDMESSAGE_KIT_PASSWORD` environment variable when
they run (the shell expands `"$SENDMESSAGE_KIT_PASSWORD"`), so no password is written into the
files, the README or the terminal. Over HTTPS the command trusts the CA the settings name
(`SENDMESSAGE_KIT_CA_BUNDLE`), or, for a gateway on this machine, the sandbox's CA.

Example:
    >>> [c.tool for c in commands("postman", Path("pm"), base_url="http://127.0.0.1:8043")]
    ['newman']
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

__all__ = ["PASSWORD_VAR", "RunCommand", "ca_for", "commands", "readme", "readme_path"]

PASSWORD_VAR = '"$SENDMESSAGE_KIT_PASSWORD"'
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True, slots=True)
class RunCommand:
    """One tool's way to run the export.

    Attributes:
        tool: the tool's name.
        install: how to install it.
        command: the shell command line that runs the export, as written.
    """

    tool: str
    install: str
    command: str


def ca_for(base_url: str) -> Path | None:
    """The CA file a tool must trust for `base_url` (None for plain HTTP or the system's CAs)."""
    from sendmessage_kit.settings import KitSettings

    parts = urlsplit(base_url)
    if parts.scheme != "https":
        return None
    settings = KitSettings()
    if settings.ca_bundle is not None:
        return settings.ca_bundle
    if parts.hostname in _LOOPBACK:  # the sandbox's own CA (`sendmessage-kit sandbox` makes it)
        return settings.data_folder / "tls" / "ca.pem"
    return None


def commands(fmt: str, out: Path, *, base_url: str) -> list[RunCommand]:
    """The command lines that run the export written to `out` (a folder or a file)."""
    ca = ca_for(base_url)
    q = shlex.quote
    if fmt == "postman":
        trust = f" --ssl-extra-ca-certs {q(str(ca))}" if ca else ""
        collection = out / "sendmessage-kit.postman_collection.json"
        environment = out / "sendmessage-kit.postman_environment.json"
        line = (
            f"newman run {q(str(collection))} -e {q(str(environment))} "
            f"--env-var password={PASSWORD_VAR}{trust}"
        )
        return [RunCommand("newman", "npm install -g newman", line)]
    if fmt == "bruno":
        from sendmessage_kit.export.bruno import ENVIRONMENT

        trust = f" --cacert {q(str(ca.resolve()))}" if ca else ""
        cd = "" if out == Path(".") else f"cd {q(str(out))} && "
        line = f"{cd}bru run --env {ENVIRONMENT} --env-var password={PASSWORD_VAR}{trust}"
        return [RunCommand("bru", "npm install -g @usebruno/cli", line)]
    if fmt == "http":
        trust = f"NODE_EXTRA_CA_CERTS={q(str(ca))} " if ca else ""
        line = f"{trust}httpyac send {q(str(out))} --all --var password={PASSWORD_VAR}"
        return [RunCommand("httpyac", "npm install -g httpyac", line)]
    return []


def readme_path(fmt: str, out: Path) -> Path:
    """Where the README goes: in an export's folder, or beside its file (`<file>.README.md`)."""
    return (
        out / "README.md" if fmt in ("postman", "bruno") else out.with_name(f"{out.name}.README.md")
    )


def readme(fmt: str, out: Path, *, base_url: str) -> str:
    """The README written beside an export: what it is and how to run it, as written."""
    name = out.name
    runs = commands(fmt, Path("."), base_url=base_url) if fmt in ("postman", "bruno") else []
    if fmt == "http":
        runs = commands(fmt, Path(name), base_url=base_url)
    lines = [
        f"# {name}: CC-Gateway sendmessage, exported by sendmessage-kit",
        "",
        f"The requests sign in, send a message, poll one event and sign out at {base_url}. "
        "The password is not in these files: the commands below read it from the "
        "`SENDMESSAGE_KIT_PASSWORD` environment variable (the sandbox's demo agent's "
        "password is `sandbox`).",
        "",
        "```sh",
        "export SENDMESSAGE_KIT_PASSWORD='...'   # your agent's password",
        "```",
        "",
    ]
    for run in runs:
        lines += [
            f"Run it with {run.tool} ({run.install}), from this folder:",
            "",
            "```sh",
            run.command,
            "```",
            "",
        ]
    if fmt == "http":
        lines += [
            "In the JetBrains HTTP Client, or VS Code with httpYac, put the password in "
            '`http-client.private.env.json` beside the file: `{"sendmessage-kit": '
            '{"password": "..."}}`, select the environment `sendmessage-kit` and run all '
            "requests in order (httpyac: `--env sendmessage-kit` instead of `--var`).",
            "",
        ]
    if fmt == "openapi":
        lines += [
            "Open it in Swagger UI or generate a client from it: its `servers` entry is the "
            'gateway above. To use Swagger UI\'s "Try it out" against the sandbox from '
            "another local port, start the sandbox with that page's origin: "
            "`sendmessage-kit sandbox --http --cors http://127.0.0.1:PORT`. Sign in with "
            "signIn, copy the Guid from the Set-GUID answer (without `JSESSIONID=`) into "
            "Authorize, then sendMessage.",
            "",
        ]
    ca = ca_for(base_url)
    if ca is not None:
        lines += [f"Over HTTPS the commands trust the CA file `{ca}`.", ""]
    return "\n".join(lines)
