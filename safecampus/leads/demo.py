"""Demo leads for the demo district: made through the real services (so every lead has its
timeline, deadlines, transfers and audit rows), then spread over the past months so the
ledger, the statistics and the overdue filter have something to show."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F

from safecampus.accounts.models import User
from safecampus.cases.models import CaseEvent, Deadline, Transfer
from safecampus.leads.choices import LeadResult, Urgency
from safecampus.leads.models import DualReport, Lead, LeadCategory, LeadMessage
from safecampus.leads.services import feedback, portal
from safecampus.leads.services import leads as services
from safecampus.organizations.models import Unit

STORIES = [
    ("gang_disruption", "放学时校门口有几名社会青年拦住学生索要零花钱，不给就推搡。", "东门"),
    ("gang_disruption", "有人在学校后门的小卖部附近寻衅滋事，多次殴打路过的学生。", "后门小卖部"),
    ("lawless_persons", "最近一周每天傍晚有两名纹身男子在校门对面徘徊，盯着女生拍照。", "校门对面"),
    ("lawless_persons", "学校围墙外的网吧有人向学生兜售电子烟。", "围墙外网吧"),
    (
        "construction_coercion",
        "学校食堂改造工程有人强行要求必须用他们的砂石，否则阻挠施工。",
        "食堂工地",
    ),
    ("campus_loans", "有学生在群里推广“校园贷”，借一千还两千，逾期就去家里闹。", "班级群"),
    ("campus_loans", "有人在宿舍楼发放小额贷款传单，承诺无需父母同意。", "学生宿舍"),
    (
        "bullying_violence",
        "初二有学生长期被同班几个人排挤辱骂，还被拍视频发到网上。",
        "初二（3）班",
    ),
    ("bullying_violence", "午休时有高年级学生在厕所里围殴低年级学生并索要钱财。", "教学楼二楼厕所"),
    ("bullying_violence", "体育课后有学生被锁在器材室里，家长反映孩子不敢上学。", "器材室"),
    ("other", "校门口交通秩序混乱，有人驾驶无牌摩托车冲撞学生队伍。", "校门口路段"),
]

#: Who was involved and who was hurt, by turns: invented names (so the ledger shows the mask
#: "2 people, names hidden" and a handler's page the names), free text, or nothing.
PEOPLE = [
    ("张小明、李小华", "王小红"),
    ("两名社会青年，约二十岁，骑电动车", "初一学生若干"),
    ("", ""),
    ("陈某某", "初二（3）班一名男生"),
]

#: How far each demo lead gets: (share of leads, the steps to take).
PLANS = [
    (3, ()),
    (2, ("accept",)),
    (2, ("accept", "assign")),
    (3, ("accept", "transfer")),
    (2, ("accept", "transfer", "handle")),
    (5, ("accept", "transfer", "handle", "conclude")),
    (3, ("accept", "assign", "handle", "conclude", "close")),
    (1, ("reject",)),
]


def _people() -> dict[str, Any]:
    return {
        u.username: u for u in User.objects.filter(username__in=["safety", "officer", "police"])
    }


def _shift(lead: Lead, days: int) -> None:
    """Move everything the lead has lived through ``days`` back in time."""
    delta = timedelta(days=days)
    kind = ContentType.objects.get_for_model(Lead)
    rows = {"content_type": kind, "object_id": lead.pk}
    Lead.objects.filter(pk=lead.pk).update(
        created_at=F("created_at") - delta,
        updated_at=F("updated_at") - delta,
        closed_at=F("closed_at") - delta,
        concluded_at=F("concluded_at") - delta,
    )
    CaseEvent.objects.filter(**rows).update(at=F("at") - delta)
    Deadline.objects.filter(**rows).update(
        started_at=F("started_at") - delta,
        due_at=F("due_at") - delta,
        met_at=F("met_at") - delta,
        cancelled_at=F("cancelled_at") - delta,
    )
    Transfer.objects.filter(**rows).update(
        at=F("at") - delta,
        accepted_at=F("accepted_at") - delta,
        feedback_at=F("feedback_at") - delta,
    )
    DualReport.objects.filter(lead=lead).update(reported_at=F("reported_at") - delta)
    LeadMessage.objects.filter(lead=lead).update(created_at=F("created_at") - delta)


def _walk(lead: Lead, steps: tuple[str, ...], people: dict[str, Any], rng: random.Random) -> None:
    safety, officer, police = people["safety"], people["officer"], people["police"]
    station = Unit.objects.filter(code="GA-SJ").first()
    handler = safety
    for step in steps:
        if step == "accept":
            services.lead_accept(actor=safety, lead=lead, note="线索属实，予以受理")
        elif step == "reject":
            services.lead_reject(actor=safety, lead=lead, reason="经核实不属于涉校线索")
        elif step == "assign" and lead.school is not None:
            services.lead_assign_school(
                actor=safety, lead=lead, school=lead.school, note="请学校核查"
            )
            handler = officer if lead.school.code == "XB-001" else safety
        elif step == "transfer" and station is not None:
            services.lead_transfer(
                actor=safety, lead=lead, to_units=[station], note="请派出所核查处置"
            )
            handler = police
        elif step == "handle":
            transfer = feedback.own_pending_transfers(actor=handler, lead=lead).first()
            if transfer is not None:
                feedback.lead_transfer_accept(actor=handler, lead=lead, transfer_id=transfer.pk)
                feedback.lead_progress(actor=handler, lead=lead, note="已走访涉事学生和家长")
            else:
                services.lead_start_handling(actor=handler, lead=lead, note="开始核查")
        elif step == "conclude":
            result = rng.choice(list(LeadResult.values))
            services.lead_conclude(actor=handler, lead=lead, result=result, note="核查完毕")
        elif step == "close":
            services.lead_close(actor=safety, lead=lead, note="已归档")


def demo_leads_seed(*, count: int = 40, seed: int = 20261129) -> int:
    """Create ``count`` demo leads once (nothing when the district already has leads)."""
    people = _people()
    if Lead.objects.exists() or len(people) < 3:
        return 0
    rng = random.Random(seed)  # noqa: S311 (demo data, not secrets)
    schools = list(Unit.objects.filter(kind="school", is_active=True).order_by("code")[:12])
    categories = {c.code: c for c in LeadCategory.objects.filter(parent__isnull=True)}
    plans = [steps for share, steps in PLANS for _ in range(share)]
    for index in range(count):
        code, story, place = STORIES[index % len(STORIES)]
        involved, victims = PEOPLE[index % len(PEOPLE)]
        school = schools[index % len(schools)] if schools else None
        with transaction.atomic():
            if index % 3 == 0:
                lead, _receipt = portal.lead_submit_public(
                    category=categories[code],
                    description=story,
                    school=school,
                    place=place,
                    persons_involved=involved,
                    victims=victims,
                )
            else:
                lead = services.lead_report(
                    actor=people["safety"],
                    category=categories[code],
                    description=story,
                    place=place,
                    school=school,
                    persons_involved=involved,
                    victims=victims,
                    urgency=rng.choice([Urgency.NORMAL, Urgency.NORMAL, Urgency.URGENT]),
                    reporter_name="演示举报人" if index % 2 else "",
                    reporter_contact="13800000000" if index % 2 else "",
                    is_anonymous=not index % 2,
                )
            _walk(lead, plans[index % len(plans)], people, rng)
            _shift(lead, rng.randint(1, 300) if index % 5 else rng.randint(0, 3))
    return count
