"""The desk's web console, served by ``vigil serve`` under ``/console`` (docs/desk.md): the security
desk's pages (``pages.py``), the law-enforcement desk's (``ler_pages.py``, docs/ler.md) and the recovery
of funds sent by mistake (``recovery_pages.py``, docs/recovery.md)."""

from fastapi import APIRouter

from vigil.api.console import ler_pages, pages, recovery_pages

router = APIRouter()
router.include_router(pages.router)
router.include_router(ler_pages.router)
router.include_router(recovery_pages.router)

__all__ = ["router"]
