"""Every change, item and wave action a service writes has words in the change's history (a raw
`change.waves_planned` between described rows is what a person noticed first)."""

import re
from pathlib import Path

from distributions.selectors.audit import ACTION_DESCRIPTIONS

SERVICES = Path(__file__).resolve().parents[2] / "distributions" / "services"
LITERAL = re.compile(r'"((?:change|item|wave)\.[a-z_]+)"')


def test_every_change_item_and_wave_action_is_described():
    written = {name for path in SERVICES.glob("*.py") for name in LITERAL.findall(path.read_text())}
    assert {"change.halted", "wave.passed", "change.aborted"} <= written
    assert sorted(written - ACTION_DESCRIPTIONS.keys()) == []
