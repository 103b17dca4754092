"""Network analysis for the desk: expand a cluster from seed accounts, list suspicious communities,
an account's links. Read from the entity graph the engine keeps up to date with every decision.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from vigil.api.auth import READERS, guard, principal_of
from vigil.api.schemas import returns
from vigil.api.services import services_of
from vigil.codec import encode_view
from vigil.errors import NotFound, NotReady
from vigil.graph import EntityGraph
from vigil.graph.communities import RESOLUTION, clusters
from vigil.graph.expand import expand
from vigil.model.access import Role
from vigil.views import cluster_view, expansion_view, links_view

router = APIRouter(prefix="/v1/graph", tags=["graph"])
_READ = READERS | {Role.LIAISON}


class ExpandRequest(BaseModel):
    seeds: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(min_length=1, max_length=1000)
    top: int = Field(default=50, ge=1, le=1000)
    hops: int = Field(default=3, ge=1, le=4)


def _graph(request: Request) -> EntityGraph:
    graph = services_of(request).engine.graph
    if graph is None:
        raise NotReady("the entity graph is off (VIGIL_GRAPH=false)")
    return graph


def _json(value: Any) -> Response:
    return Response(encode_view(value), media_type="application/json")


@router.post(
    "/expand",
    summary="The accounts most likely in the same operation as the seeds",
    **guard(allowed=_READ, responses=returns("Expansion", "the accounts found, best first")),
)
async def post_expand(request: Request, body: ExpandRequest) -> Response:
    subject = "accounts:" + ",".join(body.seeds[:20]) + ("..." if len(body.seeds) > 20 else "")
    services_of(request).audit_read(principal_of(request), "graph.expand", subject)
    return _json(expansion_view(expand(_graph(request), body.seeds, top=body.top, hops=body.hops)))


@router.get(
    "/clusters",
    summary="Communities of linked accounts, most suspicious first",
    **guard(allowed=_READ, responses=returns("Clusters", "the communities")),
)
async def get_clusters(
    request: Request,
    top: Annotated[int, Query(ge=1, le=500)] = 20,
    min_size: Annotated[int, Query(ge=2, le=1000)] = 3,
    resolution: Annotated[float, Query(gt=0, le=1000)] = RESOLUTION,
) -> Response:
    found = clusters(_graph(request), min_size=min_size, resolution=resolution)
    return _json({"clusters": [cluster_view(c) for c in found[:top]], "communities": len(found)})


@router.get(
    "/accounts/{account_id}",
    summary="An account's links, strongest first",
    **guard(allowed=_READ, responses=returns("GraphAccount", "the account and its links")),
)
async def get_links(
    request: Request,
    account_id: Annotated[str, Path(max_length=200)],
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Response:
    graph = _graph(request)
    if account_id not in graph.index:
        raise NotFound(f"account {account_id!r} is not in the graph (no event seen)")
    services_of(request).audit_read(principal_of(request), "account.links_read", f"account:{account_id}")
    return _json(links_view(graph, account_id, limit))
