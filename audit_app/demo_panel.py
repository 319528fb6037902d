"""The demo's panel in progress: what a panel chair finds a few weeks before the panel meets.

:func:`build_demo_panel` is called by :func:`audit_app.demo.load_demo` once both demo audits
exist. For the current audit (collecting returns) it answers every submitted return as a
reviewer of that agency would (every question the agency's sector is asked, varied by
child, with chronology entries and missed chances), sends four agencies' summaries, shares
the returns with the panel, and records the panel's work so far: professional interviews,
the young people's engagement event and survey, other evidence, themes with tagged items,
agreed grades for three children, key findings and two numbered recommendations, and a
planning meeting. The earlier audit gets a small cohort with graded returns, so the panel
can compare "good or better" then and now, and a few themes that recur.

The children, their stories and every person named here are invented; the content follows
the themes of the seed audit of children in crisis. Nothing is random: the same demo is
built every time.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit_app.accounts.models import User
from audit_app.agencies.models import Agency
from audit_app.audits.lifecycle import share_with_panel
from audit_app.audits.models import Audit, AuditAgency
from audit_app.cohort.models import CohortMember
from audit_app.core.models import utcnow
from audit_app.core.roles import Role
from audit_app.panel.models import (
    AgreedGrade,
    EvidenceItem,
    EvidenceKind,
    EvidenceSource,
    Finding,
    FindingEvidence,
    FindingTheme,
    PanelAttendee,
    PanelMeeting,
    Recommendation,
    RecommendationFinding,
    Theme,
    ThemeTag,
)
from audit_app.questionnaires.answer_types import answer_type
from audit_app.questionnaires.definitions import (
    DOES_NOT_APPLY,
    NOT_KNOWN,
    AuditTemplateDefinition,
    Question,
    SignsOfSafetyColumn,
)
from audit_app.questionnaires.library import definition_of
from audit_app.returns import answering, summaries
from audit_app.returns.models import (
    AgencyReturn,
    Answer,
    ChronologyEntry,
    ReturnStatus,
    SummaryItem,
)

WELL = SignsOfSafetyColumn.WORKING_WELL
WORRY = SignsOfSafetyColumn.WORRIED_ABOUT
NEEDS = SignsOfSafetyColumn.NEEDS_TO_HAPPEN

OVERALL = "overall_grade"
SCALING = "safety_scaling"
QUALITY = {"outstanding": 3, "good": 2, "requires_improvement": 1, "inadequate": 0}

# --- The children of the current audit --------------------------------------------------------


@dataclass(frozen=True)
class Child:
    """One invented child's story, as the agencies' records tell it. Never a name: the
    records call them "the young person"."""

    crisis: date
    age: int
    sex: str
    gender: str
    ethnicity: str
    religion: str
    send: str
    presentation: tuple[str, ...]
    past_harm: tuple[str, ...]
    complicating: tuple[str, ...]
    family: tuple[str, ...]
    neuro: str
    neuro_conditions: tuple[str, ...]
    neuro_weeks: int | None
    eating: bool
    police: tuple[str, ...]
    tier4_days: int | None
    """Days waited for a Tier 4 bed; None when no bed was needed."""
    trusted_adult: str
    attendance: str
    suspensions: int
    helps: tuple[str, ...]
    ed_before: int
    admissions_before: int
    stay: int
    ed_after: int
    avoidable: str
    first_csc_referral: str
    worry: str
    """The danger statement's worry, after "are worried that"."""
    goal: str
    """The safety goal, after "will be confident that"."""
    words: tuple[str, str]
    """The young person's words, as two agencies recorded them."""
    parent: tuple[str, str]
    """Mum's (or the main carer's) words, as two agencies recorded them."""
    father: str
    wants: str
    grades: dict[str, tuple[str, str]]
    """Agency short name: (overall grade, 0-10 safety scaling) for the returns that are in."""
    usual: tuple[str, str] = ("requires_improvement", "5")
    """The grade and scaling of any other agency's return."""
    interpreter: str = "no"
    school_told: bool = False
    """Whether the ward told the school of the discharge (the exception in this cohort)."""


CHILDREN: list[Child] = [
    Child(  # Child A: cutting, parents separating, a school that noticed late
        crisis=date(2020, 2, 14),
        age=15,
        sex="female",
        gender="same",
        ethnicity="white",
        religion="no_religion",
        send="none",
        presentation=("self_harm", "low_mood", "school_avoidance"),
        past_harm=("self_harm", "bullying"),
        complicating=("moves",),
        family=("parental_conflict", "separation"),
        neuro="no_concerns",
        neuro_conditions=(),
        neuro_weeks=None,
        eating=False,
        police=("welfare",),
        tier4_days=None,
        trusted_adult="yes",
        attendance="persistent_absence",
        suspensions=1,
        helps=("friends", "music_art", "pets"),
        ed_before=1,
        admissions_before=0,
        stay=4,
        ed_after=0,
        avoidable="possibly",
        first_csc_referral="no",
        worry=(
            "the young person may cut again, more deeply, when the arguments at home become too "
            "much, and not tell anyone until they need hospital"
        ),
        goal=(
            "when things get too much the young person talks to Mum or their learning mentor "
            "and uses their safety plan, and the adults keep their arguments away from them"
        ),
        words=(
            "'I can't be at home when they're shouting. Cutting is the only thing that makes "
            "it quiet in my head.'",
            "'I don't want to go to school because everyone knows. Miss is the only one I'd "
            "talk to.'",
        ),
        parent=(
            "Mum: 'Since her dad moved out she's stopped eating with us and stays in her room. "
            "I didn't know who to ring.'",
            "Mum: 'School kept sending letters about her being late. Nobody asked why.'",
        ),
        father=(
            "Dad: 'I know the rows have been bad for her. I want to help but I'm not there now.'"
        ),
        wants="'Someone at school I can go to without having to explain everything again.'",
        grades={"CSC": ("good", "7"), "Education": ("requires_improvement", "4")},
    ),
    Child(  # Child B: suicidal thoughts, waiting for an autism assessment, section 136
        crisis=date(2020, 3, 9),
        age=14,
        sex="male",
        gender="same",
        ethnicity="mixed",
        religion="christian",
        send="sen_support",
        presentation=("suicidal_thoughts", "dysregulation"),
        past_harm=("domestic_abuse",),
        complicating=("isolation",),
        family=("parental_mental_health", "money_housing"),
        neuro="waiting",
        neuro_conditions=("autism",),
        neuro_weeks=58,
        eating=False,
        police=("s136", "welfare"),
        tier4_days=None,
        trusted_adult="no",
        attendance="some_absence",
        suspensions=3,
        helps=("gaming_online", "family"),
        ed_before=2,
        admissions_before=0,
        stay=3,
        ed_after=1,
        avoidable="likely",
        first_csc_referral="no",
        worry=(
            "the young person may act on his thoughts of ending his life when he is "
            "overwhelmed, as he did on the bridge in March"
        ),
        goal=(
            "the young person and Mum know the signs that he is becoming overwhelmed and what "
            "to do, and he is getting support for his needs while he waits for his assessment"
        ),
        words=(
            "'Everyone says wait for the assessment. I've been waiting since Year 7.'",
            "'When it gets loud I can't think. I just need to get out.'",
        ),
        parent=(
            "Mum: 'We were told nothing could happen until he had a diagnosis. So we just waited.'",
            "Mum: 'I'm not well myself and I can't keep him safe on my own at night.'",
        ),
        father="",
        wants="'Somewhere quiet to go when it gets too much, and someone who gets autism.'",
        grades={"GP": ("requires_improvement", "5"), "Police": ("good", "5")},
    ),
    Child(  # Child C: restrictive eating; a school that acted early
        crisis=date(2020, 6, 22),
        age=16,
        sex="female",
        gender="same",
        ethnicity="asian",
        religion="muslim",
        send="none",
        presentation=("eating", "anxiety"),
        past_harm=(),
        complicating=("physical_health",),
        family=("siblings",),
        neuro="no_concerns",
        neuro_conditions=(),
        neuro_weeks=None,
        eating=True,
        police=(),
        tier4_days=None,
        trusted_adult="yes",
        attendance="good",
        suspensions=0,
        helps=("friends", "siblings", "school"),
        ed_before=0,
        admissions_before=0,
        stay=11,
        ed_after=0,
        avoidable="not_avoidable",
        first_csc_referral="yes",
        worry=(
            "the young person's weight may fall again to a point where her heart is at risk, "
            "if her treatment is delayed"
        ),
        goal="the young person eats regular meals with her family and keeps her appointments",
        words=(
            "'I know I need to eat. It's just that the food feels like the only thing I can "
            "control.'",
            "'My head of year noticed before anyone. She didn't make a big deal, she just asked.'",
        ),
        parent=(
            "Mum: 'The appointments kept getting moved. Every week we waited she got thinner.'",
            "Mum: 'School were brilliant. They rang me the same day.'",
        ),
        father="",
        wants="'To keep going to school and see the same person every time.'",
        grades={"Hospital": ("good", "5"), "Education": ("outstanding", "8")},
    ),
    Child(  # Child D: autistic, self-harm, not attending school, an earlier referral refused
        crisis=date(2020, 9, 3),
        age=13,
        sex="female",
        gender="different",
        ethnicity="white",
        religion="no_religion",
        send="ehcp",
        presentation=("self_harm", "school_avoidance", "anxiety"),
        past_harm=("self_harm", "bullying"),
        complicating=("isolation",),
        family=("parental_conflict",),
        neuro="diagnosed",
        neuro_conditions=("autism",),
        neuro_weeks=71,
        eating=False,
        police=(),
        tier4_days=None,
        trusted_adult="no",
        attendance="persistent_absence",
        suspensions=0,
        helps=("gaming_online", "pets"),
        ed_before=3,
        admissions_before=1,
        stay=6,
        ed_after=1,
        avoidable="likely",
        first_csc_referral="no",
        worry=(
            "the young person may hurt themselves again when they are overwhelmed at school "
            "and the adults do not understand what they are telling them"
        ),
        goal="the young person has a plan at school that fits their autism and they use it",
        words=(
            "'People keep saying it's just my autism. It isn't. I'm sad.'",
            "'I use they. Nobody at the hospital asked.'",
        ),
        parent=(
            "Mum: 'We were told the self-harm was part of the autism and there was nothing "
            "CAMHS could add.'",
            "Mum: 'Their dad and I argue about school every morning. They hear all of it.'",
        ),
        father="",
        wants="'Text me, don't ring. And let me sit at the back near the door.'",
        grades={"CAMHS": ("good", "4"), "GP": ("requires_improvement", "7")},
    ),
    Child(  # Child E: an overdose, a young carer, a Tier 4 bed
        crisis=date(2020, 4, 28),
        age=15,
        sex="female",
        gender="same",
        ethnicity="black",
        religion="christian",
        send="none",
        presentation=("suicide_attempt", "low_mood"),
        past_harm=("self_harm", "abuse_neglect"),
        complicating=("young_carer", "bereavement"),
        family=("parental_mental_health", "parental_substance_misuse"),
        neuro="no_concerns",
        neuro_conditions=(),
        neuro_weeks=None,
        eating=False,
        police=("missing",),
        tier4_days=9,
        trusted_adult="not_known",
        attendance="some_absence",
        suspensions=0,
        helps=("siblings", "music_art"),
        ed_before=2,
        admissions_before=1,
        stay=14,
        ed_after=0,
        avoidable="likely",
        first_csc_referral="no",
        worry=(
            "the young person may take another overdose while she is caring for Mum and "
            "nobody is looking after her"
        ),
        goal=(
            "the young person has a safe adult at home every day and gets support as a young "
            "carer, so she is not managing Mum's illness on her own"
        ),
        words=(
            "'I look after Mum. If I'm in hospital who's doing her tablets?'",
            "'Since Nan died there's no one to talk to.'",
        ),
        parent=(
            "Aunt (main carer since June): 'She's been holding that house together for years.'",
            "Mum: 'I know I haven't been well. She shouldn't have to do it all.'",
        ),
        father="",
        wants="'Not a group. Just one person, and not before school because I do Mum's meds.'",
        grades={"CSC": ("inadequate", "3"), "Hospital": ("good", "4")},
        usual=("requires_improvement", "4"),
    ),
    Child(  # Child F: drugs, going missing, exploitation
        crisis=date(2020, 7, 17),
        age=16,
        sex="male",
        gender="same",
        ethnicity="white",
        religion="no_religion",
        send="sen_support",
        presentation=("substance_misuse", "low_mood", "dysregulation"),
        past_harm=("exploitation",),
        complicating=("going_missing",),
        family=("parental_conflict", "money_housing"),
        neuro="concerns_not_referred",
        neuro_conditions=("adhd",),
        neuro_weeks=None,
        eating=False,
        police=("missing", "suspect", "welfare"),
        tier4_days=None,
        trusted_adult="yes",
        attendance="persistent_absence",
        suspensions=4,
        helps=("sport", "friends"),
        ed_before=1,
        admissions_before=0,
        stay=2,
        ed_after=2,
        avoidable="possibly",
        first_csc_referral="no",
        worry=(
            "the young person may be seriously hurt by the people he is running drugs for, or "
            "overdose when he uses to cope"
        ),
        goal="the young person is at home every night and spends his days at college or boxing",
        words=(
            "'They look after me more than anyone at home does.'",
            "'Boxing is the only place nobody's on at me.'",
        ),
        parent=(
            "Mum: 'The arguing with his stepdad is why he goes. I know that.'",
            "Mum: 'I asked for help when he was twelve.'",
        ),
        father="Stepdad: 'He won't listen to me. I've given up trying.'",
        wants="'My boxing coach. He's the one I'd talk to.'",
        grades={"CAMHS": ("requires_improvement", "2"), "Police": ("good", "3")},
        usual=("requires_improvement", "3"),
    ),
    Child(  # Child G: bereavement and anxiety, stepped down to early help
        crisis=date(2020, 10, 12),
        age=14,
        sex="female",
        gender="questioning",
        ethnicity="white",
        religion="christian",
        send="none",
        presentation=("self_harm", "anxiety"),
        past_harm=("self_harm",),
        complicating=("bereavement",),
        family=("separation",),
        neuro="no_concerns",
        neuro_conditions=(),
        neuro_weeks=None,
        eating=False,
        police=(),
        tier4_days=None,
        trusted_adult="yes",
        attendance="good",
        suspensions=0,
        helps=("friends", "family", "music_art"),
        ed_before=0,
        admissions_before=0,
        stay=3,
        ed_after=0,
        avoidable="not_avoidable",
        first_csc_referral="yes",
        worry="the young person may cut again around the anniversary of her grandad's death",
        goal="the young person keeps seeing her counsellor and tells Dad when it is a bad day",
        words=(
            "'Grandad was the one I talked to. Now there's no one.'",
            "'The counsellor at school is actually good. I'd keep seeing her.'",
        ),
        parent=(
            "Dad (main carer): 'She's been different since the funeral. Quiet.'",
            "Dad: 'School have been great, they let her leave lessons when she needs to.'",
        ),
        father="Dad: 'I didn't know she was cutting. I'd like to know what to look for.'",
        wants="'Face to face at school, in the day. I don't want to do it online.'",
        grades={"CSC": ("good", "6"), "Education": ("good", "7")},
        usual=("good", "6"),
    ),
    Child(  # Child H: angry outbursts, ADHD worries never referred
        crisis=date(2020, 11, 5),
        age=12,
        sex="male",
        gender="same",
        ethnicity="other",
        religion="muslim",
        send="sen_support",
        presentation=("dysregulation", "suicidal_thoughts"),
        past_harm=("domestic_abuse",),
        complicating=("moves",),
        family=("parental_conflict", "money_housing"),
        neuro="concerns_not_referred",
        neuro_conditions=("adhd",),
        neuro_weeks=None,
        eating=False,
        police=("domestic_incident", "welfare"),
        tier4_days=None,
        trusted_adult="not_known",
        attendance="some_absence",
        suspensions=2,
        helps=("sport",),
        ed_before=1,
        admissions_before=0,
        stay=2,
        ed_after=0,
        avoidable="likely",
        first_csc_referral="no",
        worry=(
            "the young person may hurt himself when he is angry, as he did when he said he "
            "wanted to die after the row at home"
        ),
        goal="the young person has an assessment of his needs and a calm plan at home and school",
        words=(
            "'I get in trouble for everything. I just want it to stop.'",
            "'Dad shouts, then I shout, then the police come.'",
        ),
        parent=(
            "Mum (through an interpreter): 'I told the doctor three times he cannot sit still "
            "or sleep.'",
            "Mum: 'We moved twice this year. He had to start again each time.'",
        ),
        father="",
        wants="'Someone who doesn't just tell me off.'",
        grades={"GP": ("inadequate", "3"), "Police": ("requires_improvement", NOT_KNOWN)},
        usual=("requires_improvement", "4"),
        interpreter="yes",
    ),
    Child(  # Child I: low mood after moving; a ward and school that worked well together
        crisis=date(2020, 8, 19),
        age=15,
        sex="female",
        gender="same",
        ethnicity="white",
        religion="no_religion",
        send="none",
        presentation=("low_mood", "anxiety", "self_harm"),
        past_harm=("bullying",),
        complicating=("moves", "isolation"),
        family=("parental_conflict",),
        neuro="no_concerns",
        neuro_conditions=(),
        neuro_weeks=None,
        eating=False,
        police=(),
        tier4_days=None,
        trusted_adult="yes",
        attendance="good",
        suspensions=0,
        helps=("friends", "pets", "gaming_online"),
        ed_before=0,
        admissions_before=0,
        stay=5,
        ed_after=0,
        avoidable="possibly",
        first_csc_referral="yes",
        worry="the young person may self-harm again if the online bullying starts again",
        goal="the young person tells her mentor straight away if anyone messages her again",
        words=(
            "'Moving here I didn't know anyone. Then the messages started.'",
            "'The nurse on the ward talked to me like a person.'",
        ),
        parent=(
            "Mum: 'The ward rang school before she went back. That made all the difference.'",
            "Mum: 'We argue about money, I know she hears it.'",
        ),
        father="",
        wants="'Face to face, in school, not in front of my friends.'",
        grades={"Hospital": ("outstanding", "7"), "Education": ("good", "7")},
        usual=("good", "7"),
        school_told=True,
    ),
    Child(  # Child J: unusual experiences; CAMHS crisis response at its best
        crisis=date(2020, 12, 1),
        age=17,
        sex="female",
        gender="same",
        ethnicity="black",
        religion="other",
        send="none",
        presentation=("unusual_experiences", "suicidal_thoughts"),
        past_harm=(),
        complicating=("physical_health",),
        family=("parental_mental_health",),
        neuro="no_concerns",
        neuro_conditions=(),
        neuro_weeks=None,
        eating=False,
        police=(),
        tier4_days=None,
        trusted_adult="yes",
        attendance="good",
        suspensions=0,
        helps=("family", "music_art"),
        ed_before=0,
        admissions_before=0,
        stay=4,
        ed_after=0,
        avoidable="not_avoidable",
        first_csc_referral="yes",
        worry="the young person may act on the voices telling her to hurt herself",
        goal="the young person and her family know the early signs and call the crisis line",
        words=(
            "'When I rang at 2am someone actually answered. She stayed on the phone until Mum "
            "woke up.'",
            "'I want to finish college. Don't make it all about the voices.'",
        ),
        parent=(
            "Mum: 'The crisis team were with us within hours. I can't fault them.'",
            "Mum: 'I've had my own struggles. I worried it was my fault.'",
        ),
        father="",
        wants="'Video calls are fine in the evening, after college.'",
        grades={"CAMHS": ("outstanding", "7")},
        usual=("good", "7"),
    ),
]

# --- What practitioners wrote, by agency sector -----------------------------------------------

MISSED = {
    "social_care": (
        "In {month} police told the MASH about an incident at the home with the young person "
        "present. It was closed with a letter to the parents; nobody spoke to the young "
        "person or the school. An early help offer could have been made then."
    ),
    "mental_health": (
        "A GP referral for low mood and self-harm in {month} was not accepted. Our letter "
        "signposted to online counselling, but nobody checked the family had taken it up or "
        "told the school."
    ),
    "health": (
        "The young person came to A&E after cutting in {month} and went home the same night "
        "with a letter to the GP. No referral was made to the acute liaison team."
    ),
    "primary_care": (
        "Mum brought the young person in twice, the first time in {month}, with poor sleep, "
        "angry outbursts and low mood. The 4-week review was not booked and no referral or call "
        "to school was made."
    ),
    "education": (
        "The behaviour log from {month} shows detentions for lateness and a suspension after an "
        "outburst. Staff did not ask what was behind it; a pastoral referral then could have "
        "found out what was happening at home."
    ),
    "police": (
        "Officers attended a domestic incident at the home in {month}. The young person was "
        "recorded as present, but the notification to the MASH did not say how they were."
    ),
}

AVOIDABLE_HOW = {
    "mental_health": (
        "Accepting the earlier referral, or at least a call to the family and the school, could "
        "have given the young person help in the community months before the crisis."
    ),
    "health": (
        "A referral to the acute liaison team at the earlier A&E attendance, and a GP follow-up "
        "within a week, might have led to help before things escalated."
    ),
    "primary_care": (
        "A referral after the earlier consultations for low mood, and a call to the school's "
        "safeguarding lead, might have prevented the admission."
    ),
}

EARLY_HELP_NEXT = {
    "social_care": (
        "Screen repeat police notifications about arguments at home for early help, and speak "
        "to the child, not only the parents."
    ),
    "mental_health": (
        "When we do not accept a referral, call the referrer and the family, and tell the school "
        "what support has been suggested."
    ),
    "health": (
        "Refer every under-18 who attends A&E with self-harm to the acute liaison team, even when "
        "they go home the same night."
    ),
    "primary_care": (
        "Book the review before the family leaves, and have the practice safeguarding lead look "
        "at repeat consultations for low mood."
    ),
    "education": (
        "Read pastoral notes and the behaviour log together at the weekly inclusion meeting, so "
        "that patterns are spotted."
    ),
    "police": "Describe the child's presentation in every domestic incident notification.",
}

SCHOOLS_NEXT = {
    "social_care": (
        "Invite the school's designated safeguarding lead to every strategy discussion and "
        "planning meeting for a child in crisis."
    ),
    "mental_health": (
        "Send the safety plan to the school, with the family's agreement, before the young "
        "person goes back."
    ),
    "health": "Add the school to the ward's discharge checklist.",
    "education": (
        "A named contact in CAMHS and on the ward, so that we can find out what is happening "
        "and plan the young person's return."
    ),
}

# (sector, grade): the reasons for the grade, in a reviewer's words (one or two versions).
RATIONALES: dict[tuple[str, str], tuple[str, ...]] = {
    ("social_care", "outstanding"): (
        "MASH decision the same day with checks from health, school and police. The social "
        "worker saw the young person alone twice, recorded their words and built the plan "
        "around them; both parents were seen and offered help with their conflict.",
    ),
    ("social_care", "good"): (
        "MASH decision within a day with checks from health and school. The assessment spoke "
        "to the young person alone and to both parents and led to early help with a named "
        "worker. Not outstanding: the school was not invited to the planning meeting.",
        "Quick, well-evidenced MASH decision and a whole-family assessment. The liaison social "
        "worker and the allocated worker shared information well. The young person's words are "
        "recorded, but the plan does not say how they changed it.",
    ),
    ("social_care", "requires_improvement"): (
        "The assessment was thorough once it started, but earlier notifications about the "
        "family were closed without speaking to the young person, and the school was not told "
        "of the plan.",
    ),
    ("social_care", "inadequate"): (
        "Two police notifications of incidents at home in the spring were closed with no further "
        "action and no contact with the young person. Nobody put the contacts together until "
        "the overdose, and the young person's caring role for Mum was not recognised.",
    ),
    ("mental_health", "outstanding"): (
        "The crisis line answered at night and the acute liaison team assessed the young person "
        "within hours. Safety plan written with the young person and Mum, follow-up call on day "
        "2, and the same clinician saw her through to a community team.",
    ),
    ("mental_health", "good"): (
        "Assessed within 24 hours of referral; the liaison social worker checked with the MASH "
        "the same day; safety plan written with the young person. Not outstanding: no support "
        "was offered while they waited for assessment, and school had no copy of the plan.",
    ),
    ("mental_health", "requires_improvement"): (
        "The crisis response was quick, but an earlier referral was not accepted and the "
        "signposting was not followed up. The safety plan was written without the young person "
        "and the school did not get it.",
    ),
    ("mental_health", "inadequate"): (
        "Two referrals were not accepted, without a call to the family or the referrer, while "
        "the self-harm was getting worse. No safety plan is on file after discharge.",
    ),
    ("health", "outstanding"): (
        "Seen by the acute liaison team within 24 hours of admission. The ward rang the school "
        "before discharge, with the family's agreement, and a return meeting was held. The "
        "young person's views are recorded and shaped the plan.",
    ),
    ("health", "good"): (
        "Assessment within 48 hours, good liaison with the MASH through the team's social "
        "worker, and a clear discharge plan. Not outstanding: the discharge letter went to the "
        "GP and CAMHS but not to the school.",
        "Timely assessment and a safe discharge with a written safety plan. The wait for a "
        "Tier 4 bed was managed safely on the ward, but the school was not told of the "
        "admission.",
    ),
    ("health", "requires_improvement"): (
        "The admission was well managed, but an earlier A&E attendance for self-harm led to no "
        "referral to the acute liaison team, and nobody told the school.",
    ),
    ("health", "inadequate"): (
        "Two earlier A&E attendances for self-harm ended with a letter to the GP and no referral. "
        "The young person went home from the ward without a safety plan.",
    ),
    ("primary_care", "outstanding"): (
        "The practice noticed the change in mood early, referred the same week, rang the school "
        "nurse and saw the young person within a week of each A&E attendance.",
    ),
    ("primary_care", "good"): (
        "Routine appointment offered after each A&E attendance and medication reviewed. The "
        "referral to CAMHS was timely. Not outstanding: the school was not contacted.",
    ),
    ("primary_care", "requires_improvement"): (
        "The practice offered a routine appointment after the A&E attendance and referred to "
        "CAMHS, but when the referral was not accepted nobody followed it up, and the school "
        "was not told. No safeguarding lead review is recorded.",
        "Good follow-up after each A&E attendance, but the practice did not pass on to CAMHS "
        "Mum's worry that the self-harm was being put down to autism, and the school was not "
        "told of the attendances.",
    ),
    ("primary_care", "inadequate"): (
        "Three consultations in six months record poor sleep, angry outbursts and Mum's worries "
        "about ADHD. None led to a referral or to the practice safeguarding meeting, and the "
        "A&E letter after the crisis was filed without action.",
    ),
    ("education", "outstanding"): (
        "The head of year noticed weight loss and low mood early, spoke to the young person and "
        "Mum the same week and asked the GP to refer. A named trusted adult and a safe space "
        "were in place before and after the admission.",
    ),
    ("education", "good"): (
        "Pastoral support in place from the first concern, with a counsellor the young person "
        "trusts. Not outstanding: school heard of the admission from the family and had no "
        "safety plan for the return.",
        "A trusted adult and a flexible timetable after the crisis, and the young person's "
        "views shaped the return plan. Not outstanding: the online bullying was known to the "
        "school for a term before anyone asked how the young person was coping.",
    ),
    ("education", "requires_improvement"): (
        "Pastoral staff noticed the young person was withdrawn and set up weekly check-ins, but "
        "the behaviour log shows detentions for lateness with no link to what was happening at "
        "home. School heard of the admission from Mum and had no safety plan.",
    ),
    ("education", "inadequate"): (
        "Repeated sanctions for behaviour with no pastoral referral. The school did not share "
        "its concerns with any other agency before the crisis.",
    ),
    ("police", "outstanding"): (
        "Officers stayed with the young person, used a health-based place of safety, and "
        "notified the MASH within hours with a full account of what the young person said.",
    ),
    ("police", "good"): (
        "Officers used section 136 appropriately and took the young person to the hospital "
        "place of safety, not custody. A notification went to the MASH the next morning.",
        "Missing episodes handled promptly, with return interviews requested each time and the "
        "exploitation concerns shared with the MASH.",
    ),
    ("police", "requires_improvement"): (
        "The welfare call was handled promptly, but the notification to the MASH went 9 days "
        "later and did not record the young person's own words.",
    ),
    ("police", "inadequate"): (
        "Domestic incidents at the home were recorded without any note of the child, and no "
        "notification was sent to the MASH.",
    ),
}

NEXT_STEPS = {
    ("social_care", True): (
        "Early help worker to keep visiting fortnightly until the review in March, and to invite "
        "the school to the next team around the family meeting."
    ),
    ("social_care", False): (
        "Team manager to review how repeat notifications are screened in the MASH by the end of "
        "the month; young carers' assessment for the young person now."
    ),
    ("mental_health", True): (
        "Keep the same clinician until discharge to the community team; send the safety plan to "
        "the school with the family's agreement."
    ),
    ("mental_health", False): (
        "Service manager to review the referral decision with the team; offer the family support "
        "while they wait; share the safety plan with school this week."
    ),
    ("health", True): "Add the school to the discharge checklist for every young person.",
    ("health", False): (
        "Ward manager to remind staff to refer every under-18 attending with self-harm to the "
        "acute liaison team."
    ),
    ("primary_care", True): "Practice to tell the school nurse when a young person attends A&E.",
    ("primary_care", False): (
        "Practice safeguarding lead to review the young person's record at the next practice "
        "safeguarding meeting; book reviews with the young person on their own, and tell the "
        "school nurse of A&E attendances."
    ),
    ("education", True): "Keep the trusted adult and safe space in place through to Year 11.",
    ("education", False): (
        "DSL to review the behaviour log alongside pastoral notes each half term and to ask the "
        "hospital and CAMHS for the safety plan."
    ),
    ("police", True): "No further action needed for the young person.",
    ("police", False): "Sergeant to remind the team to notify the MASH within 24 hours.",
}

SUPPORT_BEFORE = {
    "social_care": ["early_help_assessment"],
    "mental_health": ["counselling", "community"],
    "health": ["camhs_referral"],
    "primary_care": ["gp", "camhs_referral"],
    "education": ["pastoral", "mhst"],
    "police": ["social_care_referral"],
}

# Chronology entries by sector: (days from the crisis, what happened, what the agency did,
# whether it was a missed chance to help earlier).
CHRONOLOGY: dict[str, list[tuple[int, str, str, bool]]] = {
    "social_care": [
        (
            -150,
            "Police notification to the MASH: an incident at the home, the young person present.",
            "No further action; letter to the parents. No contact with the young person or the "
            "school.",
            True,
        ),
        (
            1,
            "Referral from the acute liaison team after the admission.",
            "MASH checks with health, school and police the same day; strategy discussion held.",
            False,
        ),
        (
            24,
            "Child and family assessment completed.",
            "Stepped down to early help with a named family worker.",
            False,
        ),
    ],
    "mental_health": [
        (
            -120,
            "GP referral for low mood and self-harm.",
            "Not accepted: did not meet the threshold. Letter to the GP signposting to online "
            "counselling; the school was not told.",
            True,
        ),
        (
            0,
            "Acute liaison team assessment on the ward.",
            "Seen within 24 hours; safety plan written with the young person and their parent.",
            False,
        ),
        (
            5,
            "Follow-up call after discharge.",
            "The young person said they felt safer at home; first community appointment booked.",
            False,
        ),
    ],
    "health": [
        (
            -60,
            "A&E attendance after cutting; discharged the same night.",
            "Discharge letter to the GP only; no referral to the acute liaison team.",
            True,
        ),
        (
            0,
            "Admitted to the paediatric ward after the crisis.",
            "Acute liaison team told; assessed within 24 hours.",
            False,
        ),
        (
            4,
            "Discharged home with a safety plan.",
            "Letters to the GP and CAMHS; the school was not copied in.",
            False,
        ),
    ],
    "primary_care": [
        (
            -200,
            "Consultation with Mum: the young person not sleeping, angry outbursts at home.",
            "Sleep advice; a review in 4 weeks was suggested but not booked.",
            True,
        ),
        (
            -90,
            "Consultation: low mood, the young person said they 'don't see the point'.",
            "Referral to CAMHS (not accepted).",
            False,
        ),
        (
            10,
            "Routine appointment after the A&E attendance and admission.",
            "Seen with Mum; medication reviewed; safety plan not received by the practice.",
            False,
        ),
    ],
    "education": [
        (
            -180,
            "Form tutor notes the young person tearful and withdrawn in lessons.",
            "Referred to the pastoral team; weekly check-ins with the learning mentor.",
            False,
        ),
        (
            -70,
            "Two detentions for lateness and a suspension after an outburst in class.",
            "Sanctions applied; no link made to what was happening at home.",
            True,
        ),
        (
            14,
            "The young person returns to school after the admission.",
            "School learned of the admission from the family; return meeting held without a "
            "safety plan.",
            False,
        ),
    ],
    "police": [
        (
            -100,
            "Concern for welfare call: the young person missing overnight.",
            "Found the next morning; return home interview requested.",
            False,
        ),
        (
            -45,
            "Domestic incident at the home; the young person present.",
            "Notification to the MASH 9 days later, with no account of the young person.",
            True,
        ),
        (
            0,
            "Officers attend the crisis.",
            "Young person taken to the hospital's place of safety; the MASH told the next day.",
            False,
        ),
    ],
}

# --- Agency summaries: what each agency added in its own words --------------------------------

SUMMARY_WORDS: dict[str, list[tuple[str, str, str]]] = {
    # agency: [(column, text, theme key)]
    "CSC": [
        (
            "working_well",
            "MASH decisions were made within a day, with checks from health, school and police, "
            "and the social workers in the acute liaison team made sharing quicker.",
            "crisis",
        ),
        (
            "worried_about",
            "Earlier police notifications about arguments at home were closed without speaking to "
            "the young person: the first real look at the family came at the point of crisis.",
            "family",
        ),
        (
            "needs_to_happen",
            "Screen repeat notifications about parental conflict for early help, and offer the "
            "reducing parental conflict programme at the first contact.",
            "early",
        ),
    ],
    "Hospital": [
        (
            "working_well",
            "Young people were assessed quickly on the ward, and the liaison social worker "
            "checked with the MASH on the day of admission.",
            "crisis",
        ),
        (
            "worried_about",
            "Discharge letters went to the GP and CAMHS but not to the school, so schools did not "
            "know a young person was coming back.",
            "schools",
        ),
        (
            "needs_to_happen",
            "Add the school to the discharge checklist, with the family's agreement, and send the "
            "safety plan.",
            "schools",
        ),
    ],
    "Education": [
        (
            "working_well",
            "Where a young person had a named trusted adult and a safe space, they kept coming to "
            "school after discharge.",
            "voice",
        ),
        (
            "worried_about",
            "Schools heard about admissions from parents, days later, and behaviour logs show "
            "sanctions for lateness and outbursts with no link made to distress.",
            "schools",
        ),
        (
            "needs_to_happen",
            "Train pastoral staff and safeguarding leads on emotional dysregulation and on "
            "responding to behaviour as communication.",
            "early",
        ),
    ],
    "Police": [
        (
            "working_well",
            "Officers took every young person detained under section 136 to the hospital's "
            "place of safety; none was held in custody.",
            "crisis",
        ),
        (
            "worried_about",
            "Notifications to the MASH after domestic incidents were late, up to 9 days, and "
            "rarely said how the child was or what they said.",
            "family",
        ),
        (
            "needs_to_happen",
            "Notify the MASH within 24 hours of a domestic incident, with the child's "
            "presentation and their own words.",
            "early",
        ),
    ],
}
SENT_SUMMARIES = ("CSC", "Hospital", "Education", "Police")
"""The agencies whose summaries the panel has. CAMHS and the GP practices have not started
theirs (the demo's reviewers write them: the browser journeys start from nothing)."""

# --- Themes -----------------------------------------------------------------------------------

THEMES: dict[str, tuple[str, str]] = {
    "schools": (
        "Communication with schools",
        "Schools were often the last to know about a crisis, an admission or a safety plan, and "
        "were rarely part of planning a young person's return.",
    ),
    "family": (
        "Family conflict and parenting support",
        "Conflict between parents, separation and parents' own difficulties were part of every "
        "child's story. The whole family was not always assessed, fathers were rarely spoken to, "
        "and help with the conflict was seldom offered.",
    ),
    "voice": (
        "Voice of the child",
        "Whether the young person's own words were recorded, and whether they changed what "
        "happened; young people told us relationships and a trusted adult matter most.",
    ),
    "neuro": (
        "Waiting for neurodevelopmental assessment",
        "Long waits for an autism or ADHD assessment, little support while families waited, and "
        "a diagnosis, or the lack of one, standing in the way of help.",
    ),
    "early": (
        "Early help before crisis",
        "Early signs were recorded months before the crisis in GP, school and police records, "
        "and referrals were not accepted, without anyone putting them together.",
    ),
    "crisis": (
        "A fast crisis response",
        "The 24-hour crisis line, assessment by the acute liaison team within 48 hours, and the "
        "social workers based in the team.",
    ),
}
EARLIER_THEMES = ("schools", "voice", "family")

TAGS_PER_THEME = 5
"""Answers tagged with each theme (the panel has started tagging, not finished)."""


def _tags_answer(key: str, question_id: str, value: Any) -> bool:
    """Whether the chair has tagged this answer with the theme ``key`` (a few rules, as a
    chair reading the board would)."""
    listed = value if isinstance(value, list) else [value]
    rules: dict[str, dict[str, tuple[str, ...] | None]] = {
        "schools": {
            "school_received_information": ("no",),
            "shared_with_school": ("no",),
            "school_told_discharge": ("no",),
            "safety_plan_received": ("no",),
            "learned_of_crisis": ("from_family",),
            "schools_next": None,
        },
        "family": {
            "family_circumstances": ("parental_conflict",),
            "parental_conflict_support": ("no",),
            "father_spoken_to": ("no",),
            "parent_words": None,
        },
        "voice": {
            "child_words": None,
            "voice_recorded": ("no",),
            "child_support_wanted": None,
        },
        "neuro": {
            "neuro_status": ("waiting", "diagnosed", "concerns_not_referred"),
            "neuro_support_while_waiting": ("no",),
            "diagnosis_barrier": ("no_diagnosis_barrier", "diagnosis_barrier"),
            "reasonable_adjustments": ("no",),
        },
        "early": {
            "missed_opportunity": None,
            "early_signs_recognised": ("no",),
            "support_helped": ("no",),
            "early_help_next": None,
        },
        "crisis": {
            "assessed_within_48_hours": ("yes",),
            "crisis_line_quick": ("yes",),
            "liaison_social_worker_helped": ("yes",),
            "follow_up_after_discharge": ("yes",),
            "gp_appointment_after_ed": ("yes",),
        },
    }
    if question_id not in rules[key]:
        return False
    wanted = rules[key][question_id]
    return wanted is None or any(str(v) in wanted for v in listed)


# --- Answering one return ---------------------------------------------------------------------


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _answer(
    question: Question,
    definition: AuditTemplateDefinition,
    child: Child,
    position: int,
    sector: str,
    grade: str,
    scaling: str,
    agency_index: int,
) -> Any:
    """What a reviewer of ``sector`` would answer to ``question`` for ``child`` (a stored
    value; None leaves an optional question blank)."""
    quality = QUALITY[grade]
    good = quality >= 2
    # Practice that "requires improvement" does some things and not others.
    flip = (position + len(question.id) + agency_index) % 2 == 0
    practice = good or (quality == 1 and flip)
    qid = question.id
    before = child.crisis - timedelta(days=120)
    words = child.words[agency_index % 2]
    parent = child.parent[agency_index % 2]
    neuro_flag = child.neuro in ("diagnosed", "assessed_no_diagnosis", "waiting")
    specific: dict[str, Any] = {
        "presentation": list(child.presentation if sector != "police" else child.presentation[:1]),
        "past_harm": list(child.past_harm) or None,
        "complicating_factors": list(child.complicating) or None,
        "understood_distress": _yes(practice),
        "age_at_crisis": child.age,
        "sex": child.sex,
        "gender_identity": child.gender,
        "ethnicity": child.ethnicity,
        "religion": child.religion,
        "first_language": "other" if child.interpreter == "yes" else "english",
        "interpreter_needed": child.interpreter,
        "interpreter_used": _yes(practice),
        "send_status": child.send,
        "early_signs_recognised": (
            DOES_NOT_APPLY if sector == "health" and not child.ed_before else _yes(practice)
        ),
        "missed_opportunity": MISSED.get(sector, MISSED["education"]).format(
            month=f"{before:%B %Y}"
        ),
        "support_before_crisis": SUPPORT_BEFORE.get(sector, ["other"]) if quality else ["none"],
        "weeks_to_help": {3: 0, 2: 1, 1: 6, 0: 14}[quality],
        "support_helped": ("yes" if good else NOT_KNOWN) if position % 3 else "no",
        "csc_referral_at_crisis": child.first_csc_referral,
        "camhs_referral_at_crisis": "yes" if child.first_csc_referral == "yes" else "no",
        "step_down_early_help": "yes" if good else "no",
        "early_help_next": EARLY_HELP_NEXT.get(sector) if not good or position % 2 else None,
        "shared_with_school": (
            DOES_NOT_APPLY
            if sector == "police"
            else _yes(quality == 3)
            if sector in ("health", "primary_care")
            else _yes(practice)
        ),
        "school_received_information": "yes" if quality == 3 else "no",
        "school_shared_concerns": _yes(practice),
        "school_in_planning": (
            DOES_NOT_APPLY if sector in ("primary_care", "police") else _yes(practice)
        ),
        "school_told_discharge": _yes(child.school_told or quality == 3),
        "school_told_before_return": "yes",
        "attendance": child.attendance,
        "suspensions": child.suspensions,
        "school_support": (
            ["trusted_adult", "safe_space", "support_plan"]
            if good
            else ["trusted_adult", "referral"]
            if quality
            else ["none"]
        ),
        "distress_seen_behind_behaviour": _yes(good),
        "schools_next": SCHOOLS_NEXT.get(sector) if not good or sector == "education" else None,
        "family_circumstances": list(child.family) or None,
        "whole_family_assessment": _yes(practice),
        "parental_conflict_support": _yes(quality == 3),
        "father_spoken_to": (_yes(good and bool(child.father)) if child.father else DOES_NOT_APPLY),
        "parent_words": parent,
        "father_words": child.father or None,
        "attachment_work_needed": "yes" if child.past_harm else "no",
        "attachment_work_offered": _yes(quality == 3),
        "community_support_at_admission": _yes(child.first_csc_referral == "no"),
        "ed_attendances_before": child.ed_before,
        "admissions_before": child.admissions_before,
        "admission_date": child.crisis.isoformat(),
        "length_of_stay": child.stay,
        "readmissions_after": 0,
        "ed_attendances_after": child.ed_after,
        "admission_avoidable": (
            NOT_KNOWN if sector == "health" and position % 4 == 0 else child.avoidable
        ),
        "admission_avoidable_how": AVOIDABLE_HOW.get(sector, AVOIDABLE_HOW["health"]),
        "tier4_needed": _yes(child.tier4_days is not None),
        "tier4_waited": "yes",
        "tier4_days_waited": child.tier4_days,
        "tier4_where_waited": "paediatric_ward",
        "crisis_line_known": (
            NOT_KNOWN if sector == "primary_care" and not good else _yes(practice)
        ),
        "crisis_line_quick": "yes" if child.age > 13 else DOES_NOT_APPLY,
        "assessed_within_48_hours": "yes",
        "social_worker_during_crisis": (
            "none"
            if child.first_csc_referral == "yes" and sector == "mental_health"
            else "both"
            if child.tier4_days
            else "liaison"
        ),
        "liaison_social_worker_helped": "yes",
        "no_social_worker_right": "yes",
        "lead_professional": _yes(practice),
        "safety_plan_written": "yes",
        "safety_plan_with_child": _yes(good),
        "safety_plan_received": "yes" if quality == 3 else "no",
        "follow_up_after_discharge": "yes",
        "gp_appointment_after_ed": _yes(quality >= 1),
        "police_involvement": list(child.police) or None,
        "place_of_safety": "yes",
        "police_shared_with_csc": _yes(good),
        "mash_decision_timely": "yes",
        "mash_checks": _yes(practice),
        "mash_decision_right": _yes(good),
        "assessment_multi_agency": _yes(good),
        "assessment_family_informed": "yes",
        "assessment_focused_plan": _yes(practice),
        "neuro_status": (
            NOT_KNOWN
            if sector == "education" and child.neuro == "no_concerns" and position % 3
            else child.neuro
        ),
        "neuro_conditions": list(child.neuro_conditions) or ["other"],
        "neuro_weeks_waited": child.neuro_weeks,
        "neuro_support_while_waiting": "no",
        "neuro_support_after_diagnosis": _yes(good),
        "diagnosis_barrier": (
            "needs_led"
            if good and not neuro_flag
            else "diagnosis_barrier"
            if child.neuro == "diagnosed"
            else "no_diagnosis_barrier"
        ),
        "reasonable_adjustments": _yes(practice),
        "transforming_care_considered": "no",
        "eating_concern": _yes(child.eating),
        "eating_referral": "referred",
        "eating_triage_timely": "yes",
        "eating_seen_in_time": "yes",
        "eating_treatment_delayed": "yes",
        "eating_delay_reason": "staffing",
        "voice_recorded": _yes(practice or sector == "mental_health"),
        "child_words": words,
        "seen_alone": _yes(practice),
        "asked_how_helped": _yes(good),
        "child_support_wanted": child.wants,
        "support_way_wanted": ["face_to_face_school"],
        "support_time_wanted": ["school_day"],
        "voice_informed_decisions": (
            DOES_NOT_APPLY if sector == "primary_care" and position % 2 else _yes(good)
        ),
        "what_helps_child": list(child.helps),
        "trusted_adult": child.trusted_adult,
        "relationship_built": _yes(practice),
        "learned_of_crisis": {
            "health": DOES_NOT_APPLY,
            "mental_health": DOES_NOT_APPLY,
            "police": DOES_NOT_APPLY if "s136" in child.police else "told_late",
            "social_care": "told_promptly",
            "primary_care": "told_promptly" if good else NOT_KNOWN,
            "education": ("told_promptly" if child.school_told or quality == 3 else "from_family"),
        }.get(sector, "told_late"),
        "meeting_held": DOES_NOT_APPLY if sector == "primary_care" else _yes(practice),
        "meeting_focus": "yes",
        "management_oversight": (
            NOT_KNOWN
            if sector == "primary_care" and quality == 1
            else {3: "effective", 2: "effective", 1: "no_direction", 0: "none"}[quality]
        ),
        "danger_statement_held": _yes(good),
        "danger_statement": (
            f"{child.crisis + timedelta(days=10):%-d %B %Y}: Mum, the school and children's "
            f"social care are worried that {child.worry}."
        ),
        "safety_goal_held": _yes(good),
        "safety_goal": (
            f"{child.crisis + timedelta(days=10):%-d %B %Y}: Everyone, including the young "
            f"person, will be confident that {child.goal}."
        ),
        SCALING: scaling,
        OVERALL: grade,
        "overall_grade_evidence": {3: "strong", 2: "strong", 1: "some", 0: "some"}[quality],
        "overall_needs_to_happen": NEXT_STEPS.get((sector, good), NEXT_STEPS[("education", good)]),
        "escalation_needed": "no",
    }
    if qid == SCALING:  # written as its level ("7"); kept as the number the type keeps
        return answer_type(question).to_stored(specific[qid])
    if qid in specific:
        return specific[qid]
    # A question this demo does not know (a later template): the first plain answer the
    # answer type takes, found by asking the registry which of a few candidates is valid.
    return _plain_answer(question, definition, child, position, practice)


def _plain_answer(
    question: Question,
    definition: AuditTemplateDefinition,
    child: Child,
    position: int,
    practice: bool,
) -> Any:
    kind = answer_type(question)
    choices = [c.value for c in kind.choices(question, definition.scales) or []]
    if "yes" in choices:
        return _yes(practice)
    plain = [v for v in choices if v not in (NOT_KNOWN, DOES_NOT_APPLY)]
    candidates: list[Any] = []
    if plain:
        chosen = plain[position % len(plain)]
        candidates = [chosen, [chosen]]
    else:
        # Words first: a date or a number is not valid words, nor words a date.
        candidates = [
            "Recorded in the case notes after the crisis.",
            question.min or 0,
            child.crisis.isoformat(),
            [{"date": child.crisis.isoformat(), "text": "Seen after the crisis."}],
        ]
    for candidate in candidates:
        if kind.validate(candidate, question, definition.scales) is None:
            return candidate
    return None


def _values_for(
    definition: AuditTemplateDefinition,
    child: Child,
    position: int,
    sector: str,
    grade: str,
    scaling: str,
    agency_index: int,
    rationale: str,
) -> tuple[dict[str, Any], dict[str, str]]:
    values: dict[str, Any] = {}
    rationales: dict[str, str] = {}
    for question in definition.questions:
        if not answering.is_shown(question, values, definition):
            continue
        value = _answer(question, definition, child, position, sector, grade, scaling, agency_index)
        kind = answer_type(question)
        choices = kind.choices(question, definition.scales)
        if choices is not None and value is not None:
            # Keep to the answers the question offers (a gap it does not offer is a plain no).
            offered = {c.value for c in choices}
            listed = value if isinstance(value, list) else [value]
            if not all(str(v) in offered for v in listed):
                value = "no" if "no" in offered else None
        if value is None:
            continue
        values[question.id] = value
        if kind.takes_reason(question):
            rationales[question.id] = rationale
    return values, rationales


# --- Building the panel -----------------------------------------------------------------------


def build_demo_panel(
    session: Session,
    current: Audit,
    earlier: Audit,
    users: dict[Any, User],
    agencies: dict[str, Agency],
    today: date,
) -> None:
    """The current demo audit's panel in progress, and the earlier audit's graded returns."""
    lead = users[Role.ADMIN]
    chair = users[Role.PANEL]
    definition = definition_of(current.template_version)  # type: ignore[arg-type]
    by_id = {agency.id: short for short, agency in agencies.items()}
    members = {
        member.id: member
        for member in session.scalars(
            select(CohortMember).where(
                CohortMember.audit_id == current.id, CohortMember.removed_at.is_(None)
            )
        )
    }
    submitted = list(
        session.scalars(
            select(AgencyReturn)
            .where(
                AgencyReturn.audit_id == current.id,
                AgencyReturn.status == ReturnStatus.SUBMITTED,
                AgencyReturn.member_id.in_(list(members)),
            )
            .order_by(AgencyReturn.member_id, AgencyReturn.agency_id)
        )
    )
    used: Counter[tuple[str, str]] = Counter()
    saves: list[answering.SectionSave] = []
    chronology: list[ChronologyEntry] = []
    sent: list[tuple[AgencyReturn, datetime, User]] = []
    for agency_return in submitted:
        short = by_id.get(agency_return.agency_id, "")
        sector = agency_return.agency.sector.value
        member = members[agency_return.member_id]
        child = CHILDREN[member.position % len(CHILDREN)]
        grade, scaling = child.grades.get(short, child.usual)
        versions = RATIONALES.get((sector, grade)) or RATIONALES[("education", grade)]
        rationale = versions[used[(sector, grade)] % len(versions)]
        used[(sector, grade)] += 1
        agency_index = sorted(agencies).index(short) if short in agencies else 0
        values, rationales = _values_for(
            definition.for_sector(sector),
            child,
            member.position,
            sector,
            grade,
            scaling,
            agency_index,
            rationale,
        )
        saves.append(answering.SectionSave(agency_return, 0, values, rationales))
        sent.append((agency_return, agency_return.submitted_at or utcnow(), users.get(short, lead)))
        for days, what, response, missed in CHRONOLOGY.get(sector, [])[: 2 + member.position % 2]:
            chronology.append(
                ChronologyEntry(
                    return_id=agency_return.id,
                    happened_on=child.crisis + timedelta(days=days + member.position % 5),
                    what_happened=what,
                    agency_response=response,
                    missed_opportunity=missed,
                )
            )
    # Sent returns cannot be changed: open them, answer every question in one save (as a
    # workbook upload does), add their chronologies, and send them again as they were.
    for agency_return, _, _ in sent:
        agency_return.status = ReturnStatus.DRAFT
    session.flush()
    for save in saves:
        save.seen_version = save.agency_return.version
    answering.save_sections(session, saves, lead)
    session.add_all(chronology)
    for agency_return, sent_at, reviewer in sent:
        agency_return.status = ReturnStatus.SUBMITTED
        agency_return.submitted_at = sent_at
        agency_return.submitted_by_id = reviewer.id
    session.flush()

    summary_items = _write_summaries(session, current, agencies, users)
    share_with_panel(session, current, lead.id)
    evidence = _add_evidence(session, current, agencies, chair, today)
    themes = _add_themes(session, current)
    _tag(session, current, themes, summary_items, evidence, chronology, chair)
    _agree_grades(session, members, chair)
    _findings(session, current, themes, evidence)
    _meeting(session, current, agencies, users, today)
    _earlier_audit(session, current, earlier, agencies, users, definition)
    session.flush()


def _write_summaries(
    session: Session, audit: Audit, agencies: dict[str, Agency], users: dict[Any, User]
) -> dict[str, SummaryItem]:
    """Four agencies' summaries sent to the panel: the draft from their answers, with what
    the agency added in its own words. Returns the items the agencies wrote, by agency and
    their words' theme key."""
    written: dict[str, SummaryItem] = {}
    for short in SENT_SUMMARIES:
        if short not in agencies:
            continue
        agency = agencies[short]
        author = users.get(short, users[Role.ADMIN])
        summary = summaries.write_draft(session, audit, agency.id, None)
        edits = [
            summaries.ItemEdit(item.id, item.column.value, item.text) for item in summary.items
        ]
        added = SUMMARY_WORDS.get(short, [])
        edits += [summaries.ItemEdit(None, column, text) for column, text, _ in added]
        summary = summaries.save_summary(
            session,
            audit,
            agency.id,
            summary.version,
            edits,
            author,
            send=True,
        )
        by_text = {item.text: item for item in summary.items}
        for _, text, key in added:
            written[f"{short}:{key}:{text[:20]}"] = by_text[text]
    return written


def _source(
    session: Session,
    audit: Audit,
    user: User,
    kind: EvidenceKind,
    items: list[tuple[SignsOfSafetyColumn, str, bool, int | None]],
    **details: Any,
) -> list[EvidenceItem]:
    source = EvidenceSource(audit_id=audit.id, kind=kind, created_by_id=user.id, **details)
    positions: Counter[SignsOfSafetyColumn] = Counter()
    for column, text, is_quote, count in items:
        source.items.append(
            EvidenceItem(
                audit_id=audit.id,
                column=column,
                text=text,
                is_quote=is_quote,
                count=count,
                position=positions[column],
            )
        )
        positions[column] += 1
    session.add(source)
    session.flush()
    return list(source.items)


SURVEY = {
    "file": "young-people-survey.csv",
    "responses": 71,
    "questions": [
        {
            "text": "How would you most like to get support with your mental health?",
            "answered": 69,
            "written": False,
            "counts": [
                ["Face to face at school", 29],
                ["Face to face outside school", 17],
                ["Video call", 12],
                ["Phone or text", 8],
                ["In a group", 3],
            ],
        },
        {
            "text": "When would you most like to get support?",
            "answered": 69,
            "written": False,
            "counts": [
                ["During the school day", 34],
                ["After 5pm", 21],
                ["At the weekend", 10],
                ["Before school", 4],
            ],
        },
        {
            "text": "What has helped you most over the last year?",
            "answered": 71,
            "written": False,
            "counts": [
                ["Friends", 22],
                ["Family, brothers or sisters", 15],
                ["Music or art", 11],
                ["Pets", 9],
                ["Gaming or social media", 8],
                ["School", 6],
            ],
        },
        {
            "text": "Do you know who to talk to at school if you are struggling?",
            "answered": 71,
            "written": False,
            "counts": [["Yes", 41], ["Not sure", 18], ["No", 12]],
        },
    ],
}


def _add_evidence(
    session: Session, audit: Audit, agencies: dict[str, Agency], chair: User, today: date
) -> dict[str, EvidenceItem]:
    """Two interviews, the engagement event, the survey and the ED figures. Returns the
    items by a short key, for tagging and findings."""
    found: dict[str, EvidenceItem] = {}
    dsl = _source(
        session,
        audit,
        chair,
        EvidenceKind.PROFESSIONAL_INTERVIEW,
        [
            (
                WELL,
                "Our learning mentors know the young people well, and the safe space at lunchtime "
                "is used every day. When CAMHS rings us, the plan works.",
                False,
                None,
            ),
            (
                WORRY,
                "We are rarely told when a student has been admitted. Last term we found out from "
                "a friend's post on social media. We have never had a copy of a safety plan from "
                "the ward.",
                False,
                None,
            ),
            (
                NEEDS,
                "A named contact in CAMHS for schools, safety plans shared with us, and training "
                "for all staff on self-harm and emotional dysregulation, not just the DSLs.",
                False,
                None,
            ),
        ],
        title="Interview with a designated safeguarding lead, secondary school",
        agency_id=agencies["Education"].id if "Education" in agencies else None,
        role="Designated safeguarding lead, secondary school",
        held_on=today - timedelta(days=24),
        notes="",
    )
    found.update(dsl_well=dsl[0], dsl_worry=dsl[1], dsl_needs=dsl[2])
    camhs = _source(
        session,
        audit,
        chair,
        EvidenceKind.PROFESSIONAL_INTERVIEW,
        [
            (
                WELL,
                "The 24-hour crisis line means families reach a clinician the same night. Having "
                "social workers in the team means we can check with the MASH in minutes, not days.",
                False,
                None,
            ),
            (
                WORRY,
                "Waits for an autism assessment are over a year, and families are told there is "
                "nothing until there is a diagnosis. The eating disorder team is stretched and "
                "appointments get moved.",
                False,
                None,
            ),
            (
                NEEDS,
                "Support offered on need while families wait for an assessment, more eating "
                "disorder clinicians, and Tier 4 beds closer to home.",
                False,
                None,
            ),
        ],
        title="Interview with a crisis practitioner, CAMHS acute liaison team",
        agency_id=agencies["CAMHS"].id if "CAMHS" in agencies else None,
        role="Crisis practitioner, CAMHS acute liaison team",
        held_on=today - timedelta(days=19),
        notes="",
    )
    found.update(camhs_well=camhs[0], camhs_worry=camhs[1], camhs_needs=camhs[2])
    event = _source(
        session,
        audit,
        chair,
        EvidenceKind.CHILD_VOICE,
        [
            (
                WORRY,
                "I worry about what's going to happen after school. Everyone expects you to "
                "know already.",
                True,
                None,
            ),
            (
                WORRY,
                "When there's arguing at home you can't switch off, and then you get in trouble "
                "at school for being tired.",
                True,
                None,
            ),
            (
                WELL,
                "My form tutor noticed before anyone. She just asked if I was OK and actually "
                "waited for the answer.",
                True,
                None,
            ),
            (WELL, "Music helps. And my dog. Honestly, my dog.", True, None),
            (
                NEEDS,
                "I'd rather talk to someone at school, face to face, in the day. Not in a group, "
                "and not before school.",
                True,
                None,
            ),
            (
                NEEDS,
                "Don't make me tell my story again to every new person.",
                True,
                None,
            ),
        ],
        title="Young people's engagement event, with the local mental health charity",
        held_on=today - timedelta(days=35),
        participants=71,
        notes=(
            "A live online event for secondary school aged young people from across the area, "
            "run by the voluntary sector mental health charity, followed by an online survey.\n"
            "What worries them most: what will happen in the future, friendships, and "
            "relationships with family members.\n"
            "What helped over the last year: friends, family and brothers or sisters, school, "
            "music and art, pets, gaming and social media.\n"
            "How they want support: face to face at school most of all, then face to face "
            "outside school or by video; a group least of all. When: during the school day, "
            "then in the evening after 5pm; before school least of all."
        ),
    )
    found.update(
        quote_future=event[0],
        quote_home=event[1],
        quote_tutor=event[2],
        quote_music=event[3],
        quote_school=event[4],
        quote_story=event[5],
    )
    survey = _source(
        session,
        audit,
        chair,
        EvidenceKind.SURVEY,
        [
            (
                NEEDS,
                "Face to face at school is the way most young people would like support; a "
                "group is the least liked.",
                False,
                29,
            ),
            (
                WORRY,
                "30 of 71 young people are not sure, or do not know, who to talk to at school "
                "if they are struggling.",
                False,
                30,
            ),
        ],
        title="Young people's survey after the engagement event",
        held_on=today - timedelta(days=28),
        participants=71,
        notes="Online survey, answered anonymously; some young people skipped questions.",
        survey=SURVEY,
    )
    found.update(survey_school=survey[0], survey_who=survey[1])
    other = _source(
        session,
        audit,
        chair,
        EvidenceKind.OTHER,
        [
            (
                WORRY,
                "A&E attendances for self-harm by under-18s rose from 212 in 2019 to 287 in "
                "2020; a third were known to no community service at the time.",
                False,
                287,
            ),
            (
                WELL,
                "The acute liaison team assessed 96% of referrals within 48 hours in 2020.",
                False,
                None,
            ),
        ],
        title="Emergency department attendances for self-harm, under-18s, 2019 and 2020",
        held_on=today - timedelta(days=12),
        notes="Figures from the hospital's information team, shared for the panel.",
    )
    found.update(ed_worry=other[0], ed_well=other[1])
    return found


def _add_themes(session: Session, audit: Audit) -> dict[str, Theme]:
    themes = {
        key: Theme(audit_id=audit.id, name=name, description=description)
        for key, (name, description) in THEMES.items()
    }
    session.add_all(themes.values())
    session.flush()
    return themes


EVIDENCE_THEMES = {
    "schools": ("dsl_worry", "dsl_needs", "survey_who"),
    "family": ("quote_home",),
    "voice": ("quote_tutor", "quote_school", "quote_story", "survey_school"),
    "neuro": ("camhs_worry", "camhs_needs"),
    "early": ("ed_worry",),
    "crisis": ("camhs_well", "ed_well"),
}


def _tag(
    session: Session,
    audit: Audit,
    themes: dict[str, Theme],
    summary_items: dict[str, SummaryItem],
    evidence: dict[str, EvidenceItem],
    chronology: list[ChronologyEntry],
    chair: User,
) -> None:
    """The chair's tagging so far: a few answers per theme, the agencies' own summary items,
    evidence items and the chronology's missed chances."""
    rows = session.execute(
        select(Answer.id, Answer.question_id, Answer.value)
        .join(AgencyReturn, AgencyReturn.id == Answer.return_id)
        .where(AgencyReturn.audit_id == audit.id, AgencyReturn.status == ReturnStatus.SUBMITTED)
        .order_by(Answer.id)
    ).all()
    tags: list[ThemeTag] = []
    for key, theme in themes.items():
        chosen = [row.id for row in rows if _tags_answer(key, row.question_id, row.value)]
        # Spread over the board, not the first return's answers only.
        step = max(1, len(chosen) // TAGS_PER_THEME)
        for answer_id in chosen[::step][:TAGS_PER_THEME]:
            tags.append(ThemeTag(theme_id=theme.id, answer_id=answer_id, tagged_by_id=chair.id))
        for name, item in summary_items.items():
            if name.split(":")[1] == key:
                tags.append(
                    ThemeTag(theme_id=theme.id, summary_item_id=item.id, tagged_by_id=chair.id)
                )
        for name in EVIDENCE_THEMES[key]:
            tags.append(
                ThemeTag(
                    theme_id=theme.id, evidence_item_id=evidence[name].id, tagged_by_id=chair.id
                )
            )
    missed = [entry for entry in chronology if entry.missed_opportunity][:4]
    tags += [
        ThemeTag(theme_id=themes["early"].id, chronology_entry_id=entry.id, tagged_by_id=chair.id)
        for entry in missed
    ]
    session.add_all(tags)
    session.flush()


AGREED = {
    0: (
        "requires_improvement",
        "Children's social care's assessment was good, but the school did not know of the "
        "admission and its detentions for lateness were never linked to what was happening at "
        "home. The scalings (7 and 4) were discussed: the panel's view is nearer 5 until the "
        "school has a safety plan.",
    ),
    2: (
        "good",
        "The school acted early and the ward's care was safe. Not outstanding: the delays to "
        "eating disorder treatment were down to the team's capacity, and the school was not told "
        "of the discharge. The panel noted the scalings 3 points apart (5 and 8).",
    ),
    4: (
        "inadequate",
        "Earlier notifications about the family were closed without seeing the young person, "
        "and her caring role for Mum was missed until the overdose. The ward's care and the wait "
        "for a Tier 4 bed were well managed, but that does not outweigh what was missed before.",
    ),
}


def _agree_grades(session: Session, members: dict[int, CohortMember], chair: User) -> None:
    """The panel has agreed grades for three children so far."""
    by_position = {member.position: member for member in members.values()}
    for position, (grade, rationale) in AGREED.items():
        member = by_position.get(position)
        if member is not None:
            session.add(
                AgreedGrade(
                    member_id=member.id,
                    question_id=OVERALL,
                    grade=grade,
                    rationale=rationale,
                    agreed_by_id=chair.id,
                )
            )
    session.flush()


FINDINGS = [
    # (key, column, text, theme keys, evidence keys)
    (
        "fast",
        WELL,
        "The CAMHS acute liaison team assessed young people quickly, within 48 hours and often "
        "the same day, and the social workers based in the team helped CAMHS and children's "
        "social care share information and plan together.",
        ("crisis",),
        ("camhs_well", "ed_well"),
    ),
    (
        "relationships",
        WELL,
        "Where one practitioner built a relationship with the young person, their own words "
        "were recorded and shaped the plan. Young people told us a trusted adult matters most.",
        ("voice",),
        ("quote_tutor", "quote_story"),
    ),
    (
        "last_to_know",
        WORRY,
        "Schools were often the last to know: in several files the school heard of an "
        "admission from the family, received no safety plan and was not part of planning the "
        "young person's return.",
        ("schools",),
        ("dsl_worry", "survey_who"),
    ),
    (
        "signs_missed",
        WORRY,
        "Early signs were recorded months before the crisis, in GP consultations, police "
        "notifications and school behaviour logs, but nobody put them together, and conflict "
        "between parents was rarely addressed.",
        ("early", "family"),
        ("quote_home", "ed_worry"),
    ),
    (
        "share_plans",
        NEEDS,
        "Every agency shares discharge and safety plans with the young person's school, with a "
        "named contact in school for their return.",
        ("schools",),
        ("dsl_needs", "quote_school"),
    ),
    (
        "support_on_need",
        NEEDS,
        "Support for children and families waiting for a neurodevelopmental assessment is "
        "offered on need, not on a diagnosis, with reasonable adjustments from the first "
        "concern.",
        ("neuro",),
        ("camhs_needs",),
    ),
]

RECOMMENDATIONS = [
    (
        "Agree a partnership protocol so that the hospital, CAMHS and children's social care "
        "tell the young person's school of an admission and share the safety plan before they "
        "return, and re-audit its use in six months.",
        ("last_to_know", "share_plans"),
    ),
    (
        "Raise awareness in every agency of early identification: practitioners in primary care, "
        "schools and the MASH look at the whole family, including conflict between parents, and "
        "offer or refer to early help at the first signs of distress.",
        ("signs_missed",),
    ),
]


def _findings(
    session: Session, audit: Audit, themes: dict[str, Theme], evidence: dict[str, EvidenceItem]
) -> None:
    found: dict[str, Finding] = {}
    positions: Counter[SignsOfSafetyColumn] = Counter()
    for key, column, text, theme_keys, evidence_keys in FINDINGS:
        finding = Finding(audit_id=audit.id, column=column, text=text, position=positions[column])
        positions[column] += 1
        finding.themes = [FindingTheme(theme_id=themes[k].id) for k in theme_keys]
        finding.evidence = [FindingEvidence(evidence_item_id=evidence[k].id) for k in evidence_keys]
        session.add(finding)
        found[key] = finding
    session.flush()
    for number, (text, finding_keys) in enumerate(RECOMMENDATIONS, 1):
        recommendation = Recommendation(audit_id=audit.id, number=number, text=text)
        recommendation.findings = [
            RecommendationFinding(finding_id=found[k].id) for k in finding_keys
        ]
        session.add(recommendation)
    session.flush()


def _meeting(
    session: Session,
    audit: Audit,
    agencies: dict[str, Agency],
    users: dict[Any, User],
    today: date,
) -> None:
    """The panel's planning meeting, two weeks ago."""
    people = [
        (users[Role.PANEL].full_name, "Designated nurse, panel chair", None),
        (users[Role.ADMIN].full_name, "Partnership business unit manager", None),
        (users["CAMHS"].full_name if "CAMHS" in users else "", "CAMHS quality lead", "CAMHS"),
        ("Ruth Adeyemi", "Education safeguarding adviser", "Education"),
        ("Mark Ellison", "Detective sergeant, public protection", "Police"),
        ("Helen Brookes", "Team manager, MASH", "CSC"),
    ]
    meeting = PanelMeeting(
        audit_id=audit.id,
        held_on=today - timedelta(days=14),
        decisions=(
            "Planning meeting before the full panel.\n"
            "Agreed the themes to test against the returns as they come in: communication with "
            "schools, family conflict, the voice of the child, waits for neurodevelopmental "
            "assessment and early help before crisis.\n"
            "Interviews with a school's designated safeguarding lead and a CAMHS crisis "
            "practitioner to be held before the panel; the charity to share the results of the "
            "young people's event and survey.\n"
            "GP practices and police to send their outstanding returns and summaries before "
            "the panel."
        ),
    )
    meeting.attendees = [
        PanelAttendee(name=name, role=role, agency_id=agencies[short].id if short else None)
        for name, role, short in people
        if name and (short is None or short in agencies)
    ]
    session.add(meeting)
    session.flush()


# --- The earlier audit ------------------------------------------------------------------------

EARLIER_AGENCIES = ("CSC", "CAMHS", "Education")
# Each child's (overall grade, safety scaling) for each agency: fewer good or better then.
EARLIER_GRADES = [
    (("good", "7"), ("requires_improvement", "5"), ("requires_improvement", "4")),
    (("requires_improvement", "4"), ("good", "6"), ("inadequate", "3")),
    (("good", "7"), ("good", "7"), ("requires_improvement", "5")),
    (("inadequate", "2"), ("requires_improvement", "3"), ("requires_improvement", "4")),
    (("requires_improvement", "5"), ("outstanding", "8"), ("good", "6")),
    (("requires_improvement", "4"), ("requires_improvement", "5"), ("inadequate", "3")),
]
EARLIER_REASONS = {
    "outstanding": "Seen quickly, the young person's words shaped the plan, and school was told.",
    "good": "Timely help and good information sharing; the school was not part of the plan.",
    "requires_improvement": (
        "Help came, but late, and the young person's views are not recorded in the plan."
    ),
    "inadequate": "Early signs were recorded and not acted on; no referral was made.",
}


def _earlier_audit(
    session: Session,
    current: Audit,
    earlier: Audit,
    agencies: dict[str, Agency],
    users: dict[Any, User],
    definition: AuditTemplateDefinition,
) -> None:
    """A small cohort with graded returns, so the panel compares then and now, and the
    themes the earlier panel named (the current panel sees them recur)."""
    # The earlier audit was set up long before the current one (the panel compares audits
    # created before it).
    earlier.created_at = min(earlier.created_at or utcnow(), current.created_at or utcnow()) - (
        timedelta(days=420)
    )
    if earlier.template_version_id is None and earlier.template_version is None:
        earlier.template_version = current.template_version
    taking_part = [short for short in EARLIER_AGENCIES if short in agencies]
    present = {link.agency_id for link in earlier.agencies}
    for short in taking_part:
        if agencies[short].id not in present:
            earlier.agencies.append(
                AuditAgency(agency=agencies[short], lead_contact=f"{short} safeguarding lead")
            )
    members = [
        CohortMember(audit_id=earlier.id, code=f"Child {chr(65 + n)}", position=n)
        for n in range(len(EARLIER_GRADES))
    ]
    session.add_all(members)
    session.flush()
    sent_at = datetime.combine(
        earlier.return_deadline or date(2021, 4, 1), datetime.min.time(), tzinfo=utcnow().tzinfo
    ) - timedelta(days=3)
    returns: list[tuple[AgencyReturn, tuple[str, str], str]] = []
    for member, grades in zip(members, EARLIER_GRADES, strict=True):
        for short, grade_and_scaling in zip(EARLIER_AGENCIES, grades, strict=True):
            if short not in agencies:
                continue
            agency_return = AgencyReturn(
                audit_id=earlier.id,
                agency_id=agencies[short].id,
                member_id=member.id,
                status=ReturnStatus.SUBMITTED,
                submitted_at=sent_at,
                submitted_by_id=users.get(short, users[Role.ADMIN]).id,
            )
            session.add(agency_return)
            returns.append((agency_return, grade_and_scaling, agencies[short].sector.value))
    session.flush()
    for agency_return, (grade, scaling), sector in returns:
        asked = definition.for_sector(sector)
        values: dict[str, Any] = {
            OVERALL: grade,
            "overall_grade_evidence": "some",
            SCALING: scaling,
            "voice_recorded": _yes(QUALITY[grade] >= 2),
            "early_signs_recognised": _yes(QUALITY[grade] >= 2),
        }
        for question_id, value in values.items():
            question = asked.question(question_id)
            if question is None:
                continue
            value = answer_type(question).to_stored(value) if question_id == SCALING else value
            columns = answer_type(question).columns(value, question, asked.scales)
            session.add(
                Answer(
                    return_id=agency_return.id,
                    question_id=question_id,
                    value=value,
                    columns=list(columns),
                    column=SignsOfSafetyColumn(columns[0]) if columns else None,
                    rationale=EARLIER_REASONS[grade] if question_id == OVERALL else None,
                )
            )
    session.add_all(
        Theme(audit_id=earlier.id, name=THEMES[key][0], description=THEMES[key][1])
        for key in EARLIER_THEMES
    )
    session.flush()
