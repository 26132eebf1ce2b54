"""The district's starting checklists (常州市新北区), each published as version 1.

The content is frozen here on purpose: a migration must not import app code that may
change. ``seed`` is idempotent and leaves alone any checklist whose code already exists,
so the bureau's own later versions are never overwritten.
"""

from decimal import Decimal

from django.db import migrations
from django.utils import timezone

GB_TECH = "GB/T 29315-2022《中小学、幼儿园安全技术防范系统要求》"
SAFETY_RULES = "《中小学幼儿园安全管理办法》"
BUS_RULES = "《校车安全管理条例》"
SUPERVISION_RULES = "《教育督导条例》"
FIRE_LAW = (
    "《中华人民共和国消防法》及《机关、团体、企业、事业单位消防安全管理规定》（公安部令第61号）"
)
FOOD_RULES = "《学校食品安全与营养健康管理规定》"


def item(
    code,
    text,
    guidance,
    points=2,
    *,
    kind="yes_no",
    level="",
    category=None,
    photo=True,
    veto=False,
    low=None,
    high=None,
    unit="",
    required=True,
):
    return {
        "code": code,
        "text": text,
        "guidance": guidance,
        "item_type": kind,
        "weight": Decimal(str(points)),
        "severity": level,
        "category": category,
        "photo_on_fail": photo,
        "veto": veto,
        "min_value": None if low is None else Decimal(str(low)),
        "max_value": None if high is None else Decimal(str(high)),
        "unit_label": unit,
        "required": required,
    }


DAILY_GATE_PATROL = {
    "code": "daily-gate-patrol",
    "name": "门卫与巡逻日检查表",
    "kind": "daily_patrol",
    "description": "门卫、护校和校园巡逻每日检查，由值班保安员或门卫逐项填报，值班行政复核。",
    "sections": [
        (
            "门卫值守",
            "gate",
            [
                item(
                    "D-01",
                    "门卫室24小时有人值守，交接班记录完整",
                    f"检查要点：值守人员在岗、交接班签字齐全。依据：{SAFETY_RULES}、{GB_TECH}。",
                    10,
                    level="serious",
                ),
                item(
                    "D-02",
                    "外来人员、车辆经核实身份并登记后方可入校",
                    "检查要点：访客登记簿或访客系统记录与实际一致，与被访人电话核实。"
                    f"依据：{SAFETY_RULES}第十六条关于门卫制度的规定。",
                    10,
                    level="general",
                ),
                item(
                    "D-03",
                    "上下学高峰时段护学岗到位（保安、教师、家长志愿者）",
                    "检查要点：护学岗人员着装、站位到位，配合属地派出所“护学岗”勤务。",
                    8,
                    level="general",
                ),
                item(
                    "D-04",
                    "校门口防冲撞设施（隔离桩、升降柱、阻车器）处于防护状态",
                    f"检查要点：非车辆通行时段处于阻挡状态，无损坏、无移位。依据：{GB_TECH}。",
                    10,
                    level="serious",
                ),
                item(
                    "D-05",
                    "门卫室防卫器械（钢叉、盾牌、警棍、防割手套等）配备齐全、放置取用方便",
                    "检查要点：器械完好、数量与登记一致，保安员会使用。",
                    6,
                    level="general",
                    category="security_staff",
                ),
                item(
                    "D-06",
                    "一键报警装置当日测试正常，与公安机关联网畅通",
                    f"检查要点：按测试流程触发并与接警中心确认，记录测试时间。依据：{GB_TECH}。",
                    10,
                    level="major",
                    category="technical",
                ),
            ],
        ),
        (
            "校园巡逻",
            "gate",
            [
                item(
                    "D-07",
                    "当日校园巡逻次数",
                    "检查要点：在校期间巡逻不少于5次，夜间寄宿学校另加夜巡；以巡更记录为准。",
                    8,
                    kind="number",
                    level="general",
                    low=5,
                    unit="次",
                    photo=False,
                ),
                item(
                    "D-08",
                    "重点部位（围墙、配电房、食堂、宿舍、实验室、监控室）巡查无异常",
                    "检查要点：门窗锁闭、无陌生人滞留、无翻越痕迹；发现异常立即报告值班行政。",
                    10,
                    level="general",
                ),
                item(
                    "D-09",
                    "消防通道、疏散通道畅通，无占用、无锁闭",
                    f"检查要点：逐层查看安全出口。依据：{FIRE_LAW}。",
                    10,
                    level="major",
                    category="fire",
                ),
                item(
                    "D-10",
                    "监控室有人值守，视频监控画面正常、无黑屏",
                    f"检查要点：抽查校门、围墙、主要通道画面，录像正常。依据：{GB_TECH}。",
                    8,
                    level="general",
                    category="technical",
                ),
                item(
                    "D-11",
                    "校园周界及围墙完好，周界报警无故障",
                    "检查要点：围墙无破损、无攀爬物，周界报警布防正常。",
                    10,
                    level="serious",
                    category="technical",
                ),
                item(
                    "D-12",
                    "当日值班情况记录",
                    "写明值班人员、发现的异常及处置情况；无异常写“正常”。",
                    0,
                    kind="text",
                    photo=False,
                ),
            ],
        ),
    ],
}

MONTHLY_SELF_INSPECTION = {
    "code": "monthly-self-inspection",
    "name": "学校安全月度自查表",
    "kind": "self_inspection",
    "description": (
        "学校每月开展一次安全隐患全面自查，由分管安全副校长组织，安全专干汇总，"
        "发现的隐患进入隐患台账并限期整改。"
    ),
    "sections": [
        (
            "消防安全",
            "fire",
            [
                item(
                    "M-01",
                    "疏散通道、安全出口畅通，未被占用、堵塞或锁闭",
                    f"检查要点：教学楼、宿舍楼、食堂逐层检查。依据：{FIRE_LAW}。",
                    4,
                    level="major",
                ),
                item(
                    "M-02",
                    "灭火器配置数量充足、压力正常、在有效期内并每月检查记录",
                    "检查要点：压力表指针在绿区，瓶身检查卡每月签字。依据：GB 50140《建筑灭火器配置设计规范》。",
                    3,
                    level="general",
                ),
                item(
                    "M-03",
                    "室内消火栓、喷淋等消防设施完好有效，水压正常",
                    "检查要点：消火栓箱内水带、水枪齐全，末端试水压力正常。",
                    3,
                    level="serious",
                ),
                item(
                    "M-04",
                    "应急照明和疏散指示标志完好，断电后能正常工作",
                    "检查要点：按下测试按钮检查应急照明，指示方向正确。",
                    2,
                    level="general",
                ),
                item(
                    "M-05",
                    "消防控制室24小时双人值班，值班人员持证上岗",
                    "检查要点：值班记录、消防设施操作员证书。依据：GB 25506《消防控制室通用技术要求》。",
                    3,
                    level="serious",
                    photo=False,
                ),
                item(
                    "M-06",
                    "电动自行车集中停放、集中充电，未在楼道、室内停放充电",
                    "检查要点：车棚充电设施具备定时断电功能。",
                    2,
                    level="serious",
                ),
            ],
        ),
        (
            "用电与燃气",
            "electrical",
            [
                item(
                    "M-07",
                    "无私拉乱接电线、无超负荷用电，插座、开关完好",
                    "检查要点：办公室、功能室、宿舍抽查。",
                    3,
                    level="general",
                ),
                item(
                    "M-08",
                    "配电房（箱）上锁、有警示标识，无杂物堆放，漏电保护装置有效",
                    "检查要点：按试验按钮检查漏电保护器动作。",
                    3,
                    level="serious",
                ),
                item(
                    "M-09",
                    "燃气管道、阀门无泄漏，燃气泄漏报警装置正常并与切断阀联动",
                    "检查要点：肥皂水检测接口，报警器测试。",
                    3,
                    level="major",
                ),
                item(
                    "M-10",
                    "防雷装置每年检测合格，检测报告在有效期内",
                    "检查要点：查看防雷检测报告。",
                    2,
                    level="general",
                    photo=False,
                ),
            ],
        ),
        (
            "校舍与设施",
            "building",
            [
                item(
                    "M-11",
                    "校舍无裂缝、渗漏、墙皮脱落等安全隐患，危房已停用并设警示",
                    f"检查要点：对照校舍安全鉴定结论逐栋检查。依据：{SAFETY_RULES}。",
                    4,
                    level="major",
                ),
                item(
                    "M-12",
                    "楼梯、走廊、阳台栏杆牢固，高度符合要求，无攀爬物",
                    "检查要点：中小学临空栏杆净高不低于1.10米，竖向杆件间距不大于0.11米"
                    "（GB 50099《中小学校设计规范》）。",
                    3,
                    level="serious",
                ),
                item(
                    "M-13",
                    "围墙、大门、体育器材、游乐设施牢固完好，无松动锈蚀",
                    "检查要点：篮球架、单双杠、滑梯等逐一检查。",
                    3,
                    level="serious",
                ),
                item(
                    "M-14",
                    "实验室危险化学品专柜存放，双人双锁管理，领用登记完整",
                    "检查要点：易制毒、易制爆化学品台账账物相符。",
                    3,
                    level="major",
                ),
            ],
        ),
        (
            "食堂与食品安全",
            "canteen",
            [
                item(
                    "M-15",
                    "食品经营许可证在有效期内，从业人员持有效健康证明上岗",
                    f"检查要点：核对人员名单与健康证明。依据：{FOOD_RULES}。",
                    3,
                    level="serious",
                    photo=False,
                ),
                item(
                    "M-16",
                    "从业人员每日晨检并记录，患有碍于食品安全疾病者已调离",
                    "检查要点：查看晨检记录。",
                    2,
                    level="general",
                    photo=False,
                ),
                item(
                    "M-17",
                    "每餐次食品成品留样，每个品种不少于125克，冷藏保存48小时以上",
                    f"检查要点：留样柜温度、标签、记录。依据：{FOOD_RULES}。",
                    3,
                    level="serious",
                ),
                item(
                    "M-18",
                    "食品原料进货查验、索证索票齐全，无过期变质食品",
                    "检查要点：抽查库房原料保质期与台账。",
                    3,
                    level="serious",
                ),
                item(
                    "M-19",
                    "食堂“明厨亮灶”正常运行，加工区域生熟分开，食品库房防鼠防蝇设施完好",
                    "检查要点：视频画面、挡鼠板、灭蝇灯。",
                    2,
                    level="general",
                ),
                item(
                    "M-20",
                    "学校负责人陪餐制度落实并有记录",
                    f"检查要点：陪餐记录。依据：{FOOD_RULES}。",
                    1,
                    level="general",
                    photo=False,
                ),
            ],
        ),
        (
            "宿舍安全（寄宿制学校）",
            "dormitory",
            [
                item(
                    "M-21",
                    "宿舍管理员夜间值班，按时查寝并记录学生在寝情况",
                    "检查要点：查寝记录、夜间值班记录；非寄宿学校选“不适用”。",
                    2,
                    level="serious",
                    photo=False,
                ),
                item(
                    "M-22",
                    "宿舍内无违规电器、无明火，床铺护栏完好",
                    "检查要点：抽查宿舍，核对违规电器清查记录。",
                    2,
                    level="general",
                ),
                item(
                    "M-23",
                    "宿舍楼安全出口夜间不上锁，或有专人值守可随时开启",
                    f"检查要点：夜间出口状态。依据：{FIRE_LAW}。",
                    3,
                    level="major",
                ),
            ],
        ),
        (
            "门卫与校门",
            "gate",
            [
                item(
                    "M-24",
                    "学校实行封闭化管理，外来人员、车辆登记核实后进入",
                    f"检查要点：访客登记与系统记录。依据：{SAFETY_RULES}。",
                    3,
                    level="general",
                ),
                item(
                    "M-25",
                    "校门口设置防冲撞设施，上下学时段护学岗落实",
                    "检查要点：防冲撞设施完好率、护学岗排班表。",
                    3,
                    level="serious",
                ),
                item(
                    "M-26",
                    "门卫日检查表按日填报，本月无漏报",
                    "检查要点：对照系统中本月门卫与巡逻日检查的完成情况。",
                    2,
                    level="general",
                    photo=False,
                ),
            ],
        ),
        (
            "技术防范",
            "technical",
            [
                item(
                    "M-27",
                    "周界入侵报警系统覆盖围墙、布防正常，报警能传至监控室",
                    f"检查要点：抽测周界报警防区。依据：{GB_TECH}。",
                    3,
                    level="serious",
                ),
                item(
                    "M-28",
                    "视频监控覆盖校门、周界、主要通道、食堂、宿舍等重点部位，录像存储不少于30天",
                    f"检查要点：回放30天前录像。依据：{GB_TECH}。",
                    3,
                    level="serious",
                ),
                item(
                    "M-29",
                    "一键报警装置与公安机关联网，本月测试正常",
                    f"检查要点：测试记录、联网状态。依据：{GB_TECH}。",
                    3,
                    level="major",
                ),
                item(
                    "M-30",
                    "出入口门禁或访客管理系统运行正常",
                    "检查要点：门禁刷卡、访客系统登记记录。",
                    2,
                    level="general",
                ),
            ],
        ),
        (
            "安保人员配备",
            "security_staff",
            [
                item(
                    "M-31",
                    "专职保安员配备数量达标",
                    f"检查要点：学生100人以下不少于1名，100–1000人不少于2名，1000人以上不少于3名"
                    f"并随规模增配；寄宿制学校另配夜间值守人员。依据：{GB_TECH}。",
                    3,
                    level="serious",
                    photo=False,
                ),
                item(
                    "M-32",
                    "保安员持有保安员证，经公安机关背景审查，年龄和身体条件适岗",
                    "检查要点：核对保安员名册与证件。依据：《保安服务管理条例》。",
                    2,
                    level="general",
                    photo=False,
                ),
                item(
                    "M-33",
                    "保安员本月参加防暴处突培训或演练",
                    "检查要点：培训签到、演练照片。",
                    2,
                    level="general",
                    photo=False,
                ),
            ],
        ),
        (
            "安全管理与教育",
            "education",
            [
                item(
                    "M-34",
                    "安全工作责任制落实，岗位安全责任书签订到人",
                    f"检查要点：责任书、分工文件。依据：{SAFETY_RULES}。",
                    2,
                    level="general",
                    photo=False,
                ),
                item(
                    "M-35",
                    "本月安全教育主题活动开展并有记录",
                    "检查要点：主题班会、专题讲座的方案与照片。",
                    2,
                    level="general",
                    photo=False,
                ),
                item(
                    "M-36",
                    "应急疏散演练按计划开展（每学期至少一次）并有总结",
                    "检查要点：演练方案、照片、总结及问题整改。",
                    2,
                    level="general",
                    photo=False,
                ),
                item(
                    "M-37",
                    "上月发现的隐患已整改或落实临时管控措施",
                    "检查要点：对照隐患台账逐项核对整改进度。",
                    3,
                    level="serious",
                    photo=False,
                ),
                item(
                    "M-38",
                    "本月自查发现的其他问题及整改措施",
                    "无其他问题写“无”。",
                    0,
                    kind="text",
                    photo=False,
                ),
            ],
        ),
    ],
}

SURROUNDINGS_CHECK = {
    "code": "surroundings-check",
    "name": "校园周边环境检查表",
    "kind": "surroundings",
    "description": (
        "会同属地派出所、市场监管、城管、交警对校园周边200米范围开展联合检查（R-4.1）。"
    ),
    "sections": [
        (
            "经营场所",
            "surroundings",
            [
                item(
                    "S-01",
                    "校园周边200米内无互联网上网服务营业场所（网吧）",
                    "检查要点：实地测量最近网吧距离。依据：《互联网上网服务营业场所管理条例》。",
                    10,
                    level="serious",
                ),
                item(
                    "S-02",
                    "周边无歌舞厅、游艺厅等不适宜未成年人的娱乐场所",
                    "依据：《娱乐场所管理条例》《中华人民共和国未成年人保护法》。",
                    10,
                    level="serious",
                ),
                item(
                    "S-03",
                    "周边商店不向未成年人销售烟酒、彩票，并设置“不向未成年人销售”标识",
                    "检查要点：抽查周边商店标识及销售情况。依据：《中华人民共和国未成年人保护法》。",
                    8,
                    level="general",
                ),
                item(
                    "S-04",
                    "校门口无无证摊贩、流动摊点，食品摊点无“三无”食品",
                    "检查要点：上下学时段实地察看，发现后移交城管、市场监管处置。",
                    8,
                    level="general",
                ),
                item(
                    "S-05",
                    "周边无非法出版物、低俗读物、管制刀具销售",
                    "检查要点：抽查文具店、书报亭。",
                    6,
                    level="general",
                ),
            ],
        ),
        (
            "交通安全",
            "school_bus",
            [
                item(
                    "S-06",
                    "学校路段交通标志、标线、减速带、人行横道完好，设置“前方学校”警示标志",
                    "检查要点：对照交警部门设置要求实地察看。",
                    10,
                    level="serious",
                ),
                item(
                    "S-07",
                    "上下学时段有交警或协管员疏导，接送车辆停放有序",
                    "检查要点：高峰时段实地察看，拥堵点位报交警部门。",
                    8,
                    level="general",
                ),
                item(
                    "S-08",
                    "学校周边无非法营运车辆接送学生",
                    "检查要点：观察接送车辆，发现“黑校车”报交警部门。",
                    8,
                    level="serious",
                ),
            ],
        ),
        (
            "治安秩序",
            "surroundings",
            [
                item(
                    "S-09",
                    "属地派出所“护学岗”在上下学时段到岗",
                    "检查要点：护学岗民警、辅警到岗情况及护学岗记录。",
                    10,
                    level="serious",
                ),
                item(
                    "S-10",
                    "会同社区、派出所开展周边重点人员（精神障碍患者、社区矫正对象等）排查，"
                    "台账更新",
                    "检查要点：排查台账、管控措施；涉及个人信息只记录编号。",
                    8,
                    level="serious",
                    photo=False,
                ),
                item(
                    "S-11",
                    "上下学时段周边无聚集滋事、敲诈勒索学生等治安问题",
                    "检查要点：询问学生、家长和周边商户，发现线索进入线索办理。",
                    8,
                    level="serious",
                    photo=False,
                ),
                item(
                    "S-12",
                    "周边环境检查发现的其他问题及移交部门",
                    "写明问题、位置及移交的职能部门；无问题写“无”。",
                    0,
                    kind="text",
                    photo=False,
                ),
            ],
        ),
    ],
}

SCHOOL_BUS_CHECK = {
    "code": "school-bus-check",
    "name": "校车安全检查表",
    "kind": "school_bus",
    "description": f"对学校使用的每辆校车及驾驶人、照管人员逐项检查（R-5.1）。依据：{BUS_RULES}。",
    "sections": [
        (
            "车辆与许可",
            "school_bus",
            [
                item(
                    "B-01",
                    "取得校车使用许可，校车标牌在有效期内并放置在规定位置",
                    f"检查要点：校车标牌载明的线路、时间、驾驶人与实际一致。依据：{BUS_RULES}。",
                    8,
                    level="major",
                ),
                item(
                    "B-02",
                    "校车每6个月进行一次机动车安全技术检验，检验合格",
                    f"检查要点：查看检验合格标志及日期。依据：{BUS_RULES}。",
                    8,
                    level="major",
                ),
                item(
                    "B-03",
                    "校车按规定喷涂校车外观标识，安装校车标志灯、停车指示标志",
                    "依据：GB 24315《校车标识》。",
                    6,
                    level="general",
                ),
                item(
                    "B-04",
                    "安装具有行驶记录功能的卫星定位装置并正常在线",
                    "检查要点：平台在线状态与行驶记录。",
                    6,
                    level="serious",
                ),
                item(
                    "B-05",
                    "每个座位安全带完好，灭火器、安全锤（应急锤）、急救箱配备齐全有效",
                    "检查要点：逐座检查安全带，灭火器在有效期内。",
                    8,
                    level="serious",
                ),
                item(
                    "B-06",
                    "车辆每日出车前安全检查并记录（制动、转向、灯光、轮胎）",
                    "检查要点：出车前检查记录。",
                    6,
                    level="general",
                    photo=False,
                ),
            ],
        ),
        (
            "驾驶人",
            "school_bus",
            [
                item(
                    "B-07",
                    "驾驶人取得校车驾驶资格，年龄在25周岁以上、不超过60周岁",
                    f"检查要点：核对身份证、校车驾驶资格。依据：{BUS_RULES}。",
                    8,
                    level="major",
                    photo=False,
                ),
                item(
                    "B-08",
                    "驾驶人具有3年以上相应准驾车型驾驶经历，最近3个记分周期内无满分记录",
                    f"检查要点：驾驶证、交通违法记录查询。依据：{BUS_RULES}。",
                    8,
                    level="major",
                    photo=False,
                ),
                item(
                    "B-09",
                    "驾驶人无酒驾、疲劳驾驶，出车前酒精检测合格",
                    "检查要点：酒精检测记录。",
                    8,
                    level="major",
                    photo=False,
                ),
            ],
        ),
        (
            "运行与照管",
            "school_bus",
            [
                item(
                    "B-10",
                    "载人不超过核定人数，无超员",
                    f"检查要点：清点乘车人数与核定载客数。依据：{BUS_RULES}。",
                    8,
                    level="major",
                ),
                item(
                    "B-11",
                    "按规定限速行驶：高速公路不超过80公里/小时，其他道路不超过60公里/小时",
                    f"检查要点：调取卫星定位行驶记录。依据：{BUS_RULES}。",
                    8,
                    level="serious",
                    photo=False,
                ),
                item(
                    "B-12",
                    "随车照管人员全程照管，学生上下车时清点人数并记录",
                    f"检查要点：照管记录，下车后检查车厢无滞留学生。依据：{BUS_RULES}。",
                    8,
                    level="major",
                    photo=False,
                ),
                item(
                    "B-13",
                    "按校车标牌核定的线路、站点和时间运行",
                    "检查要点：比对行驶轨迹与核定线路。",
                    5,
                    level="general",
                    photo=False,
                ),
                item(
                    "B-14",
                    "本学期开展校车安全应急疏散演练并有记录",
                    "检查要点：演练方案、照片、签到。",
                    5,
                    level="general",
                    photo=False,
                ),
            ],
        ),
    ],
}

SUPERVISION_VISIT = {
    "code": "supervision-visit",
    "name": "责任督学安全专项督导检查表",
    "kind": "supervision",
    "description": (
        f"责任督学每学期不少于两次到校开展安全专项督导，现场查看、查阅资料、访谈师生。"
        f"依据：{SUPERVISION_RULES}。"
    ),
    "sections": [
        (
            "组织与制度",
            "education",
            [
                item(
                    "V-01",
                    "学校安全工作领导小组健全，校长为第一责任人，分工明确",
                    "检查要点：查阅文件、会议记录。",
                    6,
                    level="general",
                    photo=False,
                ),
                item(
                    "V-02",
                    "安全管理制度和应急预案健全并结合本校实际修订",
                    f"检查要点：制度汇编、预案修订记录。依据：{SAFETY_RULES}。",
                    6,
                    level="general",
                    photo=False,
                ),
                item(
                    "V-03",
                    "月度安全自查按时开展，隐患台账完整、整改闭环",
                    "检查要点：对照系统中的自查记录与隐患台账。",
                    8,
                    level="serious",
                    photo=False,
                ),
            ],
        ),
        (
            "人防物防技防",
            "technical",
            [
                item(
                    "V-04",
                    "专职保安员数量达标、在岗在位，防卫器械配备齐全",
                    f"依据：{GB_TECH}。",
                    8,
                    level="serious",
                    category="security_staff",
                ),
                item(
                    "V-05",
                    "一键报警与公安机关联网，现场测试正常",
                    f"检查要点：督学在场时测试。依据：{GB_TECH}。",
                    8,
                    level="major",
                ),
                item(
                    "V-06",
                    "视频监控覆盖重点部位、录像存储不少于30天",
                    f"检查要点：现场回放。依据：{GB_TECH}。",
                    6,
                    level="serious",
                ),
                item(
                    "V-07",
                    "校门口防冲撞设施完好、上下学护学岗落实",
                    "检查要点：现场查看。",
                    6,
                    level="serious",
                    category="gate",
                ),
            ],
        ),
        (
            "重点部位",
            "fire",
            [
                item(
                    "V-08",
                    "疏散通道、安全出口畅通，消防设施完好有效",
                    f"检查要点：抽查教学楼、宿舍楼。依据：{FIRE_LAW}。",
                    8,
                    level="major",
                ),
                item(
                    "V-09",
                    "食堂证照齐全、食品留样规范、从业人员持证上岗",
                    f"依据：{FOOD_RULES}。",
                    6,
                    level="serious",
                    category="canteen",
                ),
                item(
                    "V-10",
                    "校舍、围墙、栏杆、体育器材无安全隐患",
                    "检查要点：现场查看。",
                    6,
                    level="serious",
                    category="building",
                ),
                item(
                    "V-11",
                    "寄宿制学校宿舍夜间值守、查寝制度落实",
                    "非寄宿学校选“不适用”。",
                    5,
                    level="serious",
                    category="dormitory",
                    photo=False,
                ),
            ],
        ),
        (
            "教育与防欺凌",
            "education",
            [
                item(
                    "V-12",
                    "安全教育纳入课程，应急疏散演练每学期至少一次",
                    "检查要点：课表、演练资料；随机询问学生逃生路线。",
                    6,
                    level="general",
                    photo=False,
                ),
                item(
                    "V-13",
                    "学生欺凌防治工作机制健全，排查、处置记录完整",
                    "检查要点：防治委员会文件、排查记录；访谈学生。"
                    "依据：《加强中小学生欺凌综合治理方案》。",
                    8,
                    level="serious",
                    photo=False,
                ),
                item(
                    "V-14",
                    "上次督导提出的问题已整改到位",
                    f"检查要点：对照上次督导意见书逐项复核。依据：{SUPERVISION_RULES}。",
                    8,
                    level="serious",
                    photo=False,
                ),
                item(
                    "V-15",
                    "督导意见和建议",
                    "写明发现的主要问题、整改要求和时限，作为督导意见书的依据。",
                    0,
                    kind="text",
                    photo=False,
                ),
            ],
        ),
    ],
}


def score(code, text, guidance, points):
    """An evaluation indicator: scored out of its points; a low score is no hazard."""
    return item(code, text, guidance, points, kind="score", photo=False, category="")


def veto(code, text, guidance):
    """一票否决: failing it fails the whole evaluation, whatever the score."""
    return item(code, text, guidance, 0, veto=True, photo=False, category="")


SAFE_CAMPUS_EVALUATION = {
    "code": "safe-campus-evaluation",
    "name": "平安校园建设考评细则",
    "kind": "evaluation",
    # District practice: below 60 of 100 points an evaluation is not passed (不合格).
    "pass_percent": 60,
    "description": (
        "区教育局每学年对各校平安校园建设进行考评，满分100分，60分以下为不合格，设一票否决项。"
        "考评结果纳入学校年度综合考核。"
    ),
    "sections": [
        (
            "组织领导（10分）",
            "",
            [
                score(
                    "E-01",
                    "成立以校长为组长的平安校园建设领导小组，职责明确",
                    "查阅文件。有组织、有分工得满分，缺一项扣2分。",
                    4,
                ),
                score(
                    "E-02",
                    "每学期专题研究安全工作不少于2次，安全经费列入预算",
                    "查阅会议记录、经费预算。",
                    3,
                ),
                score(
                    "E-03",
                    "层层签订安全责任书，落实“一岗双责”",
                    "查阅责任书，抽查到人。",
                    3,
                ),
            ],
        ),
        (
            "制度建设（10分）",
            "",
            [
                score(
                    "E-04",
                    "门卫、值班巡逻、校舍安全、食品安全等安全管理制度健全",
                    f"依据：{SAFETY_RULES}。每缺一项制度扣1分。",
                    4,
                ),
                score(
                    "E-05",
                    "突发事件应急预案健全，定期修订并组织演练",
                    "查阅预案及修订、演练记录。",
                    3,
                ),
                score(
                    "E-06",
                    "安全工作档案规范完整，信息按时报送",
                    "查阅档案；迟报、漏报一次扣1分。",
                    3,
                ),
            ],
        ),
        (
            "人防物防技防（30分）",
            "",
            [
                score(
                    "E-07",
                    "专职保安员配备达标、持证上岗，定期培训",
                    f"依据：{GB_TECH}。人数不足不得分。",
                    8,
                ),
                score(
                    "E-08",
                    "防卫器械、防冲撞设施配备齐全并完好",
                    "现场查看。",
                    6,
                ),
                score(
                    "E-09",
                    "视频监控、周界报警、一键报警、门禁系统建设达标并正常运行",
                    f"依据：{GB_TECH}。一键报警未与公安机关联网不得分。",
                    10,
                ),
                score(
                    "E-10",
                    "门卫值守、来访登记、校园巡逻、护学岗落实到位",
                    "以门卫与巡逻日检查表完成情况为准。",
                    6,
                ),
            ],
        ),
        (
            "隐患排查整改（15分）",
            "",
            [
                score(
                    "E-11",
                    "每月开展安全自查，隐患台账规范",
                    "以月度自查表完成情况为准，少一次扣1分。",
                    5,
                ),
                score(
                    "E-12",
                    "隐患按期整改到位，重大隐患落实临时管控措施",
                    "以整改通知书办结情况为准，逾期一项扣2分。",
                    7,
                ),
                score(
                    "E-13",
                    "消防、食品、校车等专项检查中无严重问题",
                    "以各专项检查结果为准。",
                    3,
                ),
            ],
        ),
        (
            "安全教育与演练（15分）",
            "",
            [
                score(
                    "E-14",
                    "安全教育纳入教学计划，课时、教材、教师落实",
                    "查阅课表、教案。",
                    5,
                ),
                score(
                    "E-15",
                    "每学期至少开展一次应急疏散演练，有方案、有总结",
                    "查阅演练资料，随机询问学生。",
                    5,
                ),
                score(
                    "E-16",
                    "开展防溺水、交通、消防、防诈骗等专题教育，家校协同",
                    "查阅活动记录、家长告知书。",
                    5,
                ),
            ],
        ),
        (
            "校园欺凌防治（10分）",
            "",
            [
                score(
                    "E-17",
                    "学生欺凌防治委员会健全，定期排查并建立台账",
                    "依据：《加强中小学生欺凌综合治理方案》。",
                    5,
                ),
                score(
                    "E-18",
                    "欺凌事件及时发现、规范处置、按规定报告",
                    "以案件办理记录为准。",
                    5,
                ),
            ],
        ),
        (
            "周边环境治理（10分）",
            "",
            [
                score(
                    "E-19",
                    "会同公安、市场监管等部门开展周边环境联合检查",
                    "以校园周边环境检查表完成情况为准。",
                    5,
                ),
                score(
                    "E-20",
                    "“护学岗”、警校联系机制落实，周边治安问题及时报告处置",
                    "查阅护学岗记录、报告记录。",
                    5,
                ),
            ],
        ),
        (
            "一票否决",
            "",
            [
                veto(
                    "E-V1",
                    "考评年度内未发生负有责任的重大安全事故",
                    "发生负有责任的重大安全事故的，考评结果为不合格。",
                ),
                veto(
                    "E-V2",
                    "未瞒报、迟报重大安全事件",
                    "瞒报、迟报重大安全事件的，考评结果为不合格。",
                ),
                veto(
                    "E-V3",
                    "无存在重大隐患拒不整改的情况",
                    "重大隐患经通知拒不整改的，考评结果为不合格。",
                ),
            ],
        ),
    ],
}

TEMPLATES = [
    DAILY_GATE_PATROL,
    MONTHLY_SELF_INSPECTION,
    SURROUNDINGS_CHECK,
    SCHOOL_BUS_CHECK,
    SUPERVISION_VISIT,
    SAFE_CAMPUS_EVALUATION,
]


def seed(apps, schema_editor):
    ChecklistTemplate = apps.get_model("inspections", "ChecklistTemplate")
    TemplateVersion = apps.get_model("inspections", "TemplateVersion")
    TemplateSection = apps.get_model("inspections", "TemplateSection")
    TemplateItem = apps.get_model("inspections", "TemplateItem")
    now = timezone.now()
    for spec in TEMPLATES:
        if ChecklistTemplate.objects.filter(code=spec["code"]).exists():
            continue
        template = ChecklistTemplate.objects.create(
            code=spec["code"], name=spec["name"], kind=spec["kind"], description=spec["description"]
        )
        version = TemplateVersion.objects.create(
            template=template,
            number=1,
            status="published",
            pass_percent=spec.get("pass_percent", 80),
            notes="区教育局发布的初始版本",
            published_at=now,
        )
        for order, (title, category, items) in enumerate(spec["sections"]):
            section = TemplateSection.objects.create(version=version, order=order, title=title)
            TemplateItem.objects.bulk_create(
                TemplateItem(
                    version=version,
                    section=section,
                    order=index,
                    **{
                        **fields,
                        "category": category if fields["category"] is None else fields["category"],
                    },
                )
                for index, fields in enumerate(items)
            )


def unseed(apps, schema_editor):
    ChecklistTemplate = apps.get_model("inspections", "ChecklistTemplate")
    Inspection = apps.get_model("inspections", "Inspection")
    InspectionPlan = apps.get_model("inspections", "InspectionPlan")
    codes = [spec["code"] for spec in TEMPLATES]
    # Checklists already in use stay: inspections and plans protect them.
    used = set(Inspection.objects.values_list("version__template__code", flat=True))
    used |= set(InspectionPlan.objects.values_list("template__code", flat=True))
    ChecklistTemplate.objects.filter(code__in=set(codes) - used).delete()


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
