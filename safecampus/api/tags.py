"""The OpenAPI tags, one per module (read by settings, so this module imports nothing)."""

#: One tag per module, "中文 · English", in the order Swagger UI lists them.
API_TAGS = [
    {"name": "leads", "description": "线索 · Leads: the ledger, moves, transfers, reveal"},
    {"name": "public", "description": "举报入口 · Public reporting, no account (receipts)"},
    {"name": "security", "description": "智慧安防 · Smart security: alerts and statistics"},
    {
        "name": "devices",
        "description": "设备接入 · Device ingestion: devices authenticate, not users",
    },
    {"name": "inspections", "description": "检查与整改 · Inspections, hazards, rectification"},
    {"name": "risk", "description": "风险预警 · Monthly risk grades, warnings, the register"},
    {"name": "organisations", "description": "组织机构 · Schools, units and the caller"},
    {"name": "audit", "description": "审计 · The audit trail (auditors only)"},
]
