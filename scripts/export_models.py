#!/usr/bin/python3
"""Export the benchmark models to ONNX with random weights (nothing is downloaded).

Usage: /usr/bin/python3 scripts/export_models.py [--out DIR] [--opsets 13,17] [NAME ...]

Needs Debian's python3-torch (1.13), python3-torchvision (0.14) and python3-onnx. Every model is
exported at each opset as DIR/<name>_op<opset>.onnx with a dynamic batch axis. The files are large
(up to ~530 MB each) and are never committed: models/ is gitignored.

torch's exporter de-duplicates initializers with equal values, so layers cloned by deepcopy (e.g.
TransformerEncoder) or left at constant init (LayerNorm ones/zeros) would collapse into one shared
tensor. Every parameter and float buffer is therefore redrawn at random before export.
"""
import argparse
import os
import sys
import time
import zlib

import torch
import torch.nn as nn
import torchvision

IMAGE_MODELS = [
    'resnet18', 'resnet50', 'mobilenet_v2', 'mobilenet_v3_small', 'mobilenet_v3_large',
    'efficientnet_b0', 'squeezenet1_0', 'squeezenet1_1', 'vgg16', 'vit_b_16',
]
TEXT_MODELS = ['bert_base', 'bert_hf', 'gpt_decoder']
ALL_MODELS = IMAGE_MODELS + TEXT_MODELS
SEQ_LEN = 128


def redraw_weights(model: nn.Module, seed: int) -> None:
    """Give every parameter and float buffer its own random values so no two are equal."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, t in list(model.named_parameters()) + list(model.named_buffers()):
            if not t.is_floating_point():
                continue
            if name.endswith('running_var'):
                t.copy_(torch.rand(t.shape, generator=gen) + 0.5)
            else:
                t.copy_(torch.randn(t.shape, generator=gen) * 0.02)


class BertEncoder(nn.Module):
    """BERT-base-style encoder: token + position embeddings, 12 post-norm GELU encoder layers."""

    def __init__(self, vocab=30522, max_pos=512, d=768, heads=12, ff=3072, layers=12):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Embedding(max_pos, d)
        self.norm = nn.LayerNorm(d)
        layer = nn.TransformerEncoderLayer(d, heads, ff, dropout=0.0, activation='gelu',
                                           batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)

    def forward(self, input_ids):
        positions = torch.arange(input_ids.shape[1], device=input_ids.device).unsqueeze(0)
        x = self.norm(self.tok(input_ids) + self.pos(positions))
        return self.encoder(x)


class HfSelfAttention(nn.Module):
    """transformers' BertSelfAttention: separate query, key and value Linears, an additive mask."""

    def __init__(self, d=768, heads=12):
        super().__init__()
        self.heads, self.head_dim = heads, d // heads
        self.query, self.key, self.value = nn.Linear(d, d), nn.Linear(d, d), nn.Linear(d, d)

    def split(self, x):
        b, l, _ = x.shape
        return x.view(b, l, self.heads, self.head_dim).permute(0, 2, 1, 3)

    def forward(self, x, mask):
        q, k, v = self.split(self.query(x)), self.split(self.key(x)), self.split(self.value(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / (self.head_dim ** 0.5) + mask
        ctx = torch.matmul(nn.functional.softmax(scores, dim=-1), v).permute(0, 2, 1, 3).contiguous()
        return ctx.view(ctx.shape[0], ctx.shape[1], -1)


class HfLayer(nn.Module):
    """transformers' BertLayer: attention, output Linear, residual, LayerNorm; GELU MLP likewise."""

    def __init__(self, d=768, ff=3072):
        super().__init__()
        self.attention, self.attention_out = HfSelfAttention(d), nn.Linear(d, d)
        self.norm1 = nn.LayerNorm(d, eps=1e-12)
        self.intermediate, self.output = nn.Linear(d, ff), nn.Linear(ff, d)
        self.norm2 = nn.LayerNorm(d, eps=1e-12)

    def forward(self, x, mask):
        a = self.norm1(self.attention_out(self.attention(x, mask)) + x)
        return self.norm2(self.output(nn.functional.gelu(self.intermediate(a))) + a)


class HfBert(nn.Module):
    """BERT-base as transformers' BertModel computes it (word, position and token-type embeddings,
    an attention mask, separate Q/K/V projections, a tanh pooler), with three inputs. The same
    architecture as BertEncoder written the other common way, so the importer meets both."""

    def __init__(self, vocab=30522, max_pos=512, d=768, layers=12):
        super().__init__()
        self.word, self.position, self.token_type = nn.Embedding(vocab, d), nn.Embedding(max_pos, d), nn.Embedding(2, d)
        self.norm = nn.LayerNorm(d, eps=1e-12)
        self.layers = nn.ModuleList([HfLayer(d) for _ in range(layers)])
        self.pooler = nn.Linear(d, d)
        self.register_buffer('position_ids', torch.arange(max_pos).unsqueeze(0), persistent=False)

    def forward(self, input_ids, attention_mask, token_type_ids):
        seq = input_ids.shape[1]
        x = self.word(input_ids) + self.token_type(token_type_ids) + self.position(self.position_ids[:, :seq])
        x = self.norm(x)
        mask = (1.0 - attention_mask[:, None, None, :].to(torch.float32)) * torch.finfo(torch.float32).min
        for layer in self.layers:
            x = layer(x, mask)
        return x, torch.tanh(self.pooler(x[:, 0]))


class GptDecoder(nn.Module):
    """Decoder-only GPT-style model: pre-norm encoder layers under a causal mask, plus an LM head."""

    def __init__(self, vocab=50257, max_pos=1024, d=768, heads=12, ff=3072, layers=6):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Embedding(max_pos, d)
        layer = nn.TransformerEncoderLayer(d, heads, ff, dropout=0.0, activation='gelu',
                                           batch_first=True, norm_first=True)
        self.blocks = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, vocab, bias=False)

    def forward(self, input_ids):
        seq = input_ids.shape[1]
        positions = torch.arange(seq, device=input_ids.device).unsqueeze(0)
        # Causal mask built from comparisons, not torch.triu (no ONNX Trilu before opset 14).
        idx = torch.arange(seq, device=input_ids.device)
        mask = torch.zeros(seq, seq).masked_fill(idx.unsqueeze(0) > idx.unsqueeze(1), float('-inf'))
        x = self.tok(input_ids) + self.pos(positions)
        return self.head(self.norm(self.blocks(x, mask=mask)))


def build(name: str):
    """Returns (model, example inputs, input names, output names) for a model name."""
    if name in IMAGE_MODELS:
        model = getattr(torchvision.models, name)(weights=None)
        return model, (torch.randn(1, 3, 224, 224),), ['input'], ['output']
    if name == 'bert_base':
        return BertEncoder(), (torch.randint(0, 30522, (1, SEQ_LEN)),), ['input_ids'], ['output']
    if name == 'bert_hf':
        ids = torch.randint(0, 30522, (1, SEQ_LEN))
        inputs = (ids, torch.ones_like(ids), torch.zeros_like(ids))
        return HfBert(), inputs, ['input_ids', 'attention_mask', 'token_type_ids'], ['last_hidden_state', 'pooler_output']
    if name == 'gpt_decoder':
        return GptDecoder(), (torch.randint(0, 50257, (1, SEQ_LEN)),), ['input_ids'], ['output']
    raise SystemExit(f'unknown model {name!r}; known: {", ".join(ALL_MODELS)}')


def export(name: str, opset: int, out_dir: str) -> None:
    model, examples, input_names, output_names = build(name)
    redraw_weights(model, seed=zlib.crc32(name.encode()))
    model.eval()
    path = os.path.join(out_dir, f'{name}_op{opset}.onnx')
    start = time.time()
    torch.onnx.export(model, examples, path, opset_version=opset, input_names=input_names,
                      output_names=output_names,
                      dynamic_axes={n: {0: 'batch'} for n in input_names + output_names},
                      do_constant_folding=True)
    size_mb = os.path.getsize(path) / 1e6
    print(f'{path}: {size_mb:.1f} MB in {time.time() - start:.1f} s', flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out', default='models')
    parser.add_argument('--opsets', default='13,17')
    parser.add_argument('names', nargs='*', default=ALL_MODELS)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(0)
    for name in args.names:
        for opset in (int(o) for o in args.opsets.split(',')):
            export(name, opset, args.out)


if __name__ == '__main__':
    sys.exit(main())
