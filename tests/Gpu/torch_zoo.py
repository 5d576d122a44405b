#!/usr/bin/env python3
"""PyTorch side of the GPU device check.

Rebuilds four zoo models (ResNet-56-SDN, the early-exit transformer, the decoder-only generator and
the mixture of experts) in PyTorch with the zoo's state-dict names, loads the weights the device
check exported (KEY.safetensors), checks the rebuild against the C# eager outputs
(KEY.inputs.safetensors), and measures batch-1 and batch-16 latency of PyTorch eager and
torch.compile on the CUDA device, plus SGEMM 4096^3 through torch.matmul (cuBLAS, FP32: TF32 off).

    python3 torch_zoo.py --dir work/zoo --out work/torch.json

Only torch is needed; the safetensors files are read by the small reader below.
"""
import argparse
import json
import math
import os
import struct
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

DTYPES = {"F32": torch.float32, "I32": torch.int32, "I64": torch.int64, "BOOL": torch.bool}


def load_safetensors(path):
    """name -> tensor of a safetensors file (F32, I32, I64, BOOL)."""
    with open(path, "rb") as f:
        data = f.read()
    (header_size,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + header_size])
    body = data[8 + header_size:]
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        dtype = DTYPES[entry["dtype"]]
        begin, end = entry["data_offsets"]
        shape = entry["shape"]
        if end == begin:
            tensors[name] = torch.empty(shape, dtype=dtype)
        else:
            tensors[name] = torch.frombuffer(bytearray(body[begin:end]), dtype=dtype).reshape(shape).clone()
    return tensors


# ---- layers, with the zoo's module names ----------------------------------------------------

class ConvBn(nn.Module):
    def __init__(self, cin, cout, kernel, stride, padding):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, kernel, stride, padding, bias=False)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        return self.bn(self.conv(x))


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = ConvBn(cin, cout, 3, stride, 1)
        self.conv2 = ConvBn(cout, cout, 3, 1, 1)
        self.has_shortcut = stride != 1 or cin != cout
        if self.has_shortcut:
            self.shortcut = ConvBn(cin, cout, 1, stride, 0)

    def forward(self, x):
        bypass = self.shortcut(x) if self.has_shortcut else x
        return F.relu(self.conv2(F.relu(self.conv1(x))) + bypass)


class InternalClassifier(nn.Module):
    def __init__(self, size, channels, classes):
        super().__init__()
        self.pool = size // 4 if size >= 4 else 0
        side = size // self.pool if self.pool > 0 else size
        if self.pool > 0:
            self.alpha = nn.Parameter(torch.zeros(1))
        self.linear = nn.Linear(channels * side * side, classes)

    def forward(self, x):
        if self.pool > 0:
            k = self.pool
            x = self.alpha * F.max_pool2d(x, k, k, 0) + (1 - self.alpha) * F.avg_pool2d(x, k, k, 0)
        return self.linear(x.reshape(x.shape[0], -1))


class ResNet56Sdn(nn.Module):
    EXIT_AFTER = [3, 7, 11, 15, 19, 23]

    def __init__(self, c):
        super().__init__()
        w, size, classes = c["width"], c["input_size"], c["classes"]
        self.threshold = c["threshold"]
        self.stem = ConvBn(3, w, 3, 1, 1)
        blocks, cin = [], w
        for g in range(3):
            for b in range(9):
                cout = w << g
                blocks.append(BasicBlock(cin, cout, 2 if g > 0 and b == 0 else 1))
                cin = cout
        self.blocks = nn.ModuleList(blocks)
        self.exits = nn.ModuleList([InternalClassifier(size >> (b // 9), w << (b // 9), classes) for b in self.EXIT_AFTER])
        self.classifier = nn.Linear(4 * w, classes)

    def forward(self, x):
        x = F.relu(self.stem(x))
        exit = 0
        for i, block in enumerate(self.blocks):
            x = block(x)
            if exit < len(self.EXIT_AFTER) and self.EXIT_AFTER[exit] == i:
                logits = self.exits[exit](x)
                if F.softmax(logits, 1).max().item() >= self.threshold:
                    return logits, exit
                exit += 1
        pooled = F.adaptive_avg_pool2d(x, 1).reshape(x.shape[0], -1)
        return self.classifier(pooled), exit


class TokenEmbedding(nn.Module):
    def __init__(self, vocab, max_tokens, dim):
        super().__init__()
        self.tokens = nn.Embedding(vocab, dim)
        self.positions = nn.Embedding(max_tokens, dim)

    def forward(self, ids):
        positions = torch.arange(ids.shape[1], device=ids.device)
        return self.tokens(ids) + self.positions(positions)


class SelfAttention(nn.Module):
    def __init__(self, dim, heads, max_tokens=0):
        super().__init__()
        self.heads = heads
        self.query = nn.Linear(dim, dim)
        self.key = nn.Linear(dim, dim)
        self.value = nn.Linear(dim, dim)
        self.output = nn.Linear(dim, dim)
        mask = torch.triu(torch.full((max_tokens, max_tokens), -1e9), diagonal=1)
        self.register_buffer("causal_mask", mask, persistent=False)

    def forward(self, x, causal):
        b, t, d = x.shape
        hd = d // self.heads

        def split(y):
            return y.reshape(b, t, self.heads, hd).transpose(1, 2)

        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = torch.matmul(q, k.transpose(2, 3)) * (1.0 / math.sqrt(hd))
        if causal:
            scores = scores + self.causal_mask[:t, :t]
        mixed = torch.matmul(F.softmax(scores, -1), v)
        return self.output(mixed.transpose(1, 2).reshape(b, t, d))


class FeedForward(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.up = nn.Linear(dim, hidden)
        self.down = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.down(F.gelu(self.up(x)))


class TransformerLayer(nn.Module):
    def __init__(self, dim, heads, hidden, max_tokens=0):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attention = SelfAttention(dim, heads, max_tokens)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = FeedForward(dim, hidden)

    def forward(self, x, causal):
        x = x + self.attention(self.norm1(x), causal)
        return x + self.mlp(self.norm2(x))


class EarlyExitTransformer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.threshold = c["threshold"]
        d = c["dim"]
        self.embedding = TokenEmbedding(c["vocab"], c["tokens"], d)
        self.layers = nn.ModuleList([TransformerLayer(d, c["heads"], 4 * d) for _ in range(c["layers"])])
        self.heads = nn.ModuleList([nn.Linear(d, c["classes"]) for _ in range(c["layers"])])

    def forward(self, ids):
        x = self.embedding(ids)
        logits = x
        for i, layer in enumerate(self.layers):
            x = layer(x, False)
            logits = self.heads[i](x.mean(1))
            if F.softmax(logits, 1).max().item() >= self.threshold:
                return logits, i
        return logits, len(self.layers) - 1


class DecoderGenerator(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        d, max_tokens = c["dim"], c["prompt_tokens"] + c["max_new_tokens"]
        self.embedding = TokenEmbedding(c["vocab"], max_tokens, d)
        self.layers = nn.ModuleList([TransformerLayer(d, c["heads"], 4 * d, max_tokens) for _ in range(c["layers"])])
        self.final_norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, c["vocab"])

    def forward(self, prompt):
        c = self.c
        sequence, layers_run, step, ended = prompt, [], 0, False
        while step < c["max_new_tokens"] and not ended:
            x = self.embedding(sequence)
            depth = 0
            while True:
                x = self.layers[depth](x, True)
                depth += 1
                logits = self.head(self.final_norm(x[:, -1:, :].reshape(1, c["dim"])))
                if depth == len(self.layers):
                    break
                if F.softmax(logits, 1).max().item() >= c["skip_threshold"]:
                    break
            nxt = logits.argmax(1, keepdim=True)
            sequence = torch.cat([sequence, nxt], 1)
            layers_run.append(depth)
            step += 1
            ended = int(nxt.item()) == c["end_token"]
        return sequence, torch.tensor(layers_run, dtype=torch.int64)


class MixtureOfExperts(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.router = nn.Linear(c["dim"], c["experts"], bias=False)
        self.experts = nn.ModuleList([FeedForward(c["dim"], c["hidden"]) for _ in range(c["experts"])])

    def forward(self, x):
        c = self.c
        outputs, routes = [], []
        for t in range(x.shape[1]):
            token = x[:, t:t + 1].reshape(1, c["dim"])
            scores, chosen = torch.topk(self.router(token), c["top_k"], 1, True)
            weights = F.softmax(scores, 1)
            mixed = torch.zeros(1, c["dim"], device=x.device)
            for j in range(c["top_k"]):
                expert = int(chosen[0, j].item())
                mixed = mixed + weights[:, j:j + 1] * self.experts[expert](token)
            outputs.append(mixed)
            routes.append(chosen)
        return torch.cat(outputs, 0).reshape(1, x.shape[1], c["dim"]), torch.cat(routes, 0)


MODELS = {
    "resnet56-sdn": ResNet56Sdn,
    "ee-transformer": EarlyExitTransformer,
    "generator": DecoderGenerator,
    "moe": MixtureOfExperts,
}


# ---- checking and timing ----------------------------------------------------------------------

def same(expected, actual, tolerance=1e-3):
    """Equal within the device check's tolerance (relative to the reference's largest magnitude)."""
    actual = actual.detach().cpu()
    if expected.shape != actual.shape:
        return False, f"shape {tuple(actual.shape)} vs {tuple(expected.shape)}"
    if expected.dtype != torch.float32:
        ok = torch.equal(expected.to(torch.int64), actual.to(torch.int64))
        return ok, None if ok else "integers differ"
    scale = max(1.0, expected.abs().max().item() if expected.numel() else 0.0)
    diff = (expected - actual.float()).abs().max().item() if expected.numel() else 0.0
    return diff <= tolerance * scale, None if diff <= tolerance * scale else f"max difference {diff:g}"


def median_ms(call, warm_up, runs):
    for _ in range(warm_up):
        call()
    torch.cuda.synchronize()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        torch.cuda.synchronize()
        times.append((time.perf_counter() - start) * 1e3)
    times.sort()
    return times[len(times) // 2] if runs % 2 else (times[runs // 2 - 1] + times[runs // 2]) / 2


def check_model(key, directory, device):
    with open(os.path.join(directory, key + ".json")) as f:
        config = json.load(f)
    model = MODELS[key](config)
    state = load_safetensors(os.path.join(directory, key + ".safetensors"))
    missing, unexpected = model.load_state_dict(state, strict=False)
    result = {}
    if missing or unexpected:
        result["rebuild_matches"] = False
        result["rebuild_note"] = f"state dict differs: missing {missing[:5]}, unexpected {unexpected[:5]}"
        return result
    model = model.to(device).eval()
    data = load_safetensors(os.path.join(directory, key + ".inputs.safetensors"))
    batch1 = sorted(k for k in data if k.startswith("b1_") and not k.endswith(".out"))
    notes = []
    with torch.no_grad():
        for name in batch1:
            out = model(data[name].to(device))[0]
            ok, why = same(data[name + ".out"], out)
            if not ok:
                notes.append(f"{name}: {why}")
        result["rebuild_matches"] = not notes
        if notes:
            result["rebuild_note"] = "; ".join(notes)

        torch._dynamo.config.cache_size_limit = 256
        compiled = torch.compile(model)
        x1 = data[batch1[0]].to(device)
        result["b1"] = {
            "eager_ms": median_ms(lambda: model(x1), 3, 20),
            "compile_ms": safe(lambda: median_ms(lambda: compiled(x1), 5, 20)),
        }
        if "b16.out" in data:
            x16 = data["b16"].to(device)
            result["b16"] = {
                "eager_ms": median_ms(lambda: model(x16), 2, 10),
                "compile_ms": safe(lambda: median_ms(lambda: compiled(x16), 3, 10)),
            }
    return result


def safe(measure):
    try:
        return measure()
    except Exception as e:  # torch.compile can fail on a model; the table shows "-" then
        print(f"  torch.compile failed: {type(e).__name__}: {str(e)[:200]}", file=sys.stderr)
        return None


def sgemm(device, n=4096, runs=10):
    torch.backends.cuda.matmul.allow_tf32 = False
    a = torch.randn(n, n, device=device)
    b = torch.randn(n, n, device=device)
    ms = median_ms(lambda: torch.matmul(a, b), 3, runs)
    return {"n": n, "ms": ms, "gflops": 2.0 * n ** 3 / (ms * 1e-3) / 1e9}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", required=True, help="the folder `DeviceCheck export` wrote")
    parser.add_argument("--out", required=True, help="the JSON file to write")
    args = parser.parse_args()
    if not torch.cuda.is_available():
        print("no CUDA device: PyTorch measurements skipped", file=sys.stderr)
        json.dump({"torch": torch.__version__, "device": "none", "models": {}}, open(args.out, "w"), indent=2)
        return
    device = torch.device("cuda")
    results = {"torch": torch.__version__, "device": torch.cuda.get_device_name(0), "models": {}}
    for key in MODELS:
        if not os.path.exists(os.path.join(args.dir, key + ".json")):
            continue
        print(f"torch: {key}", file=sys.stderr)
        try:
            results["models"][key] = check_model(key, args.dir, device)
        except Exception as e:
            results["models"][key] = {"rebuild_matches": False, "rebuild_note": f"{type(e).__name__}: {e}"}
    results["sgemm_4096"] = sgemm(device)
    with open(args.out, "w") as f:
        json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
