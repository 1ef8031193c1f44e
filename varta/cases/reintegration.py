"""The reintegration follow-up questionnaire and its scoring rule (docs/reintegration.md explains both).

Fifteen statements, five in each dimension — economic, social, psychosocial — inspired by IOM's Reintegration
Sustainability Survey. The person says how true each is for them, from 1 (not at all) to 5 (completely); every
statement is worded so that 5 is the better situation. A statement may be left unanswered (not asked, does not
apply, declined).

Scoring rule:
- a dimension's score is the mean of its answered statements rescaled to 0–1: ``(mean − 1) / 4``;
- a dimension needs at least ``MIN_ANSWERS`` answers, else the follow-up cannot be scored (and is refused);
- the overall score is the weighted mean of the three dimension scores with ``WEIGHTS`` (equal thirds);
- scores are computed exactly (fractions) and rounded half up to two decimals only at the end; the overall
  score is computed from the unrounded dimension scores.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

LOWEST, HIGHEST = 1, 5
MIN_ANSWERS = 3  # per dimension, of five


class Dimension(models.TextChoices):
    ECONOMIC = "economic", gettext_lazy("Economic")
    SOCIAL = "social", gettext_lazy("Social")
    PSYCHOSOCIAL = "psychosocial", gettext_lazy("Psychosocial")


# Equal weights: nothing in our data says one dimension matters more to sustainable reintegration (IOM's survey
# derives its weights statistically from its own samples, which Varta does not reproduce).
WEIGHTS: dict[str, Fraction] = {
    Dimension.ECONOMIC: Fraction(1, 3),
    Dimension.SOCIAL: Fraction(1, 3),
    Dimension.PSYCHOSOCIAL: Fraction(1, 3),
}


@dataclass(frozen=True)
class Question:
    code: str
    dimension: str
    text: Promise


QUESTIONS: tuple[Question, ...] = (
    Question("eco_income", Dimension.ECONOMIC,
             gettext_lazy("I have a source of income that covers my basic needs.")),
    Question("eco_work", Dimension.ECONOMIC,
             gettext_lazy("I have work, or could find work, that suits my skills.")),
    Question("eco_food", Dimension.ECONOMIC,
             gettext_lazy("My household has enough food throughout the month.")),
    Question("eco_debt", Dimension.ECONOMIC,
             gettext_lazy("I can manage my debts without hardship (or I have none).")),
    Question("eco_savings", Dimension.ECONOMIC,
             gettext_lazy("If I needed money urgently, I could borrow it or draw on savings.")),
    Question("soc_housing", Dimension.SOCIAL,
             gettext_lazy("I live in safe and adequate housing.")),
    Question("soc_health", Dimension.SOCIAL,
             gettext_lazy("I can get health care when I need it.")),
    Question("soc_documents", Dimension.SOCIAL,
             gettext_lazy("I have the identity documents I need.")),
    Question("soc_education", Dimension.SOCIAL,
             gettext_lazy("I, or my children, can attend school or training when needed.")),
    Question("soc_justice", Dimension.SOCIAL,
             gettext_lazy("I can get legal help and use the justice system if I need to.")),
    Question("psy_safety", Dimension.PSYCHOSOCIAL,
             gettext_lazy("I feel safe where I live.")),
    Question("psy_support", Dimension.PSYCHOSOCIAL,
             gettext_lazy("I have people I can count on for support.")),
    Question("psy_belonging", Dimension.PSYCHOSOCIAL,
             gettext_lazy("I take part in community life and feel I belong.")),
    Question("psy_fairness", Dimension.PSYCHOSOCIAL,
             gettext_lazy("People around me treat me fairly, without discrimination.")),
    Question("psy_wellbeing", Dimension.PSYCHOSOCIAL,
             gettext_lazy("I seldom feel distressed, anxious or without hope.")),
)

QUESTION_CODES = frozenset(q.code for q in QUESTIONS)

# The answer scale, worded the same for every statement.
SCALE: tuple[tuple[int, Promise], ...] = (
    (1, gettext_lazy("Not at all true")),
    (2, gettext_lazy("Slightly true")),
    (3, gettext_lazy("Somewhat true")),
    (4, gettext_lazy("Mostly true")),
    (5, gettext_lazy("Completely true")),
)

# How pages describe an overall score (a reading aid, not part of the score): lower bound, code, label.
BANDS: tuple[tuple[Decimal, str, Promise], ...] = (
    (Decimal("0.66"), "high", gettext_lazy("high")),
    (Decimal("0.33"), "medium", gettext_lazy("medium")),
    (Decimal("0"), "low", gettext_lazy("low")),
)


@dataclass(frozen=True)
class Scores:
    economic: Decimal
    social: Decimal
    psychosocial: Decimal
    overall: Decimal
    answers: dict[str, int]  # only the answered statements


def questions_of(dimension: str) -> list[Question]:
    return [q for q in QUESTIONS if q.dimension == dimension]


def rounded(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def dimension_score(values: list[int]) -> Fraction:
    """``(mean − 1) / 4``: 0 when every answer is 1, 1 when every answer is 5."""
    mean = Fraction(sum(values), len(values))
    return (mean - LOWEST) / (HIGHEST - LOWEST)


def band(score: Decimal | None) -> str:
    """"high", "medium" or "low" ("" for no score)."""
    if score is None:
        return ""
    return next(code for lower, code, _label in BANDS if score >= lower)


def band_label(code: str) -> str:
    return next((str(label) for _lower, c, label in BANDS if c == code), "")


def _answer(value: Any) -> int | None:
    """1..5, None for unanswered; ValueError for anything else."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, str):
        value = value.strip()
        if not value.isdigit():
            raise ValueError(value)
    number = int(value)
    if number != value and str(number) != value:
        raise ValueError(value)
    if not LOWEST <= number <= HIGHEST:
        raise ValueError(value)
    return number


def score(answers: Mapping[str, Any]) -> Scores:
    """Check the answers and compute the scores; one ValidationError names every problem.

    Errors are keyed by question code (a bad answer), by dimension (too few answers) or ``answers`` (an unknown
    question).
    """
    errors: dict[str, list[str]] = {}
    unknown = sorted(str(code) for code in answers if code not in QUESTION_CODES)
    if unknown:
        errors["answers"] = [_("Unknown question: %(codes)s.") % {"codes": ", ".join(unknown)}]
    answered: dict[str, int] = {}
    for question in QUESTIONS:
        try:
            value = _answer(answers.get(question.code))
        except (ValueError, TypeError):
            errors[question.code] = [_("Answer from 1 to 5, or leave it unanswered.")]
            continue
        if value is not None:
            answered[question.code] = value
    fractions: dict[str, Fraction] = {}
    for dimension in Dimension:
        values = [answered[q.code] for q in questions_of(dimension) if q.code in answered]
        if len(values) < MIN_ANSWERS:
            errors[dimension.value] = [
                _("Answer at least %(min)s of the %(count)s questions about the %(dimension)s situation.") % {
                    "min": MIN_ANSWERS, "count": len(questions_of(dimension)),
                    "dimension": str(dimension.label).lower()}]
            continue
        fractions[dimension.value] = dimension_score(values)
    if errors:
        raise ValidationError(errors)
    overall = sum((WEIGHTS[d] * fractions[d] for d in fractions), Fraction(0)) / sum(WEIGHTS.values())
    return Scores(economic=rounded(fractions[Dimension.ECONOMIC]), social=rounded(fractions[Dimension.SOCIAL]),
                  psychosocial=rounded(fractions[Dimension.PSYCHOSOCIAL]), overall=rounded(overall),
                  answers=answered)
