"""A compact re-implementation of Hugging Face GPT2LMHeadModel (same parameter names and shapes,
same maths): learned positions, pre-LN blocks, fused c_attn Conv1D (weights stored [in, out]),
attention scaled by 1/sqrt(head_dim), causal mask filled with finfo(float32).min, gelu_new,
final ln_f, LM head tied to wte."""
import math

import torch
from torch import nn

MASK_VALUE = torch.finfo(torch.float32).min


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


class Conv1D(nn.Module):
    """HF's Conv1D: a linear layer whose weight is stored [in, out]."""

    def __init__(self, n_out, n_in, std=0.02):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n_in, n_out).normal_(std=std))
        self.bias = nn.Parameter(torch.zeros(n_out))

    def forward(self, x):
        return torch.addmm(self.bias, x.reshape(-1, x.shape[-1]), self.weight).view(*x.shape[:-1], -1)


class Attention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.n_head, self.n_embd = cfg['n_head'], cfg['n_embd']
        self.head_dim = self.n_embd // self.n_head
        self.c_attn = Conv1D(3 * self.n_embd, self.n_embd)
        self.c_proj = Conv1D(self.n_embd, self.n_embd)

    def forward(self, x, attn_bias):
        b, t, _ = x.shape
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
        q, k, v = (z.view(b, t, self.n_head, self.head_dim).transpose(1, 2) for z in (q, k, v))
        w = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_dim)
        causal = torch.ones(t, t, dtype=torch.bool, device=x.device).tril()
        w = torch.where(causal, w, torch.tensor(MASK_VALUE, dtype=w.dtype))
        if attn_bias is not None:
            w = w + attn_bias
        p = torch.softmax(w, dim=-1)
        out = torch.matmul(p, v).transpose(1, 2).reshape(b, t, self.n_embd)
        return self.c_proj(out), p


class MLP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        inner = cfg.get('n_inner') or 4 * cfg['n_embd']
        self.c_fc = Conv1D(inner, cfg['n_embd'])
        self.c_proj = Conv1D(cfg['n_embd'], inner)

    def forward(self, x):
        return self.c_proj(gelu_new(self.c_fc(x)))


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        eps = cfg['layer_norm_epsilon']
        self.ln_1 = nn.LayerNorm(cfg['n_embd'], eps=eps)
        self.attn = Attention(cfg)
        self.ln_2 = nn.LayerNorm(cfg['n_embd'], eps=eps)
        self.mlp = MLP(cfg)

    def forward(self, x, attn_bias):
        a, p = self.attn(self.ln_1(x), attn_bias)
        x = x + a
        x = x + self.mlp(self.ln_2(x))
        return x, p


class Transformer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.wte = nn.Embedding(cfg['vocab_size'], cfg['n_embd'])
        self.wpe = nn.Embedding(cfg['n_positions'], cfg['n_embd'])
        self.h = nn.ModuleList(Block(cfg) for _ in range(cfg['n_layer']))
        self.ln_f = nn.LayerNorm(cfg['n_embd'], eps=cfg['layer_norm_epsilon'])


class GPT2LMHeadModel(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.transformer = Transformer(cfg)
        # GPT-2 initialises everything with std 0.02 (chosen for width 768); at width 128 that keeps
        # attention scores near zero at the start (a first run sat on a bigram plateau with
        # near-uniform attention for 1,300 steps), so the Conv1D weights use std initializer_range
        # (n_embd**-0.5 in train_gpt2.py); embeddings keep 0.02; residual projections are scaled by
        # 1/sqrt(2 n_layer) as in GPT-2. Initialisation does not change the architecture.
        std = cfg.get('initializer_range', 0.02)
        for m in self.modules():
            if isinstance(m, nn.Embedding):
                nn.init.normal_(m.weight, std=0.02)
            elif isinstance(m, Conv1D):
                nn.init.normal_(m.weight, std=std)
        for name, p in self.named_parameters():
            if name.endswith('c_proj.weight'):
                nn.init.normal_(p, std=std / math.sqrt(2 * cfg['n_layer']))

    def forward(self, input_ids, attention_mask=None, output_attentions=False):
        b, t = input_ids.shape
        pos = torch.arange(t, device=input_ids.device)
        if attention_mask is not None:
            # HF: position_ids stay 0..t-1 unless given; padding is masked additively.
            attn_bias = (1.0 - attention_mask[:, None, None, :].float()) * MASK_VALUE
        else:
            attn_bias = None
        x = self.transformer.wte(input_ids) + self.transformer.wpe(pos)[None]
        probs = []
        for blk in self.transformer.h:
            x, p = blk(x, attn_bias)
            probs.append(p)
        x = self.transformer.ln_f(x)
        logits = x @ self.transformer.wte.weight.t()
        return (logits, probs) if output_attentions else logits

    def hf_state_dict(self):
        # save_pretrained drops lm_head.weight (tied to transformer.wte.weight); attn.bias is a
        # non-persistent buffer in current transformers, so it is not written either.
        return {k: v for k, v in self.state_dict().items()}

    @staticmethod
    def config_json(cfg):
        return {
            'activation_function': 'gelu_new', 'architectures': ['GPT2LMHeadModel'], 'attn_pdrop': 0.0,
            'bos_token_id': cfg['eos_token_id'], 'eos_token_id': cfg['eos_token_id'], 'embd_pdrop': 0.0,
            'initializer_range': cfg.get('initializer_range', 0.02), 'layer_norm_epsilon': cfg['layer_norm_epsilon'], 'model_type': 'gpt2',
            'n_ctx': cfg['n_positions'], 'n_embd': cfg['n_embd'], 'n_head': cfg['n_head'], 'n_inner': None,
            'n_layer': cfg['n_layer'], 'n_positions': cfg['n_positions'], 'reorder_and_upcast_attn': False,
            'resid_pdrop': 0.0, 'scale_attn_by_inverse_layer_idx': False, 'scale_attn_weights': True,
            'summary_activation': None, 'summary_first_dropout': 0.0, 'summary_proj_to_labels': True,
            'summary_type': 'cls_index', 'summary_use_proj': True, 'tie_word_embeddings': True,
            'torch_dtype': 'float32', 'use_cache': True, 'vocab_size': cfg['vocab_size'],
        }
