"""Four fields added to `models.py` alone (a string, an integer, a boolean, an object) reach
every place the kit reads `data`: check(), new_message, encoding, the builder, the send CLI
(flags and --csv), the sandbox's store and read paths, the OpenAPI documents and the exports.

The package is copied and only its models.py is edited, as a maintainer would; a probe run in a
fresh interpreter follows each field and prints where it appears. The test prints that table
(`pytest -s`) and checks each cell.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

# One optional field per JSON type; `priority`'s wire name differs from its attribute's.
NEW_FIELDS = """
    label: str | None = Field(default=None, description="A label (a field added by a test).")
    priority: int | None = Field(
        default=None, alias="msgPriority", description="Priority (a field added by a test)."
    )
    urgent: bool | None = Field(default=None, description="Urgent (a field added by a test).")
    meta: dict[str, Any] | None = Field(default=None, description="Metadata (added by a test).")

    def to_wire(self) -> str:"""

# Each field's value, its wire name and how the CLI and the builder type it.
VALUES = {
    "label": ("label", "x-label", "x-label"),
    "priority": ("msgPriority", 5, "5"),
    "urgent": ("urgent", True, "true"),
    "meta": ("meta", {"a": [1, "b"]}, '{"a": [1, "b"]}'),
}

PROBE = r"""
import contextlib, io, json, re, sys
import httpx2

from sendmessage_kit import check, new_message, sandbox as sandboxes
from sendmessage_kit.cli import main
from sendmessage_kit.encoding import decode_data, encode_data
from sendmessage_kit.export.build import files
from sendmessage_kit.export.openapi import document
from sendmessage_kit.models import SendMessageRequest
from sendmessage_kit.target import open_target
from sendmessage_kit.widgets import PayloadBuilder

VALUES = json.loads(sys.argv[1])
seen = {name: {} for name in VALUES}

def note(place, found):
    for name, value in found.items():
        seen[name][place] = value

kwargs = {name: value for name, (wire, value, text) in VALUES.items()}
msg = new_message(to="u-four", content="hi", **kwargs)
wire = json.loads(msg.to_wire())
note("new_message (wire)", {n: wire.get(w) for n, (w, _, _) in VALUES.items()})
by_alias = new_message(to="u", content="hi", msgPriority=7)
note("new_message by wire name", {"priority": by_alias.priority})
back = decode_data(encode_data(msg))
note("encoding round trip", {n: getattr(back, n) for n in VALUES})

def body(data):
    return json.dumps({"callid": "c-1", "data": json.dumps(data)})

note("check() passes it", {n: [f.rule_id for f in check(body(wire))] for n in VALUES})
bad = {"label": 5, "priority": "5", "urgent": "yes", "meta": "x"}
for name, (w, _, _) in VALUES.items():
    found = check(body({**wire, w: bad[name]}))
    note(f"check() refuses a wrong type", {name: [(f.rule_id, f.field) for f in found]})

b = PayloadBuilder()
for name, (_, _, text) in VALUES.items():
    b.controls[name].value = text
data = json.loads(b.preview.data_wire)
note("builder control", {n: type(b.controls[n]).__name__ for n in VALUES})
note("builder preview", {n: data.get(w) for n, (w, _, _) in VALUES.items()})
note("builder findings", {n: [f.rule_id for f in b.preview.findings] for n in VALUES})

out = io.StringIO()
with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
    main(["send", "--help"])
help_text = out.getvalue()
note("send --help", {"label": "--label" in help_text, "priority": "--priority" in help_text
     and "--msg-priority" in help_text, "urgent": "--urgent" in help_text,
     "meta": "--meta" in help_text})

import csv
from sendmessage_kit.constraints import Profile
from sendmessage_kit.send_csv import read_csv
sheet = io.StringIO()
columns = ["to", "content", *(w for w, _, _ in VALUES.values())]
csv.writer(sheet).writerows([columns, ["u-csv", "hi", *(t for _, _, t in VALUES.values())]])
[row] = read_csv(sheet.getvalue(), Profile())
assert row.request is not None, row.problems
note("send --csv (a row)", {n: getattr(row.request.data, n) for n in VALUES})

with sandboxes.start(http=True) as sb:
    argv = ["send", "--base-url", sb.base_url, "--agent-id", "101", "--to", "u-four",
            "--text", "cli", "--label", "x-label", "--msg-priority", "5", "--urgent", "true",
            "--meta", '{"a": [1, "b"]}', "--json"]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(argv)
    sent = json.loads(json.loads(out.getvalue())["request"]["data"])
    note("send CLI (sent)", {n: sent.get(w) for n, (w, _, _) in VALUES.items()})
    with open_target(sandbox=sb) as target:
        chat = sb.customer.open_chat("WEB", "u-four")
        assert target.client.send_message(chat["callid"], msg).ok
    stored = [json.loads(m.data) for m in sb.app.store.all_messages() if m.content == "hi"][0]
    note("sandbox store", {n: stored.get(w) for n, (w, _, _) in VALUES.items()})
    [m] = [m for m in sb.customer.all_messages("u-four") if m.content == "hi"]
    note("customer view (CustomerMessage)", {n: getattr(m, n) for n in VALUES})
    with httpx2.Client(base_url=sb.base_url) as http:
        page = http.get("/sandbox/users/u-four/messages").json()["messages"]
        raw = [x for x in page if x["content"] == "hi"][0]
        note("customer view (HTTP)", {n: raw.get(w) for n, (w, _, _) in VALUES.items()})
        token = http.post("/apiaccess/ccmessaging/applyToken", json={"userId": "u-four"})
        poll = http.get("/apiaccess/ccmessaging/poll", params={"receiverId": "u-four"},
                        headers={"ccmessaging-token": token.json()["token"]}).json()
        down = [x for x in poll["downlinkMessages"] if x["content"] == "hi"][0]
        note("web poll (_downlink)", {n: down.get(w) for n, (w, _, _) in VALUES.items()})
        schema = http.get("/openapi.json").json()["components"]["schemas"]
        props = schema["CustomerMessage"]["properties"]
        note("sandbox OpenAPI (CustomerMessage)",
             {n: w in props for n, (w, _, _) in VALUES.items()})

props = document()["components"]["schemas"]["MessageData"]["properties"]
note("OpenAPI export (MessageData)", {n: props[w].get("anyOf", [{}])[0].get("type")
     for n, (w, _, _) in VALUES.items()})
request = SendMessageRequest(callid="c-1", data=msg)
for fmt in ("postman", "bruno", "http"):
    text = "".join(files(fmt, request).values())
    # the data string inside the exported body: its quotes escaped once or twice
    note(f"{fmt} export", {n: bool(re.search(r'\\*"' + w + r'\\*":', text))
         for n, (w, _, _) in VALUES.items()})
print(json.dumps(seen))
"""


def test_four_fields_added_to_the_model_reach_every_place(tmp_path: Path) -> None:
    import sendmessage_kit

    package = tmp_path / "sendmessage_kit"
    shutil.copytree(
        sendmessage_kit.__path__[0], package, ignore=shutil.ignore_patterns("__pycache__")
    )
    models_py = package / "models.py"
    source = models_py.read_text(encoding="utf-8")
    anchor = "\n    def to_wire(self) -> str:"
    assert source.count(anchor) == 1
    models_py.write_text(source.replace(anchor, NEW_FIELDS), encoding="utf-8")
    values = {name: [wire, value, text] for name, (wire, value, text) in VALUES.items()}
    run = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(values)],
        cwd=tmp_path,
        env={
            "PYTHONPATH": str(tmp_path),
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
            "SENDMESSAGE_KIT_DATA_DIR": str(tmp_path / "data"),
            # the send CLI's sign-in to the probe's sandbox (its demo values)
            "SENDMESSAGE_KIT_PASSWORD": "sandbox",
            "SENDMESSAGE_KIT_PHONENUM": "88880001",
        },
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    print("\nwhere each added field appears:")
    for name, places in seen.items():
        print(f"  {name} ({VALUES[name][0]}):")
        for place, found in places.items():
            print(f"    {place}: {found!r}")
    for name, (wire, value, _) in VALUES.items():
        places = seen[name]
        for place in (
            "new_message (wire)",
            "encoding round trip",
            "builder preview",
            "send CLI (sent)",
            "send --csv (a row)",
            "sandbox store",
            "customer view (CustomerMessage)",
            "customer view (HTTP)",
            "web poll (_downlink)",
        ):
            assert places[place] == value, (name, place, places[place])
        assert places["check() passes it"] == [], name
        assert places["builder findings"] == [], name
        assert places["check() refuses a wrong type"] == [["data.type", f"data.{wire}"]], name
        for place in ("send --help", "sandbox OpenAPI (CustomerMessage)"):
            assert places[place] is True, (name, place)
        for fmt in ("postman", "bruno", "http"):
            assert places[f"{fmt} export"] is True, (name, fmt)
    assert seen["priority"]["new_message by wire name"] == 7
    kinds = {n: seen[n]["OpenAPI export (MessageData)"] for n in VALUES}
    assert kinds == {
        "label": "string",
        "priority": "integer",
        "urgent": "boolean",
        "meta": "object",
    }
    assert seen["meta"]["builder control"] == "Textarea"
    assert seen["urgent"]["builder control"] == "Dropdown"  # (absent), true, false
