"""The agent inbox on the web: server-rendered pages under ``/inbox`` that work without
JavaScript (a small script of our own adds live updates); no CDN: templates, stylesheet
and script ship in the package.

``auth`` holds the session cookie, CSRF checks and the route dependencies; ``pages``
the login, the list of conversations and the own account; ``admin`` the user pages;
``conversation`` one conversation (take over, note, assign, hand back, close);
``compose`` sending to the customer (reply, product card, WhatsApp template); ``live``
the stream of changes the pages listen to; ``canned`` the canned responses
("Textbausteine"); ``teaching`` teaching the bot and the questions it missed;
``comments`` the comments under the shop's Facebook posts.
"""

from fastapi import APIRouter

from theke.server.inbox import (
    admin,
    canned,
    comments,
    compose,
    conversation,
    live,
    pages,
    teaching,
)

__all__ = ["router"]

router = APIRouter()
router.include_router(pages.router)
router.include_router(admin.router)
router.include_router(conversation.router)
router.include_router(compose.router)
router.include_router(live.router)
router.include_router(teaching.router)
router.include_router(canned.router)
router.include_router(comments.router)
