"""Model files: the same answers after a round trip, and a changed file is refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.nlu.shop import shop_data
from theke.nlu.artifact import ModelFileError, load_model, save_model
from theke.nlu.model import NluModel
from theke.nlu.service import NluService, load_or_train
from theke.nlu.settings import NluSettings
from theke.nlu.training import fingerprint, train_nlu

MESSAGES = ["wie lange dauert der versand", "Turnschuhe von Addidas in 43", "hello", "SC-123456?"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> NluModel:
    return train_nlu(shop_data(tmp_path_factory.mktemp("data")))


def test_a_saved_model_parses_exactly_like_the_trained_one(
    trained: NluModel, tmp_path: Path
) -> None:
    save_model(trained, tmp_path)
    loaded = load_model(tmp_path, trained.fingerprint)
    for text in MESSAGES:
        assert loaded.parse(text).to_json() == trained.parse(text).to_json()


def test_a_changed_model_file_is_refused(trained: NluModel, tmp_path: Path) -> None:
    path = save_model(trained, tmp_path)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="checksum"):
        load_model(tmp_path)


def test_a_manifest_cannot_point_outside_the_folder(trained: NluModel, tmp_path: Path) -> None:
    save_model(trained, tmp_path)
    manifest = json.loads((tmp_path / "nlu.json").read_text())
    manifest["file"] = "../../etc/passwd"
    (tmp_path / "nlu.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelFileError, match="unexpected file"):
        load_model(tmp_path)


def test_changed_training_data_means_retraining(trained: NluModel, tmp_path: Path) -> None:
    save_model(trained, tmp_path)
    with pytest.raises(ModelFileError, match="training data changed"):
        load_model(tmp_path, "0" * 64)


def test_load_or_train_reuses_the_file_until_the_data_changes(tmp_path: Path) -> None:
    data = shop_data(tmp_path)
    folder = tmp_path / "models"
    first = load_or_train(data, NluSettings(), folder)
    written = {p.name: p.stat().st_mtime_ns for p in folder.glob("nlu-*.npz")}
    second = load_or_train(data, NluSettings(), folder)
    assert second.fingerprint == first.fingerprint
    assert {p.name: p.stat().st_mtime_ns for p in folder.glob("nlu-*.npz")} == written
    changed = load_or_train(data[:1], NluSettings(), folder)
    assert changed.fingerprint == fingerprint(data[:1], NluSettings()) != first.fingerprint
    assert len(list(folder.glob("nlu-*.npz"))) == 1  # the old file is gone


def test_retraining_swaps_the_model_without_a_restart(tmp_path: Path) -> None:
    german, english = shop_data(tmp_path)
    service = NluService.start([english], NluSettings(), tmp_path / "models")
    before = service.model
    future = service.retrain([german, english], NluSettings())
    after = future.result(timeout=120)
    assert service.model is after is not before
    assert service.parse("wann kommt mein Paket?").ranking[0].name == "shipping"


def test_two_starts_at_once_train_one_model(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    data = shop_data(tmp_path)
    folder = tmp_path / "models"
    with ThreadPoolExecutor(max_workers=2) as pool:
        models = list(pool.map(lambda _: load_or_train(data, NluSettings(), folder), range(2)))
    assert models[0].fingerprint == models[1].fingerprint
    assert len(list(folder.glob("nlu-*.npz"))) == 1
    for text in MESSAGES:
        assert models[0].parse(text).to_json() == models[1].parse(text).to_json()
