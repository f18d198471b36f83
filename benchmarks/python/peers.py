#!/usr/bin/python3
"""FAISS and hnswlib peers of iQDB's ANN harness (io.iqdb.bench.AnnHarness).

Reads the same .fvecs / .ivecs files as the Java systems, builds each requested index, sweeps its
search parameter and writes JSON rows with the same fields as the harness's CSV.

Two modes. Batch (default): run --systems one after the other, write all rows to --out.
Serve (--serve): the harness drives the script through stdin/stdout, one JSON object per line:
  {"cmd": "build", "system": "faiss-hnsw"} -> build info (build_s, disk_mb, memory, sweep, ...)
  {"cmd": "measure", "system": "faiss-hnsw", "value": 40} -> recall, qps1, qps_all, p50_us, p99_us
  {"cmd": "versions"} -> library versions;  {"cmd": "quit"}
so that Java and Python systems are measured in interleaved rounds: on a shared machine a burst
of load then hits every system rather than the one that happened to run at that moment.
Progress goes to stderr.

Fields:

  recall      tie-aware recall@k against the given ground truth (see Truth)
  (with --runs N each timed pass is repeated N times and the fastest kept)
  qps1        one query at a time on one thread (faiss.omp_set_num_threads(1), hnswlib
              set_num_threads(1)); each call goes through the Python binding, which adds a few
              microseconds per query
  qps_all     one batch call over all queries with --threads threads (the libraries' own
              parallelism: OpenMP for FAISS, hnswlib's thread pool)
  p50_us/p99_us  single-thread latency per query
  build_s     train + add, with --threads threads
  disk_mb     faiss.write_index / hnswlib save_index after the timed build
  peak_mem_mb peak RSS during the build (sampled every 5 ms from /proc/self/statm; FAISS and
              hnswlib release the GIL while they build) minus the RSS before it
  retained_mem_mb  RSS after the build minus the RSS before it

Needs Debian's python3-numpy python3-faiss python3-hnswlib libopenblas0-pthread.
"""
import argparse
import json
import os
import platform
import sys
import threading
import time
import traceback

import numpy as np


def read_vecs(path, dtype):
    raw = np.fromfile(path, dtype="<i4")
    if raw.size == 0:
        raise ValueError(f"empty vector file: {path}")
    d = int(raw[0])
    if raw.size % (d + 1) != 0:
        raise ValueError(f"size of {path} is not a multiple of its record size (dimension {d})")
    rows = raw.reshape(-1, d + 1)
    if not np.all(rows[:, 0] == d):
        raise ValueError(f"records of different dimensions in {path}")
    return np.ascontiguousarray(rows[:, 1:]).view(dtype)


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class RssSampler:
    """Samples this process's RSS in a background thread; peak is the largest sample."""

    def __init__(self, interval=0.005):
        self.peak = rss_bytes()
        self.interval = interval
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while self.running:
            self.peak = max(self.peak, rss_bytes())
            time.sleep(self.interval)

    def stop(self):
        self.running = False
        self.thread.join()
        self.peak = max(self.peak, rss_bytes())
        return self.peak


def distances(metric, query, vectors):
    """The harness's distance (GroundTruth.distance): squared L2, or 1 - cosine."""
    if metric == "l2":
        diff = vectors - query
        return np.einsum("ij,ij->i", diff, diff)
    norms = np.linalg.norm(vectors, axis=1) * np.linalg.norm(query)
    return 1 - (vectors @ query) / np.where(norms == 0, 1, norms)


class Truth:
    """Tie-aware recall@k, as ann-benchmarks and the Java harness (TieAwareRecall) count it: a returned
    vector is a hit when it is at least as close as the k-th true neighbour, so that a copy of a true
    neighbour (real data has exact duplicates) is not a miss."""

    TOLERANCE = 1e-6

    def __init__(self, ids, train, queries, metric, k):
        self.train, self.queries, self.metric, self.k = train, queries, metric, k
        self.thresholds = []
        for q in range(len(queries)):
            kth = float(distances(metric, queries[q], train[ids[q, k - 1]][None, :])[0])
            self.thresholds.append(kth + self.TOLERANCE * max(1.0, abs(kth)))

    def recall(self, found):
        hits = 0
        for q, f in enumerate(found):
            ids = list(dict.fromkeys(int(x) for x in f[: self.k] if x >= 0))
            if ids:
                hits += int(np.sum(distances(self.metric, self.queries[q], self.train[ids]) <= self.thresholds[q]))
        return hits / (self.k * len(found))


class Faiss:
    def __init__(self, kind, args, dim, metric):
        import faiss
        self.faiss = faiss
        self.kind = kind
        self.args = args
        ip = metric == "cosine"  # vectors of the cosine dataset are unit length: inner product ranks alike
        m = faiss.METRIC_INNER_PRODUCT if ip else faiss.METRIC_L2
        if kind == "faiss-flat":
            self.index = faiss.IndexFlatIP(dim) if ip else faiss.IndexFlatL2(dim)
            self.parameter, self.sweep = "-", [0]
            self.description = f"FAISS {faiss.__version__} IndexFlat{'IP' if ip else 'L2'}"
        elif kind == "faiss-ivf":
            self.quantizer = faiss.IndexFlatIP(dim) if ip else faiss.IndexFlatL2(dim)
            self.index = faiss.IndexIVFFlat(self.quantizer, dim, args.ivf_lists, m)
            self.parameter = "probes"
            self.sweep = sorted({min(p, args.ivf_lists) for p in args.probes})
            self.description = (f"FAISS {faiss.__version__} IndexIVFFlat(nlist={args.ivf_lists}), "
                                f"trained on up to {args.ivf_train} vectors, sweep nprobe")
        elif kind == "faiss-hnsw":
            self.index = faiss.IndexHNSWFlat(dim, args.hnsw_m, m)
            self.index.hnsw.efConstruction = args.ef_construction
            self.parameter, self.sweep = "ef", args.ef
            self.description = (f"FAISS {faiss.__version__} IndexHNSWFlat(M={args.hnsw_m}, "
                                f"efConstruction={args.ef_construction}), sweep efSearch")
        else:
            raise ValueError(kind)

    def build(self, train, threads):
        self.faiss.omp_set_num_threads(threads)
        if self.kind == "faiss-ivf":
            rng = np.random.default_rng(12345)
            sample = train if len(train) <= self.args.ivf_train else train[
                rng.choice(len(train), self.args.ivf_train, replace=False)]
            self.index.train(sample)
        self.index.add(train)

    def set_threads(self, n):
        self.faiss.omp_set_num_threads(n)

    def set_param(self, value):
        if self.kind == "faiss-ivf":
            self.index.nprobe = value
        elif self.kind == "faiss-hnsw":
            self.index.hnsw.efSearch = value

    def search(self, queries, k):
        return self.index.search(queries, k)[1]

    def save(self, path):
        self.faiss.write_index(self.index, path)


class Hnswlib:
    def __init__(self, args, dim, metric, n):
        import hnswlib
        self.index = hnswlib.Index(space="cosine" if metric == "cosine" else "l2", dim=dim)
        self.index.init_index(max_elements=n, M=args.hnsw_m, ef_construction=args.ef_construction, random_seed=100)
        self.parameter, self.sweep = "ef", args.ef
        self.description = (f"hnswlib {package_version('hnswlib')} (M={args.hnsw_m}, "
                            f"ef_construction={args.ef_construction}), sweep ef")

    def build(self, train, threads):
        self.index.add_items(train, np.arange(len(train)), num_threads=threads)

    def set_threads(self, n):
        self.index.set_num_threads(n)

    def set_param(self, value):
        self.index.set_ef(value)

    def search(self, queries, k):
        labels, _ = self.index.knn_query(queries, k=k)
        return labels

    def save(self, path):
        self.index.save_index(path)


def measure(system, queries, truth, k, threads, warmup_ms, runs):
    system.set_threads(1)
    end = time.perf_counter() + warmup_ms / 1000
    i = 0
    while time.perf_counter() < end:
        system.search(queries[i % len(queries)][None, :], k)
        i += 1
    found = np.empty((len(queries), k), dtype=np.int64)
    single, latencies = None, None
    for _ in range(runs):  # keep the fastest run, as ann-benchmarks does
        lat = np.empty(len(queries), dtype=np.int64)
        start = time.perf_counter_ns()
        for i, q in enumerate(queries):
            t0 = time.perf_counter_ns()
            found[i] = system.search(q[None, :], k)[0]
            lat[i] = time.perf_counter_ns() - t0
        seconds = (time.perf_counter_ns() - start) / 1e9
        if single is None or seconds < single:
            single, latencies = seconds, lat
    system.set_threads(threads)
    batch = None
    for _ in range(runs):
        start = time.perf_counter_ns()
        system.search(queries, k)
        seconds = (time.perf_counter_ns() - start) / 1e9
        batch = seconds if batch is None else min(batch, seconds)
    latencies.sort()

    def pct(p):
        return float(latencies[max(0, min(len(latencies) - 1, int(np.ceil(p * len(latencies))) - 1))]) / 1e3

    return truth.recall(found), len(queries) / single, len(queries) / batch, pct(0.50), pct(0.99)


def make_system(name, args, dim, n):
    if name == "hnswlib":
        return Hnswlib(args, dim, args.metric, n)
    return Faiss(name, args, dim, args.metric)


def build_system(name, args, train):
    """Builds a system; returns it and its build info."""
    system = make_system(name, args, train.shape[1], len(train))
    rss0 = rss_bytes()
    sampler = RssSampler()
    t0 = time.perf_counter()
    system.build(train, args.threads)
    build_s = time.perf_counter() - t0
    peak = max(0, sampler.stop() - rss0)
    retained = max(0, rss_bytes() - rss0)
    os.makedirs(args.work, exist_ok=True)
    path = os.path.join(args.work, name + ".index")
    system.save(path)
    disk = os.path.getsize(path)
    os.remove(path)
    log(f"{name}: built in {build_s:.1f} s, {disk / 2**20:.1f} MiB on disk")
    info = dict(system=name, parameter=system.parameter, sweep=list(system.sweep), description=system.description,
                build_s=build_s, build_threads=args.threads, disk_mb=disk / 2**20, peak_mem_mb=peak / 2**20,
                retained_mem_mb=retained / 2**20)
    return system, info


def measure_point(name, system, value, args, queries, truth):
    system.set_param(max(value, args.k) if system.parameter == "ef" else value)
    r, qps1, qps_all, p50, p99 = measure(system, queries, truth, args.k, args.threads, args.warmup_ms, args.runs)
    log(f"{name} {system.parameter}={value}: recall {r:.4f}, qps1 {qps1:.0f}, "
        f"qps({args.threads} threads) {qps_all:.0f}, p50 {p50:.0f} us, p99 {p99:.0f} us")
    return dict(recall=r, qps1=qps1, qps_all=qps_all, p50_us=p50, p99_us=p99, threads=args.threads)


def run_system(name, args, train, queries, truth):
    """Batch mode: build, sweep, return rows."""
    system, info = build_system(name, args, train)
    rows = []
    for value in system.sweep:
        point = measure_point(name, system, value, args, queries, truth)
        rows.append(dict(system=name, parameter=system.parameter, value=value, build_s=info["build_s"],
                         build_threads=info["build_threads"], disk_mb=info["disk_mb"],
                         peak_mem_mb=info["peak_mem_mb"], retained_mem_mb=info["retained_mem_mb"], status="ok",
                         **point))
    return rows, system.description


def serve(args, train, queries, truth):
    """Serve mode: one JSON request per stdin line, one JSON reply per stdout line."""
    systems = {}
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        try:
            cmd = request["cmd"]
            if cmd == "quit":
                reply = {"ok": True}
            elif cmd == "versions":
                reply = {"ok": True, "versions": versions()}
            elif cmd == "build":
                systems[request["system"]], info = build_system(request["system"], args, train)
                reply = dict(ok=True, **info)
            elif cmd == "measure":
                name = request["system"]
                reply = dict(ok=True, **measure_point(name, systems[name], int(request["value"]), args, queries, truth))
            elif cmd == "drop":
                systems.pop(request["system"], None)
                reply = {"ok": True}
            else:
                reply = {"ok": False, "error": f"unknown command {cmd}"}
        except Exception as e:  # noqa: BLE001 - reported to the harness, the run goes on
            traceback.print_exc()
            reply = {"ok": False, "error": f"{type(e).__name__}: {e}"}
        print(json.dumps(reply), flush=True)
        if request.get("cmd") == "quit":
            return


def log(message):
    print(message, file=sys.stderr, flush=True)


def package_version(name):
    try:
        from importlib.metadata import version
        return version(name)
    except Exception:  # noqa: BLE001 - Debian's hnswlib may lack metadata
        return "installed"


def versions():
    out = {"python": platform.python_version(), "numpy": np.__version__}
    try:
        import faiss
        out["faiss"] = faiss.__version__
        # Debian builds FAISS for baseline x86-64 ("OPTIMIZE GENERIC"), without AVX2 kernels.
        out["faiss compile options"] = faiss.get_compile_options().strip()
    except ImportError:
        pass
    try:
        import hnswlib
        out["hnswlib"] = getattr(hnswlib, "__version__", None) or package_version("hnswlib")
    except ImportError:
        pass
    return out


def ints(text):
    return [int(x) for x in text.split(",") if x]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--train", required=True)
    p.add_argument("--queries", required=True)
    p.add_argument("--gt", required=True, help=".ivecs with at least k neighbours per query")
    p.add_argument("--metric", choices=["l2", "cosine"], default="l2")
    p.add_argument("--systems", default="faiss-flat,faiss-ivf,faiss-hnsw,hnswlib")
    p.add_argument("--out", help="batch mode: where to write the JSON results")
    p.add_argument("--serve", action="store_true", help="take commands on stdin (see above)")
    p.add_argument("--work", default="/tmp")
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--runs", type=int, default=1, help="repeat each timed pass, keep the fastest")
    p.add_argument("--warmup-ms", type=int, default=1000, help="untimed queries before each point")
    p.add_argument("--hnsw-m", type=int, default=16)
    p.add_argument("--ef-construction", type=int, default=100)
    p.add_argument("--ivf-lists", type=int, default=256)
    p.add_argument("--ivf-train", type=int, default=100_000)
    p.add_argument("--ef", type=ints, default=[10, 20, 40, 80, 120, 200, 400])
    p.add_argument("--probes", type=ints, default=[1, 2, 4, 8, 16, 32, 64])
    args = p.parse_args()

    train = read_vecs(args.train, "<f4")
    queries = read_vecs(args.queries, "<f4")
    truth = read_vecs(args.gt, "<i4")
    if len(truth) < len(queries) or truth.shape[1] < args.k:
        sys.exit(f"ground truth {args.gt} has {truth.shape} entries; need {len(queries)} x {args.k}")
    truth = Truth(truth, train, queries, args.metric, args.k)
    if args.serve:
        serve(args, train, queries, truth)
        return
    if not args.out:
        sys.exit("--out is required in batch mode")
    rows, descriptions = [], {}
    for name in [s for s in args.systems.split(",") if s]:
        try:
            r, description = run_system(name, args, train, queries, truth)
        except Exception as e:  # noqa: BLE001 - reported in the results, the run goes on
            traceback.print_exc()
            r, description = [dict(system=name, parameter="-", value=0, status=f"failed: {type(e).__name__}: {e}")], None
        rows.extend(r)
        if description:
            descriptions[name] = description
    with open(args.out + ".tmp", "w") as f:
        json.dump({"versions": versions(), "descriptions": descriptions, "rows": rows}, f, indent=1)
    os.replace(args.out + ".tmp", args.out)


if __name__ == "__main__":
    main()
