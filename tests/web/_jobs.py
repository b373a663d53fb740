"""Waiting for background jobs in web tests: what a client does after a 202."""

from __future__ import annotations

import time
from typing import Any

DEADLINE_S = 120  # generous: the suite runs on two busy cores


def outcome(client: Any, accepted: Any) -> Any:
    """The answer a job's request stands for, once the job has run: poll its ``outcome_url``
    while it answers 202. ``accepted`` is the 202 response that submitted the job."""
    assert accepted.status_code == 202, accepted.text
    url = accepted.json()["outcome_url"]
    deadline = time.monotonic() + DEADLINE_S
    while True:
        answer = client.get(url)
        if answer.status_code != 202:
            return answer
        assert time.monotonic() < deadline, f"the job did not finish: {answer.text}"
        time.sleep(0.05)


def finished_run(client: Any, run_id: str) -> dict[str, Any]:
    """An access run once its job has computed it (done or failed)."""
    deadline = time.monotonic() + DEADLINE_S
    while True:
        run = client.get(f"/api/v1/access/runs/{run_id}").json()
        if run["status"] in ("done", "failed"):
            return dict(run)
        assert time.monotonic() < deadline, f"the run did not finish: {run}"
        time.sleep(0.05)
