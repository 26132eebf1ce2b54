"""Regulatory numbers as settings, each with the rule it comes from.

A district overrides any of them with an environment variable
``RULE_<NAME>`` (upper case). Code reads them through ``rule(name)`` so that
no number from a regulation is a literal in domain code.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Rule:
    name: str
    value: int
    unit: str
    source: str
    description: str


RULE_DEFAULTS: tuple[Rule, ...] = (
    Rule(
        "audit_retention_days",
        190,
        "days",
        "《网络安全法》第二十一条：网络日志留存不少于六个月 (Cybersecurity Law art. 21)",
        "Audit and security logs are kept at least this long.",
    ),
    Rule(
        "login_failure_limit",
        5,
        "attempts",
        "GB/T 22239-2019 等保三级 身份鉴别：登录失败处理 (MLPS level 3, identification)",
        "Failed logins before an account is locked.",
    ),
    Rule(
        "login_lockout_minutes",
        30,
        "minutes",
        "GB/T 22239-2019 等保三级 身份鉴别：登录失败处理 (MLPS level 3, identification)",
        "How long a locked account stays locked.",
    ),
    Rule(
        "session_idle_minutes",
        30,
        "minutes",
        "GB/T 22239-2019 等保三级 身份鉴别：登录连接超时自动退出 (MLPS level 3)",
        "Idle time after which a session ends.",
    ),
    Rule(
        "transfer_feedback_days",
        15,
        "working days",
        "District practice for feedback on transferred leads; no national number found [GK]",
        "Default time a receiving unit has to report back on a transfer.",
    ),
    Rule(
        "lead_acknowledge_days",
        1,
        "working days",
        "Plan R-2 (issue 3 item 6): a lead is acknowledged within 1 working day [GK]",
        "Time the bureau safety section has to accept or reject a new lead.",
    ),
    Rule(
        "lead_conclude_days",
        30,
        "working days",
        "District practice for concluding a lead; no national number found [GK]",
        "Time to conclude an accepted lead when its category sets no limit of its own.",
    ),
    Rule(
        "portal_receipt_failures",
        10,
        "attempts per window",
        "District practice against receipt guessing; a receipt has 80 random bits [GK]",
        "Wrong receipts one client may try on the public portal within the window.",
    ),
    Rule(
        "portal_receipt_lookups",
        30,
        "requests per minute",
        "SafeCampus design: every answer about a receipt is held to a fixed time, so one "
        "client may hold the web workers only this often",
        "Requests with a receipt (status, message, evidence) one client may make per minute.",
    ),
    Rule(
        "portal_receipt_window_minutes",
        15,
        "minutes",
        "District practice against receipt guessing [GK]",
        "Sliding window of the wrong-receipt limit.",
    ),
    Rule(
        "portal_submissions_per_client",
        20,
        "reports per hour",
        "District practice: a whole school may share one address, unlike GlobaLeaks' "
        "5 per hour per IP [GK]",
        "Reports one client may submit through the public portal per hour.",
    ),
    Rule(
        "portal_submissions_global",
        600,
        "reports per minute",
        "District practice: bounds a flood from many addresses and leaves room for "
        "real reporters [GK]",
        "Reports all clients together may submit through the public portal per minute.",
    ),
    Rule(
        "reporter_reveal_minutes",
        30,
        "minutes",
        "SafeCampus design after 《未成年人保护法》第七十二条 (minors' personal information) and "
        "《个人信息保护法》第二十八条 (sensitive personal information): least exposure",
        "How long an approved request lets its requester see a reporter's identity.",
    ),
    Rule(
        "alert_grace_minutes",
        5,
        "minutes",
        "Issue #4 (SafeCampus design): events older than this are stored but raise no live "
        "alert, so a device's backlog after an outage does not flood the guard room",
        "How old an event may be and still raise a live alert.",
    ),
    Rule(
        "alert_group_minutes",
        10,
        "minutes",
        "SafeCampus design: repeated events of one device, zone and type within this "
        "window grow one alert instead of ringing again",
        "Window in which repeated events join the same open alert.",
    ),
    Rule(
        "alert_ack_seconds",
        60,
        "seconds",
        "Issue #4 / district practice for 一键报警: a critical alert not acknowledged "
        "within 60 s goes to the bureau and the principal [GK]",
        "Time a critical alert may wait for acknowledgement before it escalates.",
    ),
    Rule(
        "device_offline_factor",
        3,
        "heartbeat intervals",
        "Issue #4: a device silent for longer than 3x its heartbeat interval is offline",
        "Missed heartbeat intervals after which a device counts as offline.",
    ),
    Rule(
        "event_future_seconds",
        300,
        "seconds",
        "SafeCampus design: device clocks drift; an event dated further ahead is refused",
        "How far in the future an event's time may be (device clock drift).",
    ),
    Rule(
        "stats_min_cell",
        3,
        "leads",
        "Small-cell suppression in official statistics: the 'rule of three' threshold "
        "(Eurostat, UK ONS; some offices use five) [GK]",
        "Published lead counts from 1 to one below this are suppressed.",
    ),
    Rule(
        "portal_challenge_percent",
        50,
        "percent of a limit",
        "SafeCampus design: a proof-of-work challenge above half of either submission "
        "limit, so a shared school address slows down before it is refused",
        "Share of the per-client or global submission limit above which a report needs "
        "a solved challenge.",
    ),
    Rule(
        "portal_challenge_bits",
        18,
        "leading zero bits",
        "SafeCampus design: about a second or two on a phone, measured in issue #3",
        "Difficulty of the public portal's proof-of-work challenge.",
    ),
    Rule(
        "portal_challenge_minutes",
        60,
        "minutes",
        "SafeCampus design: long enough to write a report after the page is opened",
        "Lifetime of an issued challenge; each one is accepted once within it.",
    ),
    Rule(
        "portal_receipt_answer_ms",
        150,
        "milliseconds",
        "SafeCampus design: the contract's 'a wrong receipt gets 404 after the same time "
        "as a right one', with room above the slowest right-receipt answer measured",
        "Least time a public-portal answer to a receipt takes, right or wrong.",
    ),
    Rule(
        "rectify_days_general",
        10,
        "working days",
        "District practice for general hazards (一般隐患); 《中小学幼儿园安全管理办法》第二十条 "
        "asks hazards to be removed in time, without a number [GK]",
        "Time a school has to rectify a general hazard after the notice.",
    ),
    Rule(
        "rectify_days_serious",
        5,
        "working days",
        "District practice for serious hazards (较大隐患): shorter than general ones [GK]",
        "Time a school has to rectify a serious hazard after the notice.",
    ),
    Rule(
        "rectify_days_major",
        30,
        "working days",
        "《安全生产事故隐患排查治理暂行规定》(国家安监总局令第16号) 第十五条: a major hazard gets "
        "a governance plan with a time limit and interim control measures; 30 is district "
        "practice [GK]",
        "Time a school has to remove a major hazard, under a named interim control measure.",
    ),
    Rule(
        "rectify_resubmit_days",
        5,
        "working days",
        "District practice: after a failed verification the school gets this long again when "
        "the first deadline has passed [GK]",
        "Time to resubmit a returned rectification whose first deadline has passed.",
    ),
    Rule(
        "inspector_visits_per_semester",
        2,
        "visits per school per semester",
        "《教育督导条例》第十四条、第十六条: a supervising inspector visits each school at least "
        "twice a semester",
        "Least supervisory visits per school per semester; plans below it are flagged.",
    ),
    Rule(
        "evaluation_weight_checklist",
        70,
        "points of 100",
        "District safe-campus evaluation (平安校园建设考评) practice: the weighted indicator "
        "list carries most of the score [GK]",
        "Share of the yearly safe-campus score taken from the evaluation checklists.",
    ),
    Rule(
        "evaluation_weight_timeliness",
        20,
        "points of 100",
        "District practice: hazards rectified within their limit (定期排查并及时整改) [GK]",
        "Share of the yearly score taken from rectifications completed on time.",
    ),
    Rule(
        "evaluation_weight_self_inspection",
        10,
        "points of 100",
        "District practice: the monthly self-inspections done as planned [GK]",
        "Share of the yearly score taken from the planned inspections done on time.",
    ),
    Rule(
        "evaluation_overdue_penalty",
        2,
        "points per overdue item",
        "District practice [GK]",
        "Points taken off the yearly score for each rectification still overdue.",
    ),
    Rule(
        "evaluation_overdue_penalty_cap",
        10,
        "points",
        "District practice [GK]",
        "Most points the overdue items can take off the yearly score.",
    ),
    Rule(
        "warning_acknowledge_days",
        1,
        "working days",
        "Issue 6: schools acknowledge (签收) a warning notice within 1 working day",
        "Time a school has to acknowledge the monthly warning notice.",
    ),
    Rule(
        "warning_feedback_days",
        10,
        "working days",
        "District practice for reporting the measures taken (反馈) [GK]",
        "Default time between issuing the notice and the schools' feedback.",
    ),
    Rule(
        "risk_matrix_red",
        20,
        "likelihood × severity",
        "5×5 risk matrix (GB/T 27921-2023 风险管理 风险评估技术) as schools apply it [S]",
        "Least matrix score of a red (level I) register risk.",
    ),
    Rule(
        "risk_matrix_orange",
        12,
        "likelihood × severity",
        "5×5 risk matrix (GB/T 27921-2023) [S]",
        "Least matrix score of an orange (level II) register risk.",
    ),
    Rule(
        "risk_matrix_yellow",
        6,
        "likelihood × severity",
        "5×5 risk matrix (GB/T 27921-2023) [S]",
        "Least matrix score of a yellow (level III) register risk.",
    ),
    Rule(
        "risk_review_days_red",
        30,
        "days",
        "District practice: the higher the level, the more frequent the review [GK]",
        "Days between reviews of a red register risk.",
    ),
    Rule(
        "risk_review_days_orange",
        60,
        "days",
        "District practice [GK]",
        "Days between reviews of an orange register risk.",
    ),
    Rule(
        "risk_review_days_yellow",
        90,
        "days",
        "District practice [GK]",
        "Days between reviews of a yellow register risk.",
    ),
    Rule(
        "risk_review_days_blue",
        180,
        "days",
        "District practice [GK]",
        "Days between reviews of a blue register risk.",
    ),
    Rule(
        "risk_points_hazard_major",
        20,
        "points per hazard",
        "SafeCampus risk model (docs/risk-grading.md); district practice, no national number [GK]",
        "Grade points for each open major hazard.",
    ),
    Rule(
        "risk_points_hazard_serious",
        8,
        "points per hazard",
        "SafeCampus risk model (docs/risk-grading.md); district practice, no national number [GK]",
        "Grade points for each open serious hazard.",
    ),
    Rule(
        "risk_points_hazard_general",
        2,
        "points per hazard",
        "SafeCampus risk model (docs/risk-grading.md); district practice, no national number [GK]",
        "Grade points for each open general hazard.",
    ),
    Rule(
        "risk_points_rectification_overdue",
        6,
        "points per notice",
        "SafeCampus risk model (docs/risk-grading.md); district practice, no national number [GK]",
        "Grade points for each overdue rectification notice.",
    ),
    Rule(
        "risk_points_lead_violent",
        8,
        "points per lead",
        "SafeCampus risk model (docs/risk-grading.md); district practice, no national number [GK]",
        "Grade points for each lead of gangs, lawless persons or bullying and violence "
        "in the month.",
    ),
    Rule(
        "risk_points_lead_other",
        3,
        "points per lead",
        "SafeCampus risk model (docs/risk-grading.md); district practice, no national number [GK]",
        "Grade points for each other lead in the month.",
    ),
    Rule(
        "risk_points_alarm_high",
        2,
        "points per alert",
        "SafeCampus risk model (docs/risk-grading.md); district practice, no national number [GK]",
        "Grade points for each high or critical alarm in the month (false alarms left out).",
    ),
    Rule(
        "risk_points_alarm_unacknowledged",
        3,
        "points per alert",
        "SafeCampus risk model (docs/risk-grading.md); district practice, no national number [GK]",
        "Grade points for each alarm still unacknowledged now.",
    ),
    Rule(
        "risk_points_devices_offline",
        20,
        "points at 100% offline",
        "SafeCampus risk model (docs/risk-grading.md); district practice, no national number [GK]",
        "Grade points for the share of the school's devices offline now.",
    ),
    Rule(
        "risk_points_inspection_missed",
        4,
        "points per inspection",
        "SafeCampus risk model (docs/risk-grading.md); district practice, no national number [GK]",
        "Grade points for each planned inspection of the month not done in time.",
    ),
    Rule(
        "risk_points_register_red",
        15,
        "points per risk",
        "SafeCampus risk model (docs/risk-grading.md); district practice, no national number [GK]",
        "Grade points for each active red risk in the school's register.",
    ),
    Rule(
        "risk_points_register_orange",
        8,
        "points per risk",
        "SafeCampus risk model (docs/risk-grading.md); district practice, no national number [GK]",
        "Grade points for each active orange risk in the school's register.",
    ),
    Rule(
        "risk_factor_cap",
        40,
        "points",
        "SafeCampus risk model (docs/risk-grading.md); district practice, no national number [GK]",
        "Most points any one factor adds to a grade.",
    ),
    Rule(
        "risk_seasonal_cap",
        12,
        "points",
        "SafeCampus risk model (docs/risk-grading.md): below the yellow band's 15, so the "
        "calendar alone never raises a school to a warning; its own evidence does [GK]",
        "Most points the month's seasonal risks add to a grade together.",
    ),
    Rule(
        "evaluation_grade_excellent",
        90,
        "points of 100",
        "District safe-campus evaluation practice (优秀) [GK]",
        "Least yearly score graded excellent.",
    ),
    Rule(
        "evaluation_grade_good",
        80,
        "points of 100",
        "District safe-campus evaluation practice (良好) [GK]",
        "Least yearly score graded good.",
    ),
    Rule(
        "evaluation_grade_pass",
        60,
        "points of 100",
        "District safe-campus evaluation practice (合格) [GK]",
        "Least yearly score graded pass; below it the school fails.",
    ),
    Rule(
        "score_item_fail_percent",
        60,
        "% of the item's points",
        "District practice: a scored check below 60 % is a finding [GK]",
        "A scored checklist item earning less than this share of its points counts as failed.",
    ),
    Rule(
        "warning_more_feedback_days",
        3,
        "working days",
        "District practice [GK]",
        "Time a school has to report again after the bureau asks for more on a warning.",
    ),
)


def load_rules(defaults: tuple[Rule, ...]) -> dict[str, Rule]:
    """Apply ``RULE_<NAME>`` environment overrides; a bad value stops start-up."""
    rules = {}
    for item in defaults:
        raw = os.environ.get(f"RULE_{item.name.upper()}")
        if raw is not None:
            try:
                item = replace(item, value=int(raw))
            except ValueError as exc:
                raise ImproperlyConfigured(f"RULE_{item.name.upper()} must be an integer.") from exc
            if item.value < 0:
                raise ImproperlyConfigured(f"RULE_{item.name.upper()} must not be negative.")
        rules[item.name] = item
    return rules


def rule(name: str) -> int:
    """The value in force for the regulatory number ``name``."""
    from django.conf import settings

    return settings.SAFECAMPUS_RULES[name].value
