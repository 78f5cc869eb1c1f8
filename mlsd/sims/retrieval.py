"""Vector retrieval for the search scenario: exact vs IVF vs HNSW vs IVF-PQ, then a re-ranker.

A seeded catalogue of clustered item embeddings and queries from the same
mixture. Every index is a real faiss index searched with the same queries; the
ground truth comes from scikit-learn's brute-force `NearestNeighbors`, which is
also the baseline the chosen index's speed is compared against.

- recall@10 uses ann-benchmarks' definition: a returned item counts when its
  true distance is within the true 10th-neighbour distance + 1e-3, so ties are
  handled by distance, not by id (`knn_recall`).
- Determinism: faiss and BLAS are pinned to one thread (`faiss.omp_set_num_threads(1)`
  and threadpoolctl), so recall is the same for the same seed; HNSW, whose
  multi-threaded build depends on thread timing, is built by one thread running
  beside the main thread. QPS (batch search) is queries per CPU-second of the one
  searching thread and `*_seconds` are CPU seconds (`time.thread_time`), so other
  processes on the machine do not inflate them. Every search, the baseline's too, is
  timed the same way on the same query batch, and only after the HNSW build is over
  (a build on the other core slowed searches timed beside it by up to half): a
  warm-up call, then the median of repeated calls (`measured_qps`). QPS still varies
  run to run, and so can the winner on speed and the two-stage rows that use it.
- Two-stage search: the chosen index fetches candidates, a least-squares re-ranker
  learned from noisy relevance labels re-orders them; NDCG@10 is measured against
  the true relevance of the whole catalogue.
"""

from __future__ import annotations

import math
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import faiss
import numpy as np
from threadpoolctl import threadpool_limits

from mlsd.errors import BadInputError, check_range
from mlsd.i18n import N_, _
from mlsd.sims.base import (
    Chart,
    ProgressCallback,
    SimResult,
    Table,
    report,
    series,
    table,
)
from mlsd.sims.metrics import check_memory
from mlsd.threads import start_background

K = 10  # recall@10 and NDCG@10
RECALL_EPSILON = 1e-3  # ann-benchmarks' distance slack for ties
INTRINSIC_DIM = 8  # each cluster spreads along a random 8-d subspace (embeddings are low-rank)
CLUSTER_SPREAD = 1.0  # in-cluster spread relative to the centre's norm
NOISE = 0.2  # isotropic noise on top of the subspace
SUPER_TOPICS = 10  # topics per super-topic: nested, overlapping topics
TOPIC_OFFSET = 0.5  # a topic centre's distance from its super-topic's, relative to the super-topics' spread
SIZE_SIGMA = 1.0  # lognormal sd of topic sizes: a few big topics, many small ones
SPREAD_SIGMA = 0.5  # lognormal sd of topic spreads: some tight, some diffuse
ANISOTROPY = 0.5  # coordinate j scaled by (j + 1)^-0.5: variance concentrated in a few directions
NOISE_SHARE = 0.1  # items and queries uniform on the sphere
T = TypeVar("T")
MATCH_SHARPNESS = 3.0  # how fast true relevance falls with cosine distance
LABEL_NOISE = 0.3  # sd of the noisy log-relevance labels the re-ranker learns from
N_TRAIN_QUERIES = 200  # logged queries the re-ranker is trained on
# QPS timing (measured_qps): the first call of a batch search warms up, later calls are
# timed until there are MIN_TIMED_RUNS of them and MIN_TIMED_SECONDS of CPU time, or
# the calls used up the budget (MAX_TIMED_SECONDS; more for the baseline, which every
# speed-up is divided by); QPS is the batch size over the median timed call.
MIN_TIMED_RUNS = 3
MIN_TIMED_SECONDS = 0.01
MAX_TIMED_SECONDS = 0.03
BASELINE_TIMED_SECONDS = 0.3


# ---------------------------------------------------------------------------
# metric helpers (tested against brute-force numpy and scikit-learn)


def exact_distances(items: np.ndarray, queries: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Euclidean distance (float64) from each query to each item in its row of `ids`.

    ids of -1 (faiss' "no result") get +inf, so they never count as found.
    """
    ids = np.asarray(ids)
    safe = np.where(ids < 0, 0, ids)
    diff = items[safe].astype(np.float64) - queries[:, None, :].astype(np.float64)
    dist = np.sqrt(np.einsum("qkd,qkd->qk", diff, diff))
    return np.where(ids < 0, np.inf, dist)


def knn_recall(
    true_distances: np.ndarray,
    found_distances: np.ndarray,
    k: int = K,
    epsilon: float = RECALL_EPSILON,
) -> np.ndarray:
    """Per-query recall@k as in ann-benchmarks: found items within the true k-th distance + epsilon.

    `true_distances` are the sorted exact distances of the true neighbours (at least k
    per row), `found_distances` the exact distances of what an index returned.
    """
    threshold = np.sort(true_distances, axis=1)[:, k - 1] + epsilon
    found = found_distances[:, :k] <= threshold[:, None]
    return found.sum(axis=1) / k


def dcg(gains: np.ndarray, k: int = K) -> np.ndarray:
    """DCG@k of each row of gains in list order: sum of gain / log2(rank + 1)."""
    g = np.asarray(gains, dtype=np.float64)[:, :k]
    return (g / np.log2(np.arange(2, g.shape[1] + 2))).sum(axis=1)


def ndcg_of_lists(list_gains: np.ndarray, ideal_gains: np.ndarray, k: int = K) -> np.ndarray:
    """NDCG@k of returned lists; `ideal_gains` are each query's best k gains in the catalogue."""
    ideal = dcg(-np.sort(-np.asarray(ideal_gains, dtype=np.float64), axis=1), k)
    return dcg(list_gains, k) / np.where(ideal > 0, ideal, 1.0)


# ---------------------------------------------------------------------------
# the synthetic world


@dataclass
class World:
    items: np.ndarray  # (n, dim) float32, unit norm
    # (n,) item quality in [0, 1]: the re-ranker sees it, the embedding does not
    quality: np.ndarray
    queries: np.ndarray  # (n_queries, dim) float32, unit norm
    quality_weight: np.ndarray  # (n_queries,) how much each query cares about quality
    train_queries: np.ndarray  # logged queries for the re-ranker
    train_weight: np.ndarray


def make_world(*, n: int, dim: int, n_queries: int, clusters: int, seed: int) -> World:
    """Unit vectors whose structure does not line up with any index's partition.

    Real embeddings are not `clusters` equal, equally tight, well separated blobs (a
    world like that lets IVF with about as many lists find everything at nprobe = 1).
    Here, as in ann-benchmarks' real data sets:
    - topics nest: centres are drawn around SUPER_TOPICS-times fewer super-topic centres,
      so neighbouring topics overlap;
    - topic sizes are uneven (lognormal weights, sd SIZE_SIGMA) and so are their spreads
      (lognormal scale, sd SPREAD_SIGMA), each along its own low-rank subspace;
    - the space is anisotropic: coordinate j is scaled by (j + 1)^-ANISOTROPY before
      normalising, so a few directions carry most of the variance;
    - a share NOISE_SHARE of items and queries is uniform on the sphere, belonging to no topic.
    """
    rng = np.random.default_rng(seed)
    r = min(INTRINSIC_DIM, dim)
    n_super = max(1, clusters // SUPER_TOPICS)
    supers = rng.standard_normal((n_super, dim), dtype=np.float32) / np.float32(math.sqrt(dim))
    centres = supers[rng.integers(0, n_super, clusters)] + rng.standard_normal(
        (clusters, dim), dtype=np.float32) * np.float32(TOPIC_OFFSET / math.sqrt(dim))
    bases = rng.standard_normal((clusters, r, dim), dtype=np.float32)
    scale = CLUSTER_SPREAD * rng.lognormal(0.0, SPREAD_SIGMA, clusters) / math.sqrt(r * dim)
    bases *= scale.astype(np.float32)[:, None, None]
    weights = rng.lognormal(0.0, SIZE_SIGMA, clusters)
    weights /= weights.sum()
    axes = (np.arange(1, dim + 1, dtype=np.float32) ** np.float32(-ANISOTROPY))
    axes *= np.float32(math.sqrt(dim) / np.linalg.norm(axes))

    def draw(m: int) -> np.ndarray:
        labels = np.sort(rng.choice(clusters, size=m, p=weights))
        spread = rng.standard_normal((m, r), dtype=np.float32)
        x = rng.standard_normal((m, dim), dtype=np.float32)
        x *= np.float32(NOISE / math.sqrt(dim))
        bounds = np.searchsorted(labels, np.arange(clusters + 1))
        for c in range(clusters):
            a, b = bounds[c], bounds[c + 1]
            if b > a:
                x[a:b] += centres[c] + spread[a:b] @ bases[c]
        x *= axes
        uniform = rng.random(m) < NOISE_SHARE  # no topic: isotropic, so uniform once normalised
        x[uniform] = rng.standard_normal((int(uniform.sum()), dim), dtype=np.float32)
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        return x[rng.permutation(m)]

    items = draw(n)
    quality = rng.beta(2.0, 2.0, n)
    queries = draw(n_queries)
    weight = rng.uniform(0.0, 1.0, n_queries)
    train = draw(N_TRAIN_QUERIES)
    train_weight = rng.uniform(0.0, 1.0, N_TRAIN_QUERIES)
    return World(items, quality, queries, weight, train, train_weight)


def true_log_relevance(cos: np.ndarray, quality: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """log of the true relevance: topical match × quality, where the query decides how much quality counts.

    Not a dot product of the retrieval embeddings: the match is a steep function of
    the cosine and the quality term depends on both the item and the query.
    """
    w = weight[:, None]
    return MATCH_SHARPNESS * (cos - 1.0) + np.log(1.0 - w + w * (0.1 + 0.9 * quality))


def _reranker_features(cos: np.ndarray, quality: np.ndarray, weight: np.ndarray) -> np.ndarray:
    w = np.broadcast_to(weight[:, None], cos.shape)
    return np.stack(
        [np.ones_like(cos), cos, quality, w, quality * w, quality**2 * w, w**2, cos**2], axis=-1
    )


# ---------------------------------------------------------------------------
# results


@dataclass(frozen=True)
class IndexPoint:
    """One index configuration in the sweep."""

    family: str  # "flat", "ivf", "hnsw", "ivfpq" or "sklearn-brute"
    name: str  # e.g. "IVF256,Flat nprobe=8"
    param: str  # the swept parameter ("nprobe", "efSearch") or ""
    value: int
    recall: float
    qps: float
    memory_bytes: int
    build_seconds: float


@dataclass(frozen=True)
class StagePoint:
    """NDCG@10 of one retrieval pipeline against the true relevance."""

    pipeline: str
    candidates: int
    ndcg: float


@dataclass(frozen=True)
class RetrievalResult(SimResult):
    n: int
    dim: int
    n_queries: int
    clusters: int
    nlist: int
    hnsw_m: int
    ef_construction: int
    pq_m: int
    target_recall: float
    candidates: int
    threads: int
    points: tuple[IndexPoint, ...]
    baseline: IndexPoint
    chosen: IndexPoint
    speedup: float  # chosen qps / brute-force qps (measured)
    best_at_090: IndexPoint | None  # fastest configuration with recall >= 0.9
    speedup_at_090: float  # its qps / brute-force qps (measured)
    stages: tuple[StagePoint, ...]
    depth_sweep: tuple[StagePoint, ...]
    reranker_r2: float  # held-out R² of the re-ranker on noisy log-relevance labels

    def family_points(self, family: str) -> list[IndexPoint]:
        return [p for p in self.points if p.family == family]

    def tables(self) -> list[Table]:
        rows = [
            (
                _(p.name),
                p.recall,
                p.qps,
                p.qps / self.baseline.qps,
                p.build_seconds,
                p.memory_bytes / 2**20,
                p.recall >= self.target_recall,
            )
            for p in (self.baseline, *self.points)
        ]
        sweep = table(
            _("Index sweep: {n} items × {dim}, {queries} queries, recall@{k}").format(
                n=f"{self.n:,}", dim=self.dim, queries=f"{self.n_queries:,}", k=K),
            (
                _("index"),
                f"recall@{K}",
                "QPS",
                _("× brute"),
                _("build s"),
                "MiB",
                f"≥ {self.target_recall:g}",
            ),
            rows,
            note=_("QPS: queries per CPU-second of one thread (batch search); QPS and build seconds are "
                   "measured and vary run to run; recall (ann-benchmarks' definition) is fixed by the seed."),
        )
        flat_mib = self.family_points("flat")[0].memory_bytes / 2**20
        picks = [(_("target"), self.chosen, self.speedup)]
        if self.best_at_090 is not None:
            picks.append((_("recall ≥ 0.9"), self.best_at_090, self.speedup_at_090))
        chosen = table(
            _("Chosen: fastest approximate index with recall@{k} ≥ {target}").format(
                k=K, target=f"{self.target_recall:g}"),
            (
                _("for"),
                _("index"),
                f"recall@{K}",
                "QPS",
                _("brute-force QPS"),
                _("speed-up"),
                _("memory MiB"),
                _("flat MiB"),
            ),
            [
                (
                    what,
                    _(p.name),
                    p.recall,
                    p.qps,
                    self.baseline.qps,
                    ratio,
                    p.memory_bytes / 2**20,
                    flat_mib,
                )
                for what, p, ratio in picks
            ],
            note=_("Speed-up = QPS / scikit-learn brute-force QPS, both measured in this run on one thread."),
        )
        stages = table(
            _("Two-stage search: NDCG@{k} against true relevance (catalogue-wide ideal)").format(k=K),
            (_("pipeline"), _("candidates"), f"NDCG@{K}"),
            [(_(s.pipeline), s.candidates, s.ndcg) for s in (*self.stages, *self.depth_sweep)],
            note=_("Re-ranker: least squares on noisy log-relevance labels, held-out R² {r2}.").format(
                r2=f"{self.reranker_r2:.3f}"),
        )
        return [sweep, chosen, stages]

    def charts(self) -> list[Chart]:
        labels = {
            "ivf": _("IVF-Flat (nprobe sweep)"),
            "hnsw": _("HNSW (efSearch sweep)"),
            "ivfpq": _("IVF-PQ (nprobe sweep)"),
        }
        lines = [
            series(
                label,
                [p.recall for p in self.family_points(f)],
                [p.qps for p in self.family_points(f)],
            )
            for f, label in labels.items()
            if self.family_points(f)
        ]
        flat = self.family_points("flat")[0]
        lines.append(series(_("Flat (exact)"), [flat.recall], [flat.qps]))
        recall_qps = Chart(
            name="retrieval-recall-qps",
            title=_("Recall@{k} vs queries per second ({n} × {dim})").format(k=K, n=f"{self.n:,}", dim=self.dim),
            x_label=f"recall@{K}",
            y_label=_("queries per CPU-second (log scale)"),
            series=tuple(lines),
            y_log=True,
            hlines=((self.baseline.qps, _("scikit-learn brute force")),),
            vlines=((self.target_recall, _("target {target}").format(target=f"{self.target_recall:g}")),),
        )
        depth = Chart(
            name="retrieval-two-stage-ndcg",
            title=_("Two-stage search: NDCG@{k} by number of ANN candidates re-ranked").format(k=K),
            x_label=_("candidates re-ranked"),
            y_label=f"NDCG@{K}",
            series=(
                series(
                    _("{index} + re-ranker").format(index=self.chosen.name),
                    [s.candidates for s in self.depth_sweep],
                    [s.ndcg for s in self.depth_sweep],
                ),
            ),
            x_log=True,
            hlines=tuple(
                (s.ndcg, _(s.pipeline))
                for s in self.stages
                if s.candidates == K or s.pipeline == "exact candidates + re-ranker"
            ),
        )
        return [recall_qps, depth]

    def reading(self) -> list[str]:
        c = self.chosen
        by_name = {s.pipeline: s for s in self.stages}
        exact = by_name["exact top-10 by embedding"]
        two = by_name["ANN candidates + re-ranker"]
        upper = by_name["exact candidates + re-ranker"]
        lines = [
            _("The fastest approximate index with recall@{k} ≥ {target} is {index}: recall {recall} at {qps} queries "
              "per CPU-second, {speedup}× scikit-learn's brute-force scan of the same {n} items ({brute} queries per "
              "CPU-second).").format(
                k=K, target=f"{self.target_recall:g}", index=_(c.name), recall=f"{c.recall:.3f}", qps=f"{c.qps:,.0f}",
                speedup=f"{self.speedup:,.1f}", n=f"{self.n:,}", brute=f"{self.baseline.qps:,.0f}")
        ]
        per_family = []
        for family, label in (("ivf", "IVF-Flat"), ("hnsw", "HNSW")):
            ok = [p for p in self.family_points(family) if p.recall >= self.target_recall]
            pts = self.family_points(family)
            if ok:
                best = max(ok, key=lambda p: p.qps)
                per_family.append(
                    _("{label} needs {param}={value} ({qps} queries/s, built in {build} s, {memory} MiB)").format(
                        label=label, param=best.param, value=best.value, qps=f"{best.qps:,.0f}",
                        build=f"{best.build_seconds:.2f}", memory=f"{best.memory_bytes / 2**20:.1f}")
                )
            elif pts:
                per_family.append(
                    _("{label} never reaches it (best recall {recall})").format(
                        label=label, recall=f"{max(p.recall for p in pts):.3f}")
                )
        if per_family:
            lines.append(
                _("At the target, {families}: recall is bought with QPS, and the graph index also pays in build time "
                  "and memory for its links.").format(families=_(" while ").join(per_family))
            )
        pq = self.family_points("ivfpq")
        if pq:
            best_pq = max(pq, key=lambda p: p.recall)
            flat = self.family_points("flat")[0]
            lines.append(_(
                "IVF-PQ keeps the catalogue in {pq_memory} MiB instead of {flat_memory} MiB, but its compressed "
                "distances cap recall@{k} at {recall} whatever nprobe is: memory is bought with recall unless the "
                "candidates are re-scored with full vectors.").format(
                pq_memory=f"{best_pq.memory_bytes / 2**20:.1f}", flat_memory=f"{flat.memory_bytes / 2**20:.1f}", k=K,
                recall=f"{best_pq.recall:.3f}"))
        lines.append(_(
            "Embedding similarity alone reaches NDCG@{k} {exact} against true relevance; re-ranking {candidates} ANN "
            "candidates with a model that also sees item quality lifts it to {two}, and {upper} from exact "
            "candidates: the re-ranker is worth more than the last points of recall@10, but the retriever needs "
            "recall at the depth that is re-ranked.").format(
            k=K, exact=f"{exact.ndcg:.3f}", candidates=two.candidates, two=f"{two.ndcg:.3f}",
            upper=f"{upper.ndcg:.3f}"))
        return lines


# Index and pipeline names are values (--json); shown translated.
LABELS = (N_("Flat (exact)"), N_("scikit-learn brute force"), N_("exact top-10 by embedding"),
          N_("ANN candidates + re-ranker"), N_("exact candidates + re-ranker"))


# ---------------------------------------------------------------------------
# the simulation


def measured_qps(
    search: Callable[[], T], n_queries: int, budget: float = MAX_TIMED_SECONDS
) -> tuple[T, float]:
    """(result of the first call, queries per CPU-second of this thread) for `search()`.

    `search` runs one batch of `n_queries` queries. The first call pays for first-call
    allocations and refills the caches that whatever ran before evicted; its result is
    what the recall is computed from, and it is not part of the QPS unless it alone used
    up `budget` (a batch that slow is not moved by a cold start). Then timed calls until
    MIN_TIMED_RUNS and MIN_TIMED_SECONDS are both reached, or all calls used `budget`;
    the median call gives the QPS, so one interrupted call does not move it.
    `time.thread_time` counts only this thread: other processes sharing the cores do not
    inflate it (they can still slow it through shared caches and memory bandwidth).
    """
    t0 = time.thread_time()
    result = search()
    spent = time.thread_time() - t0
    times: list[float] = []
    while spent < budget:
        t0 = time.thread_time()
        search()
        times.append(time.thread_time() - t0)
        spent += times[-1]
        if len(times) >= MIN_TIMED_RUNS and sum(times) >= MIN_TIMED_SECONDS:
            break
    return result, n_queries / max(statistics.median(times) if times else spent, 1e-9)


def _sweep_values(maximum: int, start: int) -> list[int]:
    """start, 2·start, 4·start, … up to `maximum`, and `maximum` itself."""
    values = []
    v = start
    while v <= maximum:
        values.append(v)
        v *= 2
    if not values or (values[-1] != maximum and maximum > start):
        values.append(maximum)
    return sorted(set(values))


def _hnsw_memory(index) -> int:
    h = index.hnsw
    links = h.neighbors.size() * 4 + h.offsets.size() * 8 + h.levels.size() * 4
    return int(index.ntotal * index.d * 4 + links)


def _ivf_memory(index) -> int:
    lists = index.invlists
    stored = sum(lists.list_size(i) for i in range(index.nlist))
    return int(stored * (index.code_size + 8) + index.nlist * index.d * 4)


def estimate_peak_bytes(
    *, n: int, dim: int, n_queries: int, hnsw_m: int, pq_m: int, candidates: int
) -> int:
    """Peak memory before anything is allocated: item copies, index storage, work buffers."""
    vectors = n * dim * 4
    # generated items and their shuffled copy, then the flat, IVF-Flat and HNSW storage
    # (scikit-learn keeps a reference, not a copy): five copies at the peak
    copies = 5 * vectors
    hnsw_links = n * (2 * hnsw_m + hnsw_m) * 4 + n * 12
    ivf_ids = 2 * n * 8 + n * pq_m
    work = (64 + 8 * dim) * n + 16 * n_queries * max(candidates, 256) * dim + 128 * 2**20
    return int(copies + hnsw_links + ivf_ids + work)


def auto_nlist(n: int) -> int:
    """The power of two at or above √n (256 lists for 20,000 or 50,000 items, 512 for 100,000), at most n/39.

    Rounded up, not to the nearest: faiss' own guideline is 4√n to 16√n lists, and more,
    smaller lists cut the vectors a query scans at a given recall; √n up to 2√n keeps
    the k-means training within the default run's time.
    """
    nlist = 2 ** math.ceil(math.log2(math.sqrt(n)) - 1e-9)
    return int(max(1, min(nlist, n // 39)))


def simulate_retrieval(
    *,
    n: int = 20_000,
    dim: int = 64,
    n_queries: int = 100,
    clusters: int = 500,
    target_recall: float = 0.95,
    nlist: int = 0,
    max_nprobe: int = 64,
    hnsw_m: int = 16,
    ef_construction: int = 16,
    max_ef_search: int = 256,
    pq_m: int = 8,
    candidates: int = 100,
    seed: int = 0,
    progress: ProgressCallback | None = None,
) -> RetrievalResult:
    """Sweep faiss indexes on a clustered catalogue, pick the fastest that meets the recall target."""
    if not 1000 <= n <= 1_000_000:
        raise BadInputError(f"--n must be in [1,000, 1,000,000], got {n:,}")
    check_range("dim", dim, 2, 2048, low_inclusive=True, high_inclusive=True)
    check_range("n_queries", n_queries, 10, 100_000, low_inclusive=True, high_inclusive=True)
    check_range("clusters", clusters, 1, n, low_inclusive=True, high_inclusive=True)
    check_range("target_recall", target_recall, 0, 1, high_inclusive=True)
    check_range("nlist", nlist, 0, n // 39, low_inclusive=True, high_inclusive=True)
    check_range("max_nprobe", max_nprobe, 1, None, low_inclusive=True)
    check_range("hnsw_m", hnsw_m, 2, 256, low_inclusive=True, high_inclusive=True)
    check_range(
        "ef_construction", ef_construction, 4, 4096, low_inclusive=True, high_inclusive=True
    )
    check_range("max_ef_search", max_ef_search, 16, 32_768, low_inclusive=True, high_inclusive=True)
    check_range("pq_m", pq_m, 1, dim, low_inclusive=True, high_inclusive=True)
    if dim % pq_m:
        raise BadInputError(f"--pq-m must divide --dim ({dim}), got {pq_m}")
    check_range(
        "candidates", candidates, K, min(n, 10_000), low_inclusive=True, high_inclusive=True
    )
    check_memory(
        "n",
        n,
        estimate_peak_bytes(
            n=n, dim=dim, n_queries=n_queries, hnsw_m=hnsw_m, pq_m=pq_m, candidates=candidates
        ),
    )
    nlist = nlist or auto_nlist(n)
    max_nprobe = min(max_nprobe, nlist)

    previous_threads = faiss.omp_get_max_threads()
    try:
        with threadpool_limits(limits=1):
            faiss.omp_set_num_threads(1)
            return _run(
                n=n, dim=dim, n_queries=n_queries, clusters=clusters, target_recall=target_recall,
                nlist=nlist, max_nprobe=max_nprobe, hnsw_m=hnsw_m, ef_construction=ef_construction,
                max_ef_search=max_ef_search, pq_m=pq_m, candidates=candidates, seed=seed, progress=progress,
            )  # fmt: skip
    finally:
        faiss.omp_set_num_threads(previous_threads)


def _run(
    *, n, dim, n_queries, clusters, target_recall, nlist, max_nprobe, hnsw_m, ef_construction,
    max_ef_search, pq_m, candidates, seed, progress,
) -> RetrievalResult:  # fmt: skip
    report(progress, 0.0, _("generating embeddings"))
    world = make_world(n=n, dim=dim, n_queries=n_queries, clusters=clusters, seed=seed)
    x, q = world.items, world.queries

    # The HNSW graph build is the slow part: one thread builds it (one thread = the same
    # graph every run) while the main thread builds the other indexes. No search is
    # timed until the build is over: a graph build on the other core competes for cache
    # and memory bandwidth, and slowed searches timed beside it by up to half, more for
    # some indexes than for others.
    # The catalogue-wide true relevance needs only the world: whichever thread is free
    # first computes it, so the two threads finish their untimed work together.
    hnsw = faiss.IndexHNSWFlat(dim, hnsw_m)
    hnsw.hnsw.efConstruction = ef_construction
    background: dict[str, object] = {}
    claim = threading.Lock()

    def ideal_if_unclaimed() -> None:
        with claim:
            if "ideal" in background:
                return
            background["ideal"] = None
        background["ideal"] = _ideal_and_exact(world, candidates)

    def build_hnsw() -> None:
        try:
            faiss.omp_set_num_threads(1)  # OpenMP settings are per thread
            t0 = time.thread_time()
            hnsw.add(x)
            background["hnsw_seconds"] = time.thread_time() - t0
            ideal_if_unclaimed()
        except BaseException as exc:  # re-raised by the main thread
            background["error"] = exc

    worker = start_background(build_hnsw, "mlsd-hnsw-build")

    report(progress, 0.05, _("brute-force baseline (scikit-learn)"))
    # Imported here so its ~1 s import overlaps the HNSW build. The limit is set again:
    # the BLAS scipy loads on import was not there when the outer limit was set.
    from sklearn.neighbors import NearestNeighbors

    with threadpool_limits(limits=1):
        t0 = time.thread_time()
        brute = NearestNeighbors(n_neighbors=K, algorithm="brute", metric="euclidean", n_jobs=1)
        brute.fit(x)
        brute_build = time.thread_time() - t0

    report(progress, 0.15, _("faiss exact (flat)"))
    t0 = time.thread_time()
    flat = faiss.IndexFlatL2(dim)
    flat.add(x)
    flat_build = time.thread_time() - t0

    report(progress, 0.25, _("IVF: k-means and inverted lists"))
    rng = np.random.default_rng([seed, 1])
    t0 = time.thread_time()
    quantizer = faiss.IndexFlatL2(dim)
    ivf = faiss.IndexIVFFlat(quantizer, dim, nlist)
    ivf.cp.niter = 10
    ivf.cp.seed = seed
    ivf.cp.min_points_per_centroid = 1  # small --n: train anyway, without faiss' warning on stderr
    ivf.train(x[np.sort(rng.choice(n, size=min(n, 64 * nlist), replace=False))])
    coarse_seconds = time.thread_time() - t0
    ivf.add(x)
    ivf_build = time.thread_time() - t0

    report(progress, 0.35, _("IVF-PQ: product quantizer"))
    t0 = time.thread_time()
    ivfpq = faiss.IndexIVFPQ(quantizer, dim, nlist, pq_m, 8)  # shares the trained coarse quantizer
    ivfpq.pq.cp.niter = 4
    ivfpq.pq.cp.seed = seed
    ivfpq.pq.cp.min_points_per_centroid = 1
    # 10 points per code word and 4 k-means rounds: PQ's recall cap, not its training, is the story
    ivfpq.train(x[np.sort(rng.choice(n, size=min(n, 10 * 256), replace=False))])
    ivfpq.add(x)
    pq_build = time.thread_time() - t0 + coarse_seconds

    report(progress, 0.5, _("re-ranker and true relevance"))
    ivf.nprobe = min(8, nlist)
    _dist, logged = ivf.search(world.train_queries, candidates)  # what the production retriever logged
    model, r2 = _fit_reranker(world, logged, rng)
    ideal_if_unclaimed()

    report(progress, 0.6, _("HNSW: building the graph"))
    worker.join()
    if "error" in background:
        raise background["error"]  # type: ignore[misc]
    ideal, exact_candidates = background["ideal"]  # type: ignore[misc]

    # Timing, with nothing else running in this process: the same query batch for the
    # baseline and every configuration, each measured the same way (measured_qps).
    report(progress, 0.65, _("ground truth and timing: scikit-learn brute force"))
    with threadpool_limits(limits=1):
        true_ids, brute_qps = measured_qps(
            lambda: brute.kneighbors(q, return_distance=False), n_queries, BASELINE_TIMED_SECONDS
        )
    true_dist = exact_distances(x, q, true_ids)

    def recall_of(ids: np.ndarray) -> float:
        return float(knn_recall(true_dist, exact_distances(x, q, ids)).mean())

    baseline = IndexPoint(
        "sklearn-brute", "scikit-learn brute force", "", 0, recall_of(true_ids), brute_qps,
        x.nbytes, brute_build,
    )  # fmt: skip

    def measure(family, name, param, value, memory, build, search) -> IndexPoint:
        (_, ids), qps = measured_qps(search, n_queries)
        return IndexPoint(family, name, param, value, recall_of(ids), qps, memory, build)

    report(progress, 0.7, _("timing faiss exact (flat)"))
    points = [
        measure("flat", "Flat (exact)", "", 0, int(flat.ntotal * flat.code_size), flat_build,
                lambda: flat.search(q, K))
    ]  # fmt: skip
    sweeps = (
        ("ivf", ivf, f"IVF{nlist},Flat", ivf_build, _ivf_memory(ivf), "nprobe", 1, max_nprobe),
        ("ivfpq", ivfpq, f"IVF{nlist},PQ{pq_m}", pq_build, _ivf_memory(ivfpq), "nprobe", 1, max_nprobe),
        ("hnsw", hnsw, f"HNSW{hnsw_m}", background["hnsw_seconds"], _hnsw_memory(hnsw), "efSearch", 16,
         max_ef_search),
    )  # fmt: skip
    for i, (family, index, label, build, memory, param, start, maximum) in enumerate(sweeps):
        report(progress, 0.7 + 0.06 * (i + 1), _("sweeping {index} {param}").format(index=label, param=param))
        for value in _sweep_values(maximum, start):
            if family == "hnsw":
                params = faiss.SearchParametersHNSW(efSearch=value)
            else:
                params = faiss.SearchParametersIVF(nprobe=value)
            points.append(
                measure(family, f"{label} {param}={value}", param, value, memory, build,
                        lambda index=index, params=params: index.search(q, K, params=params))
            )  # fmt: skip
            if points[-1].recall >= 1.0:
                break
    points.sort(key=lambda p: ("flat", "ivf", "hnsw", "ivfpq").index(p.family))

    approximate = [p for p in points if p.family != "flat"]
    meeting = [p for p in approximate if p.recall >= target_recall]
    if not meeting:
        best = max(approximate, key=lambda p: p.recall)
        raise BadInputError(
            f"--target-recall {target_recall:g} is not reached by any index swept; the best recall@{K} "
            f"is {best.recall:.4f} ({best.name}); lower --target-recall or raise --max-nprobe / --max-ef-search"
        )
    chosen = max(meeting, key=lambda p: p.qps)
    at_090 = [p for p in approximate if p.recall >= 0.9]
    best_090 = max(at_090, key=lambda p: p.qps) if at_090 else None

    report(progress, 0.9, _("two-stage search"))
    index = {"ivf": ivf, "hnsw": hnsw, "ivfpq": ivfpq}[chosen.family]
    if chosen.family == "hnsw":
        hnsw.hnsw.efSearch = chosen.value
    else:
        index.nprobe = chosen.value
    _dist, ann_candidates = index.search(q, candidates)
    stages, depth = _two_stage(
        world, ideal, true_ids, exact_candidates, ann_candidates, chosen, model
    )
    report(progress, 1.0, _("done"))

    return RetrievalResult(
        n=n, dim=dim, n_queries=n_queries, clusters=clusters, nlist=nlist, hnsw_m=hnsw_m,
        ef_construction=ef_construction, pq_m=pq_m, target_recall=target_recall, candidates=candidates,
        threads=1, points=tuple(points), baseline=baseline, chosen=chosen,
        speedup=chosen.qps / baseline.qps, best_at_090=best_090,
        speedup_at_090=(best_090.qps / baseline.qps) if best_090 else math.nan,
        stages=stages, depth_sweep=depth, reranker_r2=r2,
    )  # fmt: skip


def _cosines(world: World, queries: np.ndarray, ids: np.ndarray) -> np.ndarray:
    safe = np.where(ids < 0, 0, ids)
    return np.einsum("qkd,qd->qk", world.items[safe].astype(np.float64), queries.astype(np.float64))


def _fit_reranker(
    world: World, logged: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, float]:
    """Least squares on noisy log-relevance labels of logged candidates; returns (weights, held-out R²)."""
    ok = logged >= 0
    cos = _cosines(world, world.train_queries, logged)
    quality = world.quality[np.where(ok, logged, 0)]
    truth = true_log_relevance(cos, quality, world.train_weight)
    labels = truth + rng.normal(0.0, LABEL_NOISE, truth.shape)
    feats = _reranker_features(cos, quality, world.train_weight)
    half = np.arange(len(logged)) < len(logged) // 2
    fit = ok & half[:, None]
    held = ok & ~half[:, None]
    weights, *_ = np.linalg.lstsq(feats[fit], labels[fit], rcond=None)
    resid = labels[held] - feats[held] @ weights
    return weights, 1.0 - float(resid.var() / labels[held].var())


def _ideal_and_exact(world: World, candidates: int) -> tuple[np.ndarray, np.ndarray]:
    """Each query's K best true-relevance gains in the catalogue, and its exact top candidates.

    The catalogue-wide scan runs in float32; the best 4·K items it finds are re-scored
    in float64, so rounding cannot change the ideal list.
    """
    q, w = world.queries, world.quality_weight
    n = len(world.items)
    ideal = np.empty((len(q), K))
    exact = np.empty((len(q), candidates), dtype=np.int64)
    keep = min(n, 4 * K)
    quality32 = world.quality.astype(np.float32)[None, :]
    step = max(1, 2**22 // n)  # about 16 MiB of float32 scores at a time
    for a in range(0, len(q), step):
        rows = slice(a, a + step)
        cos = q[rows] @ world.items.T
        rel = true_log_relevance(cos, quality32, w[rows].astype(np.float32))
        best = np.argpartition(-rel, keep - 1, axis=1)[:, :keep]
        cos64 = _cosines(world, q[rows], best)
        rel64 = true_log_relevance(cos64, world.quality[best], w[rows])
        ideal[rows] = np.exp(-np.sort(-rel64, axis=1)[:, :K])
        top = np.argpartition(-cos, candidates - 1, axis=1)[:, :candidates]
        order = np.argsort(-np.take_along_axis(cos, top, axis=1), axis=1, kind="stable")
        exact[rows] = np.take_along_axis(top, order, axis=1)
    return ideal, exact


def _two_stage(world, ideal, true_ids, exact_candidates, ann_candidates, chosen, model):
    q, w = world.queries, world.quality_weight

    def gains(ids: np.ndarray) -> np.ndarray:
        cos = _cosines(world, q, ids)
        rel = np.exp(true_log_relevance(cos, world.quality[np.where(ids < 0, 0, ids)], w))
        return np.where(ids < 0, 0.0, rel)

    def rerank(ids: np.ndarray) -> np.ndarray:
        cos = _cosines(world, q, ids)
        score = _reranker_features(cos, world.quality[np.where(ids < 0, 0, ids)], w) @ model
        score = np.where(ids < 0, -np.inf, score)
        order = np.argsort(-score, axis=1, kind="stable")[:, :K]
        return np.take_along_axis(ids, order, axis=1)

    def ndcg(ids: np.ndarray) -> float:
        return float(ndcg_of_lists(gains(ids), ideal).mean())

    c = ann_candidates.shape[1]
    stages = (
        StagePoint("exact top-10 by embedding", K, ndcg(true_ids[:, :K])),
        StagePoint(f"{chosen.name} top-10", K, ndcg(ann_candidates[:, :K])),
        StagePoint("ANN candidates + re-ranker", c, ndcg(rerank(ann_candidates))),
        StagePoint("exact candidates + re-ranker", c, ndcg(rerank(exact_candidates))),
    )
    depths = sorted({d for d in (10, 20, 50, 100, 200, 500, 1000) if d <= c} | {c})
    depth = tuple(
        StagePoint(f"ANN top-{d} + re-ranker", d, ndcg(rerank(ann_candidates[:, :d])))
        for d in depths
    )
    return stages, depth


__all__ = [
    "IndexPoint",
    "RetrievalResult",
    "StagePoint",
    "auto_nlist",
    "dcg",
    "estimate_peak_bytes",
    "exact_distances",
    "knn_recall",
    "make_world",
    "ndcg_of_lists",
    "simulate_retrieval",
    "true_log_relevance",
]
