"""PayloadBuilder: a form for every field of the request, with live previews.

A view over `sendmessage_kit.preview`: the controls are read into a `Form`, `preview()` computes
the body, the escaped `data`, the size meter and the findings, and the results are written into
HTML controls. Set a control's `.value` from code and the previews follow.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType
from typing import Any

import ipywidgets as w

from sendmessage_kit import preview as pv
from sendmessage_kit import snippets
from sendmessage_kit.constraints import DEFAULT_PROFILE, Profile
from sendmessage_kit.fields import DataField, data_fields
from sendmessage_kit.models import SendMessageRequest
from sendmessage_kit.widgets import _html as hx
from sendmessage_kit.widgets._common import guarded, labelled, text
from sendmessage_kit.widgets.share import ShareBox

__all__ = ["PayloadBuilder"]

#: The body's and the URL's text controls, before the fields of `data`.
_BODY = (("callid", "callid"), ("userid", "userid (optional)"), ("agent_id", "agent ID"))


class PayloadBuilder:
    """Build a sendmessage request field by field and see it as it goes on the wire.

    The form has a control for every field of `data` that `MessageData` declares (see
    `sendmessage_kit.fields`), in the wire's order: a field added to the model gets one with no
    edit here. Each control is an attribute named like the field (`b.content`, `b.media_type`,
    `b.from_`) and is in `controls`, keyed by that name.

    Attributes:
        payload: the current request (`SendMessageRequest`), or None while a field is invalid.
        preview: the last `preview.Preview` (body, escaped data, meter, findings).
        widget: the whole view (display it, or the builder itself).
        controls: every control of the form by name (body, URL and `data` fields).

    Example:
        >>> b = PayloadBuilder()
        >>> b.content.value = "Hi"
        >>> b.payload.data.content
        'Hi'
    """

    def __init__(
        self,
        form: pv.Form | None = None,
        *,
        profile: Profile = DEFAULT_PROFILE,
        base_url: str = "https://gateway.example.com:8043",
        plain_labels: bool = False,
    ) -> None:
        f = form or pv.Form()
        self.plain_labels = plain_labels  # choices an audience reads (the presenter's)
        self.profile = profile
        self.base_url = base_url
        self.last_error = ""
        self._holding = False
        self._listeners: list[Callable[[PayloadBuilder], None]] = []
        table = profile.channel_table

        self.controls: dict[str, Any] = {k: text(getattr(f, k)) for k, _ in _BODY}
        self.secmode = w.Dropdown(
            options=[("1 — platform encryption, 1.9 KB", 1), ("0 — 3.8 KB", 0)], value=f.secmode
        )
        self.controls["secmode"] = self.secmode
        self._renewers: dict[str, Any] = {}
        for spec in data_fields():
            if spec.widget != "fixed":
                self.controls[spec.key] = self._control(spec, f, table)

        self.banner = w.HTML()
        self.excluded = w.HTML()
        self.status = w.HTML()
        self.body_html, self.escaped_html = w.HTML(), w.HTML()
        self.meter_html, self.findings_html = w.HTML(), w.HTML()
        self.snippets = {k: w.HTML() for k in ("curl", "python", "javascript")}
        self._template_content = f.content

        for name, control in self.controls.items():
            if name not in ("channel", "media_type"):
                control.observe(self._on_change, names="value")
        self.channel.observe(self._on_channel, names="value")
        self.media_type.observe(self._on_media_type, names="value")

        self.content.add_class("smk-content")
        self.share = ShareBox(self)  # "Share": a link to this payload in the Try-it lab
        self.widget = self._layout()
        self.preview: pv.Preview = pv.preview(f, profile)
        self._show_template(pv.template_for(f.channel, f.media_type), apply=False)
        self.refresh()

    # --- public API -----------------------------------------------------------------------------

    def __getattr__(self, name: str) -> Any:
        # The controls are attributes too: b.content, b.media_type, b.priority for a new field.
        controls = self.__dict__.get("controls", {})
        if name in controls:
            return controls[name]
        raise AttributeError(f"PayloadBuilder has no attribute {name!r}")

    def _control(self, spec: DataField, f: pv.Form, table: Any) -> Any:
        value = getattr(f, spec.key)
        if spec.key == "channel":
            control = w.Dropdown(
                options=pv.channel_choices(table, plain=self.plain_labels), value=value
            )
        elif spec.key == "media_type":
            options = pv.media_type_choices(f.channel, table, plain=self.plain_labels)
            control = w.Dropdown(options=options, value=value)
        elif spec.key == "media_file_type":
            options = pv.file_type_choices(f.media_type, f.channel, table)
            control = w.Dropdown(options=options, value=value)
        elif spec.widget == "choice":
            absent = [] if spec.required else [("(absent)", "")]
            control = w.Dropdown(options=[*absent, *spec.labelled_choices()], value=value)
        elif spec.kinds == {"boolean"}:  # true / false, or absent when optional
            absent = [] if spec.required else [("(absent)", "")]
            control = w.Dropdown(options=[*absent, ("true", "true"), ("false", "false")])
            control.value = value if value in ("true", "false") else control.options[0][1]
        elif spec.widget == "textarea":
            layout = w.Layout(width="480px", height="80px")
            control = w.Textarea(value=value, continuous_update=True, layout=layout)
        else:
            control = text(value)
        control.add_class(f"smk-field-{spec.wire}")
        if spec.renew:
            button = w.Button(description=spec.renew, layout=w.Layout(width="100px"))
            button.on_click(
                lambda _b, spec=spec: self._set(spec.key, spec.to_text(spec.start_value()))
            )
            self._renewers[spec.key] = button
        return control

    @property
    def renewers(self) -> Mapping[str, Any]:
        """The buttons making a fresh start value, by field name (`message_code`, `send_time`)."""
        return MappingProxyType(self._renewers)

    @property
    def new_code(self) -> Any:
        """The button beside messageCode that makes a new UUID."""
        return self._renewers["message_code"]

    @property
    def now(self) -> Any:
        """The button beside sendTime that sets it to now."""
        return self._renewers["send_time"]

    @property
    def form(self) -> pv.Form:
        """The controls' current values as a `preview.Form`."""
        values: dict[str, Any] = {
            name: control.value or "" for name, control in self.controls.items()
        }
        values["secmode"] = self.secmode.value
        return pv.Form(**values)

    @property
    def payload(self) -> SendMessageRequest | None:
        """The current request, or None while the form does not validate."""
        return self.preview.request

    def on_change(self, listener: Callable[[PayloadBuilder], None]) -> None:
        """Call `listener(builder)` after every preview update (the send panel uses this)."""
        self._listeners.append(listener)

    def set_target(self, *, base_url: str | None = None, agent_id: str | None = None) -> None:
        """Point the snippets (and the agent ID check) at a gateway or the sandbox."""
        if base_url is not None:
            self.base_url = base_url
        if agent_id is not None:
            self.agent_id.value = agent_id  # refreshes through the observer
        self.refresh()

    def renew(self) -> None:
        """Fresh values for every field made new per message (messageCode, sendTime).

        The next send is then a new message, not a resend.
        """
        with self._hold():
            for spec in data_fields():
                if spec.renew and spec.key in self.controls:
                    self.controls[spec.key].value = spec.to_text(spec.start_value())
        self.refresh()

    @guarded
    def _set(self, key: str, value: Any) -> None:
        self.controls[key].value = value

    @guarded
    def refresh(self) -> None:
        """Recompute every preview from the controls."""
        p = pv.preview(self.form, self.profile)
        self.preview = p
        self.body_html.value, self.escaped_html.value = hx.preview_html(p)
        self.meter_html.value = hx.meter_html(p.meter)
        self.findings_html.value = hx.findings_html(p.findings)
        self.status.value = ""
        self._render_snippets(p)
        for listener in self._listeners:
            listener(self)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    # --- callbacks ------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _hold(self) -> Iterator[None]:
        # Cascaded updates (channel -> media type -> file type) recompute once, at the end.
        held, self._holding = self._holding, True
        try:
            yield
        finally:
            self._holding = held

    @guarded
    def _on_change(self, change: Any = None) -> None:
        if not self._holding:
            self.refresh()

    @guarded
    def _on_channel(self, change: Any = None) -> None:
        table = self.profile.channel_table
        with self._hold():
            options = pv.media_type_choices(self.channel.value, table, plain=self.plain_labels)
            current = self.media_type.value
            values = [v for _, v in options]
            self.media_type.options = options
            if current in values and self.media_type.value == current:
                self._on_media_type()  # same media type: still re-offer file types for the channel
            else:
                self.media_type.value = current if current in values else values[0]
        self.refresh()

    @guarded
    def _on_media_type(self, change: Any = None) -> None:
        table = self.profile.channel_table
        with self._hold():
            tpl = pv.template_for(self.channel.value, self.media_type.value)
            self.media_file_type.options = pv.file_type_choices(
                self.media_type.value, self.channel.value, table
            )
            self._show_template(tpl, apply=True)
        if not self._holding:
            self.refresh()

    def _show_template(self, tpl: pv.Template, *, apply: bool) -> None:
        values = [v for _, v in self.media_file_type.options]
        if apply:
            # Only replace content the user has not typed: an edited message stays.
            if self.content.value in (self._template_content, ""):
                self.content.value = tpl.content
                self._template_content = tpl.content
            self.content_type.value = tpl.content_type
        if self.media_file_type.value not in values or apply:
            self.media_file_type.value = (
                tpl.media_file_type if tpl.media_file_type in values else (values[0])
            )
        self.banner.value = hx.note_html(tpl.label, "#6a1b9a")
        why = pv.excluded_media(self.channel.value, self.profile.channel_table)
        self.excluded.value = hx.rows_html(["not offered", "why"], why) if why else ""

    def _render_snippets(self, p: pv.Preview) -> None:
        if p.request is None:
            return
        code = snippets.render(p.request, base_url=self.base_url, agent_id=self.agent_id.value)
        for name, box in self.snippets.items():
            box.value = hx.code_html(code.get(name, ""))

    # --- layout ---------------------------------------------------------------------------------

    def _layout(self) -> w.Widget:
        rows = [self.banner, *(labelled(label, self.controls[k]) for k, label in _BODY)]
        rows.append(labelled("secmode", self.secmode))
        for spec in data_fields():
            control = self.controls.get(spec.key)
            if control is None:
                continue  # a fixed value (controlType): nothing to choose
            row = labelled(spec.wire, control)
            button = self._renewers.get(spec.key)
            rows.append(w.HBox([row, button]) if button is not None else row)
        rows.append(self.excluded)
        fields = w.VBox(rows)
        snippets = w.Tab(children=list(self.snippets.values()))
        for i, name in enumerate(self.snippets):
            snippets.set_title(i, name)
        tabs = w.Tab(children=[self.body_html, snippets])
        for i, name in enumerate(("outer body", "code")):
            tabs.set_title(i, name)
        fields.layout = w.Layout(flex="1 1 520px")
        share = self.share.widget
        checks = w.VBox(
            [self.status, self.meter_html, self.findings_html, self.escaped_html, tabs, share],
            layout=w.Layout(flex="1 1 300px", min_width="300px"),
        )
        # Side by side where there is room (JupyterLab); the previews wrap below the form on a
        # narrow page (the docs site) instead of shrinking to a sliver.
        return w.HBox([fields, checks], layout=w.Layout(width="100%", flex_flow="row wrap"))
