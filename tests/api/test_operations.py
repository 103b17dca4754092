"""Issue 17, "Operations": /docs works offline; the server's file paths are for admins only."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.api.conftest import Api
from vigil.model.access import Role


def test_the_docs_page_loads_swagger_from_the_server_not_a_cdn(api: Api) -> None:
    page = api.client.get("/docs")
    assert page.status_code == 200
    assert "cdn" not in page.text.lower() and "https://" not in page.text
    assert "/docs/assets/swagger-ui-bundle.js" in page.text and "/openapi.json" in page.text
    for asset, kind in (("swagger-ui-bundle.js", "javascript"), ("swagger-ui.css", "css")):
        r = api.client.get(f"/docs/assets/{asset}")
        assert r.status_code == 200 and kind in r.headers["content-type"] and len(r.content) > 10_000
    spec = api.client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.1")  # the shipped Swagger UI (5.x) renders OpenAPI 3.1


def test_list_snapshots_show_server_paths_to_admins_only(api: Api) -> None:
    api.services.lists.save(
        "ofac_sdn", "name", "/srv/secret/lists/sdn.xml", datetime(2026, 1, 1, tzinfo=UTC), ()
    )
    for role, sees in ((Role.ANALYST, False), (Role.AUDITOR, False), (Role.ADMIN, True)):
        r = api.client.get("/v1/screening/lists", headers=api.headers(role))
        assert r.status_code == 200, (role, r.text)
        [snapshot] = r.json()
        assert snapshot["source"] == "ofac_sdn" and snapshot["version"] == 1
        assert ("origin" in snapshot) is sees, role
        assert ("/srv/secret" in r.text) is sees, role
