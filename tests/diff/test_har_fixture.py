"""The tests' recordings are standard HAR 1.2: npm's `har-validator` (the published HAR schema)
accepts what tests/diff/har_writer.py writes, so the diff is tested on HAR as tools write it.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from sendmessage_kit.sandbox import start
from tests.diff import har_writer as hw
from tests.export.npm_tools import npm_tools

CHECK = """
const validate = require("har-validator");
const har = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
validate.har(har).then(() => console.log("valid"), (e) => {
  console.log(JSON.stringify(e.errors || String(e))); process.exit(1);
});
"""


def _validate(path: Path) -> subprocess.CompletedProcess[str]:
    folder = npm_tools()
    return subprocess.run(
        ["node", "-e", CHECK, str(path)],
        capture_output=True, text=True, cwd=folder, timeout=60,
    )  # fmt: skip


def test_the_recordings_validate_against_the_har_schema(tmp_path: Path) -> None:
    har = tmp_path / "app.har"
    with start(http=True, poll_wait=0.1) as sb:
        steps = [hw.sign_in("4601", "sandbox"), hw.send("4601", "Hi"), hw.poll("4601")]
        steps.append(hw.sign_out("4601"))
        hw.record(sb.base_url, steps, har)
    done = _validate(har)
    assert done.returncode == 0 and done.stdout.strip() == "valid", done.stdout + done.stderr
    broken = json.loads(har.read_text())
    del broken["log"]["entries"][0]["request"]["url"]  # the check can fail
    har.write_text(json.dumps(broken))
    assert _validate(har).returncode == 1
