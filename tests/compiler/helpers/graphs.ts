// Hand-built graphs for compiler tests: a tiny builder that keeps ids dense and shapes explicit.
import type { AttrValue, DType, Graph, Node, NodeId, Tensor, TensorId } from '../../../compiler/graph.js';

export interface GraphBuilder {
  input(name: string, shape: number[]): TensorId;
  weight(name: string, shape: number[]): TensorId;
  node(op: string, inputs: TensorId[], outShape: number[], attrs?: Record<string, AttrValue>): TensorId;
  build(outputs: TensorId[]): Graph;
}

/** Starts a graph; every tensor is float32. */
export function graphBuilder(name = 'test'): GraphBuilder {
  const tensors: Tensor[] = [];
  const nodes: Node[] = [];
  const inputs: TensorId[] = [];
  const add = (t: Omit<Tensor, 'id' | 'dtype'> & { dtype?: DType }): TensorId => {
    const id = tensors.length as TensorId;
    tensors.push({ dtype: 'float32', ...t, id });
    return id;
  };
  return {
    input(n, shape) {
      const id = add({ name: n, shape, isConstant: false });
      inputs.push(id);
      return id;
    },
    weight(n, shape) {
      // Deterministic values so functional checks can run (a small LCG, centred on 0).
      let seed = tensors.length * 7919 + 17;
      const values = new Float32Array(shape.reduce((a, b) => a * b, 1)).map(() => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return seed / 2147483648 - 0.5;
      });
      return add({ name: n, shape, isConstant: true, values });
    },
    node(op, ins, outShape, attrs = {}) {
      const id = nodes.length as NodeId;
      const out = add({ name: `${op}_${id}_out`, shape: outShape, isConstant: false, producer: id });
      nodes.push({ id, name: `${op}_${id}`, op, domain: '', opset: 17, inputs: ins, outputs: [out], attrs });
      return out;
    },
    build(outputs) {
      return { name, opsets: { '': 17 }, tensors, nodes, inputs, outputs };
    },
  };
}

/** One MatMul of an [m, k] activation by a [k, n] weight. */
export function matmulGraph(m: number, k: number, n: number): Graph {
  const g = graphBuilder(`matmul_${m}x${k}x${n}`);
  const a = g.input('a', [m, k]);
  const w = g.weight('w', [k, n]);
  return g.build([g.node('MatMul', [a, w], [m, n])]);
}

/** conv3x3 -> relu -> conv1x1 -> add(residual) -> relu -> global pool -> gemm. */
export function smallResidualCnn(batch: number, c: number, hw: number): Graph {
  const g = graphBuilder('small_cnn');
  const x = g.input('x', [batch, c, hw, hw]);
  const ints = (v: number[]): AttrValue => ({ kind: 'ints', value: v });
  const c1 = g.node('Conv', [x, g.weight('w1', [c, c, 3, 3])], [batch, c, hw, hw], { kernel_shape: ints([3, 3]), pads: ints([1, 1, 1, 1]) });
  const r1 = g.node('Relu', [c1], [batch, c, hw, hw]);
  const c2 = g.node('Conv', [r1, g.weight('w2', [c, c, 1, 1])], [batch, c, hw, hw], { kernel_shape: ints([1, 1]) });
  const s = g.node('Add', [c2, x], [batch, c, hw, hw]);
  const r2 = g.node('Relu', [s], [batch, c, hw, hw]);
  const p = g.node('GlobalAveragePool', [r2], [batch, c, 1, 1]);
  const f = g.node('Flatten', [p], [batch, c]);
  const y = g.node('Gemm', [f, g.weight('fc', [10, c])], [batch, 10], { transB: { kind: 'int', value: 1 } });
  return g.build([y]);
}
