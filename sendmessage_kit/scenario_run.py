"""Plays a `Scenario` on a presenter screen: hints, the customer's lines, faults at steps.

A background thread (in a browser: an asyncio task, see `_browser`) looks ten times a second at
the current step: an agent step puts its text in
the message box, shows it as the hint and arms its fault (one send on this chat); it ends when
the send is answered (or refused, with `expect: refused`). A customer step writes its line as the
customer once its time has come (`after` seconds, counted from the previous step or from the
agent message its `when` matches). `auto=True` also presses Send (guide 7 runs it so); `clock`
is injectable for tests. `wait()` blocks until the end; `await until_done()` waits without
blocking, which a web page needs (its one thread also runs the player's task).
"""

from __future__ import annotations

import asyncio
import html
import re
import threading
import time
from collections.abc import Callable
from typing import Any

from sendmessage_kit._browser import every, in_browser
from sendmessage_kit.scenario import AgentStep, CustomerStep, Scenario

__all__ = ["ScenarioRun"]


class ScenarioRun:
    """One playing of a scenario on a `Presenter`."""

    def __init__(
        self,
        scenario: Scenario,
        presenter: Any,
        *,
        auto: bool = False,
        clock: Callable[[], float] = time.monotonic,
        tick: float = 0.1,
    ) -> None:
        self.scenario, self.presenter, self.auto = scenario, presenter, auto
        self.clock, self.tick = clock, tick
        self.index = 0
        self.log: list[str] = []
        self._since: float | None = None  # when the current step began (first look: now)
        self._seen_agent = 0  # agent messages shown when the last agent step began
        self._armed = -1
        self._stop = threading.Event()
        self._lock = threading.RLock()
        self._thread: threading.Thread | None = None
        self._task: asyncio.Task[None] | None = None
        presenter.panel.on_sent(self._on_sent)
        presenter.panel.on_refused(self._on_refused)
        self._show()

    @property
    def done(self) -> bool:
        """True once every step has been played."""
        return self.index >= len(self.scenario.steps)

    @property
    def step(self) -> AgentStep | CustomerStep | None:
        """The current step (None when done)."""
        return None if self.done else self.scenario.steps[self.index]

    def start(self) -> None:
        """Play in a background thread, in a browser an asyncio task (returns at once)."""
        if in_browser():
            self._task = every(self._look, self.tick)
            return
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def wait(self, timeout: float = 60.0) -> bool:
        """Wait until the scenario is done; True when it is."""
        deadline = time.monotonic() + timeout
        while not self.done and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.done

    async def until_done(self, timeout: float = 60.0) -> bool:
        """`await` it: `wait()` that lets the page's loop (and the player's task) run meanwhile."""
        deadline = time.monotonic() + timeout
        while not self.done and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        return self.done

    def stop(self) -> None:
        """Stop playing (the thread ends within a tick; a task, at once)."""
        self._stop.set()
        if self._task is not None:
            self._task.cancel()
        if self._thread is not None:
            self._thread.join(5)

    def step_once(self) -> None:
        """Look at the current step once (what the thread does each tick)."""
        with self._lock:
            if self._since is None:
                self._since = self.clock()
            step = self.step
            if isinstance(step, AgentStep):
                self._arm(step)
            elif isinstance(step, CustomerStep) and self._due(step):
                conv = self.presenter.conversation
                conv._customer().send(conv.callid, step.customer)
                self.log.append(f"customer: {step.customer}")
                self._advance()

    # --- internals ------------------------------------------------------------------------------

    def _loop(self) -> None:
        while not self._stop.wait(self.tick) and not self.done:
            self._look()

    def _look(self) -> None:
        if self.done and self._task is not None:
            self._task.cancel()
            return
        try:
            self.step_once()
        except Exception as exc:  # shown, the scenario stays where it is
            self.presenter.hint.value = _hint(f"Scenario paused: {exc}", "#a00")

    def _agent_texts(self) -> list[str]:
        conv = self.presenter.conversation
        return [b.content for b in list(conv.messages) if b.who == "agent"]

    def _due(self, step: CustomerStep) -> bool:
        if step.when is not None:
            said = self._agent_texts()[self._seen_agent :]
            if not any(re.search(step.when, text, re.IGNORECASE) for text in said):
                return False
            if self._since_match is None:
                self._since_match = self.clock()
            return self.clock() - self._since_match >= step.after
        return self._since is not None and self.clock() - self._since >= step.after

    _since_match: float | None = None

    def _arm(self, step: AgentStep) -> None:
        if self._armed == self.index:
            return
        self._armed = self.index
        self._seen_agent = len(self._agent_texts())  # a `when` after this step sees its send
        p = self.presenter
        p.builder.content.value = step.agent
        retcode = step.retcode
        if retcode is not None:
            p.sandbox.faults.set(retcode=retcode, count=1, callid=p.conversation.callid)
        if self.auto:
            p.panel.send.click()

    def _on_sent(self, result: Any) -> None:
        with self._lock:
            step = self.step
            if isinstance(step, AgentStep) and step.expect == "sent" and self._armed == self.index:
                attempts = getattr(result, "attempts", 1)
                self.log.append(f"agent: {step.agent} -> retcode {result.retcode} ({attempts})")
                self._advance()

    def _on_refused(self, message: str) -> None:
        with self._lock:
            step = self.step
            if (
                isinstance(step, AgentStep)
                and step.expect == "refused"
                and self._armed == self.index
            ):
                self.log.append(f"agent: refused ({message[:80]})")
                self._advance()

    def _advance(self) -> None:
        self.index += 1
        self._since = self.clock()
        self._since_match = None
        self._show()

    def _show(self) -> None:
        total = len(self.scenario.steps)
        step = self.step
        title = self.scenario.title or "Scenario"
        if step is None:
            text = f"{title}: done, all {total} steps played."
        elif isinstance(step, AgentStep):
            extra = f" — {step.note}" if step.note else ""
            text = f"{title}, step {self.index + 1} of {total}: send “{_short(step.agent)}”{extra}"
        else:
            when = f"after you mention “{step.when}”" if step.when else f"in {step.after:g} s"
            text = (
                f"{title}, step {self.index + 1} of {total}: the customer answers {when}: "
                f"“{_short(step.customer)}”"
            )
        self.presenter.hint.value = _hint(text)


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _hint(text: str, colour: str = "#0d47a1") -> str:
    return (
        f'<div class="smk-hint" style="color:{colour};background:#e8f0fe;border-radius:6px;'
        f'padding:6px 10px;margin:0 0 8px 0;line-height:1.4">{html.escape(text)}</div>'
    )
