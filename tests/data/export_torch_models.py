"""How tests/data/torch_*.onnx were made (torch 2.13, the TorchScript exporter, opset 17):
real PyTorch exports for the importer's tests. Not run by the tests; needs torch. The LSTM
language model is benchmarks/export_models.py's, small.

    python tests/data/export_torch_models.py
"""

# ruff: noqa
import torch, torch.nn as nn, torch.nn.functional as F


class Basic(nn.Module):
    def __init__(s, i, o, stride):
        super().__init__()
        s.c1 = nn.Conv2d(i, o, 3, stride, 1, bias=False)
        s.b1 = nn.BatchNorm2d(o)
        s.c2 = nn.Conv2d(o, o, 3, 1, 1, bias=False)
        s.b2 = nn.BatchNorm2d(o)
        s.down = None
        if stride != 1 or i != o:
            s.down = nn.Sequential(nn.Conv2d(i, o, 1, stride, bias=False), nn.BatchNorm2d(o))

    def forward(s, x):
        y = F.relu(s.b1(s.c1(x)))
        y = s.b2(s.c2(y))
        return F.relu(y + (s.down(x) if s.down else x))


class ResNet18(nn.Module):
    def __init__(s, width=64, classes=1000):
        super().__init__()
        s.stem = nn.Sequential(
            nn.Conv2d(3, width, 7, 2, 3, bias=False),
            nn.BatchNorm2d(width),
            nn.ReLU(),
            nn.MaxPool2d(3, 2, 1),
        )
        layers, c = [], width
        for i, m in enumerate([1, 2, 4, 8]):
            o = width * m
            layers += [Basic(c, o, 1 if i == 0 else 2), Basic(o, o, 1)]
            c = o
        s.layers = nn.Sequential(*layers)
        s.fc = nn.Linear(c, classes)

    def forward(s, x):
        x = s.layers(s.stem(x))
        return s.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


class Squeeze(nn.Module):  # SqueezeNet fire modules
    def __init__(s):
        super().__init__()
        s.stem = nn.Sequential(
            nn.Conv2d(3, 64, 3, 2), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2, ceil_mode=True)
        )
        s.fires = nn.ModuleList(
            [
                nn.ModuleList(
                    [nn.Conv2d(cin, sq, 1), nn.Conv2d(sq, e, 1), nn.Conv2d(sq, e, 3, padding=1)]
                )
                for cin, sq, e in [(64, 16, 64), (128, 16, 64), (128, 32, 128)]
            ]
        )
        s.head = nn.Sequential(
            nn.Dropout(0.5), nn.Conv2d(256, 10, 1), nn.ReLU(), nn.AdaptiveAvgPool2d(1)
        )

    def forward(s, x):
        x = s.stem(x)
        for sq, e1, e3 in s.fires:
            h = F.relu(sq(x))
            x = torch.cat([F.relu(e1(h)), F.relu(e3(h))], 1)
        return torch.flatten(s.head(x), 1)


class Encoder(nn.Module):
    def __init__(s):
        super().__init__()
        s.layer = nn.TransformerEncoderLayer(
            64, 4, 128, dropout=0.0, activation="gelu", batch_first=True
        )

    def forward(s, x):
        return s.layer(x)


for name, model, shape, dyn in [
    ("torch_squeezenet_small", Squeeze(), (1, 3, 64, 64), True),
    ("torch_encoder_layer", Encoder(), (2, 10, 64), True),
]:
    model.eval()
    torch.manual_seed(0)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 1.5)
    x = torch.randn(*shape)
    torch.onnx.export(
        model,
        (x,),
        f"{name}.onnx",
        input_names=["input"],
        output_names=["output"],
        dynamic_axes={"input": {0: "N"}, "output": {0: "N"}},
        opset_version=17,
        dynamo=False,
    )
    print("exported", name)

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from export_models import export, lstm_language_model

torch.manual_seed(0)
small = lstm_language_model(vocabulary=50, embedding=16, hidden=24, sequence=7)
export(*small, Path("torch_lstm_lm_small.onnx"))
print("exported", "torch_lstm_lm_small")
