"""Loads a written model folder (config.json + model.safetensors) back into the PyTorch modules, so
goldens and cards are computed from exactly the files the app ships."""
from .common import MODELS, read_json
from .safetensors_io import load as load_st


def load_model(model_id):
    d = MODELS / model_id
    cfg = read_json(d / 'config.json')
    sd = load_st(d / 'model.safetensors')
    if cfg['model_type'] == 'gpt2':
        from .model_gpt2 import GPT2LMHeadModel
        m = GPT2LMHeadModel(cfg)
    elif cfg['model_type'] == 'bert':
        from .model_bert import BertForMaskedLM
        m = BertForMaskedLM(cfg)
    elif cfg['model_type'] == 't5':
        from .model_t5 import T5ForConditionalGeneration
        m = T5ForConditionalGeneration(cfg)
    elif cfg['model_type'] == 'llama':
        from .model_llama import LlamaForCausalLM
        m = LlamaForCausalLM(cfg)
    else:
        raise ValueError(cfg['model_type'])
    missing, unexpected = m.load_state_dict(sd, strict=False)
    if missing or unexpected:
        raise SystemExit(f'{model_id}: missing {missing}, unexpected {unexpected}')
    m.eval()
    return m, cfg
