"""The public API is explicit and pinned: changing it must be a decision."""

import functools

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
        "RateLimited",
        "ValidationError",
        "Workspace",
        "__version__",
        "open_workspace",
    ]
    for name in mobilise.__all__:
        assert hasattr(mobilise, name)


def test_workspace_services():
    """Every service the faces use, by name: the CLI and the web app reach the workspace only
    through these."""
    services = {
        "access",
        "areas",
        "assets",
        "asset_profiles",
        "audit",
        "backup",
        "basemap",
        "cafes",
        "comparison",
        "consent",
        "contributions",
        "datasets",
        "demo",
        "drivers",
        "duplicates",
        "engagement",
        "events",
        "indicators",
        "jobs",
        "map_analysis",
        "map_talk",
        "maps",
        "network",
        "networks",
        "oruk",
        "packs",
        "participants",
        "payments",
        "actions",
        "event_contributions",
        "media",
        "partners",
        "places",
        "postcodes",
        "programme",
        "project",
        "project_settings",
        "sessions",
        "surveys",
        "sweeps",
        "themes",
        "users",
    }
    found = {
        name
        for name, value in vars(mobilise.Workspace).items()
        if isinstance(value, functools.cached_property)
    }
    assert found == services


def test_error_tree_knows_status_and_exit_code():
    assert mobilise.ValidationError("x").status_code == 422
    assert mobilise.NotFound("x").status_code == 404
    assert mobilise.Conflict("x").status_code == 409
    assert (
        len({e.exit_code for e in (mobilise.ValidationError, mobilise.NotFound, mobilise.Conflict)})
        == 3
    )


def test_analysis_names():
    """The names an analyst imports from a notebook (issue: access and disparities)."""
    from mobilise.analysis import access, inequality, priority, spatial

    assert {
        "nearest",
        "count_within",
        "supply_within",
        "weighted_catchment",
        "two_step_fca",
        "enhanced_two_step_fca",
        "three_step_fca",
        "balanced_fca",
        "floating_catchment_ratio",
        "pairs_from_points",
        "pairs_from_costs",
        "step",
        "gaussian",
        "exponential",
        "linear",
        "power",
    } <= set(access.__all__)
    assert {
        "slope_index_of_inequality",
        "concentration_index",
        "gini",
        "quintile_gap",
        "by_quantile",
    } <= set(inequality.__all__)
    assert {"contiguity_weights", "morans_i", "local_morans"} <= set(spatial.__all__)
    assert {"priority_areas", "HealthNeed"} <= set(priority.__all__)
    for module in (access, inequality, priority, spatial):
        for name in module.__all__:
            assert hasattr(module, name), (module.__name__, name)
