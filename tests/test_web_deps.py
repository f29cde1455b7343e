"""Every route that changes something is guarded by the CSRF dependency, and a handler gets its
workspace and reviewer as dependencies (weerbaar.web.deps)."""

import importlib
import pkgutil

from fastapi.routing import APIRoute

import weerbaar
import weerbaar.web
from tests.test_web_api import client_for, token
from weerbaar.web.auth import csrf_checked

ROUTE_MODULES = [importlib.import_module(f"weerbaar.web.{m.name}") for m in pkgutil.iter_modules(weerbaar.web.__path__)
                 if m.name.startswith("routes_")]

# Reads its multipart body itself, after the role check, and checks the token there (routes_team.import_).
CHECKS_ITS_OWN_BODY = {"/import"}


def _dependencies(dependant):
    for dep in dependant.dependencies:
        yield dep.call
        yield from _dependencies(dep)


def test_every_state_changing_route_depends_on_the_csrf_check():
    routes = [r for module in ROUTE_MODULES for r in module.router.routes]
    changing = [r for r in routes if isinstance(r, APIRoute) and r.methods & {"POST", "PUT", "PATCH", "DELETE"}]
    assert len(ROUTE_MODULES) >= 5 and len(changing) >= 7
    for route in changing:
        if route.path in CHECKS_ITS_OWN_BODY:
            continue
        assert csrf_checked in set(_dependencies(route.dependant)), f"{route.path} has no CSRF check"


def test_a_decision_without_a_reviewer_is_refused_by_the_dependency_and_nothing_is_stored(demo_copy):
    anonymous = client_for(demo_copy)
    response = anonymous.post("/beslissing", data={"csrf": token(anonymous), "passage_id": "1", "measure_id": "2.2",
                                                   "besluit": "relevant"})
    assert response.status_code == 400 and "Vul eerst uw naam in" in response.text
    with weerbaar.open(demo_copy, create=False) as project:
        assert project.decisions.all(include_undone=True) == []


def test_a_request_holds_its_connection_alone_and_gives_it_back(demo_copy):
    """FastAPI runs a dependency and its handler in different threads, so the workspace dependency
    hands out a pooled connection per request, never one thread's own connection."""
    from weerbaar.codebook import load_codebook
    from weerbaar.web.state import AppState

    state = AppState(folder=demo_copy, codebook=load_codebook())
    with state.connection() as first, state.connection() as second:
        assert first is not second and first.conn is not second.conn  # two requests at once
    with state.connection() as again:
        assert again in (first, second)  # reused, not opened anew
    assert len(state.idle) == 2
