"""Rules as names: each rule a constant, its retcode on the rule, its limits the ones in force."""

from __future__ import annotations

import json

from sendmessage_kit import rules
from sendmessage_kit.constraints import Profile, check, rules_in_force
from sendmessage_kit.errors import RETCODES
from sendmessage_kit.fields import known_wire_names
from sendmessage_kit.models import new_message
from sendmessage_kit.rules import RULES, Rule
from sendmessage_kit.sandbox.config import SandboxConfig


def _body(content: str) -> str:
    return json.dumps({"callid": "c-1", "data": new_message(to="u1", content=content).to_wire()})


def test_every_rule_is_a_module_constant_of_rules_py() -> None:
    constants = {v.id: name for name, v in vars(rules).items() if isinstance(v, Rule)}
    assert set(constants) == {r.id for r in RULES} and len(RULES) == len(constants)


def test_each_field_a_rule_names_is_a_field_of_the_model() -> None:
    # The rule table is the one place beside the model that writes a field's wire name.
    named = {r.wire for r in RULES if r.wire}
    assert named and named <= known_wire_names()


def test_a_rules_retcode_is_one_of_the_catalog() -> None:
    published = [r for r in RULES if r.retcode]
    assert published == [rules.CONTENT_EMPTY]
    assert all(r.retcode in RETCODES for r in published)
    assert [r for r in RULES if r.oversize] == [rules.CONTENT_BUDGET]


def test_a_sentence_reads_the_limit_in_force() -> None:
    profile = Profile(web_poll_chars=100)
    [finding] = [f for f in check(_body("a" * 101), profile) if f.rule_id == "content.web.downlink"]
    assert "at most 100 characters" in finding.message and "100 characters" in finding.fix
    assert [f for f in check(_body("a" * 100), profile) if f.rule_id == finding.rule_id] == []
    assert "content.web.downlink" not in {
        f.rule_id for f in check(_body("a" * 600), Profile(web_poll_chars=0))
    }
    worded = {r.id: r for r in rules_in_force(profile)}
    assert "100 characters" in worded["content.web.downlink"].sentence
    assert all("{" not in r.sentence for r in rules_in_force())
    [agent] = [f for f in check(_body("hi"), Profile(agent_id_range=(1, 9)), agent_id=10)]
    assert "1-9" in agent.message and "1-9" in agent.fix


def test_the_sandboxs_profile_is_complete_and_typed() -> None:
    # A sandbox cutting the web poll at 100 characters has check() warn at 100.
    config = SandboxConfig(web_poll_chars=100, secmode=0, bytes_per_kb=1024, size_counts="data")
    profile = config.profile()
    assert isinstance(profile, Profile)
    assert (profile.web_poll_chars, profile.secmode) == (100, 0)
    assert (profile.limits.bytes_per_kb, profile.limits.counts) == (1024, "data")
    assert profile.agent_id_range == config.agent_id_range
    assert "content.web.downlink" in {f.rule_id for f in check(_body("a" * 101), profile)}
