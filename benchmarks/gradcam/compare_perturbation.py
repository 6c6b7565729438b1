#!/usr/bin/python3
"""Summarises a compare_perturbation.sh run: seconds per image of pytorch-grad-cam and torchsight for each
perturbation CAM (wall and CPU time, summed over the interleaved per-image runs in OUT/timings.txt), their
ratio, each side's largest peak RSS, and the largest absolute difference between the two sides' maps
(each map min-max normalised again first, as well as raw). Bars: torchsight <= 0.5 x pytorch-grad-cam's
seconds per image, maps within 1e-3. Exit status 1 when a bar is missed.
Usage: compare_perturbation.py OUT_DIR"""
import collections
import os
import sys

import numpy as np

out = sys.argv[1]
runs = collections.defaultdict(lambda: {"images": 0, "wall": 0.0, "cpu": 0.0, "rss": 0.0})
with open(os.path.join(out, "timings.txt")) as f:
    for line in f:
        p = line.split()
        if len(p) < 11 or p[0] not in ("pgc", "torchsight"):
            continue
        v = dict(zip(p[2::2], p[3::2]))
        r = runs[(p[0], p[1])]
        k = int(v["images"])
        r["images"] += k
        r["wall"] += float(v["seconds_per_image"]) * k
        r["cpu"] += float(v["cpu_seconds_per_image"]) * k
        r["rss"] = max(r["rss"], float(v["peak_rss_mb"]))


def normalised(m):
    m = m.astype(np.float64)
    span = m.max() - m.min()
    return (m - m.min()) / span if span > 0 else np.zeros_like(m)


ok = True
print("%-12s %6s %14s %14s %8s %12s %12s %10s %14s" % ("method", "images", "pgc s/image", "ts s/image", "ratio",
                                                      "pgc cpu s", "ts cpu s", "cpu ratio", "max |map diff|"))
for method in ("scorecam", "ablationcam"):
    pgc, ts = runs.get(("pgc", method)), runs.get(("torchsight", method))
    if not pgc or not ts:
        continue
    n = min(pgc["images"], ts["images"])
    diff = raw = 0.0
    for i in range(n):
        a = np.load(os.path.join(out, "pgc_%s_%d.npy" % (method, i))).reshape(-1)
        b = np.load(os.path.join(out, "ts_%s_%d.npy" % (method, i))).reshape(-1)
        raw = max(raw, float(np.abs(a - b).max()))
        diff = max(diff, float(np.abs(normalised(a) - normalised(b)).max()))
    pw, tw = pgc["wall"] / pgc["images"], ts["wall"] / ts["images"]
    pc, tc = pgc["cpu"] / pgc["images"], ts["cpu"] / ts["images"]
    print("%-12s %6d %14.3f %14.3f %8.3f %12.3f %12.3f %10.3f %14.2e" % (method, n, pw, tw, tw / pw, pc, tc, tc / pc,
                                                                        diff))
    print("%-12s peak RSS: pytorch-grad-cam %.0f MB, torchsight %.0f MB (JVM included); raw map diff %.2e"
          % ("", pgc["rss"], ts["rss"], raw))
    good = tw / pw <= 0.5 and diff < 1e-3
    ok = ok and good
    print("%-12s bar (ratio <= 0.5, maps within 1e-3): %s" % ("", "met" if good else "MISSED"))
sys.exit(0 if ok else 1)
