"""The demo's computed indicator (issue 23): the share of residents disabled under the Equality
Act, per LSOA, from Census 2021 table TS038 as shipped for the demo places (the LSOAs whose
code did not change from 2011, the workspace's areas), with Wilson
intervals at 95% and 99.8% and PHE's suppression rules, as ``mobilise indicators compute`` makes
it. Real figures (ONS, OGL v3.0), not illustrative; the benchmark is every LSOA of the seven
demo authorities, and the indicator says so.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace

__all__ = ["DISABILITY_INDICATOR", "build_rates"]

DISABILITY_INDICATOR = "census2021_disabled_equality_act"
_FILE = "census2021/ts038_disability_lsoa21.csv.gz"


def build_rates(workspace: Workspace, data_dir: Path, *, dataset_id: str | None = None) -> None:
    """Compute and store the demo's disability indicator (replacing an earlier one)."""
    import pandas as pd

    with gzip.open(data_dir / _FILE, "rt", encoding="utf-8") as handle:
        table = pd.read_csv(handle, dtype={"lsoa21cd": str})
    # the workspace's areas are LSOA 2011: the LSOAs whose 2021 code is unchanged (most) are
    # kept, the few split or merged in 2021 left out
    known = workspace.areas.frame(table["lsoa21cd"].tolist()).index
    table = table[table["lsoa21cd"].isin(known)]
    counts = pd.DataFrame(
        {
            "area_code": table["lsoa21cd"],
            "count": table["disabled_under_equality_act"],
            "population": table["total_usual_residents"],
        }
    )
    workspace.indicators.compute(
        io.BytesIO(counts.to_csv(index=False).encode()),
        name="ts038_disability_lsoa21.csv",
        indicator_id=DISABILITY_INDICATOR,
        indicator_name="Residents disabled under the Equality Act (Census 2021)",
        method="proportion",
        multiplier=100,
        unit="%",
        polarity="higher_is_worse",
        period="2021",
        source=(
            "ONS Census 2021, TS038 Disability" + (f" (dataset {dataset_id})" if dataset_id else "")
        ),
        licence="Open Government Licence v3.0",
        benchmark_label="the demo's seven local authorities",
    )
