// Recognises GELU written out with Erf, as PyTorch exports nn.GELU() before opset 20:
//   y = 0.5 · x · (1 + erf(x / √2))   (the Div may be a Mul by 1/√2; the halving may come first)
// and puts one Gelu node (com.microsoft, exact erf form: the op onnxruntime's GeluFusion makes)
// in place of the five. The function is the same; what changes is the cost on the device: the
// Tensix SFPU computes GELU as one pass over a tile (arch core.sfpuCyclesPerTile.gelu), where the
// written-out form takes the erf pass and four element-wise passes (Div, Add, Mul, Mul) besides.
// Likewise the tanh approximation becomes one FastGelu (below). Every intermediate value must be
// read only inside the pattern.

import { applyRewrite, producersOf, readersOf, scalarConstant, type WorkGraph, type WorkNode } from './work-graph.js';

const SQRT2 = Math.SQRT2;
/** The tanh approximation's constants: √(2/π) and the cubic term's 0.044715. */
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const CUBIC = 0.044715;
/** How near a constant must be to the pattern's value (bf16 exports round √2 to 1.4140625). */
const TOLERANCE = 2e-3;

/** The graph with each written-out GELU replaced by one Gelu (exact) or FastGelu (tanh) node. */
export function fuseGelu(work: WorkGraph): WorkGraph {
  const producer = producersOf(work);
  const readers = readersOf(work);
  const outputs = new Set(work.outputs);
  /** The only reader of `t`, when it has exactly one and `t` is no graph output. */
  const soleReader = (t: string): WorkNode | undefined => {
    const r = readers.get(t);
    return r !== undefined && r.length === 1 && !outputs.has(t) ? r[0] : undefined;
  };
  const constant = (t: string | undefined): number | undefined => scalarConstant(work, t);
  const near = (v: number | undefined, want: number) => v !== undefined && Math.abs(v - want) <= TOLERANCE * Math.abs(want);
  /** For a binary node with one constant operand near `want`: its other operand. */
  const otherOf = (n: WorkNode, op: string, want: number, commutes: boolean): string | undefined => {
    if (n.op !== op || n.domain !== '' || n.inputs.length !== 2) return undefined;
    const [a, b] = n.inputs;
    if (a !== undefined && near(constant(b), want) && constant(a) === undefined) return a;
    if (commutes && b !== undefined && near(constant(a), want) && constant(b) === undefined) return b;
    return undefined;
  };

  const replaced = new Map<WorkNode, WorkNode[]>(); // last node of a pattern -> its Gelu or FastGelu
  const dropped = new Set<WorkNode>();
  const deadTensors: string[] = [];

  /**
   * The tail both forms share, from f = erf(...) or tanh(...): 0.5 · x · (1 + f), the halving
   * after the product or (0.5 · x) first. Its nodes and inner values (f's own included), and the
   * last node, whose output the fused op takes over.
   */
  const halvedProduct = (f: string, x: string): { nodes: WorkNode[]; inner: string[]; last: WorkNode } | undefined => {
    const add = soleReader(f);
    if (add === undefined || otherOf(add, 'Add', 1, true) !== f) return undefined;
    const onePlus = add.outputs[0]!;
    const mul = soleReader(onePlus);
    if (mul === undefined || mul.op !== 'Mul' || mul.domain !== '' || mul.inputs.length !== 2) return undefined;
    const partner = mul.inputs[0] === onePlus ? mul.inputs[1] : mul.inputs[0];
    if (partner === undefined) return undefined;
    if (partner === x) {
      // 0.5 · (x · (1 + f)): the halving follows.
      const product = mul.outputs[0]!;
      const half = soleReader(product);
      if (half === undefined || otherOf(half, 'Mul', 0.5, true) !== product) return undefined;
      return { nodes: [add, mul, half], inner: [f, onePlus, product], last: half };
    }
    // (0.5 · x) · (1 + f): the halving came first, and only this Mul reads it.
    const halver = producer.get(partner);
    if (halver === undefined || otherOf(halver, 'Mul', 0.5, true) !== x || soleReader(partner) !== mul) return undefined;
    return { nodes: [halver, add, mul], inner: [f, onePlus, partner], last: mul };
  };
  /** Puts `op` (com.microsoft) on x in place of `pattern`, unless a node of it is taken already. */
  const fuse = (op: 'Gelu' | 'FastGelu', name: string, x: string, pattern: readonly WorkNode[], inner: readonly string[], last: WorkNode): void => {
    if (pattern.some((n) => dropped.has(n))) return;
    for (const n of pattern) dropped.add(n);
    replaced.set(last, [{ name: `${name}/${op}`, op, domain: 'com.microsoft', opset: 1, attrs: {}, inputs: [x], outputs: [last.outputs[0]!] }]);
    deadTensors.push(...inner);
  };

  for (const erf of work.nodes) {
    if (erf.op !== 'Erf' || erf.domain !== '' || erf.inputs[0] === undefined) continue;
    const scaled = erf.inputs[0];
    const scale = producer.get(scaled);
    if (scale === undefined || soleReader(scaled) !== erf) continue;
    const x = otherOf(scale, 'Div', SQRT2, false) ?? otherOf(scale, 'Mul', 1 / SQRT2, true);
    if (x === undefined) continue;
    const tail = halvedProduct(erf.outputs[0]!, x);
    if (tail === undefined) continue;
    fuse('Gelu', erf.name, x, [scale, erf, ...tail.nodes], [scaled, ...tail.inner], tail.last);
  }
  // The tanh approximation (nn.GELU(approximate='tanh'), transformers' gelu_new):
  //   y = 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³)))   (x³ as Pow(x, 3) or x · (x · x))
  // becomes one FastGelu (com.microsoft, the same approximation; onnxruntime's FastGeluFusion).
  for (const tanh of work.nodes) {
    if (tanh.op !== 'Tanh' || tanh.domain !== '' || tanh.inputs[0] === undefined) continue;
    const u = tanh.inputs[0];
    const scale = producer.get(u);
    if (scale === undefined || soleReader(u) !== tanh) continue;
    const sum = otherOf(scale, 'Mul', SQRT_2_OVER_PI, true);
    const add = sum === undefined ? undefined : producer.get(sum);
    if (sum === undefined || add === undefined || soleReader(sum) !== scale || add.op !== 'Add' || add.domain !== '' || add.inputs.length !== 2) continue;
    // x + c·x³: one operand is x, the other the scaled cube of it.
    let found: { x: string; nodes: WorkNode[]; inner: string[] } | undefined;
    for (const [x, c] of [[add.inputs[0], add.inputs[1]], [add.inputs[1], add.inputs[0]]] as const) {
      if (x === undefined || c === undefined || found !== undefined) continue;
      const cubeScale = producer.get(c);
      if (cubeScale === undefined || soleReader(c) !== add) continue;
      const cube = otherOf(cubeScale, 'Mul', CUBIC, true);
      const cubeNode = cube === undefined ? undefined : producer.get(cube);
      if (cube === undefined || cubeNode === undefined || soleReader(cube) !== cubeScale || cubeNode.domain !== '') continue;
      if (cubeNode.op === 'Pow' && cubeNode.inputs[0] === x && near(constant(cubeNode.inputs[1]), 3)) {
        found = { x, nodes: [cubeNode, cubeScale, add], inner: [cube, c] };
      } else if (cubeNode.op === 'Mul' && cubeNode.inputs.length === 2 && cubeNode.inputs.includes(x)) {
        const sq = cubeNode.inputs[0] === x ? cubeNode.inputs[1]! : cubeNode.inputs[0]!;
        const sqNode = producer.get(sq);
        if (sqNode !== undefined && sqNode.op === 'Mul' && sqNode.domain === '' && sqNode.inputs[0] === x && sqNode.inputs[1] === x && soleReader(sq) === cubeNode) {
          found = { x, nodes: [sqNode, cubeNode, cubeScale, add], inner: [sq, cube, c] };
        }
      }
    }
    if (found === undefined) continue;
    const { x } = found;
    const tail = halvedProduct(tanh.outputs[0]!, x);
    if (tail === undefined) continue;
    fuse('FastGelu', tanh.name, x, [...found.nodes, scale, tanh, ...tail.nodes], [...found.inner, sum, u, ...tail.inner], tail.last);
  }
  return applyRewrite(work, { replaced, dropped, deadTensors });
}
