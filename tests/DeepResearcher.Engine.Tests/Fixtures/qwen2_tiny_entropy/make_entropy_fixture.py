#!/usr/bin/env python3
"""Per-token entropy reference for the tiny Qwen2 fixture (../qwen2_tiny), in float64 PyTorch.

Run with Debian's interpreter from the repository root (apt-get install -y python3-torch python3-numpy):
    /usr/bin/python3 tests/DeepResearcher.Engine.Tests/Fixtures/qwen2_tiny_entropy/make_entropy_fixture.py

It loads the fixture's bf16 checkpoint and packed batch, runs the model of scripts/fixtures/make_qwen2_fixture.py
(imported, so both references share one implementation) and writes expected.safetensors beside this script:
  entropy                     H_t = -sum_v p_v log p_v of every token's next-token distribution
  coef.logprobs, coef.entropy the per-token weights a_t, b_t of L = sum_t a_t log p_t[target] + b_t H_t
                              (rows with only an entropy weight and rows with neither are included)
  loss                        L
  grad.{parameter}            dL/dparameter
"""
import importlib.util
import json
import os
import struct

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
BASE = os.path.join(HERE, "..", "qwen2_tiny")
GENERATOR = os.path.join(HERE, "..", "..", "..", "..", "scripts", "fixtures", "make_qwen2_fixture.py")


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    body = data[8 + n:]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        raw = body[begin:end]
        if info["dtype"] == "BF16":
            bits = np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16
            array = bits.view(np.float32).astype(np.float64)
        elif info["dtype"] == "I64":
            array = np.frombuffer(raw, dtype="<i8").copy()
        elif info["dtype"] == "F16":
            array = np.frombuffer(raw, dtype="<f2").astype(np.float64)
        elif info["dtype"] == "F32":
            array = np.frombuffer(raw, dtype="<f4").astype(np.float64)
        else:
            raise ValueError(f"{name}: dtype {info['dtype']}")
        out[name] = torch.from_numpy(array.reshape(info["shape"]))
    return out


def main():
    spec = importlib.util.spec_from_file_location("make_qwen2_fixture", GENERATOR)
    ref = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ref)

    weights = read_safetensors(os.path.join(BASE, "model.safetensors"))
    batch = read_safetensors(os.path.join(BASE, "expected.safetensors"))
    ids, targets = batch["batch.input_ids"], batch["batch.targets"]
    seq_lengths = [int(n) for n in batch["batch.seq_lengths"]]
    mask = batch["batch.loss_mask"]
    total = ids.shape[0]

    # a: masked-mean NLL weights; b: an entropy bonus on a different set of rows, so some rows carry only b and
    # rows 0-2 carry neither (the skipped-row path).
    a = -mask / mask.sum()
    b = torch.tensor([0.0 if t < 3 else 0.02 * (1 + (t % 5)) * (-1 if t % 3 == 0 else 1) for t in range(total)], dtype=torch.float64)

    params = {k: v.clone().requires_grad_(True) for k, v in weights.items()}
    _, _, logits = ref.run_batch(params, ids, seq_lengths)
    logp_all = torch.log_softmax(logits, dim=-1)
    logprobs = logp_all.gather(1, targets[:, None])[:, 0]
    entropy = -(logp_all.exp() * logp_all).sum(-1)
    loss = (a * logprobs).sum() + (b * entropy).sum()
    loss.backward()

    e = [("entropy", "F32", entropy.detach()), ("coef.logprobs", "F32", a), ("coef.entropy", "F32", b),
         ("loss", "F32", loss.detach().reshape(1))]
    e += [("grad." + k, "F32", params[k].grad) for k in weights]
    out = os.path.join(HERE, "expected.safetensors")
    ref.write_safetensors(out, e, {"generator": "make_entropy_fixture.py"})
    print(f"wrote {out}: loss {loss.item():.6f}, mean entropy {entropy.mean().item():.4f}, {os.path.getsize(out)} bytes")


if __name__ == "__main__":
    main()
