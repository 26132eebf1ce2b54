"""The four warning level bands and a default seasonal risk calendar for Jiangsu (江苏).

The calendar follows the province's climate (梅雨 June–July, typhoons July–September,
rain, snow and ice in winter) and the school year (开学 February/March and September,
holidays in January, April/May, July–August, October). It is the bureau's data: edited and
deactivated in the app. ``seed`` is idempotent (rows are matched by level and title and
never overwritten), so tests can call it again.

English names (issue #14) were added later: ``fill_english`` gives a seeded row its English
label, title and measures where they are empty and the Chinese is still the shipped text;
migration 0004 runs it on databases seeded before, and ``seed`` runs it when the model has
the English fields (tests, which seed with the current models). On a fresh install this
migration's historical models have no English fields yet, so 0004 fills them.
"""

from django.db import migrations

#: Must match safecampus.risk.grading.DEFAULT_BANDS (a test checks); the English labels
#: are those of safecampus.risk.choices.WarningLevel.
BANDS = [
    ("red", "一级（红色）", 60, "#d7263d"),
    ("orange", "二级（橙色）", 35, "#f46036"),
    ("yellow", "三级（黄色）", 15, "#e9c46a"),
    ("blue", "四级（蓝色）", 0, "#2e86de"),
]

ALL: list[str] = []
NOT_KINDERGARTEN = ["primary", "nine_year", "junior", "senior", "vocational", "special"]
SECONDARY = ["nine_year", "junior", "senior", "vocational"]

# (title, category, months, school kinds ([] = all), boarding only, near water only, points,
#  required measures)
CALENDAR = [
    (
        "防溺水安全",
        "drowning",
        [5, 6, 7, 8, 9],
        ALL,
        False,
        False,
        5,
        "每周开展一次防溺水安全教育，落实“六不”要求（不私自下水游泳、不擅自与他人结伴游泳、"
        "不在无家长或教师带领的情况下游泳、不到无安全设施无救援人员的水域游泳、不到不熟悉的水域"
        "游泳、不熟悉水性的学生不擅自下水施救）；排查学校周边危险水域并设置警示标志；节假日前"
        "发放《致家长的一封信》，落实家长监护责任并收回回执。",
    ),
    (
        "临水学校防溺水重点防控",
        "drowning",
        [5, 6, 7, 8, 9],
        ALL,
        False,
        True,
        10,
        "上下学时段和节假日安排专人巡查学校周边河道、池塘、沟渠；会同属地镇（街道）、村（社区）"
        "在危险水域设置防护栏、警示牌，配备救生圈、救生杆等救生器材；建立“河长+校长”联动巡查"
        "机制，发现学生私自下水立即劝离并告知家长。",
    ),
    (
        "梅雨季防汛防雷",
        "natural_disaster",
        [6, 7],
        ALL,
        False,
        False,
        4,
        "入梅前全面排查校舍屋面、围墙、挡土墙、排水沟渠和低洼地带，疏通排水管网；检查防雷装置"
        "并留存年度检测报告；储备抽水泵、沙袋、应急照明等防汛物资；暴雨、雷电预警期间停止户外"
        "活动，必要时按教育部门部署调整上下学时间。",
    ),
    (
        "台风防御",
        "natural_disaster",
        [7, 8, 9],
        ALL,
        False,
        False,
        4,
        "密切关注台风预警信息，提前加固或拆除广告牌、围挡、脚手架、临时构筑物，修剪校园高大"
        "树木；排查危房、围墙和高空坠物隐患；台风橙色及以上预警时按教育部门统一部署停课并做好"
        "学生安全转移；落实24小时值班和领导带班制度。",
    ),
    (
        "高温防暑降温",
        "natural_disaster",
        [7, 8],
        ALL,
        False,
        False,
        3,
        "合理调整体育课、户外活动、军训和暑期托管的时间，避开每日高温时段；检查教室、宿舍、"
        "食堂的通风降温设施和电气线路负荷；医务室备足防暑降温药品；开展防中暑和急救知识教育。",
    ),
    (
        "秋冬季消防安全",
        "fire",
        [10, 11, 12, 1, 2],
        ALL,
        False,
        False,
        5,
        "11月消防宣传月组织一次全员应急疏散演练；全面排查电气线路老化、违规使用大功率电器、"
        "电动自行车违规停放充电等隐患；检查消防设施器材完好有效，疏散通道、安全出口畅通；"
        "食堂燃气管道、阀门和燃气泄漏报警装置每月检查并记录。",
    ),
    (
        "寄宿制学校宿舍防火和防一氧化碳中毒",
        "fire",
        [11, 12, 1, 2],
        ALL,
        True,
        False,
        8,
        "宿舍严禁使用明火、电热毯、“热得快”等违规电器，定期开展违规电器清查；落实宿舍夜间值班"
        "巡查和查寝制度；使用燃气、燃煤取暖的场所安装一氧化碳报警器并保持通风；每学期至少组织"
        "一次宿舍夜间疏散演练。",
    ),
    (
        "雨雪冰冻天气防范",
        "natural_disaster",
        [12, 1, 2],
        ALL,
        False,
        False,
        3,
        "及时清扫校园道路、台阶、楼梯积雪结冰，铺设防滑垫并设置提示；检查校舍、连廊、车棚等"
        "屋面积雪荷载，防止坍塌；做好供水管道和消防管道防冻；道路结冰预警时必要时调整上下学"
        "时间、暂停校车运行。",
    ),
    (
        "开学季交通安全和校车安全",
        "traffic_bus",
        [2, 3, 9],
        ALL,
        False,
        False,
        4,
        "开学前全面核查校车车辆检验、驾驶人和照管员资质，落实照管员上下车清点人数制度；会同"
        "公安交警在上下学高峰设置“护学岗”，规范校门口接送秩序；上好交通安全“开学第一课”，"
        "教育学生不乘坐“黑校车”、非法营运车辆和超员车辆。",
    ),
    (
        "节假日前防范电信网络诈骗",
        "cyber_fraud",
        [1, 4, 6, 9, 12],
        SECONDARY,
        False,
        False,
        4,
        "放假前开展一次防范电信网络诈骗专题教育，讲清刷单返利、网络游戏交易、冒充客服和"
        "“免费领皮肤”等常见骗局；提醒学生不出租、出借本人银行卡和手机卡；通过家长群推送防骗"
        "提示，指导家长管理支付密码。",
    ),
    (
        "校园贷、套路贷防范",
        "campus_loans",
        [1, 4, 6, 9, 12],
        ["senior", "vocational"],
        False,
        False,
        4,
        "开学初和放假前开展防范校园贷、套路贷教育，公布学校资助政策和求助渠道；班主任排查学生"
        "异常消费和借贷情况，发现线索及时向教育部门和公安机关报告；清理校园内及周边非法借贷"
        "小广告。",
    ),
    (
        "夏季食品安全",
        "food",
        [6, 7, 8, 9],
        ALL,
        False,
        False,
        4,
        "落实食堂“明厨亮灶”和食品留样制度（每个品种不少于125克，冷藏保存48小时以上）；严格"
        "食材采购索证索票和进货查验；加强冷藏、消毒设施检查，防止食物腐败变质；落实学校负责人"
        "陪餐制度，规范校外供餐单位管理。",
    ),
    (
        "诺如病毒等肠道传染病防控",
        "food",
        [11, 12, 1, 2, 3],
        ["kindergarten", "primary", "nine_year"],
        False,
        False,
        4,
        "落实晨午检和因病缺勤病因追查登记制度；出现呕吐、腹泻聚集性病例立即向疾控部门和教育"
        "部门报告，按规范消毒处置呕吐物；加强饮用水和食堂卫生管理，食堂从业人员有症状即离岗；"
        "教育学生勤洗手、喝开水、吃熟食。",
    ),
    (
        "春季传染病防控",
        "other",
        [3, 4],
        ALL,
        False,
        False,
        3,
        "落实晨午检、因病缺勤病因追查与登记和复课证明查验制度；教室、宿舍、图书馆每日通风并"
        "定期消毒；查验新入学儿童预防接种证并督促补种；发现疑似传染病病例按规定报告并落实隔离。",
    ),
    (
        "校园欺凌防治",
        "bullying_violence",
        [3, 9, 11],
        NOT_KINDERGARTEN,
        False,
        False,
        4,
        "开学初开展一次全员防欺凌专题教育和学生问卷调查；11月“国际反对校园暴力和欺凌包括"
        "网络欺凌日”开展主题班会；排查学生矛盾纠纷和异常行为，公布欺凌举报电话和渠道；"
        "学生欺凌治理委员会对发现的欺凌事件及时调查认定和处置。",
    ),
    (
        "考试季心理健康",
        "mental_health",
        [5, 6, 12, 1],
        SECONDARY,
        False,
        False,
        4,
        "考前开展心理疏导和减压团体辅导；班主任、心理教师排查心理危机学生，落实“一生一档”和"
        "家校沟通；对重点关注学生落实专人联系和陪伴；公布心理援助热线，发现自伤自杀风险立即"
        "启动危机干预并告知家长。",
    ),
    (
        "春季大风天气和集会踩踏防范",
        "campus_security",
        [3],
        ALL,
        False,
        False,
        3,
        "大风天气前加固门窗、宣传栏、旗杆、空调外机等高空设施；检查楼道照明、楼梯扶手和"
        "疏散通道；集会、课间操、放学时段错时错峰，楼梯口安排教师值守；3月最后一个周一"
        "“全国中小学生安全教育日”组织一次应急疏散演练。",
    ),
    (
        "暑期社会实践和研学旅行安全",
        "traffic_bus",
        [7, 8],
        NOT_KINDERGARTEN,
        False,
        False,
        3,
        "研学旅行和社会实践活动实行“一事一案”，出行前报教育部门备案；核查承办机构、车辆、"
        "住宿和餐饮资质，为学生购买意外伤害保险；按比例配齐带队教师和安全员，出发前开展安全"
        "教育；严禁组织学生到无安全保障的水域、山区开展活动。",
    ),
]


BAND_ENGLISH = {
    "red": "Level I (red)",
    "orange": "Level II (orange)",
    "yellow": "Level III (yellow)",
    "blue": "Level IV (blue)",
}

#: Chinese title → (English title, English measures).
CALENDAR_ENGLISH = {
    "防溺水安全": (
        "Drowning prevention",
        "Give a drowning-prevention lesson every week and enforce the “six don'ts” (no "
        "swimming without permission, no swimming with friends without permission, no "
        "swimming without a parent or teacher present, no swimming in waters without safety "
        "facilities or lifeguards, no swimming in unfamiliar waters, and pupils who cannot "
        "swim well never go into the water to rescue others); survey the dangerous waters "
        "around the school and put up warning signs; before each holiday send the “Letter "
        "to parents”, remind parents of their duty of supervision and collect the signed "
        "receipts.",
    ),
    "临水学校防溺水重点防控": (
        "Drowning prevention at schools near water",
        "Assign staff to patrol the rivers, ponds and ditches around the school at arrival "
        "and dismissal times and on holidays; with the local town (subdistrict) and village "
        "(community), put up guard rails and warning signs at dangerous waters and provide "
        "life buoys, rescue poles and other life-saving equipment; set up joint patrols of "
        "the river chief and the principal, and when pupils are found in the water without "
        "permission, send them out at once and tell their parents.",
    ),
    "梅雨季防汛防雷": (
        "Plum rain season: floods and lightning",
        "Before the plum rain season, inspect school roofs, perimeter walls, retaining walls, "
        "drainage ditches and low-lying ground and clear the drains; check the lightning "
        "protection and keep its annual test report; stock pumps, sandbags, emergency "
        "lighting and other flood supplies; stop outdoor activities during rainstorm and "
        "thunderstorm warnings and, where needed, change arrival and dismissal times as the "
        "education authority directs.",
    ),
    "台风防御": (
        "Typhoon defence",
        "Follow typhoon warnings closely; secure or take down billboards, hoardings, "
        "scaffolding and temporary structures in advance and prune tall trees on campus; "
        "check for unsafe buildings, walls and objects that could fall from height; at an "
        "orange or higher typhoon warning, suspend classes as the education authority "
        "directs and move pupils to safety; keep a 24-hour duty roster with a school leader "
        "on duty.",
    ),
    "高温防暑降温": (
        "Heat and heatstroke",
        "Move PE lessons, outdoor activities, military training and summer day care away "
        "from the hottest hours of the day; check the ventilation and cooling of classrooms, "
        "dormitories and canteens and the load on electrical wiring; stock the school "
        "clinic with heatstroke medicines; teach heatstroke prevention and first aid.",
    ),
    "秋冬季消防安全": (
        "Fire safety in autumn and winter",
        "Hold a whole-school emergency evacuation drill in November, the fire safety month; "
        "check for ageing wiring, banned high-power appliances and e-bikes parked or charged "
        "where they must not be; make sure fire equipment works and escape routes and exits "
        "are clear; check the canteen's gas pipes, valves and gas leak alarms every month "
        "and keep a record.",
    ),
    "寄宿制学校宿舍防火和防一氧化碳中毒": (
        "Dormitory fire and carbon monoxide safety at boarding schools",
        "Ban open flames, electric blankets, immersion heaters and other prohibited "
        "appliances in dormitories and search for them regularly; keep night patrols and "
        "bed checks in the dormitories; fit carbon monoxide alarms and keep rooms ventilated "
        "wherever gas or coal is burnt for heating; hold at least one night-time dormitory "
        "evacuation drill each term.",
    ),
    "雨雪冰冻天气防范": (
        "Rain, snow and ice",
        "Clear snow and ice from campus roads, steps and stairs promptly, lay non-slip mats "
        "and put up warnings; check the snow load on the roofs of school buildings, covered "
        "walkways and bicycle sheds to prevent collapse; protect water and fire-fighting "
        "pipes from freezing; during icy-road warnings, change arrival and dismissal times "
        "and suspend school buses if needed.",
    ),
    "开学季交通安全和校车安全": (
        "Traffic and school bus safety at the start of term",
        "Before term starts, check school buses' inspections and the qualifications of "
        "drivers and attendants, and have attendants count pupils on and off the bus; with "
        "the traffic police, staff “school escort posts” at the busiest arrival and "
        "dismissal times and keep pick-up at the school gate orderly; give the traffic "
        "safety “first lesson of term” and teach pupils never to ride unlicensed school "
        "buses, illegal taxis or overloaded vehicles.",
    ),
    "节假日前防范电信网络诈骗": (
        "Phone and online fraud before holidays",
        "Before each holiday, give a lesson on phone and online fraud that explains common "
        "scams such as paid order brushing, game item trading, fake customer service and "
        "“free skins”; remind pupils never to rent out or lend their bank cards or SIM "
        "cards; send fraud warnings through the parents' groups and advise parents on "
        "keeping payment passwords safe.",
    ),
    "校园贷、套路贷防范": (
        "Campus loans and loan traps",
        "At the start of term and before holidays, teach pupils about campus loans and loan "
        "traps and publish the school's financial aid and where to ask for help; class "
        "teachers look out for unusual spending and borrowing and report any lead to the "
        "education authority and the police promptly; remove illegal loan advertisements on "
        "and around the campus.",
    ),
    "夏季食品安全": (
        "Food safety in summer",
        "Keep the canteen's open kitchen and food sample rules (at least 125 g of each dish, "
        "kept refrigerated for 48 hours or more); require certificates and invoices for all "
        "food purchases and inspect every delivery; check refrigeration and disinfection "
        "equipment so that food does not spoil; have the school's leaders eat with the "
        "pupils, and manage outside meal suppliers properly.",
    ),
    "诺如病毒等肠道传染病防控": (
        "Norovirus and other intestinal infections",
        "Keep the morning and midday health checks and record the cause of every sick "
        "absence; report clusters of vomiting or diarrhoea at once to the disease control "
        "and education authorities and disinfect vomit as the rules require; tighten the "
        "hygiene of drinking water and the canteen, and take canteen staff with symptoms off "
        "duty at once; teach pupils to wash their hands often, drink boiled water and eat "
        "cooked food.",
    ),
    "春季传染病防控": (
        "Infectious diseases in spring",
        "Keep the morning and midday health checks, record the cause of every sick absence "
        "and check return-to-school certificates; air classrooms, dormitories and the "
        "library every day and disinfect them regularly; check new pupils' vaccination "
        "records and see that missed vaccinations are made up; report suspected cases of "
        "infectious disease as required and isolate them.",
    ),
    "校园欺凌防治": (
        "Preventing school bullying",
        "At the start of term, give every pupil an anti-bullying lesson and run a pupil "
        "survey; hold class meetings in November on the International Day against Violence "
        "and Bullying at School including Cyberbullying; look out for conflicts between "
        "pupils and unusual behaviour, and publish the telephone number and channels for "
        "reporting bullying; the school's bullying committee investigates, establishes and "
        "deals with every case found, promptly.",
    ),
    "考试季心理健康": (
        "Mental health in exam season",
        "Before exams, offer counselling and group stress-relief sessions; class teachers "
        "and counsellors identify pupils in psychological crisis, keep a file for each and "
        "stay in touch with their families; assign a named adult to keep in contact with "
        "and accompany each pupil of concern; publish the psychological support hotline, "
        "and when a risk of self-harm or suicide is found, start crisis intervention at "
        "once and tell the parents.",
    ),
    "春季大风天气和集会踩踏防范": (
        "Spring gales and crowd crushes at assemblies",
        "Before gales, secure windows and doors, notice boards, flagpoles, outdoor "
        "air-conditioning units and other fixtures at height; check corridor lighting, "
        "stair handrails and escape routes; stagger assemblies, morning exercises and "
        "dismissal, with a teacher at each stairway; hold an emergency evacuation drill on "
        "the National Safety Education Day for Primary and Secondary School Students, the "
        "last Monday of March.",
    ),
    "暑期社会实践和研学旅行安全": (
        "Summer social practice and study trips",
        "Plan each study trip and social practice activity on its own and file the plan "
        "with the education authority before setting out; check the licences of the "
        "organiser, vehicles, accommodation and catering, and insure the pupils against "
        "accidents; send enough teachers and safety staff for the size of the group and "
        "brief the pupils on safety before departure; never take pupils to waters or "
        "mountains without safety arrangements.",
    ),
}


def _has_english(model):
    return any(field.name == "label_en" for field in model._meta.get_fields())


def fill_english(apps, schema_editor):
    """Give the seeded rows their English where it is empty: a band by its level, a calendar
    entry's title by its Chinese title, its measures only while they are the shipped text
    (the bureau's own wording has no translation here)."""
    RiskLevelBand = apps.get_model("risk", "RiskLevelBand")
    SeasonalRisk = apps.get_model("risk", "SeasonalRisk")
    for level, english in BAND_ENGLISH.items():
        RiskLevelBand.objects.filter(level=level, label_en="").update(label_en=english)
    shipped = {title: measures for title, *_rest, measures in CALENDAR}
    for title, (title_en, measures_en) in CALENDAR_ENGLISH.items():
        SeasonalRisk.objects.filter(title=title, title_en="").update(title_en=title_en)
        SeasonalRisk.objects.filter(title=title, measures=shipped[title], measures_en="").update(
            measures_en=measures_en
        )


def seed(apps, schema_editor):
    RiskLevelBand = apps.get_model("risk", "RiskLevelBand")
    SeasonalRisk = apps.get_model("risk", "SeasonalRisk")
    for level, label, least, color in BANDS:
        RiskLevelBand.objects.get_or_create(
            level=level, defaults={"label": label, "min_score": least, "color": color}
        )
    for title, category, months, kinds, boarding, water, points, measures in CALENDAR:
        SeasonalRisk.objects.get_or_create(
            title=title,
            defaults={
                "category": category,
                "months": months,
                "school_kinds": kinds,
                "boarding_only": boarding,
                "near_water_only": water,
                "points": points,
                "measures": measures,
            },
        )
    if _has_english(RiskLevelBand):
        fill_english(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("risk", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
