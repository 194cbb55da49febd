"""A compact re-implementation of Hugging Face LlamaForCausalLM (same parameter names and shapes,
same maths): RMSNorm in float32 (x * rsqrt(mean(x^2) + eps) * weight), rotary position embeddings
in the rotate-half layout (cos/sin of cat(freqs, freqs), q*cos + rotate_half(q)*sin) with
inv_freq = rope_theta^(-2i/head_dim), grouped-query attention (query head h reads key/value head
h // (heads / kv_heads), as repeat_kv), scores scaled by 1/sqrt(head_dim) with the causal mask
filled with finfo(float32).min, SwiGLU MLP down(silu(gate(x)) * up(x)), no biases, final norm, LM
head tied to embed_tokens (tie_word_embeddings)."""
import math

import torch
from torch import nn
from torch.nn import functional as F

MASK_VALUE = torch.finfo(torch.float32).min


class RMSNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        var = x.pow(2).mean(-1, keepdim=True)
        return self.weight * (x * torch.rsqrt(var + self.eps))


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def rope_cos_sin(t, head_dim, theta):
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.int64).float() / head_dim))
    freqs = torch.arange(t, dtype=torch.float32)[:, None] * inv_freq[None, :]
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos(), emb.sin()


class Attention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d = cfg['hidden_size']
        self.heads, self.kv_heads = cfg['num_attention_heads'], cfg['num_key_value_heads']
        self.head_dim = d // self.heads
        self.theta = cfg['rope_theta']
        self.q_proj = nn.Linear(d, self.heads * self.head_dim, bias=False)
        self.k_proj = nn.Linear(d, self.kv_heads * self.head_dim, bias=False)
        self.v_proj = nn.Linear(d, self.kv_heads * self.head_dim, bias=False)
        self.o_proj = nn.Linear(self.heads * self.head_dim, d, bias=False)

    def forward(self, x, cos, sin, attn_bias):
        b, t, _ = x.shape
        q = self.q_proj(x).view(b, t, self.heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        rep = self.heads // self.kv_heads
        k = k.repeat_interleave(rep, dim=1)  # repeat_kv: head h reads kv head h // rep
        v = v.repeat_interleave(rep, dim=1)
        w = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_dim)
        causal = torch.ones(t, t, dtype=torch.bool).tril()
        w = torch.where(causal, w, torch.tensor(MASK_VALUE, dtype=w.dtype))
        if attn_bias is not None:
            w = w + attn_bias
        p = torch.softmax(w, dim=-1)
        out = torch.matmul(p, v).transpose(1, 2).reshape(b, t, self.heads * self.head_dim)
        return self.o_proj(out), p


class MLP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d, inner = cfg['hidden_size'], cfg['intermediate_size']
        self.gate_proj = nn.Linear(d, inner, bias=False)
        self.up_proj = nn.Linear(d, inner, bias=False)
        self.down_proj = nn.Linear(inner, d, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class DecoderLayer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.input_layernorm = RMSNorm(cfg['hidden_size'], cfg['rms_norm_eps'])
        self.self_attn = Attention(cfg)
        self.post_attention_layernorm = RMSNorm(cfg['hidden_size'], cfg['rms_norm_eps'])
        self.mlp = MLP(cfg)

    def forward(self, x, cos, sin, attn_bias):
        a, p = self.self_attn(self.input_layernorm(x), cos, sin, attn_bias)
        x = x + a
        x = x + self.mlp(self.post_attention_layernorm(x))
        return x, p


class LlamaModel(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.embed_tokens = nn.Embedding(cfg['vocab_size'], cfg['hidden_size'])
        self.layers = nn.ModuleList(DecoderLayer(cfg) for _ in range(cfg['num_hidden_layers']))
        self.norm = RMSNorm(cfg['hidden_size'], cfg['rms_norm_eps'])


class LlamaForCausalLM(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.model = LlamaModel(cfg)
        # HF initialises every weight with std 0.02 (made for width 4096). As for tiny-gpt2, at
        # width 128 that keeps attention scores near zero for a long time, so the projections use
        # std initializer_range (hidden_size**-0.5 in train_llama.py) and the residual outputs
        # (o_proj, down_proj) that divided by sqrt(2 * layers); embeddings keep 0.02.
        std = cfg.get('initializer_range', 0.02)
        for name, p in self.named_parameters():
            if name.endswith('embed_tokens.weight'):
                nn.init.normal_(p, std=0.02)
            elif name.endswith(('o_proj.weight', 'down_proj.weight')):
                nn.init.normal_(p, std=std / math.sqrt(2 * cfg['num_hidden_layers']))
            elif p.dim() == 2:
                nn.init.normal_(p, std=std)

    def forward(self, input_ids, attention_mask=None, output_attentions=False):
        b, t = input_ids.shape
        cfg = self.cfg
        cos, sin = rope_cos_sin(t, cfg['hidden_size'] // cfg['num_attention_heads'], cfg['rope_theta'])
        attn_bias = None
        if attention_mask is not None:
            attn_bias = (1.0 - attention_mask[:, None, None, :].float()) * MASK_VALUE
        x = self.model.embed_tokens(input_ids)
        probs = []
        for layer in self.model.layers:
            x, p = layer(x, cos, sin, attn_bias)
            probs.append(p)
        x = self.model.norm(x)
        logits = x @ self.model.embed_tokens.weight.t()
        return (logits, probs) if output_attentions else logits

    def hf_state_dict(self):
        # save_pretrained with tie_word_embeddings writes no lm_head.weight.
        return {k: v for k, v in self.state_dict().items()}

    @staticmethod
    def config_json(cfg):
        return {
            'architectures': ['LlamaForCausalLM'], 'attention_bias': False, 'attention_dropout': 0.0,
            'bos_token_id': cfg['bos_token_id'], 'eos_token_id': cfg['eos_token_id'], 'hidden_act': 'silu',
            'hidden_size': cfg['hidden_size'], 'initializer_range': cfg.get('initializer_range', 0.02),
            'intermediate_size': cfg['intermediate_size'], 'max_position_embeddings': cfg['max_position_embeddings'],
            'mlp_bias': False, 'model_type': 'llama', 'num_attention_heads': cfg['num_attention_heads'],
            'num_hidden_layers': cfg['num_hidden_layers'], 'num_key_value_heads': cfg['num_key_value_heads'],
            'pretraining_tp': 1, 'rms_norm_eps': cfg['rms_norm_eps'], 'rope_scaling': None,
            'rope_theta': cfg['rope_theta'], 'tie_word_embeddings': True, 'torch_dtype': 'float32',
            'use_cache': True, 'vocab_size': cfg['vocab_size'],
        }
