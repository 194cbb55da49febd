"""A compact re-implementation of Hugging Face BertForMaskedLM (same parameter names and shapes,
same maths): word + absolute position + token_type embeddings, LayerNorm(eps 1e-12), post-LN
encoder layers, scores scaled by 1/sqrt(head_dim) plus an additive padding mask of
finfo(float32).min, exact (erf) gelu, MLM head transform (dense, gelu, LayerNorm), decoder tied to
the word embeddings plus cls.predictions.bias. No pooler (BertForMaskedLM builds none)."""
import math

import torch
from torch import nn
from torch.nn import functional as F

MASK_VALUE = torch.finfo(torch.float32).min


class Embeddings(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        h = cfg['hidden_size']
        self.word_embeddings = nn.Embedding(cfg['vocab_size'], h, padding_idx=cfg['pad_token_id'])
        self.position_embeddings = nn.Embedding(cfg['max_position_embeddings'], h)
        self.token_type_embeddings = nn.Embedding(cfg['type_vocab_size'], h)
        self.LayerNorm = nn.LayerNorm(h, eps=cfg['layer_norm_eps'])

    def forward(self, ids, token_type_ids):
        pos = torch.arange(ids.shape[1], device=ids.device)[None]
        x = self.word_embeddings(ids) + self.token_type_embeddings(token_type_ids) + self.position_embeddings(pos)
        return self.LayerNorm(x)


class SelfAttention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        h = cfg['hidden_size']
        self.n_head = cfg['num_attention_heads']
        self.head_dim = h // self.n_head
        self.query = nn.Linear(h, h)
        self.key = nn.Linear(h, h)
        self.value = nn.Linear(h, h)

    def forward(self, x, attn_bias):
        b, t, h = x.shape
        q, k, v = (m(x).view(b, t, self.n_head, self.head_dim).transpose(1, 2) for m in (self.query, self.key, self.value))
        w = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_dim)
        if attn_bias is not None:
            w = w + attn_bias
        p = torch.softmax(w, dim=-1)
        return torch.matmul(p, v).transpose(1, 2).reshape(b, t, h), p


class DenseLN(nn.Module):
    """BertSelfOutput / BertOutput: dense, then LayerNorm(dense(x) + residual)."""

    def __init__(self, n_in, h, eps):
        super().__init__()
        self.dense = nn.Linear(n_in, h)
        self.LayerNorm = nn.LayerNorm(h, eps=eps)

    def forward(self, x, residual):
        return self.LayerNorm(self.dense(x) + residual)


class AttentionBlock(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.self = SelfAttention(cfg)
        self.output = DenseLN(cfg['hidden_size'], cfg['hidden_size'], cfg['layer_norm_eps'])

    def forward(self, x, attn_bias):
        a, p = self.self(x, attn_bias)
        return self.output(a, x), p


class Intermediate(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.dense = nn.Linear(cfg['hidden_size'], cfg['intermediate_size'])

    def forward(self, x):
        return F.gelu(self.dense(x))  # exact erf gelu ("gelu" in HF's ACT2FN)


class Layer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.attention = AttentionBlock(cfg)
        self.intermediate = Intermediate(cfg)
        self.output = DenseLN(cfg['intermediate_size'], cfg['hidden_size'], cfg['layer_norm_eps'])

    def forward(self, x, attn_bias):
        a, p = self.attention(x, attn_bias)
        return self.output(self.intermediate(a), a), p


class Encoder(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.layer = nn.ModuleList(Layer(cfg) for _ in range(cfg['num_hidden_layers']))


class Bert(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.embeddings = Embeddings(cfg)
        self.encoder = Encoder(cfg)


class Transform(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.dense = nn.Linear(cfg['hidden_size'], cfg['hidden_size'])
        self.LayerNorm = nn.LayerNorm(cfg['hidden_size'], eps=cfg['layer_norm_eps'])

    def forward(self, x):
        return self.LayerNorm(F.gelu(self.dense(x)))


class Predictions(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.transform = Transform(cfg)
        self.bias = nn.Parameter(torch.zeros(cfg['vocab_size']))


class Cls(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.predictions = Predictions(cfg)


class BertForMaskedLM(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.bert = Bert(cfg)
        self.cls = Cls(cfg)
        # Linear layers: std initializer_range (train_bert.py's CONFIG; see its PHASES note for why it
        # is BERT's own 0.02 again); embeddings 0.02. Initialisation does not change the architecture.
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, std=cfg['initializer_range'])
            elif isinstance(m, nn.Embedding):
                nn.init.normal_(m.weight, std=0.02)
            if isinstance(m, nn.Linear):
                nn.init.zeros_(m.bias)
        with torch.no_grad():
            self.bert.embeddings.word_embeddings.weight[cfg['pad_token_id']].zero_()

    def hidden(self, input_ids, attention_mask=None, token_type_ids=None, output_attentions=False):
        if token_type_ids is None:
            token_type_ids = torch.zeros_like(input_ids)
        attn_bias = None
        if attention_mask is not None:
            attn_bias = (1.0 - attention_mask[:, None, None, :].float()) * MASK_VALUE
        x = self.bert.embeddings(input_ids, token_type_ids)
        probs = []
        for layer in self.bert.encoder.layer:
            x, p = layer(x, attn_bias)
            probs.append(p)
        return x, probs

    def head(self, x):
        x = self.cls.predictions.transform(x)
        return x @ self.bert.embeddings.word_embeddings.weight.t() + self.cls.predictions.bias

    def forward(self, input_ids, attention_mask=None, token_type_ids=None, output_attentions=False):
        x, probs = self.hidden(input_ids, attention_mask, token_type_ids)
        logits = self.head(x)
        return (logits, probs) if output_attentions else logits

    def hf_state_dict(self):
        # save_pretrained drops the tied cls.predictions.decoder.{weight,bias}; position_ids and
        # token_type_ids are non-persistent buffers in current transformers.
        return dict(self.state_dict())

    @staticmethod
    def config_json(cfg):
        return {
            'architectures': ['BertForMaskedLM'], 'attention_probs_dropout_prob': 0.0, 'classifier_dropout': None,
            'hidden_act': 'gelu', 'hidden_dropout_prob': 0.0, 'hidden_size': cfg['hidden_size'],
            'initializer_range': cfg['initializer_range'], 'intermediate_size': cfg['intermediate_size'],
            'layer_norm_eps': cfg['layer_norm_eps'], 'max_position_embeddings': cfg['max_position_embeddings'],
            'model_type': 'bert', 'num_attention_heads': cfg['num_attention_heads'],
            'num_hidden_layers': cfg['num_hidden_layers'], 'pad_token_id': cfg['pad_token_id'],
            'position_embedding_type': 'absolute', 'tie_word_embeddings': True, 'torch_dtype': 'float32',
            'type_vocab_size': cfg['type_vocab_size'], 'use_cache': True, 'vocab_size': cfg['vocab_size'],
        }
