// The customer's chat page: joins the customer's chat on ?channel= (or opens one), shows the
// conversation (what the agent sends and what the customer writes, from this page or from the
// presenter's phone) as the sandbox pushes it (Server-Sent Events), and sends what the customer
// types. When the stream is down it polls: WEB with the web channel's applyToken + poll, the
// other channels the sandbox's customer side. Everything is shown as text (textContent).
(() => {
  "use strict";
  const params = new URLSearchParams(location.search);
  const user = params.get("user") || "";
  const channel = (params.get("channel") || "WEB").toUpperCase();
  const pageToken = params.get("token") || "";
  const pollMs = Math.min(10000, Math.max(100, Number(params.get("poll")) || 500));
  // A customer's text is at most 1 KB of UTF-8; the sandbox writes its KB reading into the page.
  const MAX_BYTES = Number(document.body.dataset.maxBytes) || 1000;
  // The web channel's poll delivers at most this many characters (0: no cut).
  const WEB_CUT = Number(document.body.dataset.webCut) || 0;

  const $ = (id) => document.getElementById(id);
  const log = $("log");
  const text = $("text");
  const send = $("send");
  const status = $("status");
  const notice = $("notice");
  const body = document.body;
  const seen = new Set();
  let callid = null;
  let cursor = "0";
  let webToken = null;
  let online = false;
  let live = false; // the stream is open: no polling
  let polling = false;

  body.dataset.channel = channel;
  const appName = getComputedStyle(body).getPropertyValue("--name").trim().replace(/^"|"$/g, "");
  document.title = `${appName || "Chat"} · ${user}`;

  class ApiError extends Error {}

  async function api(method, path, payload, headers = {}) {
    const init = { method, headers: { Accept: "application/json", ...headers } };
    if (pageToken) init.headers["X-Webchat-Token"] = pageToken;
    if (payload !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(payload);
    }
    const response = await fetch(path, init);
    let data = null;
    try {
      data = await response.json();
    } catch (_) {
      data = null;
    }
    if (!response.ok) {
      const detail = data && data.detail;
      const why = typeof detail === "string" ? detail : detail ? JSON.stringify(detail) : "";
      throw new ApiError(why || `the sandbox answered HTTP ${response.status}`);
    }
    return data;
  }

  function say(message) {
    notice.textContent = message;
    notice.hidden = !message;
  }

  function setOnline(value, label) {
    online = value;
    status.textContent = label || (value ? "online" : "reconnecting…");
  }

  function clock(ms) {
    const d = ms ? new Date(ms) : new Date();
    return d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function atBottom() {
    return log.scrollHeight - log.scrollTop - log.clientHeight < 40;
  }

  function note(message) {
    const div = document.createElement("div");
    div.className = "note";
    div.textContent = message;
    log.append(div);
    log.scrollTop = log.scrollHeight;
  }

  function bubble(side, content, opts = {}) {
    const stick = side === "out" || atBottom();
    const row = document.createElement("div");
    row.className = `msg ${side}`;
    const box = document.createElement("div");
    box.className = "bubble";
    if (opts.sender) {
      const who = document.createElement("span");
      who.className = "sender";
      who.textContent = opts.sender;
      box.append(who);
    }
    if (opts.mediaType && opts.mediaType !== "TEXT") {
      const tag = document.createElement("span");
      tag.className = "media";
      tag.textContent = `[${opts.mediaType}]`;
      box.append(tag);
    }
    const words = document.createElement("span");
    words.className = "text";
    words.textContent = content;
    box.append(words);
    if (opts.truncated) {
      // Where the channel cut the message: the customer sees an ellipsis, never a silent stop.
      const cut = document.createElement("span");
      cut.className = "cut";
      cut.textContent = "…";
      cut.title = "The channel delivered only the first part of this message.";
      words.append(cut);
      row.dataset.truncated = "true";
    }
    const meta = document.createElement("span");
    meta.className = "meta";
    meta.textContent = opts.meta || clock(opts.time);
    box.append(meta);
    row.append(box);
    if (opts.code) row.dataset.code = opts.code;
    log.append(row);
    if (stick) log.scrollTop = log.scrollHeight;
    return row;
  }

  function showAgent(m) {
    const code = m.messageCode || `${m.timestamp || m.time}-${m.content}`;
    if (seen.has(code)) return;
    seen.add(code);
    const sender = m.senderNickname || "";
    if (sender) $("name").textContent = sender;
    $("avatar").textContent = (sender || "S").trim().charAt(0).toUpperCase() || "S";
    const time = m.timestamp || (m.time ? Date.parse(m.time) : undefined);
    const content = m.content || "";
    // The poll does not say it cut: a message of the cut's full length was cut (or fits it).
    const truncated = m.truncated || (channel === "WEB" && WEB_CUT && [...content].length >= WEB_CUT);
    bubble("in", content, {
      code,
      time,
      truncated,
      mediaType: m.mediaType,
      sender: channel === "EMAIL" ? `From: ${sender || "Customer service"}` : "",
    });
  }

  function showCustomer(m) {
    // The customer's own words: written here (known by code) or on the presenter's phone.
    if (seen.has(m.messageCode)) return;
    seen.add(m.messageCode);
    const time = m.timestamp || (m.time ? Date.parse(m.time) : undefined);
    bubble("out", m.content || "", { code: m.messageCode, meta: `${clock(time)} ✓` });
  }

  function show(m) {
    if (m.channel !== channel) return;
    if (m.direction === "customer") showCustomer(m);
    else showAgent(m);
  }

  function listen() {
    if (typeof EventSource === "undefined") return false;
    const query = new URLSearchParams({ after: "0" });
    if (pageToken) query.set("token", pageToken);
    const source = new EventSource(`/sandbox/chats/${encodeURIComponent(callid)}/stream?${query}`);
    source.addEventListener("message", (e) => {
      try {
        show(JSON.parse(e.data));
      } catch (_) {
        /* a malformed event is skipped; the next one shows */
      }
    });
    source.onopen = () => {
      live = true;
      body.dataset.live = "sse";
      setOnline(true);
    };
    source.onerror = () => {
      // The browser reconnects on its own (from the last event's id); poll meanwhile.
      live = false;
      body.dataset.live = "poll";
      if (!polling) pollLoop();
    };
    return true;
  }

  function newCode() {
    if (crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  async function applyToken() {
    const data = await api("POST", "/apiaccess/ccmessaging/applyToken", { userId: user });
    if (!data || data.resultCode !== "0") {
      throw new ApiError((data && data.resultDesc) || "applyToken failed");
    }
    webToken = data.token;
  }

  function webPoll() {
    const query = new URLSearchParams({ receiverId: user, channel: "WEB" });
    return api("GET", `/apiaccess/ccmessaging/poll?${query}`, undefined, {
      "ccmessaging-token": webToken,
    });
  }

  async function readWeb() {
    const data = await webPoll();
    if (data.resultCode === "160028") {
      await applyToken(); // the sandbox restarted or forgot the token: ask for a new one
      return false;
    }
    if (data.resultCode !== "0") throw new ApiError(data.resultDesc || "poll failed");
    (data.downlinkMessages || []).forEach(showAgent);
    return false;
  }

  async function readSandbox() {
    // The server answers this channel's messages only (in LAN mode the token allows no other).
    const query = new URLSearchParams({ after: cursor, limit: "100", channel });
    const path = `/sandbox/users/${encodeURIComponent(user)}/messages?${query}`;
    const data = await api("GET", path);
    data.messages.forEach(showAgent);
    cursor = data.cursor;
    return data.messages.length === 100; // more waiting: read again at once
  }

  async function pollLoop() {
    if (live) {
      polling = false;
      return;
    }
    polling = true;
    let more = false;
    try {
      more = channel === "WEB" ? await readWeb() : await readSandbox();
      if (!online) setOnline(true);
    } catch (err) {
      setOnline(false);
    }
    setTimeout(pollLoop, more ? 0 : online ? pollMs : Math.min(5000, pollMs * 4));
  }

  async function deliver(row, content) {
    const meta = row.querySelector(".meta");
    row.classList.remove("failed");
    meta.textContent = "sending…";
    try {
      const data = await api("POST", `/sandbox/chats/${encodeURIComponent(callid)}/messages`, {
        content,
        messageCode: row.dataset.code,
      });
      row.dataset.code = data.messageCode;
      meta.textContent = `${clock()} ✓`;
      say("");
    } catch (err) {
      row.classList.add("failed");
      meta.textContent = "Not sent. Tap to try again.";
      say(`Your message was not sent: ${err.message}`);
    }
  }

  function submit() {
    const content = text.value.trim();
    if (!content || !callid) return;
    const size = new TextEncoder().encode(content).length;
    if (size > MAX_BYTES) {
      say(`This message is ${size} bytes; a customer's message is at most ${MAX_BYTES} bytes (UTF-8). Shorten it and send again.`);
      return;
    }
    text.value = "";
    grow();
    const code = newCode();
    seen.add(code); // the stream brings it back: shown once
    const row = bubble("out", content, { meta: "sending…", code });
    row.addEventListener("click", () => {
      if (row.classList.contains("failed")) deliver(row, content);
    });
    deliver(row, content);
  }

  function grow() {
    text.style.height = "auto";
    text.style.height = `${text.scrollHeight + 2}px`;
  }

  $("composer").addEventListener("submit", (e) => {
    e.preventDefault();
    submit();
    text.focus();
  });
  text.addEventListener("keydown", (e) => {
    // Enter sends, Shift+Enter starts a new line; Enter that confirms an IME word does neither.
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      submit();
    }
  });
  text.addEventListener("input", grow);

  async function start() {
    send.disabled = true;
    if (!user) {
      body.dataset.state = "error";
      setOnline(false, "no customer");
      say("Add ?user=<the customer's user ID>&channel=<channel> to this page's address.");
      return;
    }
    try {
      if (channel === "WEB") {
        await applyToken();
        // A new token gets the customer's older messages first: this chat starts after them.
        for (let i = 0; i < 50; i += 1) {
          const old = await webPoll();
          if (!old.downlinkMessages || old.downlinkMessages.length === 0) break;
        }
      }
      const chat = await api("POST", "/sandbox/chats", { channel, userId: user, join: true });
      callid = chat.callid;
      if (chat.cursor !== undefined) cursor = String(chat.cursor);
    } catch (err) {
      body.dataset.state = "error";
      setOnline(false, "not connected");
      say(`Could not open the chat: ${err.message}`);
      return;
    }
    body.dataset.callid = callid;
    body.dataset.state = "ready";
    send.disabled = false;
    setOnline(true);
    note(`Chat started · ${clock()}`);
    if (!listen()) pollLoop();
  }

  start();
})();
