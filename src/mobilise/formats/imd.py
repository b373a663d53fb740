"""English Indices of Deprivation 2019 (MHCLG) by LSOA 2011.

:func:`read_iod` recognises from its header which IoD file it is given:

- File 1 (IMD rank and decile) and File 2 (IMD and the seven domain ranks and deciles), as
  published: UTF-8 with a BOM, CRLF, thousands separators (``"29,199"``);
- File 8 (underlying indicators, one ``lsoa11cd`` column and snake_case indicator columns);
- mySociety's scores file (``lsoa11cd,imd_score,income_score_pct,employment_score_pct,imd_decile``).

:func:`read_iod_population` reads File 6 (population denominators, mid-2015). Ranks run from 1
(most deprived) to 32,844 (least deprived); decile 1 is the most deprived 10% of LSOAs.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from mobilise.errors import Problem
from mobilise.formats._tables import (
    PathLike,
    check_codes,
    check_duplicates,
    clean_codes,
    find_column,
    missing_column,
    numeric_share,
    parse_numbers,
    raise_problems,
    read_table,
    row_of,
)
from mobilise.formats.indicators import build_meta, wide_values
from mobilise.model.indicators import IndicatorData, IndicatorMeta
from mobilise.settings import Limits

__all__ = ["IOD_INDICATORS", "LSOA11_COUNT", "read_iod", "read_iod_population"]

LSOA11_COUNT = 32_844
"""Number of LSOAs (2011) in England: the largest IoD 2019 rank."""

_SOURCE = "MHCLG, English Indices of Deprivation 2019"
_LICENCE = "OGL-UK-3.0"
_MYSOCIETY = "MHCLG IoD 2019 via mySociety composite_uk_imd"
_MYSOCIETY_LICENCE = "OGL-UK-3.0 (repackaging CC BY 4.0, mySociety)"

# id prefix -> (domain title as in File 2, what the domain measures)
_DOMAINS = {
    "imd": ("Index of Multiple Deprivation (IMD)", "overall deprivation across the 7 domains"),
    "income": ("Income", "people on low incomes (in or out of work)"),
    "employment": ("Employment", "working-age people involuntarily excluded from work"),
    "education": ("Education, Skills and Training", "lack of attainment and skills"),
    "health": ("Health Deprivation and Disability", "premature death and impaired quality of life"),
    "crime": ("Crime", "risk of personal and material victimisation"),
    "barriers": (
        "Barriers to Housing and Services",
        "physical and financial access to housing and local services",
    ),
    "living_environment": ("Living Environment", "quality of the indoor and outdoor environment"),
}

# File 8 column -> (name, unit, description); polarity is higher_is_worse for all of them: the
# staying-on and entry-to-HE indicators are the proportions NOT staying on / NOT entering.
_FILE8 = {
    "income_domain_numerator": ("Income-deprived people", "people", "Income domain numerator"),
    "income_deprivation_affecting_children_index_idaci_numerator": (
        "Children in income-deprived families",
        "children aged 0-15",
        "IDACI numerator",
    ),
    "income_deprivation_affecting_older_people_index_idaopi_numerator": (
        "Income-deprived older people",
        "people aged 60+",
        "IDAOPI numerator",
    ),
    "employment_domain_numerator": ("Employment-deprived people", "people", "Employment numerator"),
    "staying_on_in_education_post_16_indicator": (
        "Not staying on in education post-16",
        "proportion",
        "Proportion of young people not staying on in school or non-advanced education after 16",
    ),
    "entry_to_higher_education_indicator": (
        "Not entering higher education",
        "proportion",
        "Proportion of young people aged under 21 not entering higher education",
    ),
    "adult_skills_and_english_language_proficiency_indicator": (
        "Adults with low skills or English proficiency",
        "proportion",
        "Proportion of working-age adults with no or low qualifications or who cannot speak "
        "English well",
    ),
    "years_of_potential_life_lost_indicator": (
        "Years of potential life lost",
        "years (indirectly standardised YPLL)",
        "Premature death: age- and sex-standardised years of potential life lost before 75",
    ),
    "comparative_illness_and_disability_ratio_indicator": (
        "Comparative illness and disability ratio",
        "ratio",
        "Work-limiting illness and disability (benefit claimants), standardised ratio, "
        "England = 100",
    ),
    "acute_morbidity_indicator": (
        "Acute morbidity",
        "ratio",
        "Emergency hospital admissions, age- and sex-standardised ratio, England = 100",
    ),
    "mood_and_anxiety_disorders_indicator": (
        "Mood and anxiety disorders",
        "score",
        "Composite of prescribing, hospital episodes, suicides and health-benefit data for mood "
        "and anxiety disorders (standardised score)",
    ),
    "road_distance_to_a_post_office_indicator_km": ("Road distance to a post office", "km", ""),
    "road_distance_to_a_primary_school_indicator_km": (
        "Road distance to a primary school",
        "km",
        "",
    ),
    "road_distance_to_general_store_or_supermarket_indicator_km": (
        "Road distance to a general store or supermarket",
        "km",
        "",
    ),
    "road_distance_to_a_gp_surgery_indicator_km": ("Road distance to a GP surgery", "km", ""),
    "household_overcrowding_indicator": (
        "Household overcrowding",
        "proportion of households",
        "Households judged to have insufficient space for their needs",
    ),
    "homelessness_indicator_rate_per_1000_households": (
        "Homelessness",
        "per 1,000 households",
        "Households accepted as homeless or in temporary accommodation (local authority rate)",
    ),
    "owner_occupation_affordability_component_of_housing_affordability_indicator": (
        "Owner-occupation unaffordability",
        "proportion of households",
        "Households unable to afford to enter owner occupation",
    ),
    "private_rental_affordability_component_of_housing_affordability_indicator": (
        "Private rental unaffordability",
        "proportion of households",
        "Households unable to afford to rent privately",
    ),
    "housing_affordability_indicator": (
        "Housing unaffordability",
        "score",
        "Combined owner-occupation and private-rental unaffordability",
    ),
    "housing_in_poor_condition_indicator": (
        "Housing in poor condition",
        "proportion of dwellings",
        "Modelled proportion of social and private homes failing the Decent Homes Standard",
    ),
    "houses_without_central_heating_indicator": (
        "Houses without central heating",
        "proportion of houses",
        "",
    ),
    "road_traffic_accidents_indicator": (
        "Road traffic accidents",
        "rate per 1,000 residents and workers",
        "Injuries to pedestrians and cyclists in road traffic accidents",
    ),
    "nitrogen_dioxide_component_of_air_quality_indicator": (
        "Nitrogen dioxide",
        "ratio to limit value",
        "Air quality component: concentration relative to its limit",
    ),
    "benzene_component_of_air_quality_indicator": (
        "Benzene",
        "ratio to limit value",
        "Air quality component: concentration relative to its limit",
    ),
    "sulphur_dioxide_component_of_air_quality_indicator": (
        "Sulphur dioxide",
        "ratio to limit value",
        "Air quality component: concentration relative to its limit",
    ),
    "particulates_component_of_air_quality_indicator": (
        "Particulates",
        "ratio to limit value",
        "Air quality component: concentration relative to its limit",
    ),
    "air_quality_indicator": (
        "Air quality",
        "index",
        "Sum of the four pollutant concentrations relative to their limits (higher is worse)",
    ),
}
_FILE8_IDS = {
    "years_of_potential_life_lost_indicator": "ypll2019",
    "comparative_illness_and_disability_ratio_indicator": "cidr2019",
    "acute_morbidity_indicator": "acute_morbidity2019",
    "mood_and_anxiety_disorders_indicator": "mood_anxiety2019",
}
_SCORES = {
    "imd_score": "imd2019_score",
    "income_score_pct": "income2019_score",
    "employment_score_pct": "employment2019_score",
}
_POPULATION = {
    "total": "Total population",
    "age_0_15": "Dependent Children aged 0-15",
    "age_16_59": "Population aged 16-59",
    "age_60_plus": "Older population aged 60 and over",
    "working_age": "Working age population",
}


# Ranks and deciles are national by construction: decile k holds ranks up to k/10 of England's.
_RANK_BREAKS = tuple(LSOA11_COUNT * k / 10 for k in range(1, 10))
_DECILE_BREAKS = tuple(k + 0.5 for k in range(1, 10))
# kind -> (description, national breaks) of the rank and decile of each domain
_POSITIONS = {
    "rank": (
        "Rank of the LSOA among England's {count:,} LSOAs on {about} (1 = most deprived).",
        _RANK_BREAKS,
    ),
    "decile": (
        "National decile of the LSOA on {about} (1 = most deprived 10% of LSOAs in England).",
        _DECILE_BREAKS,
    ),
}


def _file8_id(column: str) -> str:
    return _FILE8_IDS.get(column) or "iod2019_" + column.replace("_indicator", "")


def _catalogue() -> dict[str, IndicatorMeta]:
    common: dict[str, Any] = {"source": _SOURCE, "licence": _LICENCE, "period": "2019"}
    metas: list[IndicatorMeta] = [
        IndicatorMeta(
            id="imd2019_score",
            name="IMD 2019 score",
            unit="score",
            polarity="higher_is_worse",
            source=_MYSOCIETY,
            licence=_MYSOCIETY_LICENCE,
            period="2019",
            description="Index of Multiple Deprivation 2019 score: the weighted combination of "
            "the 7 domain scores; higher is more deprived.",
        )
    ]
    for prefix, (title, about) in _DOMAINS.items():
        label = "IMD 2019" if prefix == "imd" else f"{title} deprivation 2019"
        for kind, (description, breaks) in _POSITIONS.items():
            metas.append(
                IndicatorMeta(
                    id=f"{prefix}2019_{kind}",
                    name=f"{label} {kind}",
                    unit=kind,
                    polarity="higher_is_better",
                    description=description.format(count=LSOA11_COUNT, about=about),
                    national_breaks=breaks,
                    **common,
                )
            )
    for prefix, what in (("income", "income"), ("employment", "employment")):
        metas.append(
            IndicatorMeta(
                id=f"{prefix}2019_score",
                name=f"{what.capitalize()} deprivation rate 2019",
                unit="%",
                polarity="higher_is_worse",
                source=_MYSOCIETY,
                licence=_MYSOCIETY_LICENCE,
                period="2019",
                description=f"Percentage of the {'' if what == 'income' else 'working-age '}"
                f"population experiencing {what} deprivation (the {what} domain score x 100).",
            )
        )
    for column, (name, unit, description) in _FILE8.items():
        metas.append(
            IndicatorMeta(
                id=_file8_id(column),
                name=name,
                unit=unit,
                polarity="higher_is_worse",
                description=(description + ". " if description else "")
                + f"IoD 2019 File 8 column {column}.",
                **common,
            )
        )
    return {m.id: m for m in metas}


IOD_INDICATORS: dict[str, IndicatorMeta] = _catalogue()
"""Catalogue of the IoD 2019 indicators mobilise reads, by id (see docs/indicators.md)."""


def _key(header: str) -> str:
    return re.sub(r"\s+", " ", header).strip().casefold()


def _rank_decile_columns(columns: list[str]) -> dict[str, str]:
    """File 1 / File 2 columns -> indicator ids, matched by the start of the header."""
    mapping = {}
    for column in columns:
        key = _key(column)
        for prefix, (title, _) in _DOMAINS.items():
            for kind in ("rank", "decile"):
                if key.startswith(f"{title.casefold()} {kind}"):
                    mapping[column] = f"{prefix}2019_{kind}"
    return mapping


def _expected_headers() -> str:
    return (
        "File 1 ('LSOA code (2011)', 'Index of Multiple Deprivation (IMD) Rank', '... Decile'), "
        "File 2 (also 'Income Rank (where 1 is most deprived)' ... 'Living Environment Decile "
        "...'), File 8 ('lsoa11cd', 'years_of_potential_life_lost_indicator', ...) or the "
        "mySociety scores file ('lsoa11cd', 'imd_score', 'income_score_pct', "
        "'employment_score_pct')"
    )


def read_iod(path: PathLike, *, limits: Limits | None = None) -> IndicatorData:
    """Read an English Indices of Deprivation 2019 file, recognising which one from its header.

    Parameters
    ----------
    path
        File 1, File 2 or File 8 of the IoD 2019, or mySociety's LSOA scores file; ``.csv`` or
        ``.csv.gz``.

    Returns
    -------
    IndicatorData
        Values with ids from :data:`IOD_INDICATORS` (e.g. ``imd2019_rank``, ``ypll2019``) on LSOA
        2011 codes. Blank cells (e.g. suppressed File 8 numerators) have no row. The scores
        file's ``imd_decile`` is ignored: File 1 is the authoritative source of deciles.

    Raises
    ------
    mobilise.errors.ValidationError
        For an unrecognised header, or with every bad row: non-GSS codes, repeated LSOAs,
        non-numeric values, ranks outside 1..32,844 and deciles outside 1..10.
    """
    table = read_table(path, limits=limits)
    name, frame = table.name, table.frame
    columns = list(frame.columns)
    what = f"IoD file {name}"
    keys = {_key(c): c for c in columns}
    ranks = _rank_decile_columns(columns)
    area: str | None
    if all(k in keys for k in ("lsoa11cd", *_SCORES)):
        area = keys["lsoa11cd"]
        mapping = {keys[k]: i for k, i in _SCORES.items()}
    elif "lsoa11cd" in keys and "years_of_potential_life_lost_indicator" in keys:
        area = keys["lsoa11cd"]
        mapping = {
            c: _file8_id(_key(c))
            for c in columns
            if c != area and (_key(c) in _FILE8 or numeric_share(frame[c]) > 0.5)
        }
    elif "imd2019_rank" in ranks.values():
        area = find_column(columns, "LSOA code (2011)", "lsoa11cd", "LSOA11CD")
        mapping = ranks
        if area is None:
            raise_problems([missing_column(name, "LSOA code (2011)", columns)], what=what)
    else:
        hint = (
            "this is File 6 (population denominators): read it with read_iod_population"
            if any(k.startswith("total population") for k in keys)
            else f"expected the header of {_expected_headers()}"
        )
        found = ", ".join(repr(c) for c in columns[:12]) + (", ..." if len(columns) > 12 else "")
        unrecognised = Problem(f"unrecognised IoD file; {hint}; found {found}", file=name)
        raise_problems([unrecognised], what=what)
    assert area is not None
    values, problems = wide_values(frame, file=name, area_column=area, columns=mapping)
    problems += _check_ranks(values, mapping, name)
    labels = {i: c for c, i in mapping.items()}
    metas, meta_problems = build_meta(
        labels,
        meta=IOD_INDICATORS,
        default_meta={
            "source": _SOURCE,
            "licence": _LICENCE,
            "period": "2019",
            "polarity": "higher_is_worse",
        },
        file=name,
        area_column=area,
    )
    raise_problems(problems + meta_problems, what=what)
    return IndicatorData(indicators=metas, values=values, file=name)


def _check_ranks(values: pd.DataFrame, mapping: dict[str, str], name: str) -> list[Problem]:
    column_of = {i: c for c, i in mapping.items()}
    problems = []
    for kind, top in (("rank", LSOA11_COUNT), ("decile", 10)):
        rows = values[values["indicator_id"].str.endswith(f"2019_{kind}")]
        value = rows["value"]
        bad = rows[(value < 1) | (value > top) | (value % 1 != 0)]
        problems += [
            Problem(
                f"{kind} {value:g} is not a whole number from 1 to {top:,}",
                file=name,
                row=row_of(row),
                field=column_of[indicator],
            )
            for row, indicator, value in bad[["source_row", "indicator_id", "value"]].itertuples(
                index=False
            )
        ]
    return problems


def read_iod_population(path: PathLike, *, limits: Limits | None = None) -> pd.DataFrame:
    """Read IoD 2019 File 6: population denominators by LSOA 2011, mid-2015, excluding prisoners.

    Returns
    -------
    pandas.DataFrame
        Columns ``area_code``, ``total``, ``age_0_15``, ``age_16_59``, ``age_60_plus``,
        ``working_age`` (people aged 18-59/64, the Employment domain's denominator), all counts of
        people as integers, and ``source_row``.

    Raises
    ------
    mobilise.errors.ValidationError
        With every missing column, non-GSS or repeated code and blank, non-numeric, negative or
        fractional count.
    """
    table = read_table(path, limits=limits)
    name, frame = table.name, table.frame
    columns = list(frame.columns)
    found: dict[str, str] = {}
    problems: list[Problem] = []
    area = find_column(columns, "LSOA code (2011)", "lsoa11cd", "LSOA11CD", "area_code")
    if area is None:
        problems.append(missing_column(name, "LSOA code (2011)", columns))
    for field, title in _POPULATION.items():
        match = next((c for c in columns if _key(c).startswith(title.casefold())), None)
        if match is None:
            match = find_column(columns, field)
        if match is None:
            problems.append(
                missing_column(name, f"{title}: mid 2015 (excluding prisoners)", columns)
            )
        else:
            found[field] = match
    what = f"IoD population file {name}"
    raise_problems(problems, what=what)
    assert area is not None
    codes = clean_codes(frame[area])
    problems += check_codes(codes, file=name, field=area)
    problems += check_duplicates(codes.to_frame("area"), file=name, field=area)
    result = pd.DataFrame({"area_code": codes.astype(object)})
    for field, column in found.items():
        numbers, bad = parse_numbers(frame[column], file=name, field=column)
        problems += bad
        # a count past 64 bits is no count of people either (it would not fit a stored number)
        invalid = numbers.notna() & ((numbers < 0) | (numbers % 1 != 0) | (numbers >= 2**63))
        problems += [
            Problem(f"{v:g} is not a count of people", file=name, row=row_of(r), field=column)
            for r, v in numbers[invalid].items()
        ]
        blank = numbers.isna() & ~frame[column].index.isin([p.row for p in bad])
        problems += [
            Problem("the count is blank", file=name, row=row_of(r), field=column)
            for r in numbers.index[blank]
        ]
        result[field] = numbers
    raise_problems(problems, what=what)
    result = result.astype({field: "int64" for field in found})
    result["source_row"] = result.index.astype("int64")
    return result.reset_index(drop=True)
