#!/usr/bin/python3
"""Writes the small committed ONNX fixtures under tests/fixtures/onnx/ (each well under 300 KB).

Usage: /usr/bin/python3 scripts/make_fixtures.py [OUT_DIR]

Needs Debian's python3-torch (1.13) and python3-onnx (1.12). Weights are random but seeded, so a
re-run gives the same numbers up to exporter version differences. Fixtures:
  tiny_cnn.onnx           torch: conv/relu/bn/maxpool/conv/bn/relu/gap/flatten/linear, opset 13, dynamic batch
  tiny_transformer.onnx   torch: one TransformerEncoderLayer (d=64, 4 heads, ff=128), opset 17, dynamic batch
  typed_fields.onnx       hand-made: initializers in float_data/int32_data/int64_data/double_data/uint64_data,
                          fp16/bf16/int8 bit patterns, unnamed nodes in reverse order, an initializer listed as input
  dynamic_seq.onnx        hand-made: input_ids [batch, sequence] into an embedding Gather
  external/model.onnx     hand-made MatMul+Add whose weights live in external/weights.bin
  broken/truncated.onnx   the first 1000 bytes of tiny_cnn.onnx
  broken/unknown_op.onnx  node "mystery" with op FooBar
  broken/escape/model.onnx           external data at ../tiny_cnn.onnx (outside its folder)
  broken/missing_external/model.onnx external data in a file that does not exist
"""
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn
from onnx import TensorProto, helper, numpy_helper

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', 'tests', 'fixtures', 'onnx')


class TinyCnn(nn.Module):
    """Input [N, 3, 32, 32]. The first BatchNorm follows a ReLU, so the exporter cannot fold it."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.pool = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(8, 16, 3, stride=2, padding=1)
        self.bn2 = nn.BatchNorm2d(16)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = self.pool(self.bn1(torch.relu(self.conv1(x))))
        x = torch.relu(self.bn2(self.conv2(x)))
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


def randomise(model: nn.Module) -> None:
    with torch.no_grad():
        for name, t in list(model.named_parameters()) + list(model.named_buffers()):
            if t.is_floating_point():
                t.copy_(torch.rand(t.shape) + 0.5 if name.endswith('running_var') else torch.randn(t.shape) * 0.1)


def export_torch(model: nn.Module, example, path: str, opset: int, input_name: str) -> None:
    randomise(model)
    model.eval()
    torch.onnx.export(model, (example,), path, opset_version=opset, input_names=[input_name],
                      output_names=['output'],
                      dynamic_axes={input_name: {0: 'batch'}, 'output': {0: 'batch'}})


def save(model: onnx.ModelProto, path: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(model.SerializeToString())


def opset(v: int = 17):
    return [helper.make_opsetid('', v)]


def typed_fields() -> onnx.ModelProto:
    """Initializers in every typed field; nodes unnamed and listed consumers-first."""
    inits = [
        helper.make_tensor('w', TensorProto.FLOAT, [2, 3], [1, 2, 3, 4, 5, 6]),
        helper.make_tensor('h', TensorProto.FLOAT16, [3], [1.0, 2.0, -0.5]),  # stored as int32_data bit patterns
        helper.make_tensor('bf', TensorProto.BFLOAT16, [2], [1.0, -2.0]),
        helper.make_tensor('shape', TensorProto.INT64, [2], [3, 2]),
        helper.make_tensor('d', TensorProto.DOUBLE, [1], [0.25]),
        helper.make_tensor('i8', TensorProto.INT8, [3], [-1, 2, -3]),
        helper.make_tensor('u64', TensorProto.UINT64, [2], [5, 7]),
    ]
    nodes = [
        helper.make_node('Reshape', ['c', 'shape'], ['y']),
        helper.make_node('Add', ['b', 'dc'], ['c']),
        helper.make_node('Cast', ['d'], ['dc'], to=TensorProto.FLOAT),
        helper.make_node('Mul', ['a', 'hc'], ['b']),
        helper.make_node('Cast', ['h'], ['hc'], to=TensorProto.FLOAT),
        helper.make_node('Add', ['x', 'w'], ['a']),
    ]
    graph = helper.make_graph(
        nodes, 'typed_fields',
        [helper.make_tensor_value_info('x', TensorProto.FLOAT, [2, 3]),
         helper.make_tensor_value_info('w', TensorProto.FLOAT, [2, 3])],
        [helper.make_tensor_value_info('y', TensorProto.FLOAT, [3, 2])],
        inits,
        value_info=[helper.make_tensor_value_info('a', TensorProto.FLOAT, [2, 3])])
    return helper.make_model(graph, opset_imports=opset(), producer_name='make_fixtures')


def dynamic_seq() -> onnx.ModelProto:
    emb = helper.make_tensor('emb', TensorProto.FLOAT, [100, 8], np.zeros(800, np.float32).tolist())
    graph = helper.make_graph(
        [helper.make_node('Gather', ['emb', 'input_ids'], ['output'], name='embed')], 'dynamic_seq',
        [helper.make_tensor_value_info('input_ids', TensorProto.INT64, ['batch', 'sequence'])],
        [helper.make_tensor_value_info('output', TensorProto.FLOAT, ['batch', 'sequence', 8])],
        [emb])
    return helper.make_model(graph, opset_imports=opset(), producer_name='make_fixtures')


def matmul_add(weight_location: str) -> onnx.ModelProto:
    """y = x @ W + b with W [8, 16] and b [16] stored externally at `weight_location`."""
    w = helper.make_tensor('W', TensorProto.FLOAT, [8, 16], np.arange(128, dtype=np.float32).tolist())
    b = helper.make_tensor('b', TensorProto.FLOAT, [16], np.full(16, 0.5, np.float32).tolist())
    graph = helper.make_graph(
        [helper.make_node('MatMul', ['x', 'W'], ['xw'], name='matmul'),
         helper.make_node('Add', ['xw', 'b'], ['y'], name='bias')], 'external',
        [helper.make_tensor_value_info('x', TensorProto.FLOAT, [1, 8])],
        [helper.make_tensor_value_info('y', TensorProto.FLOAT, [1, 16])], [w, b])
    model = helper.make_model(graph, opset_imports=opset(), producer_name='make_fixtures')
    offset = 0
    for t in model.graph.initializer:
        data = numpy_helper.to_array(t).tobytes()
        t.ClearField('float_data')
        t.data_location = TensorProto.EXTERNAL
        for k, v in (('location', weight_location), ('offset', str(offset)), ('length', str(len(data)))):
            t.external_data.add(key=k, value=v)
        offset += len(data)
    return model


def external_weights_bytes() -> bytes:
    return np.arange(128, dtype=np.float32).tobytes() + np.full(16, 0.5, np.float32).tobytes()


def unknown_op() -> onnx.ModelProto:
    graph = helper.make_graph(
        [helper.make_node('Relu', ['x'], ['r'], name='relu'),
         helper.make_node('FooBar', ['r'], ['y'], name='mystery')], 'unknown_op',
        [helper.make_tensor_value_info('x', TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info('y', TensorProto.FLOAT, [1, 4])])
    return helper.make_model(graph, opset_imports=opset(), producer_name='make_fixtures')


def main() -> None:
    torch.manual_seed(0)
    os.makedirs(OUT, exist_ok=True)
    cnn_path = os.path.join(OUT, 'tiny_cnn.onnx')
    export_torch(TinyCnn(), torch.randn(1, 3, 32, 32), cnn_path, 13, 'input')
    layer = nn.TransformerEncoderLayer(64, 4, 128, dropout=0.0, batch_first=True)
    export_torch(layer, torch.randn(1, 16, 64), os.path.join(OUT, 'tiny_transformer.onnx'), 17, 'input')
    save(typed_fields(), os.path.join(OUT, 'typed_fields.onnx'))
    save(dynamic_seq(), os.path.join(OUT, 'dynamic_seq.onnx'))
    save(matmul_add('weights.bin'), os.path.join(OUT, 'external', 'model.onnx'))
    with open(os.path.join(OUT, 'external', 'weights.bin'), 'wb') as f:
        f.write(external_weights_bytes())
    with open(cnn_path, 'rb') as f:
        cnn = f.read()
    os.makedirs(os.path.join(OUT, 'broken'), exist_ok=True)
    with open(os.path.join(OUT, 'broken', 'truncated.onnx'), 'wb') as f:
        f.write(cnn[:1000])
    save(unknown_op(), os.path.join(OUT, 'broken', 'unknown_op.onnx'))
    save(matmul_add('../tiny_cnn.onnx'), os.path.join(OUT, 'broken', 'escape', 'model.onnx'))
    save(matmul_add('nope.bin'), os.path.join(OUT, 'broken', 'missing_external', 'model.onnx'))
    for root, _, files in os.walk(OUT):
        for name in sorted(files):
            path = os.path.join(root, name)
            print(f'{os.path.relpath(path, OUT)}: {os.path.getsize(path)} bytes')


if __name__ == '__main__':
    main()
