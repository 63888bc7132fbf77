"""Times numpy (OpenBLAS) sgemm on the shapes given on stdin; prints one GFLOP/s figure per line.

Each input line is "m n k transA transB seconds statistic clock" (flags 0/1; statistic min or median;
clock "thread" times by this thread's CPU time, which equals the work done when OpenBLAS runs one thread, or "wall"). Thread count comes from OPENBLAS_NUM_THREADS.
"""
import sys
import time

import numpy as np


def time_shape(m, n, k, trans_a, trans_b, seconds, statistic, clock):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((k, m) if trans_a else (m, k), dtype=np.float32)
    b = rng.standard_normal((n, k) if trans_b else (k, n), dtype=np.float32)
    op_a = a.T if trans_a else a
    op_b = b.T if trans_b else b
    c = np.empty((m, n), dtype=np.float32)
    np.matmul(op_a, op_b, out=c)
    times = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline or len(times) < 3:
        timer = time.thread_time if clock == "thread" else time.perf_counter
        start = timer()
        np.matmul(op_a, op_b, out=c)
        times.append(timer() - start)
    times.sort()
    chosen = times[len(times) // 2] if statistic == "median" else times[0]
    return 2.0 * m * n * k / chosen / 1e9


for line in sys.stdin:
    if not line.strip():
        continue
    m, n, k, ta, tb, seconds, statistic, clock = line.split()
    print(f"{time_shape(int(m), int(n), int(k), ta == '1', tb == '1', float(seconds), statistic, clock):.2f}", flush=True)
