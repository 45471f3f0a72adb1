"""Export torchvision's image networks (random weights) to ONNX for benchmarks/networks.py:
the classic families the ONNX importer is for. Needs torch and torchvision (not
dependencies of Ziggurat).

    python benchmarks/export_torchvision.py [--out networks] [name ...]
"""

from __future__ import annotations

import argparse
import sys
import types
from pathlib import Path

# name: (constructor, image size)
NETWORKS = {
    "alexnet": ("alexnet", 224),
    "vgg11": ("vgg11", 224),
    "resnet18": ("resnet18", 224),
    "resnet50": ("resnet50", 224),
    "resnext50_32x4d": ("resnext50_32x4d", 224),
    "densenet121": ("densenet121", 224),
    "googlenet": ("googlenet", 224),
    "inception_v3": ("inception_v3", 299),
    "squeezenet1_0": ("squeezenet1_0", 224),
    "shufflenet_v2_x1_0": ("shufflenet_v2_x1_0", 224),
    "mobilenet_v2": ("mobilenet_v2", 224),
    "mnasnet0_5": ("mnasnet0_5", 224),
    "efficientnet_b0": ("efficientnet_b0", 224),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="networks")
    parser.add_argument("names", nargs="*", help=f"some of {', '.join(NETWORKS)}")
    args = parser.parse_args()
    unknown = set(args.names) - set(NETWORKS)
    if unknown:
        parser.error(f"unknown networks: {', '.join(sorted(unknown))}")
    # torchvision registers its C++ detection ops on import; the classifiers need none of
    # them, and a torchvision built for another torch fails there.
    sys.modules.setdefault("torchvision._meta_registrations", types.ModuleType("stub"))
    import torch
    import torchvision.models as models

    torch.manual_seed(0)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name in args.names or NETWORKS:
        constructor, size = NETWORKS[name]
        extra = (
            {"aux_logits": False, "init_weights": True}
            if name in ("googlenet", "inception_v3")
            else {}
        )
        model = getattr(models, constructor)(**extra).eval()
        x = torch.randn(1, 3, size, size)
        torch.onnx.export(
            model,
            (x,),
            str(out / f"{name}.onnx"),
            input_names=["input"],
            output_names=["output"],
            opset_version=17,
            dynamo=False,
        )
        print("exported", out / f"{name}.onnx", flush=True)


if __name__ == "__main__":
    main()
