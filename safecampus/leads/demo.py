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

#: Forty distinct reports across the six categories, in the words a student or parent uses.
STORIES = [
    ("gang_disruption", "放学时校门口有几名社会青年拦住学生索要零花钱，不给就推搡。", "东门"),
    ("gang_disruption", "有人在学校后门的小卖部附近寻衅滋事，多次殴打路过的学生。", "后门小卖部"),
    (
        "gang_disruption",
        "晚自习下课后，一伙骑摩托车的青年在校门口鸣笛起哄，还向学生扔矿泉水瓶。",
        "南门",
    ),
    (
        "gang_disruption",
        "有社会人员冒充家长混进校园，在教学楼走廊里拦住学生问班级和住址。",
        "教学楼走廊",
    ),
    (
        "gang_disruption",
        "校外人员纠集十余人到学校门口，声称要“教训”某个学生，保安劝离后又回来。",
        "校门口",
    ),
    (
        "gang_disruption",
        "学校附近台球室老板指使学生给他“收保护费”，不交的同学被威胁放学后挨打。",
        "台球室",
    ),
    ("gang_disruption", "周末补课时，有几名青年翻墙进入操场抢走学生的手机。", "操场西侧围墙"),
    ("lawless_persons", "最近一周每天傍晚有两名纹身男子在校门对面徘徊，盯着女生拍照。", "校门对面"),
    ("lawless_persons", "学校围墙外的网吧有人向学生兜售电子烟。", "围墙外网吧"),
    ("lawless_persons", "有一名中年男子多次在放学路上尾随女生，问她要不要搭车回家。", "放学路线"),
    ("lawless_persons", "校门口烧烤摊晚上有人聚众喝酒，酒后拦学生借钱。", "校门口烧烤摊"),
    (
        "lawless_persons",
        "有人在学校附近的公园长椅上向学生推销来历不明的药片，说能提神。",
        "附近公园",
    ),
    ("lawless_persons", "刑满释放人员在学校旁开了家小饭馆，常叫学生进去喝酒打牌。", "学校旁小饭馆"),
    (
        "lawless_persons",
        "家长群里流传有人开面包车在校门口给学生发“兼职”传单，要求加微信私聊。",
        "校门口",
    ),
    (
        "construction_coercion",
        "学校食堂改造工程有人强行要求必须用他们的砂石，否则阻挠施工。",
        "食堂工地",
    ),
    (
        "construction_coercion",
        "操场翻新工程中标后，当地几个人堵住工地大门要求承包土方，否则不让进场。",
        "操场工地",
    ),
    ("construction_coercion", "新教学楼工地有人每天来“收管理费”，施工方不敢报警。", "新教学楼工地"),
    (
        "construction_coercion",
        "学校围墙加固项目被人强揽，材料以次充好，工人说背后有人撑腰。",
        "围墙施工段",
    ),
    (
        "construction_coercion",
        "宿舍楼维修招标前有人打电话给投标单位，让他们“识相点”退出。",
        "宿舍楼",
    ),
    ("campus_loans", "有学生在群里推广“校园贷”，借一千还两千，逾期就去家里闹。", "班级群"),
    ("campus_loans", "有人在宿舍楼发放小额贷款传单，承诺无需父母同意。", "学生宿舍"),
    (
        "campus_loans",
        "学生说在游戏里认识的人借钱给他充值，现在每天打电话威胁要告诉学校。",
        "网络游戏",
    ),
    (
        "campus_loans",
        "有高年级学生帮外面的人拉同学“刷单”，先垫钱后返利，已有人被骗三千元。",
        "高三年级",
    ),
    ("campus_loans", "家长发现孩子手机里有多个借贷软件，借款用途写的是“买手机”。", "学生手机"),
    (
        "campus_loans",
        "校外奶茶店老板让学生拿身份证办卡“领补贴”，结果名下多了几笔贷款。",
        "校外奶茶店",
    ),
    ("campus_loans", "学生反映有人冒充学校老师在群里收“资料费”，付款后被拉黑。", "年级家长群"),
    (
        "bullying_violence",
        "初二有学生长期被同班几个人排挤辱骂，还被拍视频发到网上。",
        "初二（3）班",
    ),
    ("bullying_violence", "午休时有高年级学生在厕所里围殴低年级学生并索要钱财。", "教学楼二楼厕所"),
    ("bullying_violence", "体育课后有学生被锁在器材室里，家长反映孩子不敢上学。", "器材室"),
    (
        "bullying_violence",
        "宿舍里几名同学每晚逼一名学生给他们洗衣服、买零食，不做就不让睡觉。",
        "男生宿舍",
    ),
    ("bullying_violence", "有学生在班级群里被起侮辱性外号，几十人跟着发表情包嘲笑。", "班级群"),
    ("bullying_violence", "放学路上一名女生被同校几人拦住扇耳光，旁边有人拍视频。", "放学路上"),
    (
        "bullying_violence",
        "有学生的书包和作业本多次被扔进垃圾桶，老师批评后仍在继续。",
        "初一（5）班",
    ),
    ("bullying_violence", "孩子回家说课间被几个同学按在地上，身上有淤青，但不敢说是谁。", "操场"),
    ("other", "校门口交通秩序混乱，有人驾驶无牌摩托车冲撞学生队伍。", "校门口路段"),
    ("other", "学校附近的废品收购站堆放大量易燃物，离教学楼不到五十米。", "学校北侧"),
    ("other", "有无证黑车每天在校门口揽客接送学生，超载严重。", "校门口"),
    ("other", "学校对面新开的酒吧营业到凌晨，音乐声很大，经常有人醉酒闹事。", "学校对面"),
    ("other", "有人在学校周边散发宗教宣传品，拉学生去“聚会”。", "学校周边"),
    ("other", "学校后山小路没有路灯，最近有学生晚归时被陌生人吓到。", "后山小路"),
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


#: Days before each step is taken (low, high).
STEP_DAYS = {
    "accept": (0, 1),
    "reject": (0, 2),
    "assign": (0, 2),
    "transfer": (0, 2),
    "handle": (1, 4),
    "conclude": (2, 18),
    "close": (1, 6),
}


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
        # Days pass before each step: what came before moves back, so a concluded lead has
        # lived days or weeks (the statistics' conclusion days), not a few milliseconds.
        low, high = STEP_DAYS.get(step, (0, 1))
        _shift(lead, rng.randint(low, high))
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
