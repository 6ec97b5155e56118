"""The rule table: every rule a sendmessage request must follow, one row each.

Each rule has an id, the field it is about, a severity, a sentence a person understands, a fix,
and its source: the interface description (the seed), a section of `docs/facts.md` (the facts
the kit relies on, with their public sources), or "assumed". The checks that
apply them live in `constraints.py`; the docs' constraint page is generated from this table.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from dataclasses import field as _field
from types import MappingProxyType
from typing import Literal

from sendmessage_kit.errors import PayloadError
from sendmessage_kit.models import Channel, MediaType

__all__ = ["ASSUMED", "FACTS", "RULES", "SEED", "Finding", "Rule", "Severity", "refusal"]

Severity = Literal["error", "warning", "info"]

SEED = "interface description (sendmessage), Table 2/3: docs/facts.md#interface"
FACTS = "docs/facts.md"  # the vendor facts with their public sources; rows cite its anchors
ASSUMED = "assumed"
UTF8 = (
    "interface description, Content-Type application/json; charset=UTF-8: "
    "docs/facts.md#interface; RFC 8259 §8.1-8.2 (https://www.rfc-editor.org/rfc/rfc8259#section-8.2)"
)
CHANNEL_TABLE = "docs/facts.md#channel-matrix (each cell of `channels.DEFAULT_TABLE` cites its own)"
WEB_CLIENT = "the web channel's message formats: docs/facts.md#content-formats"
_NONE: Mapping[str, object] = MappingProxyType({})
LATITUDE_MAX, LONGITUDE_MAX = 90, 180  # the LOCATE ranges: the kit's assumption, not the vendor's
_LIMIT = re.compile(r"\{([a-z_]+)\}")  # a limit a sentence names: {web_poll_chars}


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule of the table.

    A sentence or fix may name a limit in force as `{name}` (`{web_poll_chars}`): `finding()`
    and `worded()` fill it from the profile's values (`Profile.values()`), so what a person
    reads is the limit `check()` applies, not a default; `{retcode}` is the rule's own.

    Attributes:
        retcode: the catalog retcode the gateway answers a body breaking this rule with, when
            published (`content.empty`: 106-002); None: the gateway's answer is unknown and the
            sandbox answers its `invalid_retcode` setting.
        oversize: the size rule: the sandbox answers its `oversize_retcode` setting.
    """

    id: str
    field: str
    severity: Severity
    sentence: str
    fix: str
    source: str
    retcode: str | None = None
    oversize: bool = False

    @property
    def wire(self) -> str:
        """The wire name of the `data` field this rule is about (`content`), or ""."""
        return self.field.removeprefix("data.") if self.field.startswith("data.") else ""

    def worded(self, values: Mapping[str, object]) -> Rule:
        """This rule with the limits its sentence and fix name filled in from `values`."""
        if not self.names_limits:
            return self

        known = {"retcode": self.retcode, **values}  # the rule's own retcode, then the limits

        def fill(text: str) -> str:
            return _LIMIT.sub(lambda m: str(known.get(m[1], m[0])), text)

        return replace(self, sentence=fill(self.sentence), fix=fill(self.fix))

    @property
    def names_limits(self) -> bool:
        """True when the sentence or fix names a limit (`{web_poll_chars}`)."""
        return bool(_LIMIT.search(self.sentence) or _LIMIT.search(self.fix))

    def finding(
        self, field: str | None = None, detail: str = "", values: Mapping[str, object] = _NONE
    ) -> Finding:
        """This rule broken at `field` (default: the rule's own), with a detail sentence."""
        rule = self.worded(values) if self.names_limits else self
        message = f"{rule.sentence} {detail}".strip() if detail else rule.sentence
        return Finding(
            rule.id, rule.severity, field or rule.field, message, rule.fix, rule.source, self
        )


@dataclass(frozen=True, slots=True)
class Finding:
    """A rule broken (or noted) by a request: which field, which rule, why, and the fix."""

    rule_id: str
    severity: Severity
    field: str
    message: str
    fix: str
    source: str
    rule: Rule | None = _field(default=None, compare=False, repr=False)

    def __str__(self) -> str:
        return f"{self.severity}: {self.field}: {self.message} Fix: {self.fix} [{self.rule_id}]"

    def to_dict(self) -> dict[str, str]:
        """The finding as a plain dict (for `--json` and the widgets)."""
        return {
            "rule": self.rule_id,
            "severity": self.severity,
            "field": self.field,
            "message": self.message,
            "fix": self.fix,
            "source": self.source,
        }


def refusal(findings: Sequence[Finding]) -> PayloadError:
    """The error the kit raises instead of sending: every error finding, its field and fix."""
    errors = [f for f in findings if f.severity == "error"]
    lines = "; ".join(f"{f.field}: {f.message} Fix: {f.fix}" for f in errors)
    return PayloadError(f"the request breaks {len(errors)} rule(s): {lines}", list(findings))


R = Rule
# fmt: off
BODY_JSON = R("body.json", "body", "error",
  "The request body must be a JSON object.",
  'Send a JSON object such as {"callid": "...", "data": "..."}.',
  SEED)
TEXT_UNICODE = R("text.unicode", "body", "error",
  "Every string must be valid Unicode, sent as UTF-8: no lone surrogate (an unpaired "
  "\\ud800-\\udfff, e.g. from an escape or half an emoji) and no bytes that are not UTF-8.",
  "Remove the character (or send the body as UTF-8); keep both halves of a surrogate pair "
  "in the same string (\\ud83d\\ude00 is one emoji).",
  UTF8)
TEXT_CONTROL = R("text.control", "body", "warning",
  "This string holds a control character (U+0000-U+001F other than tab, line feed and "
  "carriage return, or U+007F-U+009F); no public source says how the gateway or the "
  "channel treats it.",
  "Remove it; write line breaks as \\n in content only.",
  ASSUMED)
CALLID_REQUIRED = R("body.callid.required", "callid", "error",
  "callid is required: a non-empty string.",
  "Set callid to the ID of the chat allocated to the agent.",
  SEED)
USERID_TYPE = R("body.userid.type", "userid", "error",
  "userid, when given, must be a string.",
  "Quote the user number, or leave userid out.",
  SEED)
DATA_MISSING = R("body.data.required", "data", "error",
  "data is required.",
  "Add data: the message object encoded as a JSON string.",
  SEED)
DATA_NOT_STRING = R("body.data.string", "data", "error",
  "data must be a string holding JSON, not a nested JSON object.",
  "Encode the object: json.dumps(data) (or use the kit's encode_data).",
  SEED)
DATA_NOT_JSON = R("body.data.json", "data", "error",
  "In the public cloud, data must be a JSON object encoded as a string.",
  "Fix the JSON inside the data string (or use Profile(plain_text_data=True) for a "
  "gateway that takes plain text).",
  SEED)
BODY_EXTRA = R("body.extra", "body", "info",
  "This top-level field is not in Table 2.",
  "Leave it out unless your gateway needs it (the seed's own example adds `content`).",
  "docs/facts.md#seed-quirks")
AGENT_RANGE = R("agent.range", "agentid", "error",
  "The agent ID must be within the configured range, {agent_id_low}-{agent_id_high}.",
  "Use your agent's ID; {agent_id_low}-{agent_id_high} here (the seed's edition allows "
  "101-59999; configurable).",
  "docs/facts.md#agent-id-range")
FIELD_REQUIRED = R("data.required", "data", "error",
  "This field of data is required by Table 3.",
  "Add the field.",
  SEED)
FIELD_TYPE = R("data.type", "data", "error",
  "This field of data must have the JSON type its model declares.",
  "Give a value of that type (a string is quoted; a number, true/false or an object is not).",
  SEED)
SEND_TIME_NUMBER = R("data.sendTime.number", "data.sendTime", "info",
  "sendTime is a number; Table 3 says string, the seed's own example sends a number.",
  "Either works with the kit; send a string to follow the table.",
  "docs/facts.md#seed-quirks")
SEND_TIME_FORMAT = R("data.sendTime.format", "data.sendTime", "warning",
  "sendTime should be a timestamp in epoch milliseconds.",
  "Use str(int(time.time() * 1000)).",
  ASSUMED)
CHANNEL_ENUM = R("data.channel.enum", "data.channel", "error",
  f"channel must be one of the {len(Channel)} channels.",
  "Use one of: " + ", ".join(c.value for c in Channel) + ".",
  SEED)
MEDIA_TYPE_ENUM = R("data.mediaType.enum", "data.mediaType", "error",
  f"mediaType must be one of the {len(MediaType)} media types.",
  "Use one of: " + ", ".join(m.value for m in MediaType) + ".",
  SEED)
CONTROL_TYPE_FIXED = R("data.controlType.fixed", "data.controlType", "error",
  "controlType is fixed to CHAT.",
  'Set controlType to "CHAT".',
  SEED)
FILE_TYPE_ALLOWED = R("data.mediaFileType.allowed", "data.mediaFileType", "error",
  "This mediaFileType is not allowed for this mediaType.",
  "Pick one of the allowed file types, or change mediaType.",
  SEED)
FILE_TYPE_UNEXPECTED = R("data.mediaFileType.unexpected", "data.mediaFileType", "warning",
  "Table 3 lists no mediaFileType for this mediaType.",
  "Leave mediaFileType out.",
  SEED)
CONTENT_TYPE_ENUM = R("data.contentType.enum", "data.contentType", "error",
  'contentType must be "0" (media library) or "1" (local file).',
  'Use "0" or "1", or leave it out (same as "0").',
  SEED)
FIELD_EXTRA = R("data.extra", "data", "warning",
  "This field is not in Table 3.",
  "Check the spelling; field names are case-sensitive.",
  SEED)
CHANNEL_MEDIA = R("channel.media", "data.mediaType", "error",
  "This channel does not accept this media type (documented).",
  "Pick a media type the channel accepts (see the channel matrix), or load your "
  "tenant's own table if yours differs.",
  CHANNEL_TABLE)
CHANNEL_MEDIA_ASSUMED = R("channel.media.assumed", "data.mediaType", "warning",
  "The kit assumes this channel does not take this media type; no public source says so.",
  "Check on your tenant; record the answer in a tenant table if it works.",
  CHANNEL_TABLE)
CHANNEL_MEDIA_UNPUBLISHED = R("channel.media.unpublished", "data.mediaType", "warning",
  "No public source says whether this channel accepts this media type.",
  "Try it on your tenant, then record the answer in a tenant table.",
  CHANNEL_TABLE)
AUDIO_FORMAT = R("channel.audio.format", "data.mediaFileType", "warning",
  "The manual lists other voice formats for this channel.",
  "Use a format the channel plays.",
  "docs/facts.md#channel-matrix")
CONTENT_EMPTY = R("content.empty", "data.content", "error",
  "The message content is empty (the gateway answers {retcode}).",
  "Put the message in data.content.",
  "docs/facts.md#retcodes", retcode="106-002")
CONTENT_BUDGET = R("content.budget", "data.content", "error",
  "The content is over the size limit of the gateway's secmode (UTF-8 bytes, strictly less).",
  "Shorten the message or split it; with MULTIMEDIA_SECMODE=0 the limit is 3.8 KB.",
  "docs/facts.md#size-limit", oversize=True)
LOCATE_FORMAT = R("content.locate.format", "data.content", "error",
  "LOCATE content must be latitude/longitude/description on this channel (documented "
  "for it).",
  "Write e.g. 22.54/114.06/Huawei Base, Shenzhen.",
  WEB_CLIENT)
LOCATE_FORMAT_OTHER = R("content.locate.format.other", "data.content", "warning",
  "LOCATE content is not latitude/longitude/description, the format documented for the "
  "web channel; for this channel the interface allows any format the third party parses.",
  "Write e.g. 22.54/114.06/Huawei Base, Shenzhen, unless your channel expects another "
  "format.",
  WEB_CLIENT)
LOCATE_RANGE = R("content.locate.range", "data.content", "warning",
  f"LOCATE latitude should be within -{LATITUDE_MAX}..{LATITUDE_MAX} and longitude within "
  f"-{LONGITUDE_MAX}..{LONGITUDE_MAX}; the vendor "
  "publishes only the format, these ranges are the kit's assumption.",
  "Check the order: latitude first, then longitude.",
  ASSUMED)
WEBCARD_FORMAT = R("content.webcard.format", "data.content", "warning",
  "WEBCARD content should be a JSON object (as a string) starting with title, description.",
  'Write e.g. {"title": "...", "description": "..."}.',
  WEB_CLIENT)
WEB_DOWNLINK = R("content.web.downlink", "data.content", "warning",
  "The web channel's customer poll delivers at most {web_poll_chars} characters of content.",
  "Keep web messages to {web_poll_chars} characters or split them.",
  "docs/facts.md#web-downlink")
MESSAGE_CODE_UUID = R("messageCode.uuid", "data.messageCode", "warning",
  "messageCode should be unique; a UUID is the documented example.",
  "Use str(uuid.uuid4()); a resend keeps the same messageCode.",
  "docs/facts.md#message-code")
USER_ID_TO = R("userId.to", "data.userId", "warning",
  "userId differs from to; they are usually the same customer.",
  "Check both name the same customer.",
  SEED)
# fmt: on
del R

#: Every rule, in the order the docs' table shows them.
RULES: tuple[Rule, ...] = (
    BODY_JSON,
    TEXT_UNICODE,
    TEXT_CONTROL,
    CALLID_REQUIRED,
    USERID_TYPE,
    DATA_MISSING,
    DATA_NOT_STRING,
    DATA_NOT_JSON,
    BODY_EXTRA,
    AGENT_RANGE,
    FIELD_REQUIRED,
    FIELD_TYPE,
    SEND_TIME_NUMBER,
    SEND_TIME_FORMAT,
    CHANNEL_ENUM,
    MEDIA_TYPE_ENUM,
    CONTROL_TYPE_FIXED,
    FILE_TYPE_ALLOWED,
    FILE_TYPE_UNEXPECTED,
    CONTENT_TYPE_ENUM,
    FIELD_EXTRA,
    CHANNEL_MEDIA,
    CHANNEL_MEDIA_ASSUMED,
    CHANNEL_MEDIA_UNPUBLISHED,
    AUDIO_FORMAT,
    CONTENT_EMPTY,
    CONTENT_BUDGET,
    LOCATE_FORMAT,
    LOCATE_FORMAT_OTHER,
    LOCATE_RANGE,
    WEBCARD_FORMAT,
    WEB_DOWNLINK,
    MESSAGE_CODE_UUID,
    USER_ID_TO,
)
