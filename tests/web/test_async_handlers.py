"""No blocking database call inside an ``async`` route handler (issue 17, item 7).

FastAPI runs a plain ``def`` handler in its thread pool and an ``async def`` one on the event loop:
a database read in the latter holds up every other request of the worker while it runs (the ORUK
feed's ``async`` handlers made 20 clients wait p95 3.2-4.4 s behind one 110 ms search).

The rule checked, for every route of the app and every function in its dependency tree: a
coroutine function that is handed the workspace (a dependency returning ``Workspace``) may call
through it (``workspace.maps.get(...)``) or pass it, or what it takes from it, on
(``helper(workspace)``, ``write(workspace.oruk.taxonomies)``) only inside the
arguments of an awaited call (``await run_in_threadpool(...)``, ``await change(request, id,
workspace.maps.update, ...)``), which hands the work to a thread. Naming a service without calling
it (``workspace.maps``) builds an object and reads nothing.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
import typing
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from mobilise.settings import Settings
from mobilise.web.app import create_app
from mobilise.workspace import Workspace


def _gives_workspace(call: Callable[..., Any] | None) -> bool:
    try:
        return typing.get_type_hints(call).get("return") is Workspace  # type: ignore[arg-type]
    except Exception:  # a class or a callable object without hints gives no workspace
        return False


def _is_async(call: Any) -> bool:
    return inspect.iscoroutinefunction(call) or inspect.iscoroutinefunction(
        getattr(call, "__call__", None)  # noqa: B004
    )


def _async_users(dependant: Dependant) -> Iterator[tuple[Callable[..., Any], set[str]]]:
    """Each coroutine function of the tree with the names its workspace parameters have."""
    names = {d.name for d in dependant.dependencies if d.name and _gives_workspace(d.call)}
    if dependant.call is not None and _is_async(dependant.call) and names:
        yield dependant.call, names
    for sub in dependant.dependencies:
        yield from _async_users(sub)


def _root(node: ast.expr) -> ast.expr:
    """The name an expression such as ``workspace.maps.get(x).to_dict`` starts from."""
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node


_READS_NOTHING = {"getattr", "hasattr", "isinstance"}
"""Plain calls that only look at what they are given."""


def _is_workspace(node: ast.expr, names: set[str]) -> bool:
    root = _root(node)
    return isinstance(root, ast.Name) and root.id in names


def _uses_on_the_loop(function: Callable[..., Any], names: set[str]) -> list[str]:
    """Where ``function`` calls through a workspace parameter (``workspace.maps.get(...)``) or
    hands the workspace, or anything taken from it, to a plain call, outside an awaited call's
    arguments."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    handed_off: set[int] = set()  # ids of the nodes inside an awaited call's arguments
    for node in ast.walk(tree):
        if isinstance(node, ast.Await) and isinstance(node.value, ast.Call):
            handed_off.add(id(node.value))  # the awaited call hands its arguments on
            for argument in [*node.value.args, *(k.value for k in node.value.keywords)]:
                handed_off.update(id(inner) for inner in ast.walk(argument))
    names = set(names)
    for node in ast.walk(tree):  # what is taken from the workspace is the workspace too
        root = _root(node.value) if isinstance(node, ast.Assign) else None
        if isinstance(node, ast.Assign) and isinstance(root, ast.Name) and root.id in names:
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or id(node) in handed_off:
            continue
        given = [*node.args, *(k.value for k in node.keywords)]
        if isinstance(node.func, ast.Name) and node.func.id in _READS_NOTHING:
            given = []
        if any(_is_workspace(part, names) for part in [node.func, *given]):
            found.append(f"{function.__module__}.{function.__qualname__}: line {node.lineno}")
    return found


@pytest.fixture(scope="module")
def routes(tmp_path_factory: pytest.TempPathFactory) -> list[APIRoute]:
    location = str(tmp_path_factory.mktemp("routes") / "workspace.sqlite")
    app = create_app(Settings(host="127.0.0.1", user="tester"), location=location)
    found = (context.route for context in iter_route_contexts(app.routes))
    return [route for route in found if isinstance(route, APIRoute)]


def test_no_async_handler_uses_the_workspace_on_the_event_loop(routes):
    offences = sorted(
        {
            offence
            for route in routes
            for function, names in _async_users(route.dependant)
            for offence in _uses_on_the_loop(function, names)
        }
    )
    assert offences == []


def test_the_rule_catches_an_async_handler_that_reads_the_database():
    async def blocking(workspace: Workspace) -> Any:
        return workspace.assets.count()

    async def handed_off(workspace: Workspace) -> Any:
        from starlette.concurrency import run_in_threadpool

        return await run_in_threadpool(workspace.assets.count)

    assert _uses_on_the_loop(blocking, {"workspace"})
    assert _uses_on_the_loop(handed_off, {"workspace"}) == []


def test_the_feed_handlers_are_plain_functions(routes):
    feed = [route for route in routes if route.path.startswith("/oruk")]
    assert feed and not any(_is_async(route.endpoint) for route in feed)
