"""`KitSettings`: where the gateway is and how to authenticate, from `SENDMESSAGE_KIT_*` or `.env`.

With nothing configured (no base URL) the kit uses the embedded sandbox. Secrets (Guid,
password) are `SecretStr`, so printing the settings never shows them. All of the kit's
configuration goes through here; a value that is not valid is a `SettingsError` naming the
variable and the fix (never a raw pydantic error).

Example:
    >>> KitSettings(base_url="https://gw.example:8043", agent_id="1001").uses_sandbox
    False
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from sendmessage_kit.errors import SettingsError

if TYPE_CHECKING:
    from sendmessage_kit.constraints import Profile

__all__ = ["KitSettings", "parse_agent_id_range"]

_RANGE = re.compile(r"^\s*(\d{1,9})\s*(?:-|,|\.\.)\s*(\d{1,9})\s*$")


def parse_agent_id_range(text: str) -> tuple[int, int]:
    """`"101-59999"` (or `101,59999`) as `(101, 59999)`: the agent-ID range, an unknown per edition.

    Raises:
        ValueError: not two numbers, or the first is above the second (the message says which).
    """
    m = _RANGE.match(text)
    if not m:
        raise ValueError(f"agent ID range must look like 101-59999, got {text!r}")
    low, high = int(m[1]), int(m[2])
    if low > high:
        raise ValueError(f"agent ID range {text!r}: {low} is above {high}")
    return low, high


class KitSettings(BaseSettings):
    """The kit's settings; each field reads `SENDMESSAGE_KIT_<NAME>` (e.g. `..._BASE_URL`).

    Attributes:
        base_url: the gateway's address, e.g. `https://10.0.0.5:8043` (the `/agentgateway`
            suffix is optional). Empty: use the embedded sandbox.
        agent_id: the agent ID used in every path (101-59999 in the seed's edition).
        guid: a Guid already obtained (static authentication); skips sign-in.
        password: the agent's password for sign-in.
        phonenum: the agent's softphone number, required at sign-in (a sandbox target uses the
            sandbox's demo number when unset).
        ca_bundle: a PEM file of CAs to trust (the sandbox's or a company CA).
        verify: TLS verification; turning it off warns on every client created.
        secmode: the gateway's MULTIMEDIA_SECMODE (1: 1.9 KB, 0: 3.8 KB).
        timeout: seconds to wait for an answer.
        max_retries: retries after the first attempt (openai's default, 2).
        resend_on_failure: resend with the same messageCode after a timeout / 5xx / retryable
            retcode. Unset: on for the sandbox (documented idempotency), off for a real gateway.
        history_path: the SQLite send journal; default `history.sqlite3` in the data folder.
        history: write every send to the journal.
        bytes_per_kb: bytes in the size limit's KB, 1000 (default, stricter) or 1024: the
            vendor does not say (`..._BYTES_PER_KB`).
        size_counts: what the size limit counts, "content" (default) or the whole "data"
            string: the vendor does not say (`..._SIZE_COUNTS`).
        agent_id_range: agent IDs the gateway allows, e.g. `101-59999` (the seed's edition,
            default) or `101-999999` (newer editions) (`..._AGENT_ID_RANGE`).
        data_dir: the kit's data folder (journal, sandbox CA and database); default
            `platformdirs.user_data_dir("sendmessage-kit")`.
    """

    model_config = SettingsConfigDict(
        env_prefix="SENDMESSAGE_KIT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    base_url: str | None = None
    agent_id: str | None = None
    guid: SecretStr | None = None
    password: SecretStr | None = None
    phonenum: str | None = None
    ca_bundle: Path | None = None
    verify: bool = True
    secmode: int = Field(default=1, ge=0, le=1)
    timeout: float = Field(default=10.0, gt=0)
    max_retries: int = Field(default=2, ge=0)
    resend_on_failure: bool | None = None
    history_path: Path | None = None
    history: bool = True
    bytes_per_kb: Literal[1000, 1024] = 1000
    size_counts: Literal["content", "data"] = "content"
    agent_id_range: Annotated[tuple[int, int], NoDecode] = (101, 59999)
    data_dir: Path | None = None

    if not TYPE_CHECKING:  # type checkers keep the fields' own signature

        def __init__(self, **values: Any) -> None:
            try:
                super().__init__(**values)
            except ValidationError as exc:
                raise SettingsError(_explain(exc, values)) from None

    @field_validator("agent_id_range", mode="before")
    @classmethod
    def _range(cls, value: object) -> object:
        return parse_agent_id_range(value) if isinstance(value, str) else value

    @field_validator("bytes_per_kb", mode="before")
    @classmethod
    def _kb(cls, value: object) -> object:
        return int(value) if isinstance(value, str) and value.strip().isdigit() else value

    def profile(self) -> Profile:
        """What `check()` checks against under these settings (secmode, KB, counts, range)."""
        from sendmessage_kit.constraints import Profile
        from sendmessage_kit.encoding import SizeLimits

        limits = SizeLimits(bytes_per_kb=self.bytes_per_kb, counts=self.size_counts)
        return Profile(secmode=self.secmode, limits=limits, agent_id_range=self.agent_id_range)

    @field_validator("base_url", "agent_id", "phonenum", "data_dir", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def uses_sandbox(self) -> bool:
        """True when no gateway is configured, so the embedded sandbox is used."""
        return self.base_url is None

    @property
    def data_folder(self) -> Path:
        """The kit's data folder: `data_dir`, else the platform's (not created here)."""
        if self.data_dir is not None:
            return self.data_dir.expanduser()
        import platformdirs

        return Path(platformdirs.user_data_dir("sendmessage-kit"))

    @property
    def journal_path(self) -> Path:
        """The send journal's file: `history_path`, else `history.sqlite3` in the data folder."""
        if self.history_path is not None:
            return self.history_path.expanduser()
        return self.data_folder / "history.sqlite3"


_SECRET = frozenset({"guid", "password"})


def _meanings() -> dict[str, str]:
    """Each field's meaning, from the `Attributes:` list of `KitSettings`'s docstring."""
    doc = (KitSettings.__doc__ or "").split("Attributes:", 1)[-1]
    found = re.findall(r"^ {8}(\w+): (.*(?:\n {12}.*)*)", doc, flags=re.MULTILINE)
    return {name: " ".join(text.split()).rstrip(".") for name, text in found}


def _explain(exc: ValidationError, values: dict[str, Any]) -> str:
    """One sentence per bad setting: which variable or argument, what is wrong, the fix."""
    meanings = _meanings()
    lines = []
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else "?"
        field = KitSettings.model_fields.get(name)
        default = f" ({field.default!r})" if field is not None else ""
        shown = "" if name in _SECRET else f"={error.get('input')!r}"
        what = f" (it is: {meanings[name]})" if name in meanings else ""
        if name in values:
            bad, fix = f"{name}{shown}", f"pass a valid {name}={what}, or leave it out"
        else:
            var = f"SENDMESSAGE_KIT_{name.upper()}"
            bad = f"{var}{shown} (from the environment or .env)"
            fix = f"set {var} to a valid value{what}, or unset it"
        lines.append(f"{bad} is not valid: {error['msg']}. Fix: {fix} for the default{default}.")
    return " ".join(lines)
