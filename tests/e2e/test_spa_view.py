"""`workflows.spa.spa_view`: the built designer for every non-API URL, a CSRF
cookie for its writes, and a clear page (not a traceback) when it is not built."""

from __future__ import annotations

from pathlib import Path

from django.test import RequestFactory, override_settings

from workflows.spa import spa_view


def test_it_serves_the_built_index_with_a_csrf_cookie(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<!doctype html><div id=root></div>", encoding="utf-8")
    with override_settings(SLUICE_FRONTEND_DIST=tmp_path):
        response = spa_view(RequestFactory().get("/workflows/x"))
    assert response.status_code == 200
    assert b"<div id=root>" in response.content
    assert "csrftoken" in response.cookies


def test_it_says_how_to_build_when_the_frontend_is_missing(tmp_path: Path) -> None:
    with override_settings(SLUICE_FRONTEND_DIST=tmp_path / "nowhere"):
        response = spa_view(RequestFactory().get("/"))
    assert response.status_code == 503
    assert b"make frontend" in response.content


def test_it_refuses_writes(tmp_path: Path) -> None:
    with override_settings(SLUICE_FRONTEND_DIST=tmp_path):
        assert spa_view(RequestFactory().post("/")).status_code == 405
