"""SendPanel: send the builder's payload, see the answer, keep a history, replay, diff.

Sending happens only on the button. The target is the embedded sandbox by default (a sandbox
given to the panel, lab's under `sendmessage-kit lab`, or one started on first use) or the
configured gateway (`SENDMESSAGE_KIT_*`); `sendmessage_kit.target.open_target()` decides. The
panel closes only what it opened. Every failure, from a check that finds errors to a dropped
connection, shows as a readable message in the panel.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as w

from sendmessage_kit import preview as pv
from sendmessage_kit.encoding import decode_body
from sendmessage_kit.errors import PayloadError
from sendmessage_kit.widgets import _html as hx
from sendmessage_kit.widgets._common import guarded
from sendmessage_kit.widgets.builder import PayloadBuilder

__all__ = ["SendPanel"]

_TARGETS = [("embedded sandbox", "sandbox"), ("configured gateway", "configured")]


class SendPanel:
    """Send what a `PayloadBuilder` holds and show retcode, explanation, time and exchange.

    Attributes:
        result: the last `SendResult` (None before the first send).
        results: every send made from this panel, oldest first.
        client: the `GatewayClient` in use (created on first send unless given).
        sandbox: the sandbox it sends to (given, lab's, or started by `connect()`; else None).
        widget: the whole view.
    """

    def __init__(
        self,
        builder: PayloadBuilder,
        *,
        client: Any = None,
        sandbox: Any = None,
        target: str = "sandbox",
        client_options: dict[str, Any] | None = None,
        renew_after_send: bool = True,
        plain: bool = False,
    ) -> None:
        self.builder = builder
        self.plain = plain  # a refused send as one sentence; the findings in `refusal_findings`
        self.client = client
        self.sandbox = sandbox
        self._given_sandbox = sandbox
        self.client_options = client_options or {}
        self.renew_after_send = renew_after_send
        self._target: Any = None  # what connect() opened (a `Target`), closed by close()
        self.result: Any = None
        self.results: list[Any] = []
        self.last_error = ""
        self._listeners: list[Callable[[Any], object]] = []
        self._refusal_listeners: list[Callable[[str], object]] = []

        self.target = w.Dropdown(options=_TARGETS, value=target, description="target")
        self.check = w.Checkbox(value=True, description="check before sending")
        self.send = w.Button(description="Send", button_style="primary", icon="paper-plane")
        self.send.add_class("smk-send")
        self.status, self.result_html = w.HTML(), w.HTML()
        self.exchange = w.HTML()
        self.refusal_findings = w.HTML()  # with `plain`: the last refusal's findings table
        self.history = w.HTML()
        self.pick_a = w.Dropdown(options=[], description="send")
        self.pick_b = w.Dropdown(options=[], description="vs")
        self.replay = w.Button(description="Replay")
        self.diff = w.Button(description="Diff")
        self.diff_html = w.HTML()

        self.send.on_click(self._on_send)
        self.replay.on_click(self._on_replay)
        self.diff.on_click(self._on_diff)
        self.target.observe(self._on_target, names="value")
        if client is not None:
            self._point_builder()
        self.widget = w.VBox(
            [
                w.HBox([self.target, self.check, self.send]),
                self.status,
                self.result_html,
                self.exchange,
                self.history,
                w.HBox([self.pick_a, self.replay, self.pick_b, self.diff]),
                self.diff_html,
            ]
        )

    def on_sent(self, listener: Callable[[Any], object]) -> None:
        """Call `listener(result)` after every send that got an answer (the conversation)."""
        self._listeners.append(listener)

    def on_refused(self, listener: Callable[[str], object]) -> None:
        """Call `listener(message)` after every send the kit refused to make (a scenario)."""
        self._refusal_listeners.append(listener)

    def close(self) -> None:
        """Close what `connect()` opened: its client, and the sandbox it started.

        A client or sandbox given to the panel, and lab's sandbox, are left as they are.
        """
        target, self._target = self._target, None
        if target is not None:
            target.close()
            self.client, self.sandbox = None, self._given_sandbox

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    # --- the client ------------------------------------------------------------------------------

    def connect(self) -> Any:
        """The client for the chosen target, made (a sandbox found or started) on first use."""
        if self.client is not None:
            return self.client
        from sendmessage_kit.target import open_target

        self._target = open_target(
            use="configured" if self.target.value == "configured" else "sandbox",
            sandbox=self._given_sandbox,
            **self.client_options,
        )
        self.client, self.sandbox = self._target.client, self._target.sandbox
        self._point_builder()
        return self.client

    def _point_builder(self) -> None:
        self.builder.set_target(base_url=self.client.base_url, agent_id=self.client.agent_id)

    @guarded
    def _on_target(self, change: Any = None) -> None:
        self.close()
        self.client = None  # a client given to the panel is not closed, only no longer used
        self.status.value = hx.note_html(f"Target: {self.target.label}; connects on Send.")

    # --- actions ---------------------------------------------------------------------------------

    @guarded
    def _on_send(self, button: Any = None) -> None:
        request = self.builder.payload
        if request is None:
            self._refused(f"the form does not make a valid request: {self.builder.preview.error}")
            return
        result = self._send(request)
        if self.renew_after_send and result is not None and result.ok:
            self.builder.renew()  # the next Send is a new message; Replay resends this one

    def _send(self, request: Any) -> Any:
        self.status.value = hx.note_html("Sending…")
        client = self.connect()
        try:
            result = client.send_request(request, check=self.check.value, raise_on_error=False)
        except PayloadError as exc:
            self._refused(str(exc), getattr(exc, "findings", None) or [])
            return None
        self.result = result
        self.results.append(result)
        self.status.value = ""
        self.result_html.value = hx.result_html(
            ok=result.ok,
            retcode=result.retcode,
            explanation=result.explanation,
            elapsed=result.elapsed,
            attempts=result.attempts,
        )
        url = f"{client.base_url} … /mediacall/{client.agent_id}/sendmessage"
        self.exchange.value = hx.code_html(pv.exchange_text(result, url=url, guid=client.guid))
        self._render_history()
        for listener in self._listeners:
            listener(result)
        return result

    def _refused(self, message: str, findings: Any = ()) -> None:
        # Stopped before it left: this takes the previous result's place, so an old
        # "retcode 0 · success" never sits beside a send that did not happen.
        self.last_error = f"Not sent: {message}"
        self.status.value = ""
        if self.plain:
            self.result_html.value = hx.refused_sentence_html(message, findings)
            self.refusal_findings.value = hx.findings_html(findings) if findings else ""
        else:
            self.result_html.value = hx.refused_html(message, findings)
        for listener in self._refusal_listeners:
            listener(message)
        self.exchange.value = ""

    def _render_history(self) -> None:
        rows = pv.history_rows(self.results)
        self.history.value = hx.rows_html(list(rows[0]) if rows else [], rows)
        options = [(f"#{r['#']} {r['retcode']} {r['content']}", int(r["#"]) - 1) for r in rows]
        last = len(options) - 1
        self.pick_a.options, self.pick_a.value = options, max(last - 1, 0)
        self.pick_b.options, self.pick_b.value = options, last

    @guarded
    def _on_replay(self, button: Any = None) -> None:
        if self.pick_a.value is None:
            raise PayloadError("nothing to replay yet: send first.")
        # The same body again: same messageCode, so a gateway that dedups can drop it.
        self._send(decode_body(self.results[self.pick_a.value].request_body))

    @guarded
    def _on_diff(self, button: Any = None) -> None:
        if self.pick_a.value is None or self.pick_b.value is None:
            raise PayloadError("two sends are needed for a diff.")
        a, b = self.pick_a.value, self.pick_b.value
        text = pv.diff_bodies(
            self.results[a].request_body,
            self.results[b].request_body,
            names=(f"send #{a + 1}", f"send #{b + 1}"),
        )
        self.diff_html.value = hx.code_html(text or "The two bodies are identical.")
