"""A region's amount in words and numbers: what lies behind each component of a line.

Everything is read from the run's stored inputs and the line itself, so an
explanation shows exactly what the run computed with, also years later.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Protocol

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from rehab.formatting import format_decimal, format_int, format_kronor, format_percent

from .enums import RunKind


class LineLike(Protocol):
    """A stored PayoutLine or a freshly computed calculation.LineResult."""

    @property
    def amount_ore(self) -> int: ...

    @property
    def ceiling_ore(self) -> int | None: ...

    @property
    def earned_ore(self) -> int | None: ...

    @property
    def entitled_ore(self) -> int | None: ...

    @property
    def already_paid_ore(self) -> int: ...

    @property
    def redistribution_ore(self) -> int | None: ...

    @property
    def base_ore(self) -> int | None: ...

    @property
    def bonus_ore(self) -> int | None: ...

    @property
    def detail(self) -> dict[str, Any]: ...


def kr(ore: int | None) -> str:
    """1234567 öre -> "12 345,67 kr" (no-break spaces: never wraps)."""
    return f"{format_kronor(ore)}\u00a0kr"


def _percent(part: int, whole: int) -> str:
    return format_percent(Decimal(part) / whole if whole else Decimal(0))


def _series_sentence(params: Mapping[str, Any], series: Mapping[str, int]) -> list[str]:
    addon = int(params.get("addon_ore", 0))
    rates = params.get("rates_ore", {})
    sentences = []
    for code, count in sorted(series.items()):
        rate = int(rates.get(code, 0))
        sentences.append(
            _("%(code)s: %(count)s behandlingar × (%(rate)s + tillägg %(addon)s) = %(total)s.")
            % {
                "code": code,
                "count": format_int(count),
                "rate": kr(rate),
                "addon": kr(addon),
                "total": kr(count * (rate + addon)),
            }
        )
    return sentences


def _ceiling_sentence(params: Mapping[str, Any], detail: Mapping[str, Any], ceiling: int) -> str:
    population = int(detail.get("population", 0))
    total = int(detail.get("population_total", 0))
    return _(
        "Tak: ramen %(frame)s fördelad efter befolkning, %(population)s av %(total)s "
        "invånare (%(share)s) = %(ceiling)s."
    ) % {
        "frame": kr(int(params["frame_ore"])),
        "population": format_int(population),
        "total": format_int(total),
        "share": _percent(population, total),
        "ceiling": kr(ceiling),
    }


def _settlement(line: LineLike) -> list[str]:
    sentences = []
    if line.amount_ore < 0:
        sentences.append(
            _("Regionen har fått %(over)s för mycket; det återkrävs (återkrav).")
            % {"over": kr(-line.amount_ore)}
        )
    return sentences


def adjustment_ore(kind: str, line: LineLike) -> int:
    """How much of the line's amount settles earlier periods rather than paying the
    period itself (negative = part of a claw-back): corrections accepted after an
    earlier run was approved.

    Quarter: entitled up to the previous quarter with today's figures, less what was
    paid. Year-end: the settlement of the quarters. Year (model B): base or bonus paid
    again on top of an earlier payment of the same component."""
    detail = line.detail
    if kind == RunKind.QUARTER:
        earned_before = (line.earned_ore or 0) - int(detail.get("earned_quarter_ore", 0))
        return min(earned_before, line.ceiling_ore or 0) - line.already_paid_ore
    if kind == RunKind.YEAR_END:
        return int(detail.get("quarter_settlement_ore", 0))
    if kind == RunKind.YEAR:
        adjustment = 0
        if int(detail.get("base_paid_before_ore", 0)):
            adjustment += line.base_ore or 0
        if int(detail.get("bonus_paid_before_ore", 0)):
            adjustment += line.bonus_ore or 0
        return adjustment
    return 0


def _quarter(inputs: Mapping[str, Any], line: LineLike) -> list[str]:
    params = inputs["params"]
    detail = line.detail
    quarter = inputs.get("quarter")
    series = detail.get("series", {})
    sentences = []
    if series:
        sentences.append(
            _("Godkända genomförda behandlingar i år t.o.m. kvartal %(quarter)s: %(list)s.")
            % {
                "quarter": quarter,
                "list": ", ".join(f"{format_int(n)} {code}" for code, n in sorted(series.items())),
            }
        )
        sentences += _series_sentence(params, series)
    else:
        sentences.append(
            _("Inga godkända genomförda behandlingar i år t.o.m. kvartal %(quarter)s.")
            % {"quarter": quarter}
        )
    sentences.append(
        _("Intjänat hittills i år: %(earned)s, varav kvartal %(quarter)s: %(this)s.")
        % {
            "earned": kr(line.earned_ore),
            "quarter": quarter,
            "this": kr(int(detail.get("earned_quarter_ore", 0))),
        }
    )
    sentences.append(_ceiling_sentence(params, detail, line.ceiling_ore or 0))
    sentences.append(
        _("Berättigat: det lägsta av intjänat och tak = %(entitled)s%(reached)s.")
        % {
            "entitled": kr(line.entitled_ore),
            "reached": _(" (taket är nått)") if detail.get("ceiling_reached") else "",
        }
    )
    sentences.append(
        _("Tidigare utbetalt i år: %(paid)s. Att betala nu: %(entitled)s − %(paid)s = %(amount)s.")
        % {
            "paid": kr(line.already_paid_ore),
            "entitled": kr(line.entitled_ore),
            "amount": kr(line.amount_ore),
        }
    )
    adjustment = adjustment_ore(RunKind.QUARTER, line)
    if adjustment:
        sentences.append(
            _(
                "Av beloppet är %(adjustment)s en justering för tidigare kvartal (rättelser "
                "som godkänts efter förra utbetalningen) och %(current)s avser kvartal "
                "%(quarter)s."
            )
            % {
                "adjustment": kr(adjustment),
                "current": kr(line.amount_ore - adjustment),
                "quarter": quarter,
            }
        )
    return sentences + _settlement(line)


def _year_end(inputs: Mapping[str, Any], line: LineLike) -> list[str]:
    params = inputs["params"]
    detail = line.detail
    excess = int(detail.get("excess_ore", 0))
    excess_total = int(detail.get("excess_total_ore", 0))
    pot = int(detail.get("pot_ore", 0))
    unspent = int(detail.get("unspent_ore", 0))
    sentences = [
        _("Intjänat under året: %(earned)s. %(ceiling_sentence)s")
        % {
            "earned": kr(line.earned_ore),
            "ceiling_sentence": _ceiling_sentence(params, detail, line.ceiling_ore or 0),
        },
        _(
            "Outnyttjade medel: ramen %(frame)s − ersättning för årets kvartal %(paid)s = "
            "%(unspent)s. Produktion över taken, alla regioner: %(excess_total)s. Att fördela: "
            "det lägsta av de två = %(pot)s."
        )
        % {
            "frame": kr(int(params["frame_ore"])),
            "paid": kr(int(params["frame_ore"]) - unspent),
            "unspent": kr(unspent),
            "excess_total": kr(excess_total),
            "pot": kr(max(pot, 0)),
        },
    ]
    if excess > 0:
        sentences.append(
            _(
                "Regionens produktion över taket: %(earned)s − %(ceiling)s = %(excess)s, "
                "%(share)s av all produktion över taken; dess del av omfördelningen: "
                "%(entitled)s."
            )
            % {
                "earned": kr(line.earned_ore),
                "ceiling": kr(line.ceiling_ore),
                "excess": kr(excess),
                "share": _percent(excess, excess_total),
                "entitled": kr(line.entitled_ore),
            }
        )
    else:
        sentences.append(_("Regionen producerade inte över sitt tak och får ingen omfördelning."))
    settlement = int(detail.get("quarter_settlement_ore", 0))
    if settlement:
        sentences.append(
            _(
                "Justering för rättelser av årets kvartal som godkänts efter "
                "kvartalskörningarna: berättigat för året (det lägsta av intjänat och tak) "
                "%(entitled)s − utbetalt för kvartalen %(paid)s = %(settlement)s%(clawback)s."
            )
            % {
                "entitled": kr(int(detail.get("entitled_quarters_ore", 0))),
                "paid": kr(int(detail.get("paid_quarters_ore", 0))),
                "settlement": kr(settlement),
                "clawback": _(" (återkrav)") if settlement < 0 else "",
            }
        )
    if line.already_paid_ore or settlement:
        sentences.append(
            _(
                "Att betala nu: justering %(settlement)s + omfördelning %(entitled)s − "
                "tidigare omfördelat %(before)s = %(amount)s."
            )
            % {
                "settlement": kr(settlement),
                "entitled": kr(line.entitled_ore),
                "before": kr(line.already_paid_ore),
                "amount": kr(line.amount_ore),
            }
        )
    return sentences + _settlement(line)


def _year(inputs: Mapping[str, Any], line: LineLike) -> list[str]:
    params = inputs["params"]
    detail = line.detail
    population = int(detail.get("population", 0))
    population_total = int(detail.get("population_total", 0))
    sentences = [
        _(
            "Grundbelopp: ramen %(frame)s fördelad efter befolkning, %(population)s av "
            "%(total)s invånare (%(share)s) = %(base)s."
        )
        % {
            "frame": kr(int(params["frame_ore"])),
            "population": format_int(population),
            "total": format_int(population_total),
            "share": _percent(population, population_total),
            "base": kr(int(detail.get("base_share_ore", 0))),
        }
    ]
    quarters = detail.get("accepted_quarters", [])
    if not detail.get("complete") and "accepted_year" in detail and not quarters:
        sentences.append(
            _(
                "Grundbeloppet betalas ut i en senare körning, när Försäkringskassan har "
                "godkänt regionens årsrapport för %(year)s."
            )
            % {"year": inputs.get("year")}
        )
    elif not detail.get("complete"):
        sentences.append(
            _(
                "Grundbeloppet betalas ut i en senare körning, när Försäkringskassan har "
                "godkänt regionens rapporter för alla fyra kvartal (godkända nu: %(quarters)s)."
            )
            % {"quarters": ", ".join(f"Q{q}" for q in quarters) or _("inga")}
        )
    elif detail.get("base_paid_before_ore"):
        sentences.append(
            _("Grundbeloppet %(paid)s har betalats ut i en tidigare körning.")
            % {"paid": kr(int(detail["base_paid_before_ore"]))}
        )
    contacts = int(detail.get("contacts", 0))
    sentences.append(
        _(
            "Kontaktbonus: %(contacts)s behandlingar med kontakt med arbetsgivare eller "
            "Arbetsförmedlingen × %(per)s = %(claim)s."
        )
        % {
            "contacts": format_int(contacts),
            "per": kr(int(params["bonus_per_contact_ore"])),
            "claim": kr(int(detail.get("bonus_claim_ore", 0))),
        }
    )
    if detail.get("bonus_capped"):
        sentences.append(
            _(
                "Alla regioners anspråk, %(claims)s, överstiger taket %(cap)s; taket fördelas "
                "efter andel kontakter, %(contacts)s av %(total)s (%(share)s) = %(bonus)s."
            )
            % {
                "claims": kr(int(detail.get("bonus_claims_total_ore", 0))),
                "cap": kr(int(params["bonus_cap_ore"])),
                "contacts": format_int(contacts),
                "total": format_int(int(detail.get("contacts_total", 0))),
                "share": _percent(contacts, int(detail.get("contacts_total", 0))),
                "bonus": kr(int(detail.get("bonus_entitled_ore", 0))),
            }
        )
    if detail.get("bonus_paid_before_ore"):
        sentences.append(
            _("Tidigare utbetald kontaktbonus: %(before)s.")
            % {"before": kr(int(detail["bonus_paid_before_ore"]))}
        )
    sentences.append(
        _("Att betala nu: grundbelopp %(base)s + kontaktbonus %(bonus)s = %(amount)s.")
        % {"base": kr(line.base_ore), "bonus": kr(line.bonus_ore), "amount": kr(line.amount_ore)}
    )
    return sentences + _settlement(line)


def _percent_2(part: int, whole: int) -> str:
    """4 377 081 of 10 327 589 -> "4,12 %" (two decimals, rounded half up)."""
    share = Decimal(part) * 100 / whole if whole else Decimal(0)
    sign = "%" if (get_language() or "sv").startswith("en") else "\u00a0%"
    return format_decimal(share, 2) + sign


def _condition(inputs: Mapping[str, Any], line: LineLike, approved_by: str) -> list[str]:
    """A written-account condition: the region's population share of the frame, paid
    when FK assessed the condition fulfilled (the advance to every region)."""
    params = inputs["params"]
    detail = line.detail
    region_obj = getattr(line, "region", None)  # a stored PayoutLine knows its region
    region = str(getattr(region_obj, "name", "") or "")
    share = int(detail.get("share_ore", 0))
    advance = int(detail.get("advance_ore", 0))
    assessment = detail.get("assessment") or {}
    sentence = _("%(region)s%(percent)s av %(frame)s = %(share)s") % {
        "region": f"{region}: " if region else "",
        "percent": _percent_2(
            int(detail.get("population", 0)), int(detail.get("population_total", 0))
        ),
        "frame": kr(int(params["frame_ore"])),
        "share": kr(share),
    }
    if assessment:
        who = _("bedömt av %(assessor)s") % {"assessor": assessment.get("assessed_by", "")}
        if approved_by:
            who += ", " + _("attesterat av %(approver)s") % {"approver": approved_by}
        verdict = (
            _("villkoret uppfyllt %(date)s (%(who)s)")
            if assessment.get("fulfilled")
            else _("villkoret inte uppfyllt %(date)s (%(who)s)")
        ) % {"date": assessment.get("assessed_on", ""), "who": who}
        sentence += "; " + verdict + "."
    elif inputs.get("instalment") == "REMAINDER":
        sentence += "; " + _("villkoret är inte bedömt som uppfyllt.")
    else:
        sentence += "."
    sentences = [
        sentence,
        _(
            "Andelen är regionens del av ramen efter befolkning per %(date)s, "
            "%(population)s av %(total)s invånare."
        )
        % {
            "date": inputs.get("population_reference_date", ""),
            "population": format_int(int(detail.get("population", 0))),
            "total": format_int(int(detail.get("population_total", 0))),
        },
    ]
    if inputs.get("instalment") == "ADVANCE":
        sentences.append(
            _("Förskott till alla regioner: %(percent)s av andelen = %(advance)s.")
            % {
                "percent": _percent_2(
                    int(Decimal(params.get("advance_share") or "0") * 10000), 10000
                ),
                "advance": kr(advance),
            }
        )
    else:
        if advance:
            sentences.append(
                _("Förskottet %(advance)s dras av; resten är %(remainder)s.")
                % {"advance": kr(advance), "remainder": kr(int(detail.get("remainder_ore", 0)))}
            )
        if detail.get("not_paid_ore"):
            sentences.append(
                _(
                    "Villkoret är inte uppfyllt: %(amount)s betalas inte ut (ej utbetalt) och "
                    "fördelas inte heller till andra regioner."
                )
                % {"amount": kr(int(detail["not_paid_ore"]))}
            )
    if line.already_paid_ore:
        sentences.append(
            _("Tidigare utbetalt för detta villkor: %(before)s.")
            % {"before": kr(line.already_paid_ore)}
        )
    sentences.append(_("Att betala nu: %(amount)s.") % {"amount": kr(line.amount_ore)})
    return sentences


def explain_line(inputs: Mapping[str, Any], line: LineLike, *, approved_by: str = "") -> list[str]:
    """Sentences (Swedish) that explain how `line` was computed from `inputs`
    (`approved_by`: who approved the run, named in a condition's explanation)."""
    kind = inputs.get("kind")
    if kind == RunKind.CONDITION:
        return _condition(inputs, line, approved_by)
    if kind == RunKind.QUARTER:
        return _quarter(inputs, line)
    if kind == RunKind.YEAR_END:
        return _year_end(inputs, line)
    if kind == RunKind.YEAR:
        return _year(inputs, line)
    return []
