"""How a compliance control is declared, once, and how the registered controls are evaluated and fixed.

A control is a `Control` subclass decorated with `@register`: its id, Security Hub style severity and
title, `check(ctx)` judging every target it concerns (each behavior, each origin, each alias, not only
the default behavior as some scanners do), and `fix(finding, config)` giving the edits that fix one of
its findings, or the reason a person must act. Each evaluation yields a `ControlResult` (pass, fail or
not applicable) so posture pages can count passing behaviors too, and each failure a `Finding` whose
message says what to do. Pure: the caller passes facts (certificate record, invalidation times) and `now`.
"""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from operator import attrgetter
from typing import Any, ClassVar, Literal, NamedTuple, TypeVar

from distributions.cloudfront.certificates import (
    CertificateRecord,
    certificate_identifier,
    certificate_source,
)
from distributions.cloudfront.edits import Edit
from distributions.cloudfront.patterns import Behavior, Config, behaviors_by_precedence

Status = Literal["pass", "fail", "not_applicable"]


TargetKind = Literal["distribution", "behavior", "origin", "alias"]


@dataclass(frozen=True, init=False)
class Target:
    """What a result is about: the distribution, a behavior, an origin, or an alias."""

    kind: TargetKind
    precedence: int | None = None
    path_pattern: str | None = None
    origin_id: str | None = None
    alias: str | None = None

    def __init__(
        self,
        kind: TargetKind,
        precedence: int | None = None,
        path_pattern: str | None = None,
        origin_id: str | None = None,
        alias: str | None = None,
    ) -> None:
        # Frozen, yet filled through its __dict__ (as Finding): every alias of a fleet is a new target.
        fields = self.__dict__
        fields["kind"] = kind
        fields["precedence"] = precedence
        fields["path_pattern"] = path_pattern
        fields["origin_id"] = origin_id
        fields["alias"] = alias


DISTRIBUTION = Target("distribution")


# Targets are frozen values: the same behavior or origin in 10,000 distributions (and under every control)
# shares one, instead of each check building its own.
_TARGETS: dict[tuple[str, str], Target] = {}
_BEHAVIOR_TARGETS: dict[tuple[int, str], Target] = {}
_KEPT = 65536


def _target(kind: TargetKind, value: str) -> Target:
    key = (kind, value)
    target = _TARGETS.get(key)
    if target is None:
        target = Target(kind, origin_id=value) if kind == "origin" else Target(kind, alias=value)
        if len(_TARGETS) < _KEPT:
            _TARGETS[key] = target
    return target


def behavior_target(b: Behavior) -> Target:
    key = (b.precedence, b.path_pattern)
    target = _BEHAVIOR_TARGETS.get(key)
    if target is None:
        target = Target("behavior", precedence=b.precedence, path_pattern=b.path_pattern)
        if len(_BEHAVIOR_TARGETS) < _KEPT:
            _BEHAVIOR_TARGETS[key] = target
    return target


def _behavior_targets(behaviors: list[Behavior]) -> tuple[Target, ...]:
    # A behavior's first two fields are its target's key: one lookup each, a call only for a new one.
    kept = _BEHAVIOR_TARGETS.get
    return tuple([kept(b[:2]) or behavior_target(b) for b in behaviors])


def origin_target(origin: Mapping[str, Any]) -> Target:
    return _target("origin", origin["Id"])


def alias_target(alias: str) -> Target:
    return _target("alias", alias)


def describe(b: Behavior) -> str:
    """A behavior as a finding's message names it."""
    return "The default behavior (*)" if b.is_default else f"Behavior {b.path_pattern} ({b.precedence})"


@dataclass(frozen=True)
class ControlResult:
    """One control evaluated on one target."""

    control_id: str
    distribution_id: str
    target: Target
    status: Status


@dataclass(frozen=True, init=False)
class Finding:
    """A failed control on one target, with a message that says what to do."""

    control_id: str
    severity: str
    title: str
    message: str
    distribution_id: str
    target: Target

    def __init__(
        self, control_id: str, severity: str, title: str, message: str, distribution_id: str, target: Target
    ) -> None:
        # Frozen, yet filled through its __dict__: the generated __init__ makes one object.__setattr__ call
        # per field, and a fleet's evaluation builds over a hundred thousand findings.
        fields = self.__dict__
        fields["control_id"] = control_id
        fields["severity"] = severity
        fields["title"] = title
        fields["message"] = message
        fields["distribution_id"] = distribution_id
        fields["target"] = target


@dataclass(frozen=True)
class Fix:
    """The edits that fix one finding, or why there are none (`reason`: what a person must do instead)."""

    edits: tuple[Edit, ...] = ()
    reason: str = ""


@dataclass(frozen=True)
class DistributionFacts:
    """A distribution's config plus the facts the checks need that the config does not hold."""

    distribution_id: str
    config: Config
    certificate: CertificateRecord | None = None
    # origin id -> when its protocol policy last became https-only (from Edgeguard's change history).
    origins_moved_to_https: Mapping[str, datetime] = field(default_factory=dict)
    # When the last completed invalidation of `/*` was created.
    last_full_invalidation_at: datetime | None = None


class Context(NamedTuple):
    """One distribution's facts with what several checks derive from them, computed once."""

    facts: DistributionFacts
    behaviors: list[Behavior]
    now: datetime
    viewer_certificate: Mapping[str, Any]
    source: str
    # behavior_target(b) of each behavior, in the order of `behaviors`: every behavior control judges every
    # behavior, so the targets are looked up once per distribution rather than once per control.
    behavior_targets: tuple[Target, ...]
    # The path patterns of the ordered behaviors, in precedence order (the default's `*` not among them).
    patterns: tuple[str, ...]
    # certificate_identifier(viewer_certificate): the ARN a certificate record must have to be this one's.
    certificate_id: str


def _context(facts: DistributionFacts, now: datetime) -> Context:
    vc = facts.config.get("ViewerCertificate") or {}
    behaviors = behaviors_by_precedence(facts.config)
    # The default is last (behaviors_by_precedence).
    patterns = tuple(map(attrgetter("path_pattern"), behaviors[:-1]))
    targets = _behavior_targets(behaviors)
    return Context(
        facts, behaviors, now, vc, certificate_source(vc), targets, patterns, certificate_identifier(vc)
    )


# A check yields (target, status, message); the message is None unless the status is "fail".
Check = Iterator[tuple[Target, Status, str | None]]


class Control(ABC):
    """A compliance control: subclass it, set `id`, `severity` and `title`, write `check`, and either write
    `fix` or say in `needs_a_person` what a person must do instead; then decorate the class with `@register`.
    """

    id: ClassVar[str]
    severity: ClassVar[str]
    title: ClassVar[str]
    # Raise it when `check` judges differently: stored findings are then re-evaluated (registry_fingerprint).
    version: ClassVar[int] = 1
    needs_a_person: ClassVar[str] = "Needs a person's choice: edit the distribution."

    @abstractmethod
    def check(self, ctx: Context) -> Check:
        """Yield (target, status, message) for every target the control concerns."""

    # The names of what an admin enters for the fix (e.g. the log bucket): a control that declares some
    # writes `fix_with`, and its findings are offered a Fix with those fields on the posture page.
    fix_inputs: ClassVar[tuple[str, ...]] = ()

    def fix(self, finding: Finding, config: Config) -> Fix:
        """The edits that fix this finding on this config and nothing else; or why it needs a person."""
        return Fix(reason=self.needs_a_person)

    def fix_with(self, finding: Finding, config: Config, inputs: Mapping[str, str]) -> Fix:
        """`fix`, given what the admin entered for `fix_inputs` (ignored by controls that declare none)."""
        return self.fix(finding, config)

    def __repr__(self) -> str:
        return f"<Control {self.id}>"


# Every registered control by id, in registration order: the order the posture page and snapshots use.
CONTROLS: dict[str, Control] = {}

_C = TypeVar("_C", bound="type[Control]")


def register(cls: _C) -> _C:
    """Class decorator: add the control to CONTROLS, after every control registered before it."""
    if cls.id in CONTROLS:
        raise ValueError(f"A control {cls.id!r} is already registered: {CONTROLS[cls.id]!r}.")
    CONTROLS[cls.id] = cls()
    return cls


def registry_fingerprint() -> str:
    """A digest of the registered controls (ids, versions, severities, titles, in order): stored findings
    computed under another one are out of date."""
    listed = [(c.id, c.version, c.severity, c.title) for c in CONTROLS.values()]
    return hashlib.sha256(json.dumps(listed).encode()).hexdigest()


@contextmanager
def registered(cls: type[Control]) -> Iterator[Control]:
    """The control registered for the duration of a `with` block (how tests declare a fake control)."""
    register(cls)
    try:
        yield CONTROLS[cls.id]
    finally:
        del CONTROLS[cls.id]


def finding_fix(finding: Finding, config: Config, inputs: Mapping[str, str] | None = None) -> Fix:
    """The edits that fix this finding on this config and nothing else; or why it needs a person.

    `inputs` are what the admin entered for the control's `fix_inputs` (none: the fix says what to enter).
    """
    control = CONTROLS.get(finding.control_id)
    if control is None:
        return Fix(reason=Control.needs_a_person)
    return control.fix_with(finding, config, inputs or {})


def fix_inputs(control_id: str) -> tuple[str, ...]:
    """What an admin enters to fix this control's findings (empty: the fix needs no input, or a person)."""
    control = CONTROLS.get(control_id)
    return control.fix_inputs if control else ()


@dataclass(frozen=True)
class Evaluation:
    """All results and findings of an evaluation."""

    results: tuple[ControlResult, ...]
    findings: tuple[Finding, ...]

    def tally(self) -> dict[str, Counter[str]]:
        """Per control, how many targets pass, fail, or are not applicable."""
        counts: dict[str, Counter[str]] = {control_id: Counter() for control_id in CONTROLS}
        for result in self.results:
            counts[result.control_id][result.status] += 1
        return counts

    def distribution_tally(self) -> dict[str, Counter[str]]:
        """Per control, how many distributions fail (any target fails), pass, or are not applicable."""
        rank = {"not_applicable": 0, "pass": 1, "fail": 2}
        worst: dict[tuple[str, str], Status] = {}
        for r in self.results:
            key = (r.control_id, r.distribution_id)
            if rank[r.status] >= rank[worst.get(key, "not_applicable")]:
                worst[key] = r.status
        counts: dict[str, Counter[str]] = {control_id: Counter() for control_id in CONTROLS}
        for (control_id, _), status in worst.items():
            counts[control_id][status] += 1
        return counts


# Per control id: targets passing, failing, not applicable.
Counts = tuple[int, int, int]


@dataclass(frozen=True)
class DistributionEvaluation:
    """Every registered control on one distribution, as counts per control plus the findings: what posture
    stores, without one object per passing target (a fleet holds millions of them)."""

    distribution_id: str
    counts: dict[str, Counts]  # controls that concern no target of this distribution are absent
    findings: tuple[Finding, ...]


def distribution_status(counts: Counts) -> Status:
    """A distribution fails a control if any of its targets fails, passes if any passes."""
    return "fail" if counts[1] else "pass" if counts[0] else "not_applicable"


def evaluate_distribution(facts: DistributionFacts, *, now: datetime) -> DistributionEvaluation:
    """Every registered control on every behavior, origin and alias of one distribution."""
    ctx, did = _context(facts, now), facts.distribution_id
    counts: dict[str, Counts] = {}
    findings = []
    for control in CONTROLS.values():
        passing = failing = other = 0
        for target, status, message in control.check(ctx):
            if status == "pass":
                passing += 1
            elif status == "fail":
                failing += 1
                findings.append(
                    Finding(control.id, control.severity, control.title, message or "", did, target)
                )
            else:
                other += 1
        if passing or failing or other:
            counts[control.id] = (passing, failing, other)
    return DistributionEvaluation(did, counts, tuple(findings))


def evaluate(distributions: Iterable[DistributionFacts], *, now: datetime) -> Evaluation:
    """Evaluate every registered control on every behavior, origin and alias of each distribution, keeping
    every result (for a few distributions; a fleet goes through `evaluate_distribution` one at a time)."""
    controls = tuple(CONTROLS.values())
    results, findings = [], []
    for facts in distributions:
        ctx, did = _context(facts, now), facts.distribution_id
        for control in controls:
            for target, status, message in control.check(ctx):
                results.append(ControlResult(control.id, did, target, status))
                if status == "fail":
                    finding = Finding(control.id, control.severity, control.title, message or "", did, target)
                    findings.append(finding)
    return Evaluation(tuple(results), tuple(findings))
