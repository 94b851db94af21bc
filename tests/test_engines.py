"""Dask engine on a LocalCluster of 2 worker processes: the same results as one process
(the same ``prepare_task`` over the same tasks, results in input order to the one writer)."""

import numpy as np
import pytest
from conftest import SAMPLE

from storyline import Storyline
from storyline.embed import VIEWS
from storyline.engines import LocalEngine, get_engine
from storyline.errors import ConfigError


def run(db, embedder, **engine):
    with Storyline(db, embedder=embedder, **engine) as sl:
        report = sl.add_paths([SAMPLE])
        stories = sl.cluster()
        ids = [a.id for a in sl.articles()]
        vecs = {v: sl.store.embeddings(sl.pipeline.view_model(v), ids) for v in VIEWS}
        return report, stories, sl.store.rejections(), sl.store.duplicates(), vecs


@pytest.fixture(scope="module")
def dask_engine():
    engine = get_engine("dask", workers=2)
    yield engine
    engine.close()


def test_two_workers_give_the_single_process_result(tmp_path, hashing_embedder, dask_engine):
    from storyline.engines.dask import DaskEngine

    assert isinstance(dask_engine, DaskEngine) and dask_engine.workers == 2
    local = run(tmp_path / "local.db", hashing_embedder, workers=0)
    embedded_locally = hashing_embedder.texts_embedded
    with Storyline(tmp_path / "dask.db", embedder=hashing_embedder) as sl:
        sl.pipeline.engine = dask_engine  # the module's cluster (started once)
        report = sl.add_paths([SAMPLE])
        stories = sl.cluster()
        ids = [a.id for a in sl.articles()]
        vecs = {v: sl.store.embeddings(sl.pipeline.view_model(v), ids) for v in VIEWS}
        distributed = (report, stories, sl.store.rejections(), sl.store.duplicates(), vecs)
    # every stage's decisions are identical: report, rejections, duplicates, stories (ids too)
    assert distributed[0] == local[0]
    assert distributed[2:4] == local[2:4]
    assert distributed[1] == local[1] and len(local[1]) > 5
    for view in VIEWS:
        assert distributed[4][view].keys() == local[4][view].keys()
        for aid, vec in local[4][view].items():
            assert np.array_equal(distributed[4][view][aid], vec)
    # the embedding ran on the workers (each with its own copy of the embedder): the
    # writing process's embedder embedded nothing more
    assert hashing_embedder.texts_embedded == embedded_locally > 0


def test_engine_options_are_checked():
    assert get_engine() is None and get_engine(workers=0) is None  # the pipeline's processes
    assert get_engine("processes", workers=3) is None
    assert list(LocalEngine().map(scaled, 2, range(3))) == [0, 2, 4]
    with pytest.raises(ConfigError, match="not both"):
        get_engine(workers=2, scheduler="tcp://127.0.0.1:1")
    with pytest.raises(ConfigError, match="at least 1"):
        get_engine("dask", workers=0)
    with pytest.raises(ConfigError, match="needs the dask engine"):
        get_engine("processes", scheduler="tcp://127.0.0.1:1")
    with pytest.raises(ConfigError, match="unknown engine"):
        get_engine("spark")


def test_unreachable_scheduler_is_a_clear_error(monkeypatch):
    from storyline.engines import dask

    monkeypatch.setattr(dask, "CONNECT_TIMEOUT", "2s")
    with pytest.raises(ConfigError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        get_engine(scheduler="tcp://127.0.0.1:9")


def scaled(factor: int, x: int) -> int:
    return factor * x


def test_existing_cluster_by_address_keeps_input_order(dask_engine):
    address = dask_engine.client.scheduler.address
    remote = get_engine(scheduler=address)
    try:
        assert remote.workers == 2
        # more items than the in-flight window: results still come back in input order
        assert list(remote.map(scaled, 3, range(50))) == [3 * x for x in range(50)]
    finally:
        remote.close()
