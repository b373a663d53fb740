"""The programme workspace on SQLite and PostgreSQL: releases and history, refusals that name
every problem and store nothing, held reach figures against differencing, following and
pulling (httpx's MockTransport: no network), a folder import, removal."""

from __future__ import annotations

import io
import zipfile

import httpx
import pandas as pd
import pytest
from sqlalchemy import func, select

from mobilise.errors import Conflict, NotFound, ValidationError
from mobilise.store.tables import programme_projects, programme_releases
from tests import _programme as make

URL = "https://project.example.org/api/v1/project/package"


def _stored(workspace) -> tuple[int, int]:
    with workspace.read() as connection:
        projects = connection.execute(select(func.count()).select_from(programme_projects))
        releases = connection.execute(select(func.count()).select_from(programme_releases))
        return int(projects.scalar_one()), int(releases.scalar_one())


def test_releases_current_and_history(workspace):
    programme = workspace.programme
    first = programme.add(make.package(make.KEY_A), name="a1.zip")
    assert first.added and first.status == "current"
    again = programme.add(make.package(make.KEY_A), name="a1.zip")
    assert not again.added and "already held; nothing changed" in again.message
    programme.add(make.package(make.KEY_A, release=3), name="a3.zip")
    with pytest.raises(Conflict, match="older than the current release 3"):
        programme.add(make.package(make.KEY_A, release=2), name="a2.zip")
    with pytest.raises(Conflict, match="other contents"):
        programme.add(make.package(make.KEY_A, release=3, title="Renamed"), name="x.zip")
    history = programme.history(make.KEY_A)
    assert [(r.release, r.status) for r in history] == [(3, "current"), (1, "history")]
    project = programme.get(make.KEY_A)
    assert project.current_release == 3 and project.methods == ["asset_mapping", "world_cafe"]
    assert programme.package(make.KEY_A, 1) == make.package(make.KEY_A)


@pytest.mark.parametrize(
    ("member", "old", "new", "named"),
    [
        ("data/partners.csv", b"NHS", b"someone@example.org", "partners"),
        ("data/reach.csv", b"imd_decile,4,5,", b"imd_decile,4,1,", "reach"),
    ],
)
def test_a_bad_package_is_refused_naming_it_and_nothing_is_stored(
    workspace, member, old, new, named
):
    spoilt = io.BytesIO()  # a valid package whose CSV is then spoilt (the writer refuses)
    with (
        zipfile.ZipFile(io.BytesIO(make.package(make.KEY_A))) as source,
        zipfile.ZipFile(spoilt, "w") as target,
    ):
        for name in source.namelist():
            data = source.read(name)
            target.writestr(name, data.replace(old, new) if name == member else data)
    with pytest.raises(ValidationError) as refused:
        workspace.programme.add(spoilt.getvalue(), name="spoilt.zip")
    problems = [str(p) for p in refused.value.problems]
    assert any(named in p for p in problems), problems
    assert _stored(workspace) == (0, 0)


def test_two_releases_one_participant_apart_do_not_move_the_pooled_reach(workspace):
    programme = workspace.programme
    workspace.project_settings.set("disclosure_k", 3)
    programme.add(make.package(make.KEY_B, title="Other"), name="b.zip")
    programme.add(make.package(make.KEY_A), name="a1.zip")
    before = programme.synthesis().reach
    one_more = make.tables(reach_counts={"1": 12, "2": 9, "3": 8, "4": 5})
    programme.add(make.package(make.KEY_A, release=2, table_set=one_more), name="a2.zip")
    after = programme.synthesis().reach
    pd.testing.assert_frame_equal(before, after)
    # a change of k or more does move it
    bigger = make.tables(reach_counts={"1": 12, "2": 9, "3": 10, "4": 5})
    programme.add(make.package(make.KEY_A, release=3, table_set=bigger), name="a3.zip")
    moved = programme.synthesis().reach.set_index("group")
    assert moved.loc["3", "count"] == before.set_index("group").loc["3", "count"] + 3


def _transport(packages: list[bytes], seen: list[httpx.Request]) -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.headers.get("authorization") != "Bearer s3cret-token":
            return httpx.Response(401, json={"error": "no"})
        return httpx.Response(200, content=packages[0], headers={"content-type": "application/zip"})

    return httpx.MockTransport(answer)


def test_follow_then_pull(workspace):
    seen: list[httpx.Request] = []
    served = [make.package(make.KEY_A)]
    client = httpx.Client(transport=_transport(served, seen))
    project = workspace.programme.follow(URL, "s3cret-token", every_hours=6, client=client)
    assert project.following and project.every_hours == 6 and project.current_release == 1
    assert "token" not in project.to_dict()
    assert workspace.programme.pull(client=client)[0].status == "unchanged"
    served[0] = make.package(make.KEY_A, release=2)
    outcome = workspace.programme.pull(make.KEY_A, client=client)[0]
    assert (outcome.status, outcome.release) == ("added", 2)
    assert workspace.programme.pull(due_only=True, client=client) == []  # pulled just now
    assert len(seen) == 3


def test_a_failed_pull_is_said_and_recorded(workspace):
    seen: list[httpx.Request] = []
    client = httpx.Client(transport=_transport([make.package(make.KEY_A)], seen))
    with pytest.raises(ValidationError, match="Cannot follow"):
        workspace.programme.follow(URL, "wrong-token", client=client)
    with pytest.raises(ValidationError) as refused:
        workspace.programme.follow("ftp://nowhere", "", client=client)
    assert {p.field for p in refused.value.problems} == {"url", "token"}
    workspace.programme.follow(URL, "s3cret-token", client=client)
    huge = httpx.Client(
        transport=httpx.MockTransport(lambda r: httpx.Response(200, content=b"x" * 2_000_000))
    )
    workspace.limits = workspace.limits.__class__(
        **{**workspace.limits.__dict__, "max_upload_mb": 1}
    )
    outcome = workspace.programme.pull(client=huge)[0]
    assert outcome.status == "failed" and "MOBILISE_MAX_UPLOAD_MB" in outcome.message
    assert "MOBILISE_MAX_UPLOAD_MB" in workspace.programme.get(make.KEY_A).last_pull_error


def test_a_folder_imports_each_package_on_its_own(workspace, tmp_path):
    (tmp_path / "a.zip").write_bytes(make.package(make.KEY_A))
    (tmp_path / "b.zip").write_bytes(b"not a zip")
    folder = tmp_path / "c"
    folder.mkdir()
    from mobilise.formats.project_package import write_package

    write_package(make.meta(make.KEY_B, title="Folder"), make.tables(), folder, public={})
    outcomes = workspace.programme.add_folder(tmp_path)
    assert [(o.source, o.status) for o in outcomes] == [
        ("a.zip", "added"),
        ("b.zip", "failed"),
        ("c", "added"),
    ]
    assert {p.title for p in workspace.programme.list()} == {"Healthy Parks", "Folder"}
    # a folder package was kept as a zip; it keeps its resources, none of them public
    assert workspace.programme.get(make.KEY_B).releases[0].public == dict.fromkeys(
        sorted(make.tables()), False
    )


def test_remove(workspace):
    workspace.programme.add(make.package(make.KEY_A), name="a.zip")
    workspace.programme.remove(make.KEY_A)
    assert _stored(workspace) == (0, 0)
    assert workspace.programme.synthesis().reach.empty
    with pytest.raises(NotFound):
        workspace.programme.get(make.KEY_A)
