"""Co-production's vocabularies: engagement events, participants' equality-monitoring answers,
consent scopes and methods, contributions and involvement payments.

Shared by the workspace (which checks what is stored), the faces (which offer the choices) and
the analysis of who was reached (which compares the answers with the Census).

The equality-monitoring answers follow the Census 2021 categories so that they can be set
against the local population: age in the six bands of the Census's "Age (6 categories)", sex as
the Census records it, the 19 ethnic groups (each within one of the 5 high-level groups that the
LSOA tables publish), and disability under the Equality Act. Every question can be answered
"prefer not to say" (:data:`PREFER_NOT_TO_SAY`); a question not asked is left empty.
"""

from __future__ import annotations

__all__ = [
    "AGE_BANDS",
    "ANSWERS",
    "BOOLEAN_SCOPES",
    "CARER",
    "CONSENT_METHODS",
    "CONTRIBUTION_KINDS",
    "CONTRIBUTION_SCOPE",
    "DEFAULT_LIVED_EXPERIENCE",
    "DEFAULT_PAYMENT_WARNING_PENCE",
    "DISABILITY",
    "ETHNIC_GROUPS",
    "ETHNIC_HIGH_LEVEL",
    "EVENT_KINDS",
    "EVENT_STATUSES",
    "GENDER_IDENTITY",
    "INFORMATION_SHEET_AUDIENCES",
    "MEDIA_SCOPES",
    "PAYMENT_KINDS",
    "PREFER_NOT_TO_SAY",
    "QUOTE_LEVELS",
    "REGISTRATION_STATUSES",
    "RETENTION_RULES",
    "SCOPES",
    "SEX",
    "YES_NO",
    "high_level_ethnic_group",
]

EVENT_KINDS: dict[str, str] = {
    "world_cafe": "World Café",
    "whole_system_workshop": "Whole-system workshop",
    "systems_mapping_workshop": "Systems-mapping workshop",
    "arts_based_session": "Arts-based session",
    "community_walk": "Community walk",
    "photovoice": "Photovoice",
    "consortium_meeting": "Consortium meeting",
    "other": "Other",
}
EVENT_STATUSES = ("planned", "held", "cancelled")
REGISTRATION_STATUSES = ("registered", "waiting", "cancelled")
"""A registration beyond an event's cap waits; a cancellation moves the first waiting up."""

PREFER_NOT_TO_SAY = "prefer_not_to_say"

AGE_BANDS: dict[str, str] = {
    "0_15": "15 or under",
    "16_24": "16 to 24",
    "25_34": "25 to 34",
    "35_49": "35 to 49",
    "50_64": "50 to 64",
    "65_plus": "65 or over",
}
"""The Census 2021 "Age (6 categories)" bands, so that participants compare with residents."""

SEX: dict[str, str] = {"female": "Female", "male": "Male"}
GENDER_IDENTITY: dict[str, str] = {
    "same": "The same as the sex registered at birth",
    "different": "Different from the sex registered at birth",
}
YES_NO: dict[str, str] = {"yes": "Yes", "no": "No"}
DISABILITY: dict[str, str] = {
    "disabled": "Disabled under the Equality Act (day-to-day activities limited)",
    "not_disabled": "Not disabled",
}
CARER = YES_NO

ETHNIC_HIGH_LEVEL: dict[str, str] = {
    "asian": "Asian, Asian British or Asian Welsh",
    "black": "Black, Black British, Black Welsh, Caribbean or African",
    "mixed": "Mixed or Multiple ethnic groups",
    "white": "White",
    "other": "Other ethnic group",
}
"""The five groups the Census 2021 LSOA table (TS021) publishes."""

ETHNIC_GROUPS: dict[str, tuple[str, str]] = {
    "asian_bangladeshi": ("asian", "Bangladeshi"),
    "asian_chinese": ("asian", "Chinese"),
    "asian_indian": ("asian", "Indian"),
    "asian_pakistani": ("asian", "Pakistani"),
    "asian_other": ("asian", "Other Asian"),
    "black_african": ("black", "African"),
    "black_caribbean": ("black", "Caribbean"),
    "black_other": ("black", "Other Black"),
    "mixed_white_asian": ("mixed", "White and Asian"),
    "mixed_white_black_african": ("mixed", "White and Black African"),
    "mixed_white_black_caribbean": ("mixed", "White and Black Caribbean"),
    "mixed_other": ("mixed", "Other Mixed or Multiple ethnic groups"),
    "white_british": ("white", "English, Welsh, Scottish, Northern Irish or British"),
    "white_irish": ("white", "Irish"),
    "white_gypsy_traveller": ("white", "Gypsy or Irish Traveller"),
    "white_roma": ("white", "Roma"),
    "white_other": ("white", "Other White"),
    "other_arab": ("other", "Arab"),
    "other_any": ("other", "Any other ethnic group"),
}
"""The 19 ethnic groups of Census 2021 (England), each with its high-level group."""

ANSWERS: dict[str, dict[str, str]] = {
    "age_band": AGE_BANDS,
    "sex": SEX,
    "gender_identity": GENDER_IDENTITY,
    "ethnic_group": {
        code: f"{ETHNIC_HIGH_LEVEL[high]}: {name}" for code, (high, name) in ETHNIC_GROUPS.items()
    },
    "disability": DISABILITY,
    "carer": CARER,
    "young_person": YES_NO,
}
"""Each equality-monitoring question and its answers (besides "prefer not to say")."""

DEFAULT_LIVED_EXPERIENCE: dict[str, str] = {
    "severe_mental_illness": "Severe mental illness",
    "homelessness": "Homelessness",
    "substance_use": "Drug or alcohol use",
    "criminal_justice": "The criminal justice system",
    "long_term_condition": "A long-term health condition",
}
"""Lived-experience groups a consortium starts with; it defines its own (a project setting)."""

CONSENT_METHODS: dict[str, str] = {
    "paper": "On a paper form",
    "online": "Online",
    "verbal": "Verbally, with a witness",
}
INFORMATION_SHEET_AUDIENCES: dict[str, str] = {
    "standard": "Standard",
    "easy_read": "Easy read",
    "young_people": "Young people",
    "parent_guardian": "Parent or guardian",
}
QUOTE_LEVELS: dict[str, str] = {
    "named": "Quoted with their name",
    "anonymous": "Quoted anonymously",
    "none": "Not quoted",
}
BOOLEAN_SCOPES: dict[str, str] = {
    "take_part": "Take part",
    "photos": "Photos of them or by them",
    "audio": "Audio recordings",
    "video": "Video recordings",
    "recontact": "Be contacted again",
    "archive": "Keep in an archive after the project",
}
MEDIA_SCOPES = ("photos", "audio", "video")
SCOPES = (
    "take_part",
    "quote",
    "photos",
    "audio",
    "video",
    "recontact",
    "share_partners",
    "archive",
)
"""Every consent scope: the boolean ones, ``quote`` (one of :data:`QUOTE_LEVELS`) and
``share_partners`` (the partners that may receive pseudonymised data)."""

RETENTION_RULES: dict[str, str] = {
    "remove": "Remove everything a withdrawn scope covers, analyses included",
    "keep_analysed": "Keep in analyses what was analysed before the cut-off date; remove it "
    "from every page, export and evidence pack",
}

CONTRIBUTION_KINDS: dict[str, str] = {
    "note": "Note",
    "quote": "Quote",
    "story": "Story",
    "photo": "Photo",
    "drawing": "Drawing",
    "audio": "Audio clip",
    "video": "Video clip",
    "walk": "Walk route",
}
CONTRIBUTION_SCOPE: dict[str, str] = {
    "note": "take_part",
    "quote": "quote",
    "story": "quote",
    "photo": "photos",
    "drawing": "photos",
    "audio": "audio",
    "video": "video",
    "walk": "take_part",
}
"""The consent scope each kind of contribution needs (a drawing is shown as an image)."""

PAYMENT_KINDS: dict[str, str] = {"payment": "Payment", "voucher": "Voucher"}
DEFAULT_PAYMENT_WARNING_PENCE = 100_000
"""Warn when a person's payments in one tax year pass this (£1,000, HMRC's trading allowance;
a project sets its own, e.g. the permitted-earnings limit of the benefits its members receive)."""


def high_level_ethnic_group(code: str) -> str:
    """The Census high-level group of one of :data:`ETHNIC_GROUPS` (``"white"`` ...), or the
    answer itself when it is "prefer not to say"."""
    if code == PREFER_NOT_TO_SAY:
        return code
    return ETHNIC_GROUPS[code][0]
