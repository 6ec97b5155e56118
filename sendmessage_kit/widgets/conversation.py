"""ConversationView: a sandbox chat as the customer sees it, in the channel's chat bubbles.

The chat's messages, both directions (what the agent sent and what the customer wrote here or
on the customer's own chat page), arrive as the sandbox pushes them (`start()`: a background
thread reading the chat's Server-Sent Events) or on `refresh()`; the customer types a reply,
which reaches the agent as an event, shown beside (`poll_events()`, also run in the background).
This is the view to demo a channel with.
"""

from __future__ import annotations

import threading
import uuid
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
    that chat's messages) or `open_chat=False`. With `join=True` it joins the customer's open
    chat on the channel instead of opening another (the customer's chat page joins it too), and
    switching channel and back shows each channel's own chat.

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
        join: bool = False,
        display_name: str = "",
    ) -> None:
        self.sandbox = sandbox
        self.channel = channel
        self.user_id = user_id
        self.join = join
        self.display_name = display_name  # shown as the chat's title; the user ID under the hood
        self._chats: dict[str, tuple[str, list[pv.Bubble], str | None]] = {}
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
        """Open a chat as the customer (the sandbox allocates it to the agent); its callid.

        With `join` set, the customer's open chat on the channel is joined (its history shown).
        """
        with self._lock:
            if self.callid:  # keep this channel's chat to show it again on switching back
                self._chats[self.channel] = (self.callid, self.messages, self._cursor)
            self.channel = channel or self.channel
            self.user_id = user_id or self.user_id
        opened = self._customer().open_chat(self.channel, self.user_id, join=self.join)
        callid = _callid_of(opened)
        with self._lock:
            kept = self._chats.get(self.channel)
            if kept is not None and kept[0] == callid:
                self.callid, self.messages, self._cursor = kept
            else:
                self.callid, self.messages, self._cursor = callid, [], None
        self.refresh()
        return self.callid

    @guarded
    def refresh(self) -> list[pv.Bubble]:
        """Fetch the chat's new messages (both directions) from the sandbox and redraw."""
        with self._lock:
            callid = self.callid
            raw, cursor = self._customer().chat_messages(callid, after=self._cursor)
            if callid == self.callid:
                self._cursor = cursor
                self._add(pv.bubbles(raw))
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
        """What reached the agent in this chat, as sentences (other chats' events left out).

        The agent events this view's client received, and each customer message stored in the
        chat (in the chat's order), whether or not its event reached this client: the sandbox
        pushed its `AgentEvent_MessageData` to the chat's agent as it stored it, and another
        client of the same agent (a presenter tab closed a moment ago) may have taken that event
        from the queue first.
        """
        with self._lock:
            events = list(self.events)
            replies = [b.content for b in self.messages if b.who == "customer" and b.seq > 0]
        said = (pv.event_sentence(e, self.callid or None, self.user_id) for e in events)
        received = [s for s in said if s is not None]
        stored = [f"Customer replied: {text}" for text in replies]
        # The chat's order for the replies; events no stored message carries keep theirs.
        others = [s for s in received if s not in stored]
        return others + stored

    def start(self, interval: float = 1.0) -> None:
        """Follow the chat in background threads: its messages, and the agent's events.

        The messages come as the sandbox pushes them; while the stream is down they are read
        again every `interval` s. In a browser (no threads): asyncio tasks that read them every
        `interval` s and poll the agent's events.
        """
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

    def _add(self, new: list[pv.Bubble]) -> None:
        """Add messages not shown yet (a reply typed here comes back in the chat's stream)."""
        known = {b.message_code for b in self.messages if b.message_code}
        for b in new:
            if b.message_code in known:
                self.messages[:] = [
                    b if m.message_code == b.message_code else m for m in self.messages
                ]
            else:
                self.messages.append(b)
                known.add(b.message_code)

    def _render(self) -> None:
        title = self.display_name or f"customer {self.user_id}"
        self.chat.value = hx.conversation_html(self.messages, channel=self.channel, title=title)
        self.events_box.value = hx.events_html(self.event_sentences())

    @guarded
    def _on_reply(self, _: Any = None) -> None:
        text = self.reply.value.strip()
        if not text:
            raise ValueError("type a reply first.")
        if not self.callid:
            self.open()
        code = str(uuid.uuid4())
        with self._lock:  # shown at once; the chat's stream brings it back with its place
            self._add([pv.Bubble(-1, "customer", text, message_code=code)])
        self.reply.value = ""
        self._render()
        try:
            self._customer().send(self.callid, text, message_code=code)
        except Exception:  # not sent: the bubble goes, the text is back in the box
            with self._lock:
                self.messages[:] = [b for b in self.messages if b.message_code != code]
            self.reply.value = text
            self._render()
            raise
        if not self._threads:
            self.refresh()

    @guarded
    def _on_refresh(self, _: Any = None) -> None:
        self.refresh()

    def _loop_messages(self, interval: float) -> None:
        """Read the chat's stream (a keep-alive each second checks for stop or a new chat)."""
        reader = self._customer()()  # a connection of its own, closed here
        try:
            while not self._stop.is_set():
                if not self._follow(reader) and self._stop.wait(interval):
                    return
        finally:
            reader.close()

    def _follow(self, reader: Any) -> bool:
        """Follow the current chat until it changes or stops; False when the stream failed."""
        callid = self.callid
        if not callid:
            return False
        try:
            for m in reader.stream(callid, after=self._cursor, ping=1):
                if self._stop.is_set() or callid != self.callid:
                    return True
                if m is None:
                    continue
                with self._lock:
                    if callid == self.callid:
                        self._cursor = str(m.seq)
                        self._add(pv.bubbles([m]))
                self._render()
        except Exception:  # the sandbox stopped or restarted: read what came, stream again
            self.refresh()
            return False
        return True

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
