"""The agent inbox on the web: server-rendered pages under ``/inbox`` (no JavaScript, no
CDN; templates and stylesheet ship in the package).

``auth`` holds the session cookie, CSRF checks and the route dependencies; ``pages``
the login, the waiting conversations and the own account; ``admin`` the user pages;
``conversation`` one conversation (take over, reply, hand back).
"""

from fastapi import APIRouter

from theke.server.inbox import admin, conversation, pages

__all__ = ["router"]

router = APIRouter()
router.include_router(pages.router)
router.include_router(admin.router)
router.include_router(conversation.router)
