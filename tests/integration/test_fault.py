"""A worker process killed (SIGKILL) while a big import writes, on SQLite and PostgreSQL:
nothing of the import is seen, and a new worker runs the job again from the start, or (its
last attempt spent) marks it failed and removes what it had staged."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from mobilise.store.tables import jobs, partner_memberships, partners
from mobilise.workspace._staging import MARK

ROWS = 12_000  # staged ahead in a few short transactions
DEADLINE_S = 180  # generous: two busy cores


def mobilise(location: str, *args: str) -> list[str]:
    exe = shutil.which("mobilise", path=str(Path(sys.executable).parent))
    assert exe, "the mobilise command is installed with the package"
    return [exe, "-w", location, *args]


def partner_file(n: int) -> bytes:
    rows = "".join(f"p{i},Partner {i},vcse\n" for i in range(n))
    return ("id,name,sector\n" + rows).encode()


def count(ws, table, *conditions) -> int:
    with ws.read() as connection:
        query = select(func.count()).select_from(table).where(*conditions)
        return int(connection.execute(query).scalar_one())


def staged(ws) -> int:
    return count(ws, partners, partners.c.deleted_by.like(f"{MARK}%"))


def wait_for(what: str, check, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not check():
        if process is not None and process.poll() is not None:
            pytest.fail(f"the worker ended before {what}: {process.communicate()}")
        assert time.monotonic() < deadline, f"waited too long for {what}"
        time.sleep(0.02)


def kill_mid_import(ws, location: str, *, max_attempts: int) -> str:
    """Submit a big import, start a worker process, and kill it once it has staged rows."""
    job = ws.jobs.submit(
        "partners.import", file=partner_file(ROWS), name="big.csv", max_attempts=max_attempts
    )
    worker = subprocess.Popen(
        mobilise(location, "jobs", "work"), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        wait_for("the import to stage rows", lambda: staged(ws) > 0, worker)
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    assert ws.jobs.get(job.id).status == "running"  # as the dead worker left it
    # Nothing half-written is seen: no partner, no membership of this import.
    assert ws.partners.list() == []
    assert count(ws, partner_memberships, partner_memberships.c.deleted_at.is_(None)) == 0
    return job.id


def run_worker_until_idle(location: str) -> None:
    done = subprocess.run(
        mobilise(location, "jobs", "work", "--until-idle"),
        capture_output=True,
        text=True,
        timeout=DEADLINE_S,
    )
    assert done.returncode == 0, done.stderr


def test_a_killed_worker_s_job_is_run_again_by_a_new_worker(workspace):
    location = workspace.engine.url.render_as_string(hide_password=False)
    job_id = kill_mid_import(workspace, location, max_attempts=3)
    run_worker_until_idle(location)
    job = workspace.jobs.get(job_id)
    assert (job.status, job.attempts) == ("done", 2), job.error
    assert job.result["created"] == ROWS
    assert count(workspace, partners, partners.c.deleted_at.is_(None)) == ROWS
    assert staged(workspace) == 0


def test_a_killed_worker_s_last_attempt_fails_the_job_and_leaves_nothing(workspace):
    location = workspace.engine.url.render_as_string(hide_password=False)
    job_id = kill_mid_import(workspace, location, max_attempts=1)
    run_worker_until_idle(location)
    job = workspace.jobs.get(job_id)
    assert job.status == "failed"
    assert "after 1 attempts" in job.error and "nothing of it was saved" in job.error
    assert count(workspace, partners) == 0 and count(workspace, partner_memberships) == 0
    with workspace.read() as connection:
        assert connection.execute(select(jobs.c.finished_at)).scalar_one() is not None
