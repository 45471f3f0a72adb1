"""Export the networks of issue 12 (random weights) to ONNX for benchmarks/networks.py:
built from the classes of PyTorch, torchvision and transformers and their configurations,
no downloads. Needs torch, torchvision and transformers (not dependencies of Ziggurat).

    python benchmarks/export_models.py [--out networks] [--small] [name ...]

Each model is a function of its sizes giving the module and example inputs by name; its
batch dimension is exported dynamic (networks.py fixes it to 1). `--small` exports the
variants tests/frontends/test_exported_models.py runs (tests/data/torch_*_small.onnx).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

Example = tuple[Any, dict[str, Any]]

# Sequence models ---------------------------------------------------------------------------


def lstm_language_model(
    vocabulary: int = 10000, embedding: int = 200, hidden: int = 200, sequence: int = 35
) -> Example:
    """PyTorch's word language model: embedding, a 2-layer LSTM, a linear layer giving the
    next token's logits at every position (batch first, `sequence` tokens)."""
    import torch
    from torch import nn

    class LanguageModel(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embed = nn.Embedding(vocabulary, embedding)
            self.lstm = nn.LSTM(embedding, hidden, num_layers=2, batch_first=True)
            self.decode = nn.Linear(hidden, vocabulary)

        def forward(self, tokens: torch.Tensor) -> torch.Tensor:
            states, _ = self.lstm(self.embed(tokens))
            return self.decode(states)

    return LanguageModel(), {"input": torch.randint(0, vocabulary, (1, sequence))}


def bert(
    vocabulary: int = 30522,
    hidden: int = 768,
    layers: int = 12,
    heads: int = 12,
    intermediate: int = 3072,
    sequence: int = 128,
) -> Example:
    """BERT-base (transformers' BertModel, eager attention): token ids and an attention
    mask in (the mask becomes Cast, Sub, Mul: an additive bias), the last hidden states
    out."""
    import torch
    from transformers import BertConfig, BertModel

    config = BertConfig(
        vocab_size=vocabulary,
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        intermediate_size=intermediate,
        max_position_embeddings=max(512, sequence),
        attn_implementation="eager",
    )
    model = BertModel(config, add_pooling_layer=False)

    class Bert(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = model

        def forward(self, tokens: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
            return self.bert(input_ids=tokens, attention_mask=mask).last_hidden_state

    tokens = torch.randint(0, vocabulary, (1, sequence))
    mask = torch.ones(1, sequence, dtype=torch.int64)
    mask[:, sequence - sequence // 4 :] = 0  # padding at the end
    return Bert(), {"input": tokens, "mask": mask}


def gpt2(
    vocabulary: int = 50257,
    hidden: int = 768,
    layers: int = 12,
    heads: int = 12,
    sequence: int = 128,
) -> Example:
    """GPT-2 small (transformers' GPT2LMHeadModel, eager attention, no cache): token ids in,
    the next token's logits at every position out; its causal mask is a Where on a
    constant triangle."""
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    config = GPT2Config(
        vocab_size=vocabulary,
        n_embd=hidden,
        n_layer=layers,
        n_head=heads,
        n_positions=max(1024, sequence),
        attn_implementation="eager",
        use_cache=False,
    )
    model = GPT2LMHeadModel(config)

    class Gpt2(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.gpt2 = model

        def forward(self, tokens: torch.Tensor) -> torch.Tensor:
            # A mask of ones: without one, transformers looks for packed sequences with
            # torch.diff, which the exporter does not take.
            mask = torch.ones_like(tokens)
            return self.gpt2(input_ids=tokens, attention_mask=mask, use_cache=False).logits

    return Gpt2(), {"input": torch.randint(0, vocabulary, (1, sequence))}


# Image models ------------------------------------------------------------------------------


def vit(
    image: int = 224,
    patch: int = 16,
    layers: int = 12,
    heads: int = 12,
    hidden: int = 768,
    mlp: int = 3072,
    classes: int = 1000,
) -> Example:
    """ViT-B/16 (torchvision's VisionTransformer): patches by a strided convolution, a class
    token, encoder layers of multi-head attention, the class token's logits."""
    import torch
    from torchvision.models.vision_transformer import VisionTransformer

    model = VisionTransformer(image, patch, layers, heads, hidden, mlp, num_classes=classes)
    torch.nn.init.normal_(model.heads.head.weight, std=0.02)  # zeros in torchvision
    return model, {"input": torch.randn(1, 3, image, image)}


def mobilenet_v3_large(image: int = 224, width: float = 1.0, classes: int = 1000) -> Example:
    """torchvision's MobileNetV3-large: HardSwish, squeeze-and-excitation with HardSigmoid,
    depthwise convolutions."""
    import torch
    from torchvision.models import mobilenet_v3_large as build

    model = build(width_mult=width, num_classes=classes)
    return model, {"input": torch.randn(1, 3, image, image)}


def yolo(image: int = 320, width: int = 32, classes: int = 80) -> Example:
    """A YOLOv5-style detector: a backbone of Conv-BatchNorm-SiLU blocks, a neck that
    upsamples (nearest Resize) and concatenates, and heads at strides 8, 16 and 32 that
    decode boxes on their grids (sigmoid, grid offsets, anchors): (N, boxes, 5 + classes)."""
    import torch
    from torch import nn

    def block(i: int, o: int, stride: int = 1) -> nn.Module:
        conv = nn.Conv2d(i, o, 3, stride, 1, bias=False)
        return nn.Sequential(conv, nn.BatchNorm2d(o), nn.SiLU())

    anchors = [[10, 13, 16, 30, 33, 23], [30, 61, 62, 45, 59, 119], [116, 90, 156, 198, 373, 326]]

    class Detector(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            w = width
            self.stem = nn.Sequential(block(3, w, 2), block(w, 2 * w, 2), block(2 * w, 2 * w))
            self.down8 = nn.Sequential(block(2 * w, 4 * w, 2), block(4 * w, 4 * w))
            self.down16 = nn.Sequential(block(4 * w, 8 * w, 2), block(8 * w, 8 * w))
            self.down32 = nn.Sequential(block(8 * w, 16 * w, 2), block(16 * w, 8 * w))
            self.up = nn.Upsample(scale_factor=2, mode="nearest")
            self.neck16 = block(16 * w, 8 * w)
            self.neck8 = block(12 * w, 4 * w)
            outputs = 3 * (5 + classes)
            self.heads = nn.ModuleList(nn.Conv2d(c, outputs, 1) for c in (4 * w, 8 * w, 8 * w))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            p8 = self.down8(self.stem(x))
            p16 = self.down16(p8)
            p32 = self.down32(p16)
            n16 = self.neck16(torch.cat([self.up(p32), p16], 1))
            n8 = self.neck8(torch.cat([self.up(n16), p8], 1))
            boxes = []
            for head, feature, stride, anchor in zip(
                self.heads, (n8, n16, p32), (8, 16, 32), anchors, strict=True
            ):
                y = head(feature)
                n, _, h, w = y.shape
                y = y.view(n, 3, 5 + classes, h, w).permute(0, 1, 3, 4, 2).sigmoid()
                rows, columns = torch.meshgrid(torch.arange(h), torch.arange(w), indexing="ij")
                grid = torch.stack((columns, rows), 2).view(1, 1, h, w, 2).float()
                sizes = torch.tensor(anchor, dtype=torch.float32).view(1, 3, 1, 1, 2)
                xy = (y[..., :2] * 2 - 0.5 + grid) * stride
                wh = (y[..., 2:4] * 2) ** 2 * sizes
                boxes.append(torch.cat((xy, wh, y[..., 4:]), -1).view(n, -1, 5 + classes))
            return torch.cat(boxes, 1)

    return Detector(), {"input": torch.randn(1, 3, image, image)}


def unet(image: int = 256, width: int = 64, classes: int = 2) -> Example:
    """U-Net: double 3x3 convolutions, max pooling down, transposed convolutions up (and a
    bilinear Resize at the last level), skip connections concatenated."""
    import torch
    from torch import nn

    def double(i: int, o: int) -> nn.Module:
        return nn.Sequential(
            nn.Conv2d(i, o, 3, padding=1, bias=False),
            nn.BatchNorm2d(o),
            nn.ReLU(),
            nn.Conv2d(o, o, 3, padding=1, bias=False),
            nn.BatchNorm2d(o),
            nn.ReLU(),
        )

    class UNet(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            w = width
            self.downs = nn.ModuleList(
                [double(3, w), double(w, 2 * w), double(2 * w, 4 * w), double(4 * w, 8 * w)]
            )
            self.bottom = double(8 * w, 16 * w)
            self.ups = nn.ModuleList(
                [
                    nn.ConvTranspose2d(16 * w, 8 * w, 2, 2),
                    nn.ConvTranspose2d(8 * w, 4 * w, 2, 2),
                    nn.ConvTranspose2d(4 * w, 2 * w, 2, 2),
                    nn.Sequential(
                        nn.Upsample(scale_factor=2, mode="bilinear"), nn.Conv2d(2 * w, w, 1)
                    ),
                ]
            )
            self.merges = nn.ModuleList(
                [
                    double(16 * w, 8 * w),
                    double(8 * w, 4 * w),
                    double(4 * w, 2 * w),
                    double(2 * w, w),
                ]
            )
            self.out = nn.Conv2d(w, classes, 1)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            skips = []
            for down in self.downs:
                x = down(x)
                skips.append(x)
                x = nn.functional.max_pool2d(x, 2)
            x = self.bottom(x)
            for up, merge, skip in zip(self.ups, self.merges, reversed(skips), strict=True):
                x = merge(torch.cat([up(x), skip], 1))
            return self.out(x)

    return UNet(), {"input": torch.randn(1, 3, image, image)}


MODELS: dict[str, Callable[[], Example]] = {
    "bert_base": bert,
    "gpt2": gpt2,
    "vit_b16": vit,
    "mobilenet_v3_large": mobilenet_v3_large,
    "yolo": yolo,
    "unet": unet,
    "lstm_language_model": lstm_language_model,
}

# Small variants for the tests: each model's structure at sizes that compile in seconds.
SMALL: dict[str, Callable[[], Example]] = {
    "bert_base": lambda: bert(100, 32, 2, 4, 64, 12),
    "gpt2": lambda: gpt2(100, 32, 2, 4, 12),
    "vit_b16": lambda: vit(32, 8, 2, 4, 32, 64, 10),
    "mobilenet_v3_large": lambda: mobilenet_v3_large(64, 0.25, 10),
    "yolo": lambda: yolo(64, 4, 3),
    "unet": lambda: unet(32, 4, 2),
    "lstm_language_model": lambda: lstm_language_model(50, 16, 24, 7),
}


def export(model: Any, example: dict[str, Any], path: Path) -> None:
    """Export `model` for its example inputs by name, the batch dimension dynamic."""
    import torch

    names = list(example)
    dynamic = {name: {0: "N"} for name in [*names, "output"]}
    torch.onnx.export(
        model.eval(),
        tuple(example.values()),
        str(path),
        input_names=names,
        output_names=["output"],
        dynamic_axes=dynamic,
        opset_version=17,
        dynamo=False,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="networks")
    parser.add_argument("--small", action="store_true", help="the tests' small variants")
    parser.add_argument("names", nargs="*", help=f"some of {', '.join(MODELS)}")
    args = parser.parse_args()
    unknown = set(args.names) - set(MODELS)
    if unknown:
        parser.error(f"unknown models: {', '.join(sorted(unknown))}")
    import torch

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    builders = SMALL if args.small else MODELS
    for name in args.names or MODELS:
        torch.manual_seed(0)
        model, example = builders[name]()
        path = out / (f"torch_{name}_small.onnx" if args.small else f"{name}.onnx")
        export(model, example, path)
        print("exported", path, flush=True)


if __name__ == "__main__":
    main()
