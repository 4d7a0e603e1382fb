# The MovieLens-100K table (docs/RESULTS.md) from the runs in a JSON-lines file; called by scripts/ml100k-table.
import json, statistics, sys, platform, subprocess
rows = [json.loads(l) for l in open(sys.argv[1])]
names = []
for r in rows:
    if r["name"] not in names: names.append(r["name"])
cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
out = ["# Results on MovieLens-100K (the reference protocol)", "",
       "Protocol: `../shared/data/movielens-100k/PROTOCOL.md` (temporal 80/10/10 split, §2 settings: Adam 1e-3,",
       "batch 1024, clip 10, early stopping on validation AUC with patience 2, best epoch on test), seeds 1, 2, 3.",
       "Command: `bash scripts/ml100k-table` (every run's JSON line is in `docs/results/ml100k.jsonl`).",
       f"Machine: {cpu}, {subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores.", "",
       "| model | parameters | seeds | test AUC (mean ± std) | test logloss (mean ± std) | best epochs |",
       "|---|---|---|---|---|---|"]
for n in names:
    rs = [r["run"] for r in rows if r["name"] == n]
    auc = [r["auc"] for r in rs]; ll = [r["logloss"] for r in rs]
    sd = lambda v: statistics.stdev(v) if len(v) > 1 else 0.0
    seeds = ",".join(str(r["seed"]) for r in rows if r["name"] == n)
    out.append(f"| {n} | {rs[0]['parameters']:,} | {seeds} | {statistics.mean(auc):.4f} ± {sd(auc):.4f} | "
               f"{statistics.mean(ll):.4f} ± {sd(ll):.4f} | {', '.join(str(r['best_epoch']) for r in rs)} |")
expected = 15 * 3
if len(rows) < expected:
    done = ", ".join(f"{n} ({sum(r['name'] == n for r in rows)})" for n in names)
    out[6:6] = ["", f"**Partial:** {len(rows)} of {expected} runs so far (model (seeds): {done}); rerun the command to complete it"]
notes = "docs/results/ml100k-notes.md"  # hand-written reading of the table, kept across reruns
try:
    out += ["", open(notes).read().rstrip()]
except FileNotFoundError:
    pass
open("docs/RESULTS.md", "w").write("\n".join(out) + "\n")
print("\n".join(out))
