#!/usr/bin/env python3
"""The client side of scripts/cluster-test.sh: real HTTP calls to a running local cluster
(scripts/cluster.sh), standard library only.

  cluster-test.py chaos  --work DIR   ingest documents for several users, then search as them
                                      through the load balancer while replicas and OpenFGA
                                      servers are killed and started again; check the answers
  cluster-test.py limits --work DIR --limit N   one tenant over its search limit gets 429 from
                                      every replica, another tenant does not

Each prints what it measured and exits 1 when an assertion fails. The cluster's addresses come
from the environment `scripts/cluster.sh env` prints.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

LB = os.environ.get("CLEARANCE_CLUSTER_URL", "http://127.0.0.1:18800")
TOKEN_URL = os.environ.get("CLEARANCE_CLUSTER_TOKEN_URL", "http://127.0.0.1:18820/token")
REPLICA_URLS = os.environ.get("CLEARANCE_CLUSTER_REPLICA_URLS", "").split()
CLUSTER_SH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cluster.sh")

# Bounds the test holds the cluster to (seconds); see docs/scaling.md.
FAILURE_EPISODE_BOUND = float(os.environ.get("CLUSTER_TEST_FAILURE_BOUND", "10"))
RECOVERY_BOUND = float(os.environ.get("CLUSTER_TEST_RECOVERY_BOUND", "10"))

USERS = ["u1", "u2", "u3", "u4", "u5", "u6"]
GROUP_MEMBERS = {"u1", "u2", "u3"}  # group:staff
AGENT = "bot"  # acts for u1
TOPICS = [
    ("vacation policy", "how many vacation days employees get and how to carry them over"),
    ("expense reports", "how to file expense reports and when they are reimbursed"),
    ("security incident", "what to do during a security incident and who to call"),
    ("onboarding checklist", "the onboarding checklist for new engineers in their first week"),
    ("budget planning", "budget planning for the next quarter and its approval steps"),
    ("hiring plan", "the hiring plan for the year, by team and by quarter"),
    ("travel rules", "travel rules: booking flights, hotels and per diem allowances"),
    ("database backups", "how database backups are taken, tested and restored"),
]

OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
CLOCK0 = time.monotonic()


def clock() -> float:
    return time.monotonic() - CLOCK0


class Answer:
    def __init__(self, status, headers, body, error=None):
        self.status = status
        self.headers = headers or {}
        self.body = body
        self.error = error

    def json(self):
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None

    def header(self, name):
        for k, v in self.headers.items():
            if k.lower() == name.lower():
                return v
        return None


def call(method, url, token=None, body=None, timeout=30.0) -> Answer:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    if token:
        request.add_header("Authorization", "Bearer " + token)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with OPENER.open(request, timeout=timeout) as response:
            return Answer(response.status, dict(response.headers), response.read())
    except urllib.error.HTTPError as e:
        return Answer(e.code, dict(e.headers), e.read())
    except Exception as e:  # transport failure: refused, reset, timeout
        return Answer(None, None, None, error=f"{type(e).__name__}: {e}")


def token(user, tenant, scopes=(), agent=None) -> str:
    answer = call("POST", TOKEN_URL, body={"user": user, "tenant": tenant, "agent": agent,
                                           "scopes": list(scopes), "ttlSeconds": 3600})
    if answer.status != 200:
        raise SystemExit(f"no token from {TOKEN_URL}: {answer.status} {answer.error or answer.body!r}")
    return answer.json()["accessToken"]


def is_honest_unavailable(answer: Answer):
    """A failure the contract allows: 503, problem+json, Retry-After in seconds. Returns
    (ok, why)."""
    if answer.status != 503:
        return False, f"status {answer.status}" + (f" ({answer.error})" if answer.error else "")
    ctype = answer.header("Content-Type") or ""
    if not ctype.startswith("application/problem+json"):
        return False, f"503 with Content-Type {ctype!r}"
    retry = answer.header("Retry-After")
    if retry is None or not retry.strip().isdigit():
        problem = answer.json() or {}
        return False, f"503 {problem.get('type')} without Retry-After"
    problem = answer.json()
    if not isinstance(problem, dict) or problem.get("status") != 503 or not problem.get("type"):
        return False, "503 whose body is not a problem document"
    kind = problem["type"].rsplit("/", 1)[-1]
    if answer.header("X-Clearance-Retry-After-By"):
        # The service's own 503 came without Retry-After; the load balancer's fallback filled it in.
        return False, f"503 {kind} without the service's own Retry-After"
    return True, kind


# ---------------------------------------------------------------- the documents and their grants


class Corpus:
    """Documents with distinct grants, and the oracle: who may read which."""

    def __init__(self, tenant, count, seed):
        rng = random.Random(seed)
        self.tenant = tenant
        self.docs = {}
        for i in range(count):
            doc_id = f"doc-{i:03d}"
            title, about = TOPICS[i % len(TOPICS)]
            viewers = set()
            if i % 9 == 0:
                viewers.add("user:*")  # everyone in the tenant (not agents)
            while not any(v.startswith("user:") for v in viewers):
                viewers |= {f"user:{u}" for u in USERS if rng.random() < 0.3}
            if rng.random() < 0.3:
                viewers.add("group:staff#member")
            if rng.random() < 0.35:
                viewers.add(f"agent:{AGENT}")
            text = (f"Record {doc_id} of tenant {tenant}. {title.capitalize()}: {about}. "
                    f"This note was written for the {title} review, copy {i}.")
            self.docs[doc_id] = {"title": f"{title.capitalize()} ({doc_id})", "text": text,
                                 "viewers": sorted(viewers), "topic": title}

    def readable_by_user(self, user):
        out = set()
        for doc_id, d in self.docs.items():
            v = d["viewers"]
            if "user:*" in v or f"user:{user}" in v or ("group:staff#member" in v and user in GROUP_MEMBERS):
                out.add(doc_id)
        return out

    def readable_by_agent(self, agent):
        return {doc_id for doc_id, d in self.docs.items() if f"agent:{agent}" in d["viewers"]}

    def allowed(self, caller):
        """caller is 'user' or 'user/agent': an agent gets what both may read."""
        if "/" in caller:
            user, agent = caller.split("/", 1)
            return self.readable_by_user(user) & self.readable_by_agent(agent)
        return self.readable_by_user(caller)


class Ingester:
    """PUTs documents until each is acknowledged, as a client that follows the contract would:
    503 and transport failures are retried after Retry-After, a 202 (access rules not yet in
    OpenFGA) is sent again until the document is searchable."""

    def __init__(self, corpus, admin_token, tag):
        self.corpus = corpus
        self.token = admin_token
        self.tag = tag
        self.acked = {}  # id -> PutResult of the first acknowledgement
        self.retries = 0
        self.unexpected = []
        self.lock = threading.Lock()

    def put(self, doc_id, deadline_s=90.0):
        d = self.corpus.docs[doc_id]
        body = {"title": d["title"], "text": d["text"], "viewers": d["viewers"], "managedBy": self.tag,
                "metadata": {"topic": d["topic"]}}
        url = f"{LB}/v1/documents/{urllib.parse.quote(doc_id)}"
        end = time.monotonic() + deadline_s
        while time.monotonic() < end:
            answer = call("PUT", url, self.token, body)
            if answer.status in (200, 201, 202):
                result = answer.json()
                with self.lock:
                    self.acked.setdefault(doc_id, result)
                if result.get("searchable"):
                    return True
                time.sleep(1.0)  # pending: OpenFGA does not hold the grants yet
            elif answer.status == 503 or answer.status is None:
                ok, why = is_honest_unavailable(answer)
                if not ok and answer.status == 503:
                    with self.lock:
                        self.unexpected.append(f"PUT {doc_id}: {why}")
                with self.lock:
                    self.retries += 1
                retry = answer.header("Retry-After")
                time.sleep(min(2.0, float(retry)) if retry and retry.isdigit() else 0.5)
            else:
                with self.lock:
                    self.unexpected.append(f"PUT {doc_id}: {answer.status} {answer.body[:200]!r}")
                return False
        with self.lock:
            self.unexpected.append(f"PUT {doc_id}: not searchable within {deadline_s:.0f}s")
        return False


def write_group(admin_token):
    writes = [{"user": f"user:{u}", "relation": "member", "object": "group:staff"} for u in sorted(GROUP_MEMBERS)]
    for _ in range(30):
        answer = call("POST", f"{LB}/v1/relationships", admin_token, {"writes": writes, "deletes": []})
        if answer.status == 200:
            return
        time.sleep(1.0)
    raise SystemExit(f"relationships not written: {answer.status} {answer.body!r}")


# ---------------------------------------------------------------- searches under chaos


class Searcher:
    def __init__(self, corpus, tokens, workers):
        self.corpus = corpus
        self.tokens = tokens  # caller -> token
        self.allowed = {c: corpus.allowed(c) for c in tokens}
        self.workers = workers
        self.events = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.threads = []

    def run_one(self, rng):
        caller = rng.choice(sorted(self.tokens))
        topic = rng.choice(TOPICS)[0]
        t0 = clock()
        answer = call("POST", f"{LB}/v1/search", self.tokens[caller], {"query": topic, "topK": 5})
        t1 = clock()
        event = {"t0": t0, "t1": t1, "caller": caller, "status": answer.status,
                 "replica": answer.header("X-Clearance-Replica")}
        if answer.status == 200:
            results = (answer.json() or {}).get("results", [])
            event["returned"] = len(results)
            leaks = []
            for r in results:
                doc_id = r.get("documentId")
                # A result must be a document the caller may read, and its text that document's.
                if doc_id not in self.allowed[caller] or f"Record {doc_id} " not in (r.get("text") or ""):
                    leaks.append(doc_id)
            event["leaks"] = leaks
        else:
            ok, why = is_honest_unavailable(answer)
            event["honest"] = ok
            event["why"] = why
        with self.lock:
            self.events.append(event)

    def loop(self, seed):
        rng = random.Random(seed)
        while not self.stop.is_set():
            self.run_one(rng)

    def start(self):
        for i in range(self.workers):
            t = threading.Thread(target=self.loop, args=(i,), daemon=True)
            t.start()
            self.threads.append(t)

    def finish(self):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=40)


def cluster(*args):
    """Runs scripts/cluster.sh; returns (seconds it took, clock when it returned)."""
    t0 = time.monotonic()
    done = subprocess.run([CLUSTER_SH, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"scripts/cluster.sh {' '.join(args)} failed")
    return time.monotonic() - t0, clock()


def standby_catch_up(tenant, documents, chunks, within=15.0):
    """Seconds until the standby answers with the tenant's documents and chunk count, or None."""
    url = urllib.parse.urlparse(os.environ["CLEARANCE_CLUSTER_STANDBY_JDBC_URL"][len("jdbc:"):])
    psql = os.path.join(os.environ["CLEARANCE_PG_BIN"], "psql")
    env = dict(os.environ, PGPASSWORD=os.environ.get("DB_PASSWORD", ""))
    sql = "SELECT count(*) || ' ' || coalesce(sum(chunk_count), 0) FROM documents WHERE tenant = :'t'"
    t0 = time.monotonic()
    while time.monotonic() - t0 < within:
        done = subprocess.run([psql, "-X", "-A", "-t", "-h", url.hostname, "-p", str(url.port), "-U",
                               os.environ.get("DB_USER", "clearance"), "-d", url.path.lstrip("/"), "-v", f"t={tenant}"],
                              input=sql, capture_output=True, text=True, env=env)
        if done.returncode == 0 and done.stdout.split() == [str(documents), str(chunks)]:
            return time.monotonic() - t0
        time.sleep(0.2)
    return None


def episodes(failures, gap=2.0):
    """Failed searches grouped into episodes: failures less than `gap` seconds apart."""
    out = []
    for e in sorted(failures, key=lambda e: e["t0"]):
        if out and e["t0"] - out[-1]["end"] <= gap:
            out[-1]["end"] = max(out[-1]["end"], e["t1"])
            out[-1]["count"] += 1
        else:
            out.append({"start": e["t0"], "end": e["t1"], "count": 1})
    return out


def chaos(args):
    work = args.work
    tenant = f"ct{int(time.time())}{random.randrange(1000):03d}"
    seed = int(time.time())
    corpus = Corpus(tenant, args.documents + args.documents_during, seed)
    ids = sorted(corpus.docs)
    first, during = ids[: args.documents], ids[args.documents:]
    tag = f"cluster-test/{tenant}"
    admin = token("loader", tenant, ["documents:write", "relationships:write"])
    failures = []

    # 1. Documents for several users with distinct grants (and a group, and an agent).
    t0 = time.monotonic()
    write_group(admin)
    ingester = Ingester(corpus, admin, tag)
    for doc_id in first:
        ingester.put(doc_id)
    ingest_s = time.monotonic() - t0
    print(f"[test] tenant {tenant} (seed {seed}): {len(first)} documents ingested in {ingest_s:.1f}s "
          f"before the faults, {len(during)} more during them")

    callers = USERS + [f"u1/{AGENT}"]
    tokens = {c: token(c.split("/")[0], tenant, agent=(c.split("/")[1] if "/" in c else None)) for c in callers}
    searcher = Searcher(corpus, tokens, args.workers)

    # 2. Searches in a loop while parts are killed and started again; ingestion goes on meanwhile.
    def ingest_during():
        for doc_id in during:
            ingester.put(doc_id)
            time.sleep(1.0)

    timeline = []  # (name, down_at, back_at)

    def fault(name, stop_args, start_args, down_for):
        down = clock()  # from the moment the part is told to go
        cluster(*stop_args)
        time.sleep(down_for)
        took, back = cluster(*start_args)  # back: ready, and marked UP by the load balancer
        timeline.append({"fault": name, "down": round(down, 2), "back": round(back, 2), "start_s": round(took, 1)})
        print(f"[test] {name} at {down:.1f}s, back at {back:.1f}s (its start took {took:.1f}s)")

    chaos_start = clock()
    searcher.start()
    writer = threading.Thread(target=ingest_during, daemon=True)
    time.sleep(4)
    writer.start()
    fault("SIGKILL replica-1", ["kill", "replica-1"], ["start", "replica-1"], 2)
    time.sleep(3)
    fault("stop openfga-1", ["stop", "openfga-1"], ["start", "openfga-1"], 5)
    time.sleep(3)
    fault("SIGKILL openfga-2", ["kill", "openfga-2"], ["start", "openfga-2"], 3)
    time.sleep(3)
    fault("SIGKILL replica-2", ["kill", "replica-2"], ["start", "replica-2"], 2)
    last_back = clock()
    time.sleep(args.tail)
    searcher.finish()
    writer.join(timeout=120)
    chaos_end = clock()
    events = searcher.events
    with open(os.path.join(work, "searches.jsonl"), "w") as f:
        for e in events:
            f.write(json.dumps(e) + "\n")

    # 3. Nothing ingested is lost or duplicated: list the writer's documents, GET each as a reader
    #    (and as a caller who may not read it).
    listed = []
    after = None
    while True:
        q = f"managedBy={urllib.parse.quote(tag)}&limit=7" + (f"&after={urllib.parse.quote(after)}" if after else "")
        answer = call("GET", f"{LB}/v1/documents?{q}", admin)
        if answer.status != 200:
            failures.append(f"listing the documents: {answer.status} {answer.body!r}")
            break
        page = answer.json()
        listed += [d["id"] for d in page["documents"]]
        after = page.get("next")
        if not after:
            break
    duplicates = sorted({i for i in listed if listed.count(i) > 1})
    missing = sorted(set(ids) - set(listed))
    extra = sorted(set(listed) - set(ids))
    if duplicates or missing or extra:
        failures.append(f"listing: {len(listed)} ids, duplicated {duplicates}, missing {missing}, unexpected {extra}")
    not_acked = sorted(set(ids) - set(ingester.acked))
    if not_acked:
        failures.append(f"never acknowledged: {not_acked}")
    failures += ingester.unexpected

    get_checked = 0
    deadline = time.monotonic() + 30
    for doc_id in ids:
        d = corpus.docs[doc_id]
        readers = sorted(c for c in USERS if doc_id in corpus.allowed(c))
        outsiders = sorted(c for c in USERS if doc_id not in corpus.allowed(c))
        reader = readers[0]
        while True:
            answer = call("GET", f"{LB}/v1/documents/{doc_id}", tokens[reader])
            if answer.status == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        view = answer.json() if answer.status == 200 else None
        expected_chunks = (ingester.acked.get(doc_id) or {}).get("chunks")
        if view is None or view.get("id") != doc_id or view.get("title") != d["title"]:
            failures.append(f"GET {doc_id} as {reader}: {answer.status} {answer.body[:200]!r}")
        elif view.get("chunks") != expected_chunks:
            failures.append(f"GET {doc_id}: {view.get('chunks')} chunks, acknowledged with {expected_chunks}")
        if outsiders:
            answer = call("GET", f"{LB}/v1/documents/{doc_id}", tokens[outsiders[0]])
            if answer.status != 404:
                failures.append(f"GET {doc_id} as {outsiders[0]} (may not read it): {answer.status}")
        get_checked += 1

    # The hot standby holds every document too (the same rows, replayed from the primary's WAL).
    standby_s = standby_catch_up(tenant, len(ids), sum((a or {}).get("chunks", 0) for a in ingester.acked.values()))
    if standby_s is None:
        failures.append("the standby does not hold the tenant's documents and chunks 15 s after the checks")

    # 4. The searches: no forbidden chunk, every failure an honest 503, failures short, recovery.
    ok = [e for e in events if e["status"] == 200]
    failed = [e for e in events if e["status"] != 200]
    leaks = [e for e in ok if e["leaks"]]
    if leaks:
        failures.append(f"{len(leaks)} searches returned documents the caller may not read, e.g. {leaks[:3]}")
    dishonest = [e for e in failed if not e["honest"]]
    if dishonest:
        failures.append(f"{len(dishonest)} failed searches were not 503 problem+json with Retry-After: "
                        + "; ".join(sorted({e['why'] for e in dishonest})))
    eps = episodes(failed)
    longest = max((ep["end"] - ep["start"] for ep in eps), default=0.0)
    if longest > FAILURE_EPISODE_BOUND:
        failures.append(f"searches failed for {longest:.1f}s in a row (bound {FAILURE_EPISODE_BOUND:.0f}s)")
    # Searches fail only while a part is away, or shortly after it is back.
    for e in failed:
        if not any(f["down"] - 0.5 <= e["t0"] <= f["back"] + RECOVERY_BOUND for f in timeline):
            failures.append(f"a search failed at {e['t0']:.1f}s, outside every fault window ({e['why']})")
            break
    recovery = max([0.0] + [e["t1"] - last_back for e in failed if e["t0"] >= last_back - 0.5])
    tail_ok = [e for e in ok if e["t0"] >= last_back + RECOVERY_BOUND]
    if recovery > RECOVERY_BOUND:
        failures.append(f"searches failed until {recovery:.1f}s after the last part was back (bound {RECOVERY_BOUND:.0f}s)")
    if len(tail_ok) < 5 or any(e["status"] != 200 for e in events if e["t0"] >= last_back + RECOVERY_BOUND):
        failures.append(f"the cluster did not recover: {len(tail_ok)} successful searches in the last "
                        f"{chaos_end - last_back - RECOVERY_BOUND:.1f}s")
    by_replica = {}
    for e in ok:
        by_replica[e["replica"]] = by_replica.get(e["replica"], 0) + 1
    kinds = {}
    for e in failed:
        kinds[e["why"]] = kinds.get(e["why"], 0) + 1
    results = sum(e["returned"] for e in ok)

    summary = {
        "tenant": tenant, "documents": len(ids), "ingest_retries": ingester.retries,
        "listed": len(listed), "gets_checked": get_checked, "standby_caught_up_s": standby_s,
        "searches": len(events), "ok": len(ok), "failed": len(failed), "failed_by_kind": kinds,
        "results_checked": results, "leaks": len(leaks), "by_replica": by_replica,
        "failure_episodes": [{"from": round(ep["start"], 1), "s": round(ep["end"] - ep["start"], 1),
                              "count": ep["count"]} for ep in eps],
        "longest_failure_s": round(longest, 1), "recovery_s": round(recovery, 1),
        "faults": timeline, "chaos_s": round(chaos_end - chaos_start, 1),
        "searches_per_s": round(len(events) / max(1e-9, chaos_end - chaos_start), 1),
        "failures": failures,
    }
    with open(os.path.join(work, "chaos.json"), "w") as f:
        json.dump(summary, f, indent=1)
    print(f"[test] documents: {len(ids)} ingested ({ingester.retries} retried PUTs), {len(listed)} listed, "
          f"{len(missing)} lost, {len(duplicates)} duplicated; {get_checked} GETs as a reader and as an outsider; "
          f"the standby had them all " + (f"after {standby_s:.1f}s" if standby_s is not None else "NOT"))
    print(f"[test] searches: {len(events)} in {chaos_end - chaos_start:.0f}s ({summary['searches_per_s']}/s, "
          f"{args.workers} clients), {len(ok)} ok ({results} results checked, {len(leaks)} forbidden), "
          f"{len(failed)} failed {kinds or ''}; answered by {by_replica}")
    print(f"[test] failures lasted at most {longest:.1f}s (bound {FAILURE_EPISODE_BOUND:.0f}s) in "
          f"{len(eps)} episode(s); searches succeeded again {recovery:.1f}s after the last part was back "
          f"(bound {RECOVERY_BOUND:.0f}s)")
    for problem in failures:
        print(f"[test] FAILED: {problem}")
    return 1 if failures else 0


# ---------------------------------------------------------------- limits


def limits(args):
    if len(REPLICA_URLS) < 2:
        raise SystemExit("limits: CLEARANCE_CLUSTER_REPLICA_URLS names fewer than two replicas")
    stamp = f"{int(time.time())}{random.randrange(1000):03d}"
    over, other = f"lim{stamp}a", f"lim{stamp}b"
    token_over = token("heavy", over)
    token_other = token("light", other)
    failures = []
    admitted = 0
    refused = {url: [] for url in REPLICA_URLS}
    t0 = time.monotonic()
    for i in range(3 * args.limit + 10):
        url = REPLICA_URLS[i % len(REPLICA_URLS)]
        answer = call("POST", f"{url}/v1/search", token_over, {"query": "vacation policy", "topK": 3})
        if answer.status == 200:
            admitted += 1
        elif answer.status == 429:
            refused[url].append(answer)
        else:
            failures.append(f"{url}: search answered {answer.status} {answer.error or answer.body[:200]!r}")
            break
        if all(refused.values()):
            break
    elapsed = time.monotonic() - t0
    # Buckets refill continuously (limit per minute): what was admitted is the limit plus what
    # refilled meanwhile. Per-replica buckets would admit up to twice the limit.
    ceiling = args.limit + int(elapsed * args.limit / 60.0) + 1
    if not args.limit <= admitted <= ceiling:
        failures.append(f"{admitted} searches admitted for tenant {over}, expected {args.limit}..{ceiling}")
    retry_afters = []
    for url, answers in refused.items():
        if not answers:
            failures.append(f"{url}: no 429 for tenant {over}")
        for a in answers:
            retry = a.header("Retry-After")
            problem = a.json() or {}
            if not (retry and retry.isdigit() and int(retry) >= 1):
                failures.append(f"{url}: 429 with Retry-After {retry!r}")
            elif not (a.header("Content-Type") or "").startswith("application/problem+json") \
                    or not str(problem.get("type", "")).endswith("/rate-limited"):
                failures.append(f"{url}: 429 is not a rate-limited problem document: {a.body[:200]!r}")
            else:
                retry_afters.append(int(retry))
    other_ok = 0
    for url in REPLICA_URLS + [LB]:
        for _ in range(2):
            answer = call("POST", f"{url}/v1/search", token_other, {"query": "vacation policy", "topK": 3})
            if answer.status == 200:
                other_ok += 1
            else:
                failures.append(f"{url}: tenant {other} got {answer.status} while {over} is over its limit")
    lb_answer = call("POST", f"{LB}/v1/search", token_over, {"query": "vacation policy", "topK": 3})
    if lb_answer.status != 429:
        failures.append(f"load balancer: tenant {over} got {lb_answer.status}, not 429")
    summary = {"limit": args.limit, "admitted": admitted, "seconds": round(elapsed, 1),
               "refused_by_replica": {u: len(a) for u, a in refused.items()},
               "retry_after_s": sorted(set(retry_afters)), "other_tenant_ok": other_ok, "failures": failures}
    with open(os.path.join(args.work, "limits.json"), "w") as f:
        json.dump(summary, f, indent=1)
    print(f"[test] limits: tenant limit {args.limit}/min; tenant {over} got {admitted} searches in "
          f"{elapsed:.1f}s, then 429 from every replica ({', '.join(f'{u}: {len(a)}' for u, a in refused.items())}; "
          f"Retry-After {sorted(set(retry_afters))} s) and through the load balancer; tenant {other}: "
          f"{other_ok}/{2 * (len(REPLICA_URLS) + 1)} searches ok")
    for problem in failures:
        print(f"[test] FAILED: {problem}")
    return 1 if failures else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["chaos", "limits"])
    parser.add_argument("--work", required=True, help="directory for the raw results")
    parser.add_argument("--documents", type=int, default=32, help="documents ingested before the faults")
    parser.add_argument("--documents-during", type=int, default=16, help="documents ingested during them")
    parser.add_argument("--workers", type=int, default=4, help="concurrent searching clients")
    parser.add_argument("--tail", type=float, default=14.0, help="seconds of searches after the last fault")
    parser.add_argument("--limit", type=int, default=12, help="the replicas' tenant searches per minute")
    args = parser.parse_args()
    sys.exit(chaos(args) if args.command == "chaos" else limits(args))


if __name__ == "__main__":
    main()
