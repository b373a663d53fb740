"""Background jobs on SQLite and PostgreSQL: submit, claim once, heartbeat, retry a stopped job,
give up after the last attempt, and imports that write once (all or nothing)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from mobilise.errors import Conflict, NotFound
from mobilise.store.records import now
from mobilise.store.tables import audit_log, job_files, jobs, partner_memberships, partners
from mobilise.workspace import _staging
from mobilise.workspace.jobs import JobLost

GOOD = "id,name,sector\np1,Alpha Trust,vcse\np2,Beta Council,la_other\n"
BAD = "id,name,sector\np1,Alpha Trust,vcse\np2,,nowhere\n"


def partner_csv(n: int, *, bad_row: int | None = None) -> bytes:
    lines = ["id,name,sector,url"]
    for i in range(n):
        url = "ftp://nope" if i == bad_row else f"https://example.org/{i}"
        lines.append(f"p{i},Partner {i},vcse,{url}")
    return ("\n".join(lines) + "\n").encode()


def count(ws, table, *conditions) -> int:
    with ws.read() as connection:
        return connection.execute(
            select(func.count()).select_from(table).where(*conditions)
        ).scalar_one()


def test_a_partner_import_runs_as_a_job(workspace):
    job = workspace.jobs.submit("partners.import", file=GOOD.encode(), name="partners.csv")
    assert (job.status, job.created_by, job.step) == ("queued", "tester", "Waiting for a worker")
    assert workspace.jobs.work(until_idle=True) == 1
    done = workspace.jobs.get(job.id)
    assert (done.status, done.progress, done.attempts) == ("done", 1.0, 1)
    assert done.result == {
        "file": "partners.csv",
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "links": 0,
        "notes": [],
    }
    assert [p.key for p in workspace.partners.list()] == ["p1", "p2"]
    assert count(workspace, job_files) == 0  # the upload is kept only until the job is done


def test_a_bad_file_fails_the_job_naming_the_row_and_imports_nothing(workspace):
    job = workspace.jobs.submit("partners.import", file=BAD.encode(), name="bad.csv")
    workspace.jobs.work(until_idle=True)
    failed = workspace.jobs.get(job.id)
    assert failed.status == "failed" and failed.attempts == 1  # bad input is not retried
    assert failed.result["status_code"] == 422
    problems = failed.result["error"]["problems"]
    assert {(p["file"], p["row"]) for p in problems} == {("bad.csv", 2)}
    assert "bad.csv" in failed.error
    assert workspace.partners.list() == []
    assert count(workspace, job_files) == 1  # kept, so the job can be retried
    again = workspace.jobs.retry(job.id)
    assert (again.status, again.attempts, again.error) == ("queued", 0, "")
    with pytest.raises(Conflict, match="only a failed job"):
        workspace.jobs.retry(job.id)


def test_jobs_are_shown_to_their_owner(workspace):
    mine = workspace.jobs.submit("partners.import", file=GOOD.encode(), name="p.csv")
    theirs = workspace.as_actor("someone").jobs.submit(
        "partners.import", file=GOOD.encode(), name="p.csv"
    )
    assert [j.id for j in workspace.jobs.list(owner="tester")] == [mine.id]
    assert {j.id for j in workspace.jobs.list()} == {mine.id, theirs.id}
    with pytest.raises(NotFound):
        workspace.jobs.get(theirs.id, owner="tester")
    assert workspace.jobs.list(status="queued", limit=1)[0].status == "queued"


def test_a_job_claimed_by_two_workers_at_once_runs_once(workspace):
    job = workspace.jobs.submit("partners.import", file=GOOD.encode(), name="p.csv")
    start = threading.Barrier(2)
    claimed = []

    def claim(name: str) -> None:
        start.wait()
        claimed.append(workspace.jobs.claim(name))

    threads = [threading.Thread(target=claim, args=(f"w{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    taken = [c for c in claimed if c is not None]
    assert [c.id for c in taken] == [job.id]
    assert workspace.jobs.get(job.id).claimed_by == taken[0].claimed_by


def test_a_worker_whose_job_was_taken_over_writes_nothing(workspace):
    job = workspace.jobs.submit("partners.import", file=GOOD.encode(), name="p.csv")
    first = workspace.jobs.claim("first")
    assert first is not None
    with workspace.write() as connection:  # the first worker went quiet long ago...
        connection.execute(
            update(jobs)
            .where(jobs.c.id == job.id)
            .values(heartbeat_at=now() - workspace.jobs.stale_after - timedelta(minutes=1))
        )
    second = workspace.jobs.claim("second")  # ...so a second one takes the job
    assert second is not None and second.attempts == 2
    with pytest.raises(JobLost):
        workspace.jobs.beat(job.id, "first")
    assert workspace.jobs.run(first, "first").status == "running"  # still the second's
    assert workspace.partners.list() == []
    assert workspace.jobs.run(second, "second").status == "done"
    assert len(workspace.partners.list()) == 2


def test_a_stopped_job_is_retried_then_failed_after_its_last_attempt(workspace, monkeypatch):
    monkeypatch.setattr(_staging, "STAGE_ABOVE", 5)
    monkeypatch.setattr(_staging, "ROWS_PER_TRANSACTION", 10)
    job = workspace.jobs.submit(
        "partners.import", file=partner_csv(30), name="p.csv", max_attempts=2
    )
    for attempt in (1, 2):
        claimed = workspace.jobs.claim(f"worker-{attempt}")
        assert claimed is not None and claimed.attempts == attempt
        # The worker stages part of the import, then its process dies.
        with workspace.write() as connection:
            connection.execute(
                partners.insert().values(
                    id=f"staged-{attempt}",
                    key=f"half-{attempt}",
                    name="half written",
                    sector="vcse",
                    kind="organisation",
                    description="",
                    places=[],
                    populations=[],
                    postcode="",
                    url="",
                    created_at=now(),
                    created_by="tester",
                    updated_at=now(),
                    updated_by="tester",
                    version=1,
                    deleted_at=now(),
                    deleted_by=_staging.staged_marker(f"{job.id}/{attempt}"),
                )
            )
            connection.execute(
                update(jobs)
                .where(jobs.c.id == job.id)
                .values(heartbeat_at=now() - workspace.jobs.stale_after - timedelta(minutes=1))
            )
    assert workspace.jobs.claim("worker-3") is None  # no attempt left: given up instead
    failed = workspace.jobs.get(job.id)
    assert failed.status == "failed"
    assert "after 2 attempts" in failed.error and "nothing of it was saved" in failed.error
    assert count(workspace, partners) == 0  # what the dead attempts staged was removed
    assert workspace.jobs.retry(job.id).status == "queued"
    workspace.jobs.work(until_idle=True)
    assert workspace.jobs.get(job.id).status == "done"
    assert len(workspace.partners.list()) == 30


def test_a_big_import_is_staged_hidden_and_shown_at_once(workspace, monkeypatch):
    monkeypatch.setattr(_staging, "STAGE_ABOVE", 5)
    monkeypatch.setattr(_staging, "ROWS_PER_TRANSACTION", 7)
    seen: list[tuple[int, int]] = []

    def progress(step: str, done: int, total: int) -> None:
        if step.startswith("Writing ahead"):
            seen.append((len(workspace.partners.list()), count(workspace, partners)))

    summary = workspace.partners.import_file(partner_csv(20), name="p.csv", progress=progress)
    assert summary.created == 20
    assert seen and all(listed == 0 for listed, _ in seen)  # nothing shown while staging
    assert max(stored for _, stored in seen) == 20
    assert len(workspace.partners.list()) == 20
    assert count(workspace, partner_memberships, partner_memberships.c.deleted_at.is_(None)) == 20
    # A bulk import is audited by one entry (who, when, the file and the counts).
    with workspace.read() as connection:
        entries = connection.execute(select(audit_log.c.action, audit_log.c.summary)).all()
    assert [(a, s) for a, s in entries if a != "update"] == [
        ("import", "Imported p.csv: 20 partners added, 0 updated, 0 unchanged.")
    ]
    assert workspace.partners.import_file(partner_csv(20), name="p.csv").unchanged == 20


def test_a_big_import_that_fails_at_the_end_leaves_nothing(workspace, monkeypatch):
    monkeypatch.setattr(_staging, "STAGE_ABOVE", 5)
    monkeypatch.setattr(_staging, "ROWS_PER_TRANSACTION", 7)
    workspace.partners.import_file(partner_csv(3), name="p.csv")
    audited = count(workspace, audit_log)

    def refuse(*_args, **_kwargs):
        raise Conflict("a partner changed meanwhile")

    monkeypatch.setattr("mobilise.workspace._partner_import.update_records", refuse)
    with pytest.raises(Conflict):
        workspace.partners.import_file(partner_csv(20), name="p.csv")
    assert count(workspace, partners) == 3
    assert count(workspace, partner_memberships) == 3
    assert count(workspace, audit_log) == audited


def test_an_access_run_is_a_job(workspace):
    with pytest.raises(NotFound, match="No place"):
        workspace.access.submit("nowhere", _plan())
    assert workspace.jobs.list() == []  # nothing queued for a run that could not start


def _plan():
    from mobilise.model.access_plan import AccessPlan

    return AccessPlan.build(categories=["library"], method="2sfca", catchments_m=[800])


def test_starting_workers_lets_request_threads_in_more_often(workspace):
    # A job busy in Python kept request threads of its process waiting on the GIL: 20 writers'
    # p95 wait during a 50,000-link map import was 1.4 s at Python's 5 ms switch interval.
    import sys

    before = sys.getswitchinterval()
    sys.setswitchinterval(0.005)
    workers = workspace.jobs.workers(1).start()
    try:
        assert sys.getswitchinterval() <= 0.001
    finally:
        workers.stop()
        sys.setswitchinterval(before)
