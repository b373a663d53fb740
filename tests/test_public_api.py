"""The public API is explicit and pinned: changing it must be a decision."""

import mobilise


def test_top_level_names():
    assert sorted(mobilise.__all__) == [
        "AuthenticationRequired",
        "ConfigurationError",
        "Conflict",
        "MobiliseError",
        "NotFound",
        "PermissionDenied",
        "Problem",
        "ValidationError",
        "Workspace",
        "__version__",
        "open_workspace",
    ]
    for name in mobilise.__all__:
        assert hasattr(mobilise, name)


def test_workspace_services():
    services = {"places", "areas", "indicators", "postcodes", "datasets", "users", "audit"}
    assert services <= set(dir(mobilise.Workspace))


def test_error_tree_knows_status_and_exit_code():
    assert mobilise.ValidationError("x").status_code == 422
    assert mobilise.NotFound("x").status_code == 404
    assert mobilise.Conflict("x").status_code == 409
    assert (
        len({e.exit_code for e in (mobilise.ValidationError, mobilise.NotFound, mobilise.Conflict)})
        == 3
    )
