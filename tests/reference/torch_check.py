"""Independent PyTorch (float64) forwards of GPT-2, BERT/DistilBERT and T5, used to check the
TypeScript reference (tests/reference/*.ts). Written directly from the Hugging Face modeling
semantics (modeling_gpt2.py, modeling_bert.py, modeling_distilbert.py, modeling_t5.py) with
batched torch ops; it shares no code with the TypeScript reference and reads safetensors
with its own parser.

Usage (driven by tests/reference/make-torch-fixtures.ts, which writes the case directory):
    /usr/bin/python3 tests/reference/torch_check.py CASE_DIR OUT.json
CASE_DIR holds config.json, model.safetensors and case.json (name, recipe, sha256, inputs).
OUT.json gets case.json's fields plus logits, per-stack probs/scores (and T5 position bias),
hidden states and, for T5, a table of relative-position buckets.
"""

import json
import math
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F

F32_MIN = float(torch.finfo(torch.float32).min)  # what HF puts in masked attention scores


def read_safetensors(path):
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        assert info["dtype"] == "F32", info["dtype"]
        b, e = info["data_offsets"]
        arr = np.frombuffer(raw[8 + n + b : 8 + n + e], dtype="<f4").reshape(info["shape"])
        out[name] = torch.from_numpy(arr.astype(np.float64))
    return out


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


ACT = {"gelu": F.gelu, "gelu_new": gelu_new, "relu": F.relu}


def heads(x, n):  # [T, n*dh] -> [n, T, dh]
    return x.view(x.shape[0], n, -1).transpose(0, 1)


def merge(x):  # [n, T, dh] -> [T, n*dh]
    return x.transpose(0, 1).reshape(x.shape[1], -1)


def gpt2(cfg, W, ids):
    p = "transformer." if "transformer.wte.weight" in W else ""
    d, H, eps = cfg["n_embd"], cfg["n_head"], cfg.get("layer_norm_epsilon", 1e-5)
    T = len(ids)
    ln = lambda x, name: F.layer_norm(x, (d,), W[name + ".weight"], W[name + ".bias"], eps)
    conv = lambda x, name: x @ W[name + ".weight"] + W[name + ".bias"]  # Conv1D: W is [in, out]
    h = W[p + "wte.weight"][ids] + W[p + "wpe.weight"][:T]
    causal = torch.tril(torch.ones(T, T, dtype=torch.bool))
    hidden, probs, scores = [h], [], []
    for l in range(cfg["n_layer"]):
        b = f"{p}h.{l}."
        q, k, v = (heads(x, H) for x in conv(ln(h, b + "ln_1"), b + "attn.c_attn").split(d, dim=1))
        s = q @ k.transpose(-1, -2) / math.sqrt(d // H)
        s = torch.where(causal, s, torch.tensor(F32_MIN, dtype=s.dtype))
        pr = torch.softmax(s, dim=-1)
        h = h + conv(merge(pr @ v), b + "attn.c_proj")
        h = h + conv(ACT[cfg.get("activation_function", "gelu_new")](conv(ln(h, b + "ln_2"), b + "mlp.c_fc")), b + "mlp.c_proj")
        hidden.append(h)
        probs.append(pr)
        scores.append(s)
    hidden[-1] = ln(h, p + "ln_f")  # HF's last hidden state is after ln_f
    logits = hidden[-1] @ W[p + "wte.weight"].T
    return {"logits": logits, "stacks": {"self": {"probs": torch.stack(probs), "scores": torch.stack(scores)}}, "hidden": {"self": torch.stack(hidden)}}


def bert(cfg, W, ids, types, mask):
    distil = cfg["model_type"] == "distilbert"
    T = len(ids)
    mask_add = (1.0 - torch.tensor(mask, dtype=torch.float64)) * F32_MIN  # [T] over keys
    if distil:
        d, H, L, eps, act = cfg["dim"], cfg["n_heads"], cfg["n_layers"], 1e-12, ACT[cfg["activation"]]
        pre = "distilbert."
        emb = W[pre + "embeddings.word_embeddings.weight"][ids] + W[pre + "embeddings.position_embeddings.weight"][:T]
        names = lambda l: [f"{pre}transformer.layer.{l}.{n}" for n in ("attention.q_lin", "attention.k_lin", "attention.v_lin", "attention.out_lin", "sa_layer_norm", "ffn.lin1", "ffn.lin2", "output_layer_norm")]
        head = ("vocab_transform", "vocab_layer_norm", "vocab_projector.bias")
    else:
        d, H, L, eps, act = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_hidden_layers"], cfg["layer_norm_eps"], ACT[cfg["hidden_act"]]
        pre = "bert."
        emb = W[pre + "embeddings.word_embeddings.weight"][ids] + W[pre + "embeddings.position_embeddings.weight"][:T] + W[pre + "embeddings.token_type_embeddings.weight"][types]
        names = lambda l: [f"{pre}encoder.layer.{l}.{n}" for n in ("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense", "attention.output.LayerNorm", "intermediate.dense", "output.dense", "output.LayerNorm")]
        head = ("cls.predictions.transform.dense", "cls.predictions.transform.LayerNorm", "cls.predictions.bias")
    ln = lambda x, name: F.layer_norm(x, (d,), W[name + ".weight"], W[name + ".bias"], eps)
    lin = lambda x, name: F.linear(x, W[name + ".weight"], W[name + ".bias"])
    h = ln(emb, pre + "embeddings.LayerNorm")
    hidden, probs, scores = [h], [], []
    for l in range(L):
        nq, nk, nv, no, nln1, nup, ndown, nln2 = names(l)
        q, k, v = heads(lin(h, nq), H), heads(lin(h, nk), H), heads(lin(h, nv), H)
        s = q @ k.transpose(-1, -2) / math.sqrt(d // H) + mask_add  # additive mask, as BertModel does
        pr = torch.softmax(s, dim=-1)
        a = ln(lin(merge(pr @ v), no) + h, nln1)
        h = ln(lin(act(lin(a, nup)), ndown) + a, nln2)
        hidden.append(h)
        probs.append(pr)
        scores.append(s)
    word = W[pre + "embeddings.word_embeddings.weight"]
    logits = ln(act(lin(h, head[0])), head[1]) @ word.T + W[head[2]]  # decoder tied to word embeddings
    return {"logits": logits, "stacks": {"self": {"probs": torch.stack(probs), "scores": torch.stack(scores)}}, "hidden": {"self": torch.stack(hidden)}}


def t5_bucket(rel, bidirectional, num_buckets, max_distance):
    """_relative_position_bucket as in modeling_t5.py (the log is taken in float32, as there)."""
    buckets = torch.zeros_like(rel)
    if bidirectional:
        num_buckets //= 2
        buckets += (rel > 0).to(torch.long) * num_buckets
        rel = torch.abs(rel)
    else:
        rel = -torch.min(rel, torch.zeros_like(rel))
    max_exact = num_buckets // 2
    large = max_exact + (torch.log(rel.float() / max_exact) / math.log(max_distance / max_exact) * (num_buckets - max_exact)).to(torch.long)
    large = torch.min(large, torch.full_like(large, num_buckets - 1))
    return buckets + torch.where(rel < max_exact, rel, large)


def t5(cfg, W, enc_ids, dec_ids, enc_mask):
    d, H, dkv, eps = cfg["d_model"], cfg["num_heads"], cfg["d_kv"], cfg["layer_norm_epsilon"]
    nb, md = cfg["relative_attention_num_buckets"], cfg["relative_attention_max_distance"]
    proj = cfg["feed_forward_proj"]
    gated = proj.startswith("gated-")
    act = ACT["gelu_new" if proj == "gated-gelu" else proj.split("-")[-1]]
    rms = lambda x, name: W[name] * (x / torch.sqrt(x.pow(2).mean(-1, keepdim=True) + eps))
    lin = lambda x, name: F.linear(x, W[name + ".weight"])
    shared = W["shared.weight"]
    enc_add = (1.0 - torch.tensor(enc_mask, dtype=torch.float64)) * F32_MIN

    def attention(x, kv, name, bias):
        q, k, v = heads(lin(x, name + ".q"), H), heads(lin(kv, name + ".k"), H), heads(lin(kv, name + ".v"), H)
        s = q @ k.transpose(-1, -2) + bias  # no 1/sqrt(d_kv) scaling in T5
        pr = torch.softmax(s, dim=-1)
        return lin(merge(pr @ v), name + ".o"), pr, s

    def ffn(x, name):
        if gated:
            return lin(act(lin(x, name + ".wi_0")) * lin(x, name + ".wi_1"), name + ".wo")
        return lin(act(lin(x, name + ".wi")), name + ".wo")

    def stack(kind, ids, enc_out=None):
        T = len(ids)
        decoder = kind == "decoder"
        pos = torch.arange(T)
        table = W[f"{kind}.block.0.layer.0.SelfAttention.relative_attention_bias.weight"]
        position_bias = table[t5_bucket(pos[None, :] - pos[:, None], not decoder, nb, md)].permute(2, 0, 1)  # [H, q, k]
        if decoder:
            mask = torch.triu(torch.full((T, T), F32_MIN, dtype=torch.float64), diagonal=1)
        else:
            mask = enc_add[None, :]
        h = shared[ids]
        hidden, out = [h], {"self": {"probs": [], "scores": []}, "cross": {"probs": [], "scores": []}}
        L = cfg["num_decoder_layers"] if decoder else cfg["num_layers"]
        for l in range(L):
            b = f"{kind}.block.{l}.layer."
            a, pr, s = attention(rms(h, b + "0.layer_norm.weight"), rms(h, b + "0.layer_norm.weight"), b + "0.SelfAttention", position_bias + mask)
            h = h + a
            out["self"]["probs"].append(pr)
            out["self"]["scores"].append(s)
            if decoder:
                a, pr, s = attention(rms(h, b + "1.layer_norm.weight"), enc_out, b + "1.EncDecAttention", enc_add[None, :])
                h = h + a
                out["cross"]["probs"].append(pr)
                out["cross"]["scores"].append(s)
            f = b + ("2." if decoder else "1.")
            h = h + ffn(rms(h, f + "layer_norm.weight"), f + "DenseReluDense")
            hidden.append(h)
        hidden[-1] = rms(h, f"{kind}.final_layer_norm.weight")
        return hidden[-1], torch.stack(hidden), out, position_bias

    enc_out, enc_hidden, enc_att, enc_bias = stack("encoder", enc_ids)
    dec_out, dec_hidden, dec_att, dec_bias = stack("decoder", dec_ids, enc_out)
    if cfg.get("tie_word_embeddings", True):
        logits = (dec_out * d ** -0.5) @ shared.T
    else:
        logits = dec_out @ W["lm_head.weight"].T
    rel = torch.arange(-200, 201)
    return {
        "logits": logits,
        "stacks": {
            "encoder": {"probs": torch.stack(enc_att["self"]["probs"]), "scores": torch.stack(enc_att["self"]["scores"]), "positionBias": enc_bias},
            "decoder": {"probs": torch.stack(dec_att["self"]["probs"]), "scores": torch.stack(dec_att["self"]["scores"]), "positionBias": dec_bias},
            "cross": {"probs": torch.stack(dec_att["cross"]["probs"]), "scores": torch.stack(dec_att["cross"]["scores"])},
        },
        "hidden": {"encoder": enc_hidden, "decoder": dec_hidden},
        "buckets": {
            "relative": rel.tolist(),
            "bidirectional": t5_bucket(rel, True, nb, md).tolist(),
            "unidirectional": t5_bucket(rel, False, nb, md).tolist(),
            "bidirectional_32_128": t5_bucket(rel, True, 32, 128).tolist(),
            "unidirectional_32_128": t5_bucket(rel, False, 32, 128).tolist(),
        },
    }


def tensor_json(t):
    return {"shape": list(t.shape), "data": [float(x) for x in t.reshape(-1).tolist()]}


def to_json(x):
    if isinstance(x, torch.Tensor):
        return tensor_json(x)
    if isinstance(x, dict):
        return {k: to_json(v) for k, v in x.items()}
    return x


def main(case_dir, out_path):
    torch.set_grad_enabled(False)
    case = json.load(open(f"{case_dir}/case.json"))
    cfg = json.load(open(f"{case_dir}/config.json"))
    W = read_safetensors(f"{case_dir}/model.safetensors")
    inp = case["inputs"]
    if cfg["model_type"] == "gpt2":
        result = gpt2(cfg, W, inp["ids"])
    elif cfg["model_type"] in ("bert", "distilbert"):
        result = bert(cfg, W, inp["ids"], inp.get("tokenTypeIds", [0] * len(inp["ids"])), inp.get("attentionMask", [1] * len(inp["ids"])))
    else:
        result = t5(cfg, W, inp["encoderIds"], inp["decoderIds"], inp.get("encoderMask", [1] * len(inp["encoderIds"])))
    out = dict(case)
    out["torch"] = torch.__version__
    out.update(to_json(result))
    with open(out_path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
