"""SendPanel: send the builder's payload, see the answer, keep a history, replay, diff.

Sending happens only on the button. The target is the embedded sandbox by default (started on
first use) or the configured gateway (`SENDMESSAGE_KIT_*`). Every failure, from a check that
finds errors to a dropped connection, shows as a readable message in the panel.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as w

from sendmessage_kit import preview as pv
from sendmessage_kit.encoding import decode_body
from sendmessage_kit.errors import PayloadError, SettingsError
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
    ) -> None:
        self.builder = builder
        self.client = client
        self.sandbox = sandbox
        self.client_options = client_options or {}
        self.renew_after_send = renew_after_send
        self._owned: list[Any] = []
        self.result: Any = None
        self.results: list[Any] = []
        self.last_error = ""
        self._listeners: list[Callable[[Any], object]] = []

        self.target = w.Dropdown(options=_TARGETS, value=target, description="target")
        self.check = w.Checkbox(value=True, description="check before sending")
        self.send = w.Button(description="Send", button_style="primary", icon="paper-plane")
        self.send.add_class("smk-send")
        self.status, self.result_html = w.HTML(), w.HTML()
        self.exchange = w.HTML()
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

    def close(self) -> None:
        """Close the client and stop the sandbox this panel started (not the ones given)."""
        for thing in reversed(self._owned):
            (getattr(thing, "close", None) or thing.stop)()
        self._owned.clear()

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    # --- the client ------------------------------------------------------------------------------

    def connect(self) -> Any:
        """The client for the chosen target, created (and the sandbox started) on first use."""
        if self.client is not None:
            return self.client
        from sendmessage_kit.client import GatewayClient, connect
        from sendmessage_kit.settings import KitSettings

        if self.target.value == "configured":
            settings = KitSettings()
            if settings.uses_sandbox:
                raise SettingsError(
                    "no gateway configured: set SENDMESSAGE_KIT_BASE_URL and "
                    "SENDMESSAGE_KIT_AGENT_ID (and a Guid or password), or choose the sandbox."
                )
            self.client = connect(settings, **self.client_options)
        else:
            if self.sandbox is None:
                from sendmessage_kit import sandbox

                self.sandbox = sandbox.start()
                self._owned.append(self.sandbox)
            self.client = GatewayClient.for_sandbox(self.sandbox, **self.client_options)
        self._owned.append(self.client)
        self._point_builder()
        return self.client

    def _point_builder(self) -> None:
        self.builder.set_target(base_url=self.client.base_url, agent_id=self.client.agent_id)

    @guarded
    def _on_target(self, change: Any = None) -> None:
        self.close()
        self.client = None
        self.status.value = hx.note_html(f"Target: {self.target.label}; connects on Send.")

    # --- actions ---------------------------------------------------------------------------------

    @guarded
    def _on_send(self, button: Any = None) -> None:
        request = self.builder.payload
        if request is None:
            raise PayloadError(
                f"the form does not make a valid request: {self.builder.preview.error}"
            )
        result = self._send(request)
        if self.renew_after_send and result is not None and result.ok:
            self.builder.renew()  # the next Send is a new message; Replay resends this one

    def _send(self, request: Any) -> Any:
        self.status.value = hx.note_html("Sending…")
        client = self.connect()
        try:
            result = client.send_request(request, check=self.check.value, raise_on_error=False)
        except PayloadError as exc:
            findings = getattr(exc, "findings", None) or []
            self.status.value = hx.error_html(f"Not sent: {exc}") + hx.findings_html(findings)
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
