"""Export models beyond torchvision's classifiers (random weights) to ONNX for
benchmarks/networks.py: built from PyTorch's own modules, no downloads. Needs torch (not a
dependency of Ziggurat).

    python benchmarks/export_models.py [--out networks] [name ...]

Each model is a function giving the module and an example input; its batch dimension is
exported dynamic (networks.py fixes it to 1).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

# Sequence models ---------------------------------------------------------------------------


def lstm_language_model(
    vocabulary: int = 10000, embedding: int = 200, hidden: int = 200, sequence: int = 35
) -> tuple[Any, Any]:
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

    return LanguageModel(), torch.randint(0, vocabulary, (1, sequence))


MODELS: dict[str, Callable[[], tuple[Any, Any]]] = {
    "lstm_language_model": lstm_language_model,
}


def export(model: Any, example: Any, path: Path) -> None:
    import torch

    torch.onnx.export(
        model.eval(),
        (example,),
        str(path),
        input_names=["input"],
        output_names=["output"],
        dynamic_axes={"input": {0: "N"}, "output": {0: "N"}},
        opset_version=17,
        dynamo=False,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="networks")
    parser.add_argument("names", nargs="*", help=f"some of {', '.join(MODELS)}")
    args = parser.parse_args()
    unknown = set(args.names) - set(MODELS)
    if unknown:
        parser.error(f"unknown models: {', '.join(sorted(unknown))}")
    import torch

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name in args.names or MODELS:
        torch.manual_seed(0)
        model, example = MODELS[name]()
        export(model, example, out / f"{name}.onnx")
        print("exported", out / f"{name}.onnx", flush=True)


if __name__ == "__main__":
    main()
