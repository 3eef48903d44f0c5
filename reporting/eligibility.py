"""What counts in a treatment report (spec §1, §5), worded from the agreement's data:
the age band, the diagnosis groups of the treatments it includes, completed series
only, contacts only with the patient's consent. The form and the API show it; the
coordinator confirms it when submitting and the confirmed text is kept on the version."""

from __future__ import annotations

from django.utils.translation import gettext as _

from rehab.enums import AgeBand, Area
from rehab.models import AgreementTreatment, ReportingPeriod


def eligibility_points(period: ReportingPeriod) -> list[str]:
    """The rules, one sentence each, in the interface language."""
    agreement = period.agreement
    band = AgeBand(agreement.statistics_age_band)
    ages = band.label if band != AgeBand.TOTAL else AgeBand.AGE_16_67.label
    areas = sorted(
        set(
            AgreementTreatment.objects.filter(agreement=agreement).values_list(
                "treatment__area", flat=True
            )
        )
    )
    groups = " och ".join(str(Area(area).label).lower() for area in areas) or _("(inga)")
    return [
        _("Räkna bara personer i åldern %(ages)s.") % {"ages": ages},
        _(
            "Räkna bara behandlingar för %(groups)s, de diagnosgrupper "
            "överenskommelsen %(year)s gäller."
        )
        % {"groups": groups, "year": agreement.year},
        _(
            "Räkna bara genomförda behandlingsserier, en per patient och behandling; "
            "enstaka besök räknas inte."
        ),
        _(
            "Räkna kontakter med arbetsgivare och Arbetsförmedlingen bara när patienten "
            "har samtyckt till kontakten."
        ),
    ]


def eligibility_statement(period: ReportingPeriod) -> str:
    """The rules as one text, stored on the version the coordinator submits."""
    return "\n".join(eligibility_points(period))
