"""The English names and texts of the district's starting checklists (issue #14).

``ENGLISH`` holds, per checklist code, the English of what ``0002_seed_templates`` ships in
Chinese: the name and description, each section (keyed by its Chinese title) and each item
(keyed by its code: check, guidance). Frozen here, as migrations must be; ``fill`` is also
what ``seed_shipped`` runs after re-creating a deleted checklist.

A row gets the English only while its Chinese is still the text as shipped and its English
is empty: a check the bureau has reworded since keeps falling back to its own Chinese rather
than showing a translation of words it no longer has, and English the bureau entered is
never overwritten.
"""

from importlib import import_module

from django.db import migrations

SHIPPED = "safecampus.inspections.migrations.0002_seed_templates"

GB_TECH = (
    "GB/T 29315-2022 Requirements for Security Technical Protection Systems of Primary and "
    "Secondary Schools and Kindergartens"
)
SAFETY_RULES = (
    "Measures for the Safety Management of Primary and Secondary Schools and Kindergartens"
)
BUS_RULES = "Regulations on School Bus Safety Management"
SUPERVISION_RULES = "Regulations on Education Supervision"
FIRE_LAW = (
    "Fire Protection Law of the PRC and the Provisions on Fire Safety Management of Government "
    "Agencies, Organizations, Enterprises and Public Institutions (Ministry of Public Security "
    "Order No. 61)"
)
FOOD_RULES = "Provisions on Food Safety, Nutrition and Health Management in Schools"
MINORS_LAW = "Law of the PRC on the Protection of Minors"
BULLYING_PLAN = (
    "Plan for Strengthening the Comprehensive Governance of Bullying among Primary and "
    "Secondary School Students"
)

#: Units of number items, Chinese → English.
UNITS = {"次": "times"}

DAILY_GATE_PATROL = {
    "name": "Daily gate and patrol checklist",
    "description": (
        "Daily check of the gate, school protection and campus patrols, filled in item by item "
        "by the security guard or gatekeeper on duty and reviewed by the administrator on duty."
    ),
    "sections": {"门卫值守": "Gate duty", "校园巡逻": "Campus patrol"},
    "items": {
        "D-01": (
            "The gatehouse is staffed 24 hours a day and shift handover records are complete",
            "Check: guards are on post and handovers are all signed. "
            f"Basis: {SAFETY_RULES}; {GB_TECH}.",
        ),
        "D-02": (
            "Visitors and vehicles enter only after their identity is verified and registered",
            "Check: the visitor register or visitor system matches who is on site; the host is "
            f"called to confirm. Basis: {SAFETY_RULES}, Article 16 on the gate rules.",
        ),
        "D-03": (
            "School-protection posts are staffed at arrival and dismissal peaks (guards, "
            "teachers, parent volunteers)",
            "Check: post staff are in uniform and in position, working with the local police "
            "station's school-protection post duty.",
        ),
        "D-04": (
            "Anti-ramming barriers at the gate (bollards, rising bollards, vehicle blockers) "
            "are in the protective position",
            "Check: blocking outside vehicle access times, undamaged and not displaced. "
            f"Basis: {GB_TECH}.",
        ),
        "D-05": (
            "The gatehouse has its full set of defense equipment (restraint forks, shields, "
            "batons, cut-resistant gloves, etc.) stored within easy reach",
            "Check: equipment is intact and matches the register; guards know how to use it.",
        ),
        "D-06": (
            "The one-touch alarm passed today's test and its link to the police is working",
            "Check: trigger it following the test procedure, confirm with the alarm center and "
            f"record the test time. Basis: {GB_TECH}.",
        ),
        "D-07": (
            "Campus patrols made today",
            "Check: at least 5 patrols during school hours, plus night patrols at boarding "
            "schools; as recorded by the patrol system.",
        ),
        "D-08": (
            "Key areas (perimeter wall, switch room, canteen, dormitories, laboratories, "
            "monitoring room) show nothing abnormal on patrol",
            "Check: doors and windows locked, no strangers lingering, no signs of climbing; "
            "report anything abnormal to the administrator on duty at once.",
        ),
        "D-09": (
            "Fire lanes and evacuation routes are clear, neither occupied nor locked",
            f"Check: inspect the safety exits floor by floor. Basis: {FIRE_LAW}.",
        ),
        "D-10": (
            "The monitoring room is staffed and CCTV images are normal, with no blank screens",
            "Check: sample the gate, perimeter wall and main passage cameras; recording works. "
            f"Basis: {GB_TECH}.",
        ),
        "D-11": (
            "The campus perimeter and wall are intact and the perimeter alarm has no faults",
            "Check: the wall is undamaged with nothing to climb on; the perimeter alarm is armed.",
        ),
        "D-12": (
            "Record of today's duty",
            "State who was on duty, anything abnormal found and how it was handled; write "
            "“normal” if nothing was found.",
        ),
    },
}

MONTHLY_SELF_INSPECTION = {
    "name": "Monthly school safety self-inspection checklist",
    "description": (
        "Each month the school inspects itself for safety hazards throughout, organized by the "
        "vice-principal in charge of safety and compiled by the safety officer; hazards found "
        "go into the hazard ledger and are rectified by a deadline."
    ),
    "sections": {
        "消防安全": "Fire safety",
        "用电与燃气": "Electricity and gas",
        "校舍与设施": "School buildings and facilities",
        "食堂与食品安全": "Canteen and food safety",
        "宿舍安全（寄宿制学校）": "Dormitory safety (boarding schools)",
        "门卫与校门": "Gatehouse and school gate",
        "技术防范": "Technical protection",
        "安保人员配备": "Security staffing",
        "安全管理与教育": "Safety management and education",
    },
    "items": {
        "M-01": (
            "Evacuation routes and safety exits are clear, not occupied, blocked or locked",
            "Check: teaching buildings, dormitories and the canteen, floor by floor. "
            f"Basis: {FIRE_LAW}.",
        ),
        "M-02": (
            "Fire extinguishers are sufficient in number, at normal pressure, within their "
            "service life and checked and recorded monthly",
            "Check: the gauge needle is in the green zone and the tag is signed monthly. "
            "Basis: GB 50140 Code for Design of Extinguisher Distribution in Buildings.",
        ),
        "M-03": (
            "Indoor hydrants, sprinklers and other fire equipment work and water pressure "
            "is normal",
            "Check: hydrant cabinets have their hoses and nozzles; pressure at the end test "
            "valve is normal.",
        ),
        "M-04": (
            "Emergency lighting and exit signs are intact and work when the power is cut",
            "Check: press the test button of the emergency lights; signs point the right way.",
        ),
        "M-05": (
            "The fire control room is staffed by two people around the clock, all certified",
            "Check: duty records and fire equipment operator certificates. "
            "Basis: GB 25506 General Technical Requirements for Fire Control Rooms.",
        ),
        "M-06": (
            "E-bikes are parked and charged in designated areas, never in corridors or indoors",
            "Check: charging points in the bike shed cut off power on a timer.",
        ),
        "M-07": (
            "No improvised wiring or overloaded circuits; sockets and switches are intact",
            "Check: sample offices, activity rooms and dormitories.",
        ),
        "M-08": (
            "Switch rooms (boxes) are locked and signed, free of clutter, with working "
            "residual-current protection",
            "Check: press the test button to see the residual-current device trip.",
        ),
        "M-09": (
            "Gas pipes and valves do not leak; the gas leak alarm works and is linked to the "
            "shut-off valve",
            "Check: test joints with soapy water; test the alarm.",
        ),
        "M-10": (
            "Lightning protection passed its annual test and the report is still valid",
            "Check: see the lightning protection test report.",
        ),
        "M-11": (
            "Buildings show no cracks, leaks or falling plaster; unsafe buildings are closed "
            "and signed",
            "Check: building by building against the building safety appraisal. "
            f"Basis: {SAFETY_RULES}.",
        ),
        "M-12": (
            "Stair, corridor and balcony railings are firm, high enough and have nothing to "
            "climb on",
            "Check: railings at drops are at least 1.10 m high with vertical bars no more than "
            "0.11 m apart (GB 50099 Code for Design of Schools).",
        ),
        "M-13": (
            "Walls, gates, sports and play equipment are firm and intact, not loose or rusted",
            "Check: basketball stands, bars, slides and the like one by one.",
        ),
        "M-14": (
            "Laboratory hazardous chemicals are kept in dedicated cabinets under two-person, "
            "two-lock control with complete issue records",
            "Check: the ledger of precursor and explosive-precursor chemicals matches stock.",
        ),
        "M-15": (
            "The food business license is valid and all food staff hold valid health certificates",
            f"Check: compare the staff list with health certificates. Basis: {FOOD_RULES}.",
        ),
        "M-16": (
            "Food staff have a recorded morning health check daily; anyone with an illness "
            "that endangers food safety has been moved off duty",
            "Check: see the morning check records.",
        ),
        "M-17": (
            "A sample of every dish of every meal is kept, at least 125 g each, refrigerated "
            "for at least 48 hours",
            f"Check: sample fridge temperature, labels and records. Basis: {FOOD_RULES}.",
        ),
        "M-18": (
            "Incoming food is inspected with complete certificates and invoices; no expired "
            "or spoiled food",
            "Check: sample shelf lives in the store against the ledger.",
        ),
        "M-19": (
            "The canteen's open-kitchen video works, raw and cooked food are kept apart, and "
            "the food store is rodent- and fly-proof",
            "Check: video images, rodent boards, fly-killer lamps.",
        ),
        "M-20": (
            "School leaders eat with the students as required and this is recorded",
            f"Check: accompanied-meal records. Basis: {FOOD_RULES}.",
        ),
        "M-21": (
            "Dormitory staff are on night duty and check rooms on time, recording who is in",
            "Check: room-check and night duty records; non-boarding schools choose "
            "“Not applicable”.",
        ),
        "M-22": (
            "Dormitories have no prohibited appliances or open flames; bed guardrails are intact",
            "Check: sample rooms and the records of prohibited-appliance sweeps.",
        ),
        "M-23": (
            "Dormitory safety exits are not locked at night, or are staffed so they can be "
            "opened at any time",
            f"Check: the state of exits at night. Basis: {FIRE_LAW}.",
        ),
        "M-24": (
            "The school is closed to the public; visitors and vehicles enter after "
            "registration and verification",
            f"Check: visitor register and system records. Basis: {SAFETY_RULES}.",
        ),
        "M-25": (
            "Anti-ramming barriers are installed at the gate and school-protection posts are "
            "staffed at arrival and dismissal",
            "Check: share of barriers intact; school-protection post rota.",
        ),
        "M-26": (
            "The daily gate checklist was filled in every day this month with none missed",
            "Check: against this month's daily gate and patrol checks in the system.",
        ),
        "M-27": (
            "The perimeter intrusion alarm covers the wall, is armed and reports to the "
            "monitoring room",
            f"Check: test sample perimeter zones. Basis: {GB_TECH}.",
        ),
        "M-28": (
            "CCTV covers the gate, perimeter, main passages, canteen, dormitories and other key "
            "areas, with recordings kept at least 30 days",
            f"Check: play back a recording from 30 days ago. Basis: {GB_TECH}.",
        ),
        "M-29": (
            "The one-touch alarm is linked to the police and passed this month's test",
            f"Check: test records and link status. Basis: {GB_TECH}.",
        ),
        "M-30": (
            "Entrance access control or the visitor management system works",
            "Check: card access and visitor system records.",
        ),
        "M-31": (
            "The number of full-time security guards meets the standard",
            "Check: at least 1 guard for under 100 students, 2 for 100–1,000, 3 for over 1,000 "
            "and more as the school grows; boarding schools add night staff. "
            f"Basis: {GB_TECH}.",
        ),
        "M-32": (
            "Guards hold a security guard certificate, passed police background checks and are "
            "fit for the post in age and health",
            "Check: the guard roster against their certificates. "
            "Basis: Regulations on the Administration of Security Services.",
        ),
        "M-33": (
            "Guards took part in anti-violence and emergency training or drills this month",
            "Check: training sign-in sheets, drill photos.",
        ),
        "M-34": (
            "Safety responsibility is assigned and every post has signed its safety "
            "responsibility agreement",
            f"Check: agreements and division-of-duties documents. Basis: {SAFETY_RULES}.",
        ),
        "M-35": (
            "This month's safety education activity took place and is recorded",
            "Check: plans and photos of class meetings and talks.",
        ),
        "M-36": (
            "Evacuation drills are held as planned (at least one a term) and reviewed",
            "Check: drill plan, photos, review and follow-up of problems found.",
        ),
        "M-37": (
            "Hazards found last month have been rectified or are under interim control",
            "Check: rectification progress item by item against the hazard ledger.",
        ),
        "M-38": (
            "Other problems found in this month's self-inspection and the measures taken",
            "Write “none” if there are no other problems.",
        ),
    },
}

SURROUNDINGS_CHECK = {
    "name": "Campus surroundings checklist",
    "description": (
        "Joint check of the 200 m around the campus with the local police station, market "
        "regulation, urban management and traffic police (R-4.1)."
    ),
    "sections": {
        "经营场所": "Businesses",
        "交通安全": "Traffic safety",
        "治安秩序": "Public order",
    },
    "items": {
        "S-01": (
            "No internet cafés within 200 m of the campus",
            "Check: measure the distance to the nearest internet café on site. Basis: "
            "Regulations on the Administration of Internet Access Service Business Premises.",
        ),
        "S-02": (
            "No dance halls, game arcades or other entertainment venues unsuitable for minors "
            "nearby",
            f"Basis: Regulations on the Administration of Entertainment Venues; {MINORS_LAW}.",
        ),
        "S-03": (
            "Nearby shops do not sell tobacco, alcohol or lottery tickets to minors and display "
            "a “no sales to minors” sign",
            f"Check: sample nearby shops' signs and sales. Basis: {MINORS_LAW}.",
        ),
        "S-04": (
            "No unlicensed or mobile vendors at the gate; food stalls sell no unlabelled products",
            "Check: look on site at arrival and dismissal; refer what is found to urban "
            "management and market regulation.",
        ),
        "S-05": (
            "No illegal publications, vulgar reading matter or controlled knives on sale nearby",
            "Check: sample stationery shops and newsstands.",
        ),
        "S-06": (
            "Traffic signs, markings, speed bumps and crossings on the school road are intact, "
            "with a “school ahead” warning sign",
            "Check: on site against the traffic police's requirements.",
        ),
        "S-07": (
            "Traffic police or wardens direct traffic at arrival and dismissal; drop-off "
            "vehicles park in order",
            "Check: on site at peak times; report congestion points to the traffic police.",
        ),
        "S-08": (
            "No illegal vehicles carry students near the school",
            "Check: watch drop-off vehicles; report unlicensed “school buses” to the traffic "
            "police.",
        ),
        "S-09": (
            "The local police station's school-protection post is staffed at arrival and dismissal",
            "Check: police officers and auxiliaries on post and the post records.",
        ),
        "S-10": (
            "People of concern nearby (people with mental disorders, people under community "
            "correction, etc.) are screened with the community and police, and the ledger is "
            "up to date",
            "Check: screening ledger and control measures; record only reference numbers for "
            "personal information.",
        ),
        "S-11": (
            "No gatherings, trouble-making or extortion of students nearby at arrival and dismissal",
            "Check: ask students, parents and nearby shops; leads found go to lead handling.",
        ),
        "S-12": (
            "Other problems found in the surroundings check and the departments they were "
            "referred to",
            "State the problem, where, and the department it was referred to; write “none” if "
            "there are no problems.",
        ),
    },
}

SCHOOL_BUS_CHECK = {
    "name": "School bus safety checklist",
    "description": (
        "Item-by-item check of every school bus the school uses, its driver and its escort "
        f"(R-5.1). Basis: {BUS_RULES}."
    ),
    "sections": {
        "车辆与许可": "Vehicle and permits",
        "驾驶人": "Driver",
        "运行与照管": "Operation and escort",
    },
    "items": {
        "B-01": (
            "The school bus use permit is held and the bus sign is valid and displayed where "
            "required",
            "Check: the route, times and driver on the bus sign match reality. "
            f"Basis: {BUS_RULES}.",
        ),
        "B-02": (
            "The bus passes a vehicle safety inspection every 6 months",
            f"Check: the inspection sticker and its date. Basis: {BUS_RULES}.",
        ),
        "B-03": (
            "The bus carries the required school bus livery, school bus lamps and stop sign",
            "Basis: GB 24315 School Bus Markings.",
        ),
        "B-04": (
            "A satellite positioning device with a driving recorder is fitted and online",
            "Check: online status and driving records on the platform.",
        ),
        "B-05": (
            "Every seat belt works; fire extinguisher, emergency hammer and first-aid kit are "
            "present and usable",
            "Check: every seat belt; the extinguisher is within its service life.",
        ),
        "B-06": (
            "The vehicle is checked and recorded before every day's run (brakes, steering, "
            "lights, tires)",
            "Check: pre-departure check records.",
        ),
        "B-07": (
            "The driver holds a school bus driving qualification and is aged 25 to 60",
            f"Check: ID card and school bus driving qualification. Basis: {BUS_RULES}.",
        ),
        "B-08": (
            "The driver has at least 3 years' experience with the vehicle class and no 12-point "
            "record in the last 3 scoring periods",
            f"Check: driving license and traffic offence record. Basis: {BUS_RULES}.",
        ),
        "B-09": (
            "The driver is neither drunk nor fatigued and passed an alcohol test before the run",
            "Check: alcohol test records.",
        ),
        "B-10": (
            "The bus carries no more than its approved number of passengers",
            f"Check: count passengers against approved capacity. Basis: {BUS_RULES}.",
        ),
        "B-11": (
            "The bus keeps to the speed limits: at most 80 km/h on expressways and 60 km/h on "
            "other roads",
            f"Check: the satellite positioning driving record. Basis: {BUS_RULES}.",
        ),
        "B-12": (
            "An escort accompanies the whole journey and counts and records students getting on "
            "and off",
            "Check: escort records; the bus is checked for students left on board after arrival. "
            f"Basis: {BUS_RULES}.",
        ),
        "B-13": (
            "The bus runs on the route, stops and times approved on the bus sign",
            "Check: compare the track with the approved route.",
        ),
        "B-14": (
            "A school bus emergency evacuation drill was held this term and recorded",
            "Check: drill plan, photos, sign-in sheet.",
        ),
    },
}

SUPERVISION_VISIT = {
    "name": "Supervisor's safety inspection checklist",
    "description": (
        "The school's supervisor visits at least twice a term for a safety inspection: "
        "looking on site, reviewing records and talking with staff and students. "
        f"Basis: {SUPERVISION_RULES}."
    ),
    "sections": {
        "组织与制度": "Organization and rules",
        "人防物防技防": "Staff, physical and technical protection",
        "重点部位": "Key areas",
        "教育与防欺凌": "Education and bullying prevention",
    },
    "items": {
        "V-01": (
            "The school safety leading group is in place, the principal is primarily "
            "responsible and duties are clear",
            "Check: documents and meeting minutes.",
        ),
        "V-02": (
            "Safety rules and emergency plans are complete and revised to fit the school",
            f"Check: rule book and plan revision records. Basis: {SAFETY_RULES}.",
        ),
        "V-03": (
            "Monthly self-inspections are held on time; the hazard ledger is complete and "
            "rectifications are closed",
            "Check: against the self-inspections and hazard ledger in the system.",
        ),
        "V-04": (
            "Full-time security guards meet the standard in number and are on post, with full "
            "defense equipment",
            f"Basis: {GB_TECH}.",
        ),
        "V-05": (
            "The one-touch alarm is linked to the police and passes a test on site",
            f"Check: tested with the supervisor present. Basis: {GB_TECH}.",
        ),
        "V-06": (
            "CCTV covers key areas, with recordings kept at least 30 days",
            f"Check: play back on site. Basis: {GB_TECH}.",
        ),
        "V-07": (
            "Anti-ramming barriers at the gate are intact and school-protection posts are "
            "staffed at arrival and dismissal",
            "Check: on site.",
        ),
        "V-08": (
            "Evacuation routes and safety exits are clear; fire equipment works",
            f"Check: sample teaching buildings and dormitories. Basis: {FIRE_LAW}.",
        ),
        "V-09": (
            "The canteen's licenses are complete, food samples are kept properly and staff hold "
            "certificates",
            f"Basis: {FOOD_RULES}.",
        ),
        "V-10": (
            "School buildings, walls, railings and sports equipment are free of hazards",
            "Check: on site.",
        ),
        "V-11": (
            "Boarding schools keep night duty and room checks in dormitories",
            "Non-boarding schools choose “Not applicable”.",
        ),
        "V-12": (
            "Safety education is part of the curriculum, with an evacuation drill at least "
            "once a term",
            "Check: timetable and drill records; ask students at random about escape routes.",
        ),
        "V-13": (
            "The bullying prevention mechanism is in place, with complete screening and "
            "handling records",
            "Check: prevention committee documents and screening records; talk with students. "
            f"Basis: {BULLYING_PLAN}.",
        ),
        "V-14": (
            "Problems raised at the last supervision visit have been rectified",
            "Check: item by item against the last supervision opinion. "
            f"Basis: {SUPERVISION_RULES}.",
        ),
        "V-15": (
            "Supervision opinion and recommendations",
            "State the main problems found, what must be rectified and by when; this is the "
            "basis of the supervision opinion letter.",
        ),
    },
}

SAFE_CAMPUS_EVALUATION = {
    "name": "Safe campus evaluation criteria",
    "description": (
        "Each school year the district education bureau evaluates every school's safe campus "
        "work: 100 points in all, below 60 fails, with veto items. The result counts towards "
        "the school's annual overall assessment."
    ),
    "sections": {
        "组织领导（10分）": "Organization and leadership (10 points)",
        "制度建设（10分）": "Rules and procedures (10 points)",
        "人防物防技防（30分）": "Staff, physical and technical protection (30 points)",
        "隐患排查整改（15分）": "Hazard screening and rectification (15 points)",
        "安全教育与演练（15分）": "Safety education and drills (15 points)",
        "校园欺凌防治（10分）": "School bullying prevention (10 points)",
        "周边环境治理（10分）": "Surroundings management (10 points)",
        "一票否决": "Veto items",
    },
    "items": {
        "E-01": (
            "A safe campus leading group headed by the principal is set up with clear duties",
            "Review documents. Full marks with an organization and division of duties; "
            "2 points off for each missing.",
        ),
        "E-02": (
            "Safety is a dedicated agenda item at least twice a term and safety funding is "
            "budgeted",
            "Review meeting minutes and the budget.",
        ),
        "E-03": (
            "Safety responsibility agreements are signed at every level, each post responsible "
            "for safety as well as its own work",
            "Review agreements; sample down to individuals.",
        ),
        "E-04": (
            "Safety rules for the gate, duty patrols, buildings, food and the like are complete",
            f"Basis: {SAFETY_RULES}. 1 point off for each missing rule.",
        ),
        "E-05": (
            "Emergency plans are complete, revised regularly and drilled",
            "Review plans, revisions and drill records.",
        ),
        "E-06": (
            "Safety files are orderly and complete, and information is reported on time",
            "Review files; 1 point off for each late or missed report.",
        ),
        "E-07": (
            "Full-time security guards meet the standard, are certified and trained regularly",
            f"Basis: {GB_TECH}. No points if there are too few.",
        ),
        "E-08": (
            "Defence equipment and anti-ramming barriers are complete and intact",
            "On site.",
        ),
        "E-09": (
            "CCTV, perimeter alarm, one-touch alarm and access control meet the standard and work",
            f"Basis: {GB_TECH}. No points if the one-touch alarm is not linked to the police.",
        ),
        "E-10": (
            "Gate duty, visitor registration, campus patrols and school-protection posts are "
            "all in place",
            "As shown by the daily gate and patrol checklists completed.",
        ),
        "E-11": (
            "A safety self-inspection is held every month and the hazard ledger is orderly",
            "As shown by the monthly self-inspections completed; 1 point off for each missed.",
        ),
        "E-12": (
            "Hazards are rectified on time; major hazards are under interim control",
            "As shown by rectification notices closed; 2 points off for each overdue.",
        ),
        "E-13": (
            "No serious problems in fire, food, school bus and other special inspections",
            "As shown by the results of the special inspections.",
        ),
        "E-14": (
            "Safety education is in the teaching plan, with lessons, materials and teachers",
            "Review timetables and lesson plans.",
        ),
        "E-15": (
            "At least one evacuation drill a term, with a plan and a review",
            "Review drill records; ask students at random.",
        ),
        "E-16": (
            "Themed education on drowning, traffic, fire, fraud and the like, with parents "
            "involved",
            "Review activity records and letters to parents.",
        ),
        "E-17": (
            "The bullying prevention committee is in place, screens regularly and keeps a ledger",
            f"Basis: {BULLYING_PLAN}.",
        ),
        "E-18": (
            "Bullying is detected promptly, handled properly and reported as required",
            "As shown by case handling records.",
        ),
        "E-19": (
            "Joint surroundings checks are held with the police, market regulation and other "
            "departments",
            "As shown by the campus surroundings checklists completed.",
        ),
        "E-20": (
            "School-protection posts and police-school liaison work; public order problems "
            "nearby are reported and handled promptly",
            "Review school-protection post and report records.",
        ),
        "E-V1": (
            "No major safety accident for which the school is responsible in the year",
            "A major safety accident for which the school is responsible fails the evaluation.",
        ),
        "E-V2": (
            "No major safety incident concealed or reported late",
            "Concealing or late reporting of a major safety incident fails the evaluation.",
        ),
        "E-V3": (
            "No major hazard left unrectified in defiance of a notice",
            "Refusing to rectify a major hazard after notice fails the evaluation.",
        ),
    },
}

ENGLISH = {
    "daily-gate-patrol": DAILY_GATE_PATROL,
    "monthly-self-inspection": MONTHLY_SELF_INSPECTION,
    "surroundings-check": SURROUNDINGS_CHECK,
    "school-bus-check": SCHOOL_BUS_CHECK,
    "supervision-visit": SUPERVISION_VISIT,
    "safe-campus-evaluation": SAFE_CAMPUS_EVALUATION,
}


def _fill_empty(queryset, field, value):
    """Set ``field``'s English sibling where it is still empty."""
    if value:
        queryset.filter(**{f"{field}_en": ""}).update(**{f"{field}_en": value})


def fill(apps, schema_editor):
    """Give the shipped checklists' rows their English, where the Chinese is as shipped."""
    ChecklistTemplate = apps.get_model("inspections", "ChecklistTemplate")
    TemplateSection = apps.get_model("inspections", "TemplateSection")
    TemplateItem = apps.get_model("inspections", "TemplateItem")
    for spec in import_module(SHIPPED).TEMPLATES:
        english = ENGLISH[spec["code"]]
        family = ChecklistTemplate.objects.filter(code=spec["code"])
        _fill_empty(family.filter(name=spec["name"]), "name", english["name"])
        _fill_empty(
            family.filter(description=spec["description"]), "description", english["description"]
        )
        in_family = {"version__template__code": spec["code"]}
        for title, _category, items in spec["sections"]:
            sections = TemplateSection.objects.filter(**in_family, title=title)
            _fill_empty(sections, "title", english["sections"][title])
            for fields in items:
                text, guidance = english["items"][fields["code"]]
                rows = TemplateItem.objects.filter(**in_family, code=fields["code"])
                _fill_empty(rows.filter(text=fields["text"]), "text", text)
                _fill_empty(rows.filter(guidance=fields["guidance"]), "guidance", guidance)
                if fields["unit_label"]:
                    unit = UNITS[fields["unit_label"]]
                    _fill_empty(rows.filter(unit_label=fields["unit_label"]), "unit_label", unit)


class Migration(migrations.Migration):
    dependencies = [("inspections", "0004_english_names")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
