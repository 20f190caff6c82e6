"""The demo shop's engine over a catalog the tests can change (cart, checkout, suggestions)."""

from __future__ import annotations

import pytest

from tests.conftest import copy_demo
from tests.dialogue.chat import Catalog
from theke.bot import Bot, load_bot
from theke.commerce import catalog_from_folder
from theke.dialogue import Engine
from theke.runtime import build_engine


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Bot:
    folder = tmp_path_factory.mktemp("shop") / "sneakershop"
    copy_demo(folder)
    return load_bot(folder)


@pytest.fixture(scope="module")
def catalog(bot: Bot) -> Catalog:
    return Catalog(catalog_from_folder(bot.path))


@pytest.fixture(scope="module")
def engine(bot: Bot, catalog: Catalog) -> Engine:
    return build_engine(bot, isolated=False, catalog=catalog)
