"""The sandbox's HTTP interfaces, one router per audience.

- `gateway`: the agent's CC-Gateway interfaces (sign-in, Guid, event poll, sendmessage);
- `customer`: the customer's side, sandbox only (open a chat, write, read the agent's messages);
- `live`: one chat, both directions, as a list and as Server-Sent Events;
- `web`: the web channel's customer interfaces (applyToken, poll);
- `webchat`: the customer's chat page and its links;
- `control`: health and faults.

State lives on `app.state.sandbox` (`SandboxState`); gateway failures are `GatewayAnswer`s.
"""

from __future__ import annotations

from sendmessage_kit.sandbox.routes import control, customer, gateway, live, web, webchat

__all__ = ["ROUTERS"]

ROUTERS = (gateway.router, customer.router, live.router, web.router, webchat.router, control.router)
