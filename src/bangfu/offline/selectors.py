"""What a village cadre's phone keeps (我的村): the village's households with masked identifiers only, their open
warnings, leads, cases and measures, and the choices the offline forms offer. Read through the jurisdiction door
(the same selectors as the pages) and cut to the user's own village."""

from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.offline.models import OfflineSubmission
from bangfu.offline.services import measure_version, offline_keep_days, offline_village, warning_version


def _choices(choices) -> list[list[str]]:
    return [[str(value), str(label)] for value, label in choices]


def _care_due(households, today) -> list[dict]:
    """八必访 in the village: the households due a care visit this quarter, why, who in them belongs to a vulnerable
    group (name, age and group: no identifier), when they were last visited, and the version the phone sends back
    (the newest care visit's id, care_visit_version)."""
    from django.db.models import Max

    from bangfu.care import groups as g
    from bangfu.registry.models import Member

    due = list(g.visit_due(households, day=today).annotate(last_visit=Max("care_visits__visited_on"),
                                                           latest=Max("care_visits__id"))
               .order_by("last_visit", "number"))
    reasons = g.must_visit_reasons(due)
    members: dict[int, dict[int, dict]] = {h.pk: {} for h in due}
    pool = Member.objects.filter(household__in=[h.pk for h in due])
    for group in g.GROUPS:
        for member in g.group_members(pool, group.key, day=today).order_by("id"):
            entry = members[member.household_id].setdefault(member.pk, {
                "name": member.name, "age": member.age_on(today), "groups": []})
            entry["groups"].append(str(group.label))
    return [{"household": h.pk, "number": h.number, "head": h.head_name, "reasons": reasons[h.pk],
             "last_visit": f"{h.last_visit:%Y-%m-%d}" if h.last_visit else "",
             "members": list(members[h.pk].values()), "version": str(h.latest or 0)} for h in due]


def offline_bundle_for(user) -> dict:
    """The copy for the user's phone, as JSON-ready data; no ID number and no phone number, not even masked."""
    from bangfu.assistance.models import Cadre
    from bangfu.cases.choices import OPEN_STATES, MeasureStatus
    from bangfu.cases.models import Measure
    from bangfu.cases.permissions import can as cases_can
    from bangfu.cases.selectors import cases_visible_to
    from bangfu.monitoring.forms import RISK_CHOICES
    from bangfu.monitoring.models import Lead
    from bangfu.monitoring.selectors import leads_visible_to, warnings_to_verify_q, warnings_visible_to
    from bangfu.registry import choices as c
    from bangfu.registry.selectors import households_visible_to

    village = offline_village(user)
    if village is None:
        return {}
    code = village.code
    households = households_visible_to(user).filter(village_id=code).order_by("number")
    rows = [{"id": h.pk, "number": h.number, "head": h.head_name, "group": h.group,
             "type": h.get_household_type_display(), "monitoring": h.get_monitoring_type_display(),
             "status": h.get_monitoring_status_display(), "housing_safety": h.housing_safety,
             "drinking_water_safe": h.drinking_water_safe, "version": h.version} for h in households]
    warnings = [{"id": w.pk, "household": w.household_id, "rule": w.rule.name, "evidence": w.evidence,
                 "created": f"{timezone.localtime(w.created_at):%Y-%m-%d}", "version": warning_version(w)}
                for w in warnings_visible_to(user).filter(warnings_to_verify_q(), village_id=code)
                .select_related("rule").order_by("created_at", "id")]
    leads = [{"id": lead.pk, "household": lead.household_id, "source": lead.get_source_display(),
              "risk": lead.get_risk_type_display(), "difficulty": lead.difficulty,
              "created": f"{timezone.localtime(lead.created_at):%Y-%m-%d}"}
             for lead in leads_visible_to(user).filter(state=Lead.State.NEW, village_id=code).order_by("created_at")]
    cases = [{"id": case.pk, "household": case.household_id, "kind": case.get_kind_display(),
              "state": case.state_label, "due": f"{case.due_on:%Y-%m-%d}"}
             for case in cases_visible_to(user).filter(state__in=OPEN_STATES, household__village_id=code)
             .select_related("household").order_by("due_on", "id")]
    measures = [{"id": m.pk, "household": m.household_id, "category": m.category.name, "description": m.description,
                 "status": m.status, "status_label": m.get_status_display(),
                 "end_on": f"{m.end_on:%Y-%m-%d}" if m.end_on else "", "version": measure_version(m)}
                for m in Measure.objects.filter(household__in=households.values("pk"),
                                                status__in=(MeasureStatus.PLANNED, MeasureStatus.IN_PROGRESS))
                .select_related("category").order_by("household_id", "start_on", "id")]
    today = timezone.localdate()
    cadre = (Cadre.objects.filter(user=user, kind__in=Cadre.RESIDENT_KINDS, village_id=code)
             .order_by("-term_start").first())
    forms = []
    if cases_can(user, "cases.visit"):
        forms.append("visit")
    if user.can("monitoring.verify"):
        forms.append("warning_verify")
    if user.can("monitoring.lead"):
        forms.append("lead")
    if cadre is not None and cadre.serving_on(today):
        forms.append("check_in")
    if cases_can(user, "cases.assist"):
        forms.append("measure")
    if user.can("registry.edit"):  # care.services.care_visit_record's own check
        forms.append("care_visit")
    recent = [{"kind": s.get_kind_display(), "label": s.object_label,
               "made_at": f"{timezone.localtime(s.made_at):%Y-%m-%d %H:%M}",
               "received_at": f"{timezone.localtime(s.received_at):%Y-%m-%d %H:%M}"}
              for s in OfflineSubmission.objects.filter(user=user).order_by("-received_at", "-id")[:20]]
    return {
        "village": {"code": code, "name": village.name},
        "user": user.pk,
        "fetched_at": timezone.now().isoformat(),
        "today": today.isoformat(),
        "keep_days": offline_keep_days(),
        "forms": forms,
        "cadre": {"name": cadre.name, "kind": cadre.get_kind_display()} if cadre is not None else None,
        "households": rows,
        "warnings": warnings,
        "leads": leads,
        "cases": cases,
        "measures": measures,
        "care": _care_due(households, today),
        "recent": recent,
        "choices": {
            "housing_safety": _choices(c.HousingSafety.choices),
            "risk_type": _choices(RISK_CHOICES),
            "measure_status": _choices(MeasureStatus.choices),
            "outcome": [["confirmed", _("核实属实（转为识别线索）")], ["dismissed", _("核实排除")]],
        },
    }
