"""The config file's shape, validated by pydantic, and how it becomes a `Policy`."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from engage_cli.domain import Circle
from engage_cli.errors import InputError
from engage_cli.models import first_error
from engage_cli.policy import CirclePolicy, Policy

_STRICT = ConfigDict(extra="forbid", frozen=True)


class CircleFile(BaseModel):
    model_config = _STRICT
    half_life_days: float | None = Field(default=None, strict=True, gt=0, le=36_500)
    cadence_days: float | None = Field(default=None, strict=True, gt=0, le=36_500)


class VerdictFile(BaseModel):
    model_config = _STRICT
    engaged_min_ratio: float | None = Field(default=None, strict=True, gt=0, le=1000)
    engaged_max_ratio: float | None = Field(default=None, strict=True, gt=0, le=1000)
    verdict_min_points: float | None = Field(default=None, strict=True, ge=0, le=10_000)
    rolling_days: int | None = Field(default=None, strict=True, ge=7, le=366)


class UntappedFile(BaseModel):
    model_config = _STRICT
    charge: float | None = Field(default=None, strict=True, gt=0, le=10_000)
    days: float | None = Field(default=None, strict=True, gt=0, le=36_500)


class PolicyFile(BaseModel):
    """`config.toml`: every key optional; what is missing keeps its default."""

    model_config = _STRICT
    period: str | None = None
    synergy: float | None = Field(default=None, strict=True, ge=0, le=1)
    synergy_failed: float | None = Field(default=None, strict=True, ge=0, le=1)
    ask_reserve: float | None = Field(default=None, strict=True, ge=0, le=10)
    overdrawn_below: float | None = Field(default=None, strict=True, ge=0, le=10_000)
    forgive_after_days: float | None = Field(default=None, strict=True, gt=0, le=36_500)
    due_within_days: float | None = Field(default=None, strict=True, ge=0, le=3650)
    date_order: Literal["dmy", "mdy"] | None = None
    notice_years_back: float | None = Field(default=None, strict=True, gt=0, le=200)
    intro_points: float | None = Field(default=None, strict=True, gt=0, le=100)
    follow_through_days: float | None = Field(default=None, strict=True, gt=0, le=3650)
    promise_kept_points: float | None = Field(default=None, strict=True, ge=0, le=1000)
    promise_grace_days: float | None = Field(default=None, strict=True, ge=0, le=3650)
    promise_overdue_points: float | None = Field(default=None, strict=True, ge=0, le=1000)
    verdict: VerdictFile = Field(default_factory=VerdictFile)
    untapped: UntappedFile = Field(default_factory=UntappedFile)
    circles: dict[Circle, CircleFile] = Field(default_factory=dict)

    @field_validator("period")
    @classmethod
    def _period(cls, v: str | None) -> str | None:
        if v is not None:
            from engage_cli.dates import parse_period

            try:
                parse_period(v)
            except InputError as exc:
                raise ValueError(exc.message) from None
        return v


def _accepted(loc: tuple[Any, ...]) -> str:
    """The keys accepted where an unknown key `loc` was found."""
    parent = tuple(str(p) for p in loc[:-1])
    models: dict[tuple[str, ...], type[BaseModel]] = {
        (): PolicyFile,
        ("verdict",): VerdictFile,
        ("untapped",): UntappedFile,
    }
    model = models.get(parent)
    if model is None and len(parent) == 2 and parent[0] == "circles":
        model = CircleFile
    return ", ".join(model.model_fields) if model else ""


def read_policy_file(path: Path, defaults: Policy) -> tuple[Policy, list[str]]:
    """Read and validate a config file; return the policy and the dotted keys it set."""
    import tomllib

    from engage_cli.dates import parse_period

    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read the config {path}: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"the config {path} is not valid TOML: {exc}") from None
    try:
        cfg = PolicyFile.model_validate(raw)
    except ValidationError as exc:
        err, msg = first_error(exc)
        loc = tuple(err.get("loc", ()))
        key = ".".join(str(p) for p in loc) or "(top level)"
        if err.get("type") == "extra_forbidden":
            accepted = _accepted(loc)
            msg = f"unknown key; accepted here: {accepted}" if accepted else "unknown key"
            if loc == ("reciprocity_days",):
                msg = (
                    "no longer used: what you gave and what they gave decay with each "
                    "circle's half_life_days, like the charge (docs/scoring.md); remove the key"
                )
        elif err.get("type") == "enum" or (loc and loc[0] == "circles" and len(loc) == 2):
            msg = f"{msg}; circles are {', '.join(c.value for c in Circle)}"
        elif "input" in err and not isinstance(err["input"], dict):
            msg = f"{msg} (got {err['input']!r})"
        raise InputError(f"config {path}: {key}: {msg}") from None

    keys: list[str] = []
    circles = dict(defaults.circles)
    for circle, c in cfg.circles.items():
        base = circles[circle.value]
        circles[circle.value] = CirclePolicy(
            c.half_life_days if c.half_life_days is not None else base.half_life_days,
            c.cadence_days if c.cadence_days is not None else base.cadence_days,
        )
        keys += [f"circles.{circle.value}.{k}" for k in c.model_fields_set]
    values: dict[str, Any] = {"circles": circles}
    if cfg.period is not None:
        values["period_days"] = parse_period(cfg.period)
        values["period"] = cfg.period
        keys.append("period")
    for name in (
        "synergy", "synergy_failed", "ask_reserve", "overdrawn_below", "forgive_after_days",
        "due_within_days", "date_order", "notice_years_back",
        "promise_kept_points", "promise_grace_days", "promise_overdue_points", "intro_points",
        "follow_through_days",
    ):  # fmt: skip
        if getattr(cfg, name) is not None:
            values[name] = getattr(cfg, name)
            keys.append(name)
    for k in cfg.verdict.model_fields_set:
        values[k] = getattr(cfg.verdict, k)
        keys.append(f"verdict.{k}")
    for k in cfg.untapped.model_fields_set:
        values[f"untapped_{k}"] = getattr(cfg.untapped, k)
        keys.append(f"untapped.{k}")
    policy = defaults._replace(**values)
    if policy.engaged_min_ratio > policy.engaged_max_ratio:
        raise InputError(
            f"config {path}: verdict.engaged_min_ratio ({policy.engaged_min_ratio:g}) must not "
            f"exceed verdict.engaged_max_ratio ({policy.engaged_max_ratio:g})"
        )
    return policy, keys
