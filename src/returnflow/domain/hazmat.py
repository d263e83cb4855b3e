"""Hazmat compliance: which modes and nodes a hazmat class may use, and what its label must say."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from returnflow.domain.errors import FieldProblem, ValidationFailed
from returnflow.domain.hazmat_table import HAZMAT_TABLE, Row

MODES = frozenset({"ground", "air"})
NONE = "none"


class UnknownHazmatClass(ValidationFailed):
    """A hazmat class the table does not know: never treated as ordinary goods."""


@dataclass(frozen=True, slots=True)
class HazmatRule:
    """One row of the decision table."""

    hazmat_class: str
    allowed_modes: frozenset[str]
    node_capability: str | None
    regulation: str
    packaging: tuple[str, ...]
    marks: tuple[str, ...]

    @property
    def regulated(self) -> bool:
        """Whether this class is dangerous goods at all (ordinary goods are not)."""
        return self.hazmat_class != NONE


@dataclass(frozen=True, slots=True)
class HazmatViolation:
    """A rule of the table that a (mode, node) choice breaks."""

    code: str
    message: str


def _rule(row: Row) -> HazmatRule:
    """A validated rule from a table row; a malformed row fails at import, not at label time."""
    cls, modes, capability, regulation, packaging, marks = row
    if not modes or not set(modes) <= MODES:
        raise ValueError(f"hazmat table: {cls} has modes {modes}; allowed: {sorted(MODES)}")
    if cls != NONE and not (packaging and marks):
        raise ValueError(f"hazmat table: {cls} needs packaging instructions and label marks")
    return HazmatRule(cls, frozenset(modes), capability, regulation, tuple(packaging), tuple(marks))


def _index(rows: Iterable[Row]) -> Mapping[str, HazmatRule]:
    rules: dict[str, HazmatRule] = {}
    for row in rows:
        rule = _rule(row)
        if rule.hazmat_class in rules:
            raise ValueError(f"hazmat table: {rule.hazmat_class} appears twice")
        rules[rule.hazmat_class] = rule
    return MappingProxyType(rules)


RULES: Mapping[str, HazmatRule] = _index(HAZMAT_TABLE)
HAZMAT_CLASSES: tuple[str, ...] = tuple(RULES)


def normalize(hazmat_class: str | None) -> str:
    """The table key for a class as people write it ("Lithium-Ion" -> lithium_ion; None/"" -> none)."""
    if hazmat_class is None or not hazmat_class.strip():
        return NONE
    return hazmat_class.strip().lower().replace("-", "_").replace(" ", "_")


def rule_for(hazmat_class: str | None) -> HazmatRule:
    """The table row for a class; an unknown class raises UnknownHazmatClass (never 'safe')."""
    key = normalize(hazmat_class)
    rule = RULES.get(key)
    if rule is None:
        raise UnknownHazmatClass(
            f"unknown hazmat class {hazmat_class!r}; known: {', '.join(HAZMAT_CLASSES)}",
            code="hazmat_class_unknown",
            problems=[
                FieldProblem(
                    "hazmat_class", "hazmat_class_unknown", f"{hazmat_class!r} is not in the hazmat table"
                )
            ],
        )
    return rule


def violations(
    hazmat_class: str | None, mode: str, node_capabilities: Iterable[str]
) -> list[HazmatViolation]:
    """Every rule of the table that shipping this class by `mode` to a node with these capabilities breaks."""
    if mode not in MODES:
        raise ValidationFailed(f"unknown transport mode {mode!r}; one of: ground, air", code="mode_unknown")
    rule = rule_for(hazmat_class)
    found: list[HazmatViolation] = []
    if mode not in rule.allowed_modes:
        allowed = " or ".join(sorted(rule.allowed_modes))
        found.append(
            HazmatViolation(
                f"hazmat_{mode}_forbidden",
                f"{rule.hazmat_class} ({rule.regulation}) may not travel by {mode}; only by {allowed}",
            )
        )
    if rule.node_capability is not None and rule.node_capability not in set(node_capabilities):
        found.append(
            HazmatViolation(
                "hazmat_node_not_certified",
                f"{rule.hazmat_class} ({rule.regulation}) must go to a node with "
                f"{rule.node_capability} handling",
            )
        )
    return found
