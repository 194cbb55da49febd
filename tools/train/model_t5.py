"""A compact re-implementation of Hugging Face T5ForConditionalGeneration, original T5 flavour
(same parameter names and shapes, same maths): T5LayerNorm (RMS, no bias, eps 1e-6, variance in
float32), pre-norm residual blocks, attention WITHOUT 1/sqrt(d) scaling, relative position buckets
(bidirectional in the encoder, causal in the decoder) whose bias table lives only in block 0 of each
stack and is reused by the later blocks, cross-attention with no position bias, ReLU FFN without
biases, embeddings shared by encoder, decoder and LM head, and the d_model**-0.5 rescale of the
decoder output before the tied LM head. Masks add finfo(float32).min."""
import math

import torch
from torch import nn
from torch.nn import functional as F

MASK_VALUE = torch.finfo(torch.float32).min


def relative_position_bucket(relative_position, bidirectional, num_buckets, max_distance):
    """HF/Mesh-TF bucketing; relative_position = key_pos - query_pos."""
    buckets = torch.zeros_like(relative_position)
    if bidirectional:
        num_buckets //= 2
        buckets = buckets + (relative_position > 0).long() * num_buckets
        rp = torch.abs(relative_position)
    else:
        rp = -torch.min(relative_position, torch.zeros_like(relative_position))
    max_exact = num_buckets // 2
    is_small = rp < max_exact
    large = max_exact + (torch.log(rp.float() / max_exact) / math.log(max_distance / max_exact)
                         * (num_buckets - max_exact)).long()
    large = torch.min(large, torch.full_like(large, num_buckets - 1))
    return buckets + torch.where(is_small, rp, large)


class T5LayerNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        var = x.float().pow(2).mean(-1, keepdim=True)
        return self.weight * (x * torch.rsqrt(var + self.eps))


class T5Attention(nn.Module):
    def __init__(self, cfg, has_bias, is_decoder):
        super().__init__()
        d, self.n_heads, self.d_kv = cfg['d_model'], cfg['num_heads'], cfg['d_kv']
        inner = self.n_heads * self.d_kv
        self.q = nn.Linear(d, inner, bias=False)
        self.k = nn.Linear(d, inner, bias=False)
        self.v = nn.Linear(d, inner, bias=False)
        self.o = nn.Linear(inner, d, bias=False)
        self.is_decoder = is_decoder
        self.num_buckets = cfg['relative_attention_num_buckets']
        self.max_distance = cfg['relative_attention_max_distance']
        if has_bias:
            self.relative_attention_bias = nn.Embedding(self.num_buckets, self.n_heads)

    def compute_bias(self, q_len, k_len, device):
        ctx = torch.arange(q_len, device=device)[:, None]
        mem = torch.arange(k_len, device=device)[None, :]
        buckets = relative_position_bucket(mem - ctx, not self.is_decoder, self.num_buckets, self.max_distance)
        return self.relative_attention_bias(buckets).permute(2, 0, 1)[None]  # [1, heads, q, k]

    def forward(self, x, kv, position_bias):
        b, tq, _ = x.shape
        tk = kv.shape[1]
        q = self.q(x).view(b, tq, self.n_heads, self.d_kv).transpose(1, 2)
        k = self.k(kv).view(b, tk, self.n_heads, self.d_kv).transpose(1, 2)
        v = self.v(kv).view(b, tk, self.n_heads, self.d_kv).transpose(1, 2)
        scores = torch.matmul(q, k.transpose(-1, -2)) + position_bias  # no 1/sqrt(d): folded into init
        p = torch.softmax(scores.float(), dim=-1)
        out = torch.matmul(p, v).transpose(1, 2).reshape(b, tq, -1)
        return self.o(out), p


class LayerSelfAttention(nn.Module):
    def __init__(self, cfg, has_bias, is_decoder):
        super().__init__()
        self.SelfAttention = T5Attention(cfg, has_bias, is_decoder)
        self.layer_norm = T5LayerNorm(cfg['d_model'], cfg['layer_norm_epsilon'])

    def forward(self, x, position_bias):
        h = self.layer_norm(x)
        a, p = self.SelfAttention(h, h, position_bias)
        return x + a, p


class LayerCrossAttention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.EncDecAttention = T5Attention(cfg, False, True)
        self.layer_norm = T5LayerNorm(cfg['d_model'], cfg['layer_norm_epsilon'])

    def forward(self, x, enc, position_bias):
        a, p = self.EncDecAttention(self.layer_norm(x), enc, position_bias)
        return x + a, p


class DenseReluDense(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.wi = nn.Linear(cfg['d_model'], cfg['d_ff'], bias=False)
        self.wo = nn.Linear(cfg['d_ff'], cfg['d_model'], bias=False)

    def forward(self, x):
        return self.wo(F.relu(self.wi(x)))


class LayerFF(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.DenseReluDense = DenseReluDense(cfg)
        self.layer_norm = T5LayerNorm(cfg['d_model'], cfg['layer_norm_epsilon'])

    def forward(self, x):
        return x + self.DenseReluDense(self.layer_norm(x))


class Block(nn.Module):
    def __init__(self, cfg, has_bias, is_decoder):
        super().__init__()
        layers = [LayerSelfAttention(cfg, has_bias, is_decoder)]
        if is_decoder:
            layers.append(LayerCrossAttention(cfg))
        layers.append(LayerFF(cfg))
        self.layer = nn.ModuleList(layers)
        self.is_decoder = is_decoder


class Stack(nn.Module):
    def __init__(self, cfg, n_layers, is_decoder):
        super().__init__()
        self.block = nn.ModuleList(Block(cfg, i == 0, is_decoder) for i in range(n_layers))
        self.final_layer_norm = T5LayerNorm(cfg['d_model'], cfg['layer_norm_epsilon'])
        self.is_decoder = is_decoder

    def forward(self, x, self_mask_bias, enc=None, cross_mask_bias=None):
        t = x.shape[1]
        # The bias from block 0's table, with the mask folded in, is reused by every block (as HF does).
        pos_bias = self.block[0].layer[0].SelfAttention.compute_bias(t, t, x.device) + self_mask_bias
        self_probs, cross_probs = [], []
        for blk in self.block:
            x, p = blk.layer[0](x, pos_bias)
            self_probs.append(p)
            if self.is_decoder:
                x, p = blk.layer[1](x, enc, cross_mask_bias)
                cross_probs.append(p)
            x = blk.layer[-1](x)
        return self.final_layer_norm(x), self_probs, cross_probs


class T5ForConditionalGeneration(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        d = cfg['d_model']
        self.shared = nn.Embedding(cfg['vocab_size'], d)
        self.encoder = Stack(cfg, cfg['num_layers'], False)
        self.decoder = Stack(cfg, cfg['num_decoder_layers'], True)
        self._init(cfg)

    def _init(self, cfg):
        """HF T5PreTrainedModel._init_weights with initializer_factor 1.0."""
        d, dkv, h, dff = cfg['d_model'], cfg['d_kv'], cfg['num_heads'], cfg['d_ff']
        nn.init.normal_(self.shared.weight, std=1.0)
        for m in self.modules():
            if isinstance(m, T5Attention):
                nn.init.normal_(m.q.weight, std=(d * dkv) ** -0.5)
                nn.init.normal_(m.k.weight, std=d ** -0.5)
                nn.init.normal_(m.v.weight, std=d ** -0.5)
                nn.init.normal_(m.o.weight, std=(h * dkv) ** -0.5)
                if hasattr(m, 'relative_attention_bias'):
                    nn.init.normal_(m.relative_attention_bias.weight, std=d ** -0.5)
            elif isinstance(m, DenseReluDense):
                nn.init.normal_(m.wi.weight, std=d ** -0.5)
                nn.init.normal_(m.wo.weight, std=dff ** -0.5)

    def encode(self, input_ids, attention_mask=None):
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        mask_bias = (1.0 - attention_mask[:, None, None, :].float()) * MASK_VALUE
        return self.encoder(self.shared(input_ids), mask_bias)

    def decode(self, enc, decoder_input_ids, attention_mask=None):
        b, t = decoder_input_ids.shape
        if attention_mask is None:
            attention_mask = torch.ones(enc.shape[:2], dtype=torch.long, device=enc.device)
        cross_bias = (1.0 - attention_mask[:, None, None, :].float()) * MASK_VALUE
        causal = torch.ones(t, t, dtype=torch.bool, device=enc.device).tril()
        self_bias = torch.zeros(t, t, device=enc.device).masked_fill(~causal, MASK_VALUE)[None, None]
        x, self_probs, cross_probs = self.decoder(self.shared(decoder_input_ids), self_bias, enc, cross_bias)
        x = x * (self.cfg['d_model'] ** -0.5)  # tied embeddings: rescale before the LM head
        return x @ self.shared.weight.t(), self_probs, cross_probs

    def forward(self, input_ids, decoder_input_ids, attention_mask=None, output_attentions=False):
        enc, enc_probs, _ = self.encode(input_ids, attention_mask)
        logits, dec_probs, cross_probs = self.decode(enc, decoder_input_ids, attention_mask)
        if output_attentions:
            return logits, {'encoder': enc_probs, 'decoder': dec_probs, 'cross': cross_probs}
        return logits

    @staticmethod
    def shift_right(labels, start_id=0, pad_id=0):
        dec = torch.full_like(labels, pad_id)
        dec[:, 1:] = labels[:, :-1]
        dec[:, 0] = start_id
        return dec.masked_fill(dec == -100, pad_id)

    @torch.no_grad()
    def greedy(self, input_ids, max_len=32, eos_id=1, attention_mask=None):
        enc, _, _ = self.encode(input_ids, attention_mask)
        dec = torch.zeros(input_ids.shape[0], 1, dtype=torch.long)
        done = torch.zeros(input_ids.shape[0], dtype=torch.bool)
        for _ in range(max_len):
            logits, _, _ = self.decode(enc, dec, attention_mask)
            nxt = logits[:, -1].argmax(-1)
            nxt = torch.where(done, torch.zeros_like(nxt), nxt)
            dec = torch.cat([dec, nxt[:, None]], 1)
            done |= nxt == eos_id
            if done.all():
                break
        return dec[:, 1:]

    def hf_state_dict(self):
        # save_pretrained writes the shared embedding once, as shared.weight; encoder.embed_tokens,
        # decoder.embed_tokens and lm_head are tied to it and dropped.
        return dict(self.state_dict())

    @staticmethod
    def config_json(cfg):
        return {
            'architectures': ['T5ForConditionalGeneration'], 'classifier_dropout': 0.0, 'd_ff': cfg['d_ff'],
            'd_kv': cfg['d_kv'], 'd_model': cfg['d_model'], 'decoder_start_token_id': 0,
            'dense_act_fn': 'relu', 'dropout_rate': 0.0, 'eos_token_id': 1, 'feed_forward_proj': 'relu',
            'initializer_factor': 1.0, 'is_encoder_decoder': True, 'is_gated_act': False,
            'layer_norm_epsilon': cfg['layer_norm_epsilon'], 'model_type': 't5', 'n_positions': 512,
            'num_decoder_layers': cfg['num_decoder_layers'], 'num_heads': cfg['num_heads'],
            'num_layers': cfg['num_layers'], 'pad_token_id': 0,
            'relative_attention_max_distance': cfg['relative_attention_max_distance'],
            'relative_attention_num_buckets': cfg['relative_attention_num_buckets'],
            'tie_word_embeddings': True, 'torch_dtype': 'float32', 'use_cache': True,
            'vocab_size': cfg['vocab_size'],
        }
