"""The controlled vocabulary of methods a project may say it used, shared by the project package
(what a project exports), the programme synthesis (the methods catalogue across projects) and the
project page.

Each id maps to a short label and a one-line plain definition. Ids are stable: they travel in
packages between workspaces, so an id may be added but never removed or renamed.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["METHODS", "Method", "method_label"]


class Method(NamedTuple):
    """One method of the vocabulary: its label and a one-line definition (a named pair, so
    ``label, definition = METHODS[id]`` works as well as ``METHODS[id].label``)."""

    label: str
    definition: str


METHODS: dict[str, Method] = {
    "asset_mapping": Method(
        "Asset mapping",
        "Finding and recording the places, groups and people a community already has.",
    ),
    "world_cafe": Method(
        "World Café",
        "Small-table conversations in rounds, people moving between tables and harvesting ideas.",
    ),
    "whole_system_workshop": Method(
        "Whole-system workshop",
        "A workshop bringing every part of a local system together to agree shared action.",
    ),
    "participatory_systems_mapping": Method(
        "Participatory systems mapping",
        "Stakeholders draw together the causes and effects that shape a problem.",
    ),
    "social_network_analysis": Method(
        "Social network analysis",
        "Measuring who works with whom, and how that web of ties changes over time.",
    ),
    "arts_based_methods": Method(
        "Arts-based methods",
        "Using drawing, music, theatre, craft or other arts to explore and share experience.",
    ),
    "photovoice": Method(
        "Photovoice",
        "People take photographs of their lives and talk about what they show.",
    ),
    "co_production_group": Method(
        "Co-production group",
        "Residents and professionals sharing power to plan and run the work together.",
    ),
    "theory_of_change": Method(
        "Theory of change",
        "Setting out, step by step, how the work is expected to lead to the change wanted.",
    ),
    "community_researchers": Method(
        "Community researchers",
        "Local people trained and paid to gather and make sense of evidence themselves.",
    ),
    "lived_experience_panel": Method(
        "Lived experience panel",
        "A standing group of people with lived experience who advise and steer the work.",
    ),
    "walking_interviews": Method(
        "Walking interviews",
        "Conversations held while walking through a neighbourhood with the person who lives there.",
    ),
    "survey": Method(
        "Survey",
        "The same questions asked of many people, on paper, online or face to face.",
    ),
    "focus_groups": Method(
        "Focus groups",
        "A guided discussion with a small group about a shared topic.",
    ),
    "storytelling": Method(
        "Storytelling",
        "Collecting and sharing people's own stories of their place and their health.",
    ),
    "ripple_effects_mapping": Method(
        "Ripple effects mapping",
        "Looking back together to map the intended and unintended effects of the work.",
    ),
    "interviews": Method(
        "Interviews",
        "One-to-one conversations with residents, partners or staff.",
    ),
    "community_events": Method(
        "Community events",
        "Open events, fairs or festivals used to meet people and gather views.",
    ),
    "deliberative_workshop": Method(
        "Deliberative workshop",
        "People weigh evidence together and reach a considered view or recommendation.",
    ),
    "spatial_analysis": Method(
        "Spatial analysis",
        "Maps and measures of who can reach which assets, and how that follows deprivation.",
    ),
}


def method_label(method_id: str) -> str:
    """The label of a method id, or the id itself when it is not in the vocabulary."""
    method = METHODS.get(method_id)
    return method.label if method is not None else method_id
