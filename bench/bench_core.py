"""Cost of building, validating, encoding and checking one payload, beside raw json.dumps.

Run: uv run python bench/bench_core.py
"""

from __future__ import annotations

import json
import timeit
import uuid

from sendmessage_kit import SendMessageRequest, check, encode_body, new_message, seed
from sendmessage_kit.encoding import encode_data

N = 20_000
TO = seed.USER_ID
SEND_TIME = str(seed.SEND_TIME)
CODE = str(uuid.uuid4())


def raw() -> str:
    """What a hand-written integration does: two json.dumps of equivalent dicts."""
    data = {
        "from": seed.CHANNEL_ID, "to": TO, "channel": "WEB", "controlType": "CHAT",
        "mediaType": "TEXT", "messageCode": CODE, "content": "<p>Message sent by the agent</p>",
        "senderNickname": "Agent", "senderAvatar": "DefaultAvatar", "sendTime": SEND_TIME,
        "userId": TO,
    }  # fmt: skip
    return json.dumps({"callid": seed.CALLID, "data": json.dumps(data)})


def build_encode() -> str:
    m = new_message(to=TO, content="<p>Message sent by the agent</p>", message_code=CODE,
                    send_time=SEND_TIME)  # fmt: skip
    return encode_body(SendMessageRequest(callid=seed.CALLID, data=m))


BODY = build_encode()


def full() -> object:
    return check(build_encode(), agent_id="101")


def best(fn: object, n: int = N) -> float:
    return min(timeit.repeat(fn, number=n, repeat=5)) / n * 1e6  # type: ignore[arg-type]


def main() -> None:
    assert json.loads(json.loads(raw())["data"]) == json.loads(json.loads(BODY)["data"])
    r = best(raw)
    b = best(build_encode)
    c = best(lambda: check(BODY, agent_id="101"))
    f = best(full)
    d = best(lambda: encode_data(new_message(to=TO, content="x", message_code=CODE, send_time="1")))
    rows = [
        ("raw json.dumps of equivalent dicts (baseline)", r, ""),
        ("build + validate + encode (new_message -> body)", b, f"{b / r:.2f}x raw (<= 1.5x)"),
        ("  of which MessageData + data string only", d, ""),
        ("check() of one body", c, "target <= 50 us"),
        ("build + validate + encode + check", f, f"{f / r:.2f}x raw"),
    ]
    print(f"{'operation':52} {'us/op':>8}  note")
    for name, us, note in rows:
        print(f"{name:52} {us:8.2f}  {note}")


if __name__ == "__main__":
    main()
