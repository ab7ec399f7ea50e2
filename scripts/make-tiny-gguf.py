#!/usr/bin/env python3
"""Writes a tiny llama model in GGUF with seeded random weights, for real inference servers in tests.

    make-tiny-gguf.py VOCAB.gguf OUT.gguf [--seed N]

VOCAB.gguf is a vocab-only GGUF file from llama.cpp's tree (models/ggml-vocab-llama-spm.gguf in the
llama-cpp-python sdist); its tokenizer is copied. The model has 2 layers of 64 dimensions: llama.cpp
loads it like any llama, generates real tokens (nonsense text) at real speed and reports real
timings and metrics. The same seed writes the same bytes, so the file can be cached by its hash.
"""
import argparse
import sys

import numpy as np
from gguf import GGUFReader, GGUFValueType, GGUFWriter

N_LAYER = 2
N_EMBD = 64
N_HEAD = 4
N_FF = 128
N_CTX = 2048

# ChatML: a template both llama-server (--jinja) and llama-cpp-python's Jinja2 chat formatter render.
CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)


def field(reader: GGUFReader, key: str):
    f = reader.fields.get(key)
    if f is None:
        sys.exit(f"make-tiny-gguf: {key} is missing from the vocabulary file")
    return f.contents()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("vocab")
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()

    vocab = GGUFReader(args.vocab)
    if field(vocab, "tokenizer.ggml.model") != "llama":
        sys.exit("make-tiny-gguf: the vocabulary must be a llama (SentencePiece) one")
    tokens = field(vocab, "tokenizer.ggml.tokens")
    scores = field(vocab, "tokenizer.ggml.scores")
    types = field(vocab, "tokenizer.ggml.token_type")
    n_vocab = len(tokens)

    w = GGUFWriter(args.out, "llama")
    w.add_name("aibackend-tiny-random")
    w.add_context_length(N_CTX)
    w.add_embedding_length(N_EMBD)
    w.add_block_count(N_LAYER)
    w.add_feed_forward_length(N_FF)
    w.add_head_count(N_HEAD)
    w.add_head_count_kv(N_HEAD)
    w.add_rope_dimension_count(N_EMBD // N_HEAD)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_vocab_size(n_vocab)
    w.add_file_type(0)  # all F32
    w.add_tokenizer_model("llama")
    w.add_tokenizer_pre("default")
    w.add_token_list(tokens)
    w.add_token_scores(scores)
    w.add_token_types(types)
    w.add_bos_token_id(int(field(vocab, "tokenizer.ggml.bos_token_id")))
    w.add_eos_token_id(int(field(vocab, "tokenizer.ggml.eos_token_id")))
    w.add_unk_token_id(int(field(vocab, "tokenizer.ggml.unknown_token_id")))
    w.add_add_bos_token(True)
    w.add_add_eos_token(False)
    w.add_chat_template(CHAT_TEMPLATE)

    rng = np.random.default_rng(args.seed)

    def rand(*shape: int) -> np.ndarray:
        return (rng.standard_normal(shape) * 0.02).astype(np.float32)

    ones = np.ones(N_EMBD, dtype=np.float32)
    # numpy shapes are GGUF's dimensions reversed: token_embd is ne = [n_embd, n_vocab].
    w.add_tensor("token_embd.weight", rand(n_vocab, N_EMBD))
    for i in range(N_LAYER):
        w.add_tensor(f"blk.{i}.attn_norm.weight", ones)
        w.add_tensor(f"blk.{i}.attn_q.weight", rand(N_EMBD, N_EMBD))
        w.add_tensor(f"blk.{i}.attn_k.weight", rand(N_EMBD, N_EMBD))
        w.add_tensor(f"blk.{i}.attn_v.weight", rand(N_EMBD, N_EMBD))
        w.add_tensor(f"blk.{i}.attn_output.weight", rand(N_EMBD, N_EMBD))
        w.add_tensor(f"blk.{i}.ffn_norm.weight", ones)
        w.add_tensor(f"blk.{i}.ffn_gate.weight", rand(N_FF, N_EMBD))
        w.add_tensor(f"blk.{i}.ffn_up.weight", rand(N_FF, N_EMBD))
        w.add_tensor(f"blk.{i}.ffn_down.weight", rand(N_EMBD, N_FF))
    w.add_tensor("output_norm.weight", ones)
    w.add_tensor("output.weight", rand(n_vocab, N_EMBD))

    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


if __name__ == "__main__":
    main()
