"""The sandbox's controls: health and the faults of sendmessage."""

from __future__ import annotations

import os
from typing import Any

from fastapi import APIRouter

from sendmessage_kit.sandbox.config import DEMO_PHONENUM
from sendmessage_kit.sandbox.faults import FaultSpec
from sendmessage_kit.sandbox.routes._shared import StateDep
from sendmessage_kit.sandbox.routes.customer import REFUSED

__all__ = ["router"]

TAG = "Sandbox control"

router = APIRouter(tags=[TAG])


@router.get("/sandbox/health", summary="Is it up, and how is it set")
async def health(state: StateDep) -> dict[str, Any]:
    config, gw = state.config, state.gateway
    return {
        "status": "ok",
        "service": "sendmessage-kit sandbox",
        "pid": os.getpid(),
        "demoAgent": {"agentId": config.demo_agent_id, "phonenum": DEMO_PHONENUM},
        "config": config.behaviour(),
        "signedIn": sorted(a for a in list(gw.sessions) if gw.live_session(a)),
    }


@router.get("/sandbox/faults", summary="The active faults")
async def get_faults(state: StateDep) -> dict[str, Any]:
    return state.faults.state()


@router.post("/sandbox/faults", summary="Set faults for sendmessage", responses=REFUSED)
async def set_faults(spec: FaultSpec, state: StateDep) -> dict[str, Any]:
    state.faults.set(spec)
    return state.faults.state()


@router.delete("/sandbox/faults", summary="Clear the faults")
async def clear_faults(state: StateDep) -> dict[str, Any]:
    state.faults.clear()
    return state.faults.state()
