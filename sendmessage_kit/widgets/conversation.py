"""ConversationView: the customer's side of a sandbox chat, as the channel's chat bubbles.

Messages arrive by polling the sandbox's customer side (`refresh()`, or a background thread
with `start()`); the customer types a reply, which reaches the agent as an event, shown beside
(`poll_events()`, also run by the thread). This is the view to demo a channel with.
"""

from __future__ import annotations

import threading
from typing import Any

import ipywidgets as w

from sendmessage_kit import preview as pv
from sendmessage_kit import seed
from sendmessage_kit._browser import every, in_browser
from sendmessage_kit.errors import SettingsError
from sendmessage_kit.widgets import _html as hx
from sendmessage_kit.widgets._common import guarded

__all__ = ["ConversationView"]

DEMO_USER = seed.USER_ID


class ConversationView:
    """The customer's chat with an agent on one channel of a running sandbox.

    It opens a chat as the customer, unless `callid=` names one opened already (then it shows
    that chat's messages) or `open_chat=False`.

    Attributes:
        callid: the chat's call ID (what `sendmessage` takes), from `open()`.
        messages: the chat so far, as `preview.Bubble`s.
        events: the agent events received (customer messages reaching the agent); the view shows
            this chat's as sentences (`event_sentences()`).
        reply, send_reply: the customer's text box and its Send button.
        chat, events_box, status: the HTML controls shown.
        widget: the whole view.
    """

    def __init__(
        self,
        sandbox: Any = None,
        *,
        channel: str = "WEB",
        user_id: str = DEMO_USER,
        customer: Any = None,
        agent: Any = None,
        open_chat: bool = True,
        callid: str = "",
    ) -> None:
        self.sandbox = sandbox
        self.channel = channel
        self.user_id = user_id
        self.agent = agent  # a GatewayClient whose poll_event shows what reaches the agent
        self.customer = customer
        self._owned_customer = False
        self.callid = ""
        self.messages: list[pv.Bubble] = []
        self.events: list[dict[str, Any]] = []
        self.last_error = ""
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._tasks: list[Any] = []  # in a browser, the polling's asyncio tasks
        self._lock = threading.RLock()
        self._cursor: str | None = None

        self.chat = w.HTML(layout=w.Layout(width="380px"))
        self.events_box, self.status = w.HTML(), w.HTML()
        self.reply = w.Text(placeholder="Type as the customer…", layout=w.Layout(width="250px"))
        self.send_reply = w.Button(
            description="Reply", icon="reply", layout=w.Layout(width="120px")
        )
        self.reply.add_class("smk-reply")
        self.send_reply.add_class("smk-send-reply")
        self.refresh_button = w.Button(description="Refresh", icon="refresh")
        self.send_reply.on_click(self._on_reply)
        self.refresh_button.on_click(self._on_refresh)
        self.widget = w.HBox(
            [
                # The chat keeps its width; long agent events must not squeeze it.
                w.VBox(
                    [self.chat, w.HBox([self.reply, self.send_reply]), self.refresh_button],
                    layout=w.Layout(flex="0 0 390px", min_width="390px"),
                ),
                w.VBox(
                    [self.events_box, self.status],
                    layout=w.Layout(margin="0 0 0 12px", flex="1 1 auto", min_width="0"),
                ),
            ]
        )
        self._render()
        if callid:  # a chat opened already (guide 1's): show it, open no other
            self.callid = callid
            self.refresh()
        elif open_chat and (sandbox is not None or customer is not None):
            self.open()

    # --- public API -----------------------------------------------------------------------------

    @guarded
    def open(self, channel: str | None = None, user_id: str | None = None) -> str:
        """Open a chat as the customer (the sandbox allocates it to the agent); its callid."""
        self.channel = channel or self.channel
        self.user_id = user_id or self.user_id
        opened = self._customer().open_chat(self.channel, self.user_id)
        self.callid = _callid_of(opened)
        with self._lock:
            self.messages, self._cursor = [], None
        self.refresh()
        return self.callid

    @guarded
    def refresh(self) -> list[pv.Bubble]:
        """Fetch the agent's new messages to this customer from the sandbox and redraw."""
        with self._lock:
            raw, cursor = self._customer().messages(self.user_id, after=self._cursor)
            if self._cursor is None:  # a fresh view shows only this chat's messages
                raw = [m for m in raw if m.callid == self.callid]
            self._cursor = cursor
            self.messages.extend(pv.bubbles(raw))
        self._render()
        return self.messages

    @guarded
    def poll_events(self, timeout: float | None = None) -> list[dict[str, Any]]:
        """One long poll of the agent's events; new events are shown beside the chat."""
        if self.agent is None:
            raise SettingsError("no agent client: pass agent=GatewayClient to see its events.")
        event = self.agent.poll_event(timeout=timeout)
        if event:
            with self._lock:
                self.events.append(event)
            self.events_box.value = hx.events_html(self.event_sentences())
        return self.events

    def event_sentences(self) -> list[str]:
        """The agent events of this chat only, as sentences (other chats' events left out)."""
        with self._lock:
            events = list(self.events)
        said = (pv.event_sentence(e, self.callid or None, self.user_id) for e in events)
        return [s for s in said if s is not None]

    def start(self, interval: float = 1.0) -> None:
        """Poll in background threads: customer messages every `interval` s, agent events."""
        if self._threads or self._tasks:
            return
        self._stop.clear()
        if in_browser():  # a page starts no threads: the same polling, as asyncio tasks
            self._tasks = [every(self.refresh, interval)]
            if self.agent is not None:
                self._tasks.append(every(self.poll_events, 1.0))
            return
        self._threads = [
            threading.Thread(target=self._loop_messages, args=(interval,), daemon=True)
        ]
        if self.agent is not None:
            self._threads.append(threading.Thread(target=self._loop_events, daemon=True))
        for t in self._threads:
            t.start()

    def stop(self, timeout: float = 15.0) -> None:
        """Stop the background polling (waits for a running long poll to end); close."""
        self._stop.set()
        for task in self._tasks:
            task.cancel()
        self._tasks = []
        for t in self._threads:
            t.join(timeout)
        self._threads = []
        if self._owned_customer and self.customer is not None:
            self.customer.close()
            self.customer, self._owned_customer = None, False

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    # --- internals ------------------------------------------------------------------------------

    def _customer(self) -> Any:
        if self.customer is None:
            if self.sandbox is None:
                raise SettingsError("the conversation needs a running sandbox (sandbox.start()).")
            self.customer = self.sandbox.customer()
            self._owned_customer = True
        return self.customer

    def _render(self) -> None:
        title = f"customer {self.user_id}"
        self.chat.value = hx.conversation_html(self.messages, channel=self.channel, title=title)
        self.events_box.value = hx.events_html(self.event_sentences())

    @guarded
    def _on_reply(self, _: Any = None) -> None:
        text = self.reply.value.strip()
        if not text:
            raise ValueError("type a reply first.")
        if not self.callid:
            self.open()
        sent = self._customer().send(self.callid, text)
        with self._lock:
            self.messages.append(
                pv.Bubble(-1, "customer", text, message_code=str(sent.get("messageCode", "")))
            )
        self.reply.value = ""
        self.refresh()

    @guarded
    def _on_refresh(self, _: Any = None) -> None:
        self.refresh()

    def _loop_messages(self, interval: float) -> None:
        while not self._stop.wait(interval):
            self.refresh()

    def _loop_events(self) -> None:
        while not self._stop.is_set():
            if self.poll_events() is None:
                self._stop.wait(1.0)  # a failing poll (shown in the status) does not spin


def _callid_of(opened: Any) -> str:
    if isinstance(opened, str):
        return opened
    if isinstance(opened, dict):
        return str(opened["callid"])
    return str(opened.callid)
