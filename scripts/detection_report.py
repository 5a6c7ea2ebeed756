#!/usr/bin/env python3
"""Runs `pipelock check --jsonl` over every file of the dev corpora and writes docs/detection.md.

Recall (malicious records flagged) and false-positive rate (benign records flagged) are reported per file,
per source and per category. Records are streamed to pipelock on stdin; nothing from the corpora is written
into the repository but counts; ids of misses go only to --misses, a local file.

Usage: detection_report.py --pipelock PATH [--corpora DIR] [--out docs/detection.md] [--misses FILE]
"""
import argparse, collections, gzip, json, os, subprocess, sys, time

def read(path):
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)

def source_of(rec):
    return rec["id"].split("-")[0]

# ---- carrier mapping: how the proxy would meet each record -------------------------------------------
def aeb_carriers(case):
    """agent-egress-bench cases are whole request/response cases; split into the carriers the proxy sees."""
    out = []
    if "url" in case and "frames" not in case:
        out.append(("url", case["url"]))
    if "headers" in case:
        out.append(("header", "\n".join(f"{k}: {v}" for k, v in case["headers"].items())))
    if "body" in case:
        ct = (case.get("content_type") or "").lower()
        where = "json_body" if "json" in ct else "form_body" if "x-www-form-urlencoded" in ct else "text"
        out.append((where, case["body"]))
    if "response_body" in case:
        out.append(("http_response", case["response_body"]))
    if "jsonrpc_messages" in case:
        out.append(("mcp_session", json.dumps(case["jsonrpc_messages"])))
    if "frames" in case:
        for fr in case["frames"]:
            out.append(("text", fr.get("payload", "")))
    if "agent_card" in case:
        out.append(("text", json.dumps(case["agent_card"])))
    return out

def plan(corpora):
    """Yields (file, kind, record, [(sub_id, where, text)])."""
    for name in sorted(os.listdir(corpora)):
        if not name.endswith(".jsonl.gz"):
            continue
        path = os.path.join(corpora, name)
        for rec in read(path):
            cat = rec.get("category", "")
            if name.startswith("secrets"):
                kind, subs = "dlp", [("text", rec["text"])]
            elif name.startswith("injection"):
                kind, subs = "injection", [("text", rec["text"])]
            elif name.startswith("mcp_tools"):
                kind, subs = "tool_poisoning", [("tools_list", rec["text"])]
            elif name.startswith("shell"):
                kind, subs = "shell", [("shell", rec["text"])]
            elif name.startswith("pipelock_rules"):
                kind = {"secret": "dlp", "injection": "injection", "mcp_tool": "tool_poisoning"}.get(cat.split("/")[0], "all")
                subs = [("text", rec["text"])]
            elif name.startswith("agent_egress"):
                kind, subs = "all", aeb_carriers(json.loads(rec["text"]))
            else:
                kind, subs = "all", [("text", rec["text"])]
            yield name, kind, rec, [(f"{rec['id']}#{i}", w, t) for i, (w, t) in enumerate(subs)]

def run_pipelock(pipelock, kind, items):
    payload = "".join(json.dumps({"id": sid, "text": text, "where": where}) + "\n" for sid, where, text in items)
    t0 = time.perf_counter()
    p = subprocess.run([pipelock, "check", "--kind", kind, "--jsonl", "-"], input=payload.encode(), capture_output=True)
    elapsed = time.perf_counter() - t0
    if p.returncode not in (0, 1):
        sys.stderr.write(p.stderr.decode(errors="replace"))
        raise SystemExit(f"pipelock check --kind {kind} exited {p.returncode}")
    flagged = {}
    for line in p.stdout.decode().splitlines():
        r = json.loads(line)
        flagged[r["id"]] = r
    return flagged, elapsed, len(payload.encode())

# (label, corpus file, benign categories left out of the FPR, recall target or None, FPR target)
TARGETS = [
    ("DLP (secrets)", "secrets.jsonl.gz", (), 0.97, 0.005),
    ("tool poisoning (mcp_tools)", "mcp_tools.jsonl.gz", (), 0.95, 0.02),
    ("shell (everyday benign; admin-destructive below)", "shell.jsonl.gz", ("shell/benign/admin-destructive",), 0.90, 0.03),
    ("injection (benign texts)", "injection.jsonl.gz", (), None, 0.01),
]

def pct(n, d):
    return f"{100.0 * n / d:.1f}%" if d else "–"

class Tally:
    def __init__(self):
        self.tp = self.fn = self.fp = self.tn = 0
    def add(self, malicious, flagged):
        if malicious:
            if flagged: self.tp += 1
            else: self.fn += 1
        else:
            if flagged: self.fp += 1
            else: self.tn += 1
    def row(self, name):
        m, b = self.tp + self.fn, self.fp + self.tn
        return f"| {name} | {m} | {pct(self.tp, m)} | {b} | {pct(self.fp, b)} |"

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pipelock", required=True)
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--corpora", default=None)
    ap.add_argument("--out", default=os.path.join(here, "..", "docs", "detection.md"))
    ap.add_argument("--misses", default=None, help="local file for ids of misses and false positives (never commit it)")
    a = ap.parse_args()
    corpora = a.corpora
    if corpora is None:
        d = os.path.abspath(os.path.join(here, ".."))
        while d != "/" and not os.path.isdir(os.path.join(d, "shared", "corpora", "dev")):
            d = os.path.dirname(d)
        corpora = os.path.join(d, "shared", "corpora", "dev")

    groups = collections.defaultdict(list)   # (file, kind) -> [(rec, subs)]
    for name, kind, rec, subs in plan(corpora):
        groups[(name, kind)].append((rec, subs))

    per_file = collections.defaultdict(Tally)
    per_source = collections.defaultdict(Tally)
    per_cat = collections.defaultdict(Tally)
    throughput = []
    misses = []
    for (name, kind), recs in sorted(groups.items()):
        items = [s for _, subs in recs for s in subs]
        flagged, elapsed, nbytes = run_pipelock(a.pipelock, kind, items)
        throughput.append((name, kind, len(items), nbytes, elapsed))
        for rec, subs in recs:
            hit = any(flagged.get(sid, {}).get("flagged") for sid, _, _ in subs)
            mal = rec["label"] == "malicious"
            per_file[name].add(mal, hit)
            per_source[(name, source_of(rec))].add(mal, hit)
            per_cat[(name, rec.get("category", ""))].add(mal, hit)
            if mal != hit:
                misses.append((name, rec["id"], rec.get("category", ""), "FN" if mal else "FP"))

    lines = ["# Detection quality on the dev corpora", "",
             f"Produced by `scripts/detection-report.sh` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: "
             "`pipelock check --jsonl` over every file in `shared/corpora/dev`, each record sent through the carrier the proxy "
             "would meet it in (`where`). Recall = malicious records flagged; FPR = benign records flagged. "
             "A record counts as flagged when any finding (enforced or warn) is reported.", "",
             "Targets (dev set): DLP recall ≥ 97 % at FPR ≤ 0.5 %; tool poisoning recall ≥ 95 % at FPR ≤ 2 %; "
             "shell recall ≥ 90 % at FPR ≤ 3 % (admin-destructive reported separately); injection FPR ≤ 1 %.", ""]
    lines += ["## Against the targets", "", "| target | recall | FPR | met |", "|---|---|---|---|"]
    for name, fname, exclude_benign, rmin, fmax in TARGETS:
        t = Tally()
        for (f, cat), tally in per_cat.items():
            if f != fname:
                continue
            t.tp += tally.tp; t.fn += tally.fn
            if cat not in exclude_benign:
                t.fp += tally.fp; t.tn += tally.tn
        m, b = t.tp + t.fn, t.fp + t.tn
        rec = t.tp / m if m else 1.0
        fpr = t.fp / b if b else 0.0
        ok = (rmin is None or rec >= rmin) and fpr <= fmax
        goal = f"(≥ {rmin * 100:g} %)" if rmin is not None else "(reported)"
        lines.append(f"| {name} | {pct(t.tp, m)} {goal} | {pct(t.fp, b)} (≤ {fmax * 100:g} %) | {'yes' if ok else 'NO'} |")
    # Hand-written reading of the figures (why a target is missed, what was left alone) lives beside the report.
    notes = os.path.join(os.path.dirname(os.path.abspath(a.out)), "detection-notes.md")
    if os.path.exists(notes):
        with open(notes, encoding="utf-8") as nf:
            lines += [""] + nf.read().rstrip("\n").split("\n")
    lines += ["", "## Per file", "", "| file | malicious | recall | benign | FPR |", "|---|---|---|---|---|"]
    lines += [per_file[n].row(n) for n in sorted(per_file)]
    lines += ["", "## Per source", "", "| file / source | malicious | recall | benign | FPR |", "|---|---|---|---|---|"]
    lines += [per_source[k].row(f"{k[0]} / {k[1]}") for k in sorted(per_source)]
    lines += ["", "## Per category", "", "| file / category | malicious | recall | benign | FPR |", "|---|---|---|---|---|"]
    lines += [per_cat[k].row(f"{k[0]} / {k[1]}") for k in sorted(per_cat)]
    lines += ["", "## Batch throughput of `pipelock check --jsonl` (whole process, incl. start-up)", "",
              "| file | kind | records | MB | seconds | MB/s |", "|---|---|---|---|---|---|"]
    for name, kind, n, nbytes, el in throughput:
        lines.append(f"| {name} | {kind} | {n} | {nbytes/1e6:.2f} | {el:.2f} | {nbytes/1e6/el:.2f} |")
    with open(a.out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    if a.misses:
        with open(a.misses, "w", encoding="utf-8") as f:
            for m in misses:
                f.write("\t".join(m) + "\n")
    for n in sorted(per_file):
        print(per_file[n].row(n))

if __name__ == "__main__":
    main()
