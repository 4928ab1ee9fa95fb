"""Distributions for agent attributes, as they are written in scenario files.

A scenario writes a distribution as a bare number (fixed), a list (explicit
values), or a mapping with a ``dist`` key. Every distribution also carries an
affine ``scale`` and ``shift`` applied after drawing and optional ``low``/``high``
clamps: reforms move an attribute by editing those two numbers, which keeps each
reform a pure, testable edit of the scenario whatever family the data came in.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BeforeValidator, Field, model_validator

from mobilise.schema.strict import Strict


class _Base(Strict):
    scale: float = Field(1.0, ge=0, description="multiply each draw by this")
    shift: float = Field(0.0, description="then add this")
    low: float | None = Field(None, description="clamp draws from below")
    high: float | None = Field(None, description="clamp draws from above")

    @model_validator(mode="after")
    def _bounds_ordered(self) -> _Base:
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"low ({self.low}) must not exceed high ({self.high})")
        return self

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Draw ``n`` values: the family's draw, then scale, shift and clamp."""
        values = self._draw(rng, n)
        if self.scale != 1.0:  # multiplying by 1 changes no bit: skipped
            values = values * self.scale
        values = values + self.shift
        if self.low is not None or self.high is not None:
            values = np.clip(values, self.low, self.high)
        return values.astype(float, copy=False)

    def mean(self) -> float:
        """The mean before clamping (used to check a reform's direction)."""
        return self._raw_mean() * self.scale + self.shift

    def support(self) -> tuple[float, float]:
        """Where draws can fall: the family's range scaled, shifted and clamped (maybe infinite)."""
        low, high = self._raw_support()
        low, high = (
            (self.shift, self.shift)
            if self.scale == 0
            else (low * self.scale + self.shift, high * self.scale + self.shift)
        )
        if self.low is not None:
            low, high = max(low, self.low), max(high, self.low)
        if self.high is not None:
            low, high = min(low, self.high), min(high, self.high)
        return low, high

    def moved(self, *, shift: float = 0.0, factor: float = 1.0) -> _Base:
        """A copy whose draws are multiplied by ``factor`` and moved by ``shift``."""
        return self.model_copy(
            update={"scale": self.scale * factor, "shift": self.shift * factor + shift}
        )

    def _draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        raise NotImplementedError

    def _raw_mean(self) -> float:
        raise NotImplementedError

    def _raw_support(self) -> tuple[float, float]:
        raise NotImplementedError


class Fixed(_Base):
    """Every agent gets the same value."""

    dist: Literal["fixed"] = "fixed"
    value: float

    def _draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return np.full(n, self.value, dtype=float)

    def _raw_mean(self) -> float:
        return self.value

    def _raw_support(self) -> tuple[float, float]:
        return self.value, self.value


class Uniform(_Base):
    """Uniform on [a, b]."""

    dist: Literal["uniform"]
    a: float
    b: float

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.a > self.b:
            raise ValueError(f"uniform needs a <= b, got a={self.a}, b={self.b}")
        return self

    def _draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.uniform(self.a, self.b, n)

    def _raw_mean(self) -> float:
        return (self.a + self.b) / 2

    def _raw_support(self) -> tuple[float, float]:
        return self.a, self.b


class Normal(_Base):
    """Normal(mean, sd); with ``low``/``high`` it is clamped (a censored normal)."""

    dist: Literal["normal"]
    mean_: float = Field(alias="mean")
    sd: float = Field(ge=0)

    def _draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.normal(self.mean_, self.sd, n)

    def _raw_mean(self) -> float:
        return self.mean_

    def _raw_support(self) -> tuple[float, float]:
        return (self.mean_, self.mean_) if self.sd == 0 else (-math.inf, math.inf)


class TruncatedNormal(_Base):
    """Normal(mean, sd) conditioned on [lower, upper] (redrawn, not clamped)."""

    dist: Literal["truncnormal"]
    mean_: float = Field(alias="mean")
    sd: float = Field(gt=0)
    lower: float
    upper: float

    @model_validator(mode="after")
    def _ordered(self) -> TruncatedNormal:
        if self.lower >= self.upper:
            raise ValueError(f"truncnormal needs lower < upper, got {self.lower}, {self.upper}")
        return self

    def _draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        from scipy.stats import truncnorm

        a = (self.lower - self.mean_) / self.sd
        b = (self.upper - self.mean_) / self.sd
        return truncnorm.rvs(a, b, loc=self.mean_, scale=self.sd, size=n, random_state=rng)

    def _raw_mean(self) -> float:
        from scipy.stats import truncnorm

        a = (self.lower - self.mean_) / self.sd
        b = (self.upper - self.mean_) / self.sd
        return float(truncnorm.mean(a, b, loc=self.mean_, scale=self.sd))

    def _raw_support(self) -> tuple[float, float]:
        return self.lower, self.upper


class Beta(_Base):
    """Beta(a, b) on [0, 1]: thresholds with mass near 0 give early movers."""

    dist: Literal["beta"]
    a: float = Field(gt=0)
    b: float = Field(gt=0)

    def _draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.beta(self.a, self.b, n)

    def _raw_mean(self) -> float:
        return self.a / (self.a + self.b)

    def _raw_support(self) -> tuple[float, float]:
        return 0.0, 1.0


class Lognormal(_Base):
    """Lognormal with the given median and log-scale sigma (skewed sizes, horizons)."""

    dist: Literal["lognormal"]
    median: float = Field(gt=0)
    sigma: float = Field(ge=0)

    def _draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.lognormal(np.log(self.median), self.sigma, n)

    def _raw_mean(self) -> float:
        return float(self.median * np.exp(self.sigma**2 / 2))

    def _raw_support(self) -> tuple[float, float]:
        return (self.median, self.median) if self.sigma == 0 else (0.0, math.inf)


class Values(_Base):
    """An explicit list: used in order when its length is the count, else drawn from."""

    dist: Literal["values"]
    values: list[float] = Field(min_length=1)

    def _draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        values = np.asarray(self.values, dtype=float)
        if len(values) == n:
            return values.copy()
        return rng.choice(values, size=n, replace=True)

    def _raw_mean(self) -> float:
        return float(np.mean(self.values))

    def _raw_support(self) -> tuple[float, float]:
        return min(self.values), max(self.values)


def _coerce(value: Any) -> Any:
    """Accept shorthand: ``0.3`` is fixed, ``[0, 0.1]`` is an explicit list."""
    if isinstance(value, bool):
        return value  # let pydantic reject it with its own message
    if isinstance(value, int | float):
        return {"dist": "fixed", "value": value}
    if isinstance(value, list):
        return {"dist": "values", "values": value}
    return value


Distribution = Annotated[
    Fixed | Uniform | Normal | TruncatedNormal | Beta | Lognormal | Values,
    Field(discriminator="dist"),
    BeforeValidator(_coerce),
]
"""Any distribution; see the module docstring for the shorthand forms."""

DISTRIBUTION_FAMILIES = ("fixed", "uniform", "normal", "truncnormal", "beta", "lognormal", "values")
