// A WebAssembly SIMD version of gemmNT for float32 operands. The module is assembled here from
// bytes (no toolchain, nothing downloaded): one function computes C = A·Bᵀ for A [m, k] and
// B [n, k] packed row-major in its memory, m and n multiples of 4 and k of 4 (zero-padded), in
// 4×4 blocks of f32x4 accumulators (4 lanes of k each, summed at the end). Float32 accumulation,
// as runtimes do; integer-exact paths keep the double-precision JS kernel.

// --- a tiny assembler for the handful of instructions the kernel needs ---
const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
};
const sleb = (n: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const isDone = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(isDone ? byte : byte | 0x80);
    if (isDone) return out;
  }
};
const simd = (op: number): number[] => [0xfd, ...uleb(op)];
const get = (l: number) => [0x20, ...uleb(l)];
const set = (l: number) => [0x21, ...uleb(l)];
const i32 = (v: number) => [0x41, ...sleb(v)];
const I32_ADD = [0x6a];
const I32_MUL = [0x6c];
const I32_GE_U = [0x4f];
const V128_LOAD = [...simd(0), 4, 0]; // align 2^4, offset 0
const F32X4_ADD = simd(228);
const F32X4_MUL = simd(230);
const F32_ADD = [0x92];
const F32_STORE = [0x38, 2, 0];
const laneOf = (lane: number) => [...simd(31), lane]; // f32x4.extract_lane
const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];

// Locals: params 0-5 (pa, pb, pc, m, n, kBytes); i32 6-10; v128 11-34.
const [PA, PB, PC, M, N, KB] = [0, 1, 2, 3, 4, 5];
const [I, J, K, ROW_A, ROW_B] = [6, 7, 8, 9, 10]; // ROW_A/ROW_B: first row's byte address
const ACC = (r: number, c: number) => 11 + r * 4 + c;
const VA = (r: number) => 27 + r;
const VB = (c: number) => 31 + c;

/** Address of row `r` of the current 4-row panel: base + r·kBytes. */
const rowAddr = (base: number, r: number) => [
  ...get(base),
  ...get(KB),
  ...i32(r),
  ...I32_MUL,
  ...I32_ADD,
];

function kernelBody(): number[] {
  const zeroAccs = Array.from({ length: 16 }, (_, q) => [
    ...simd(12),
    ...new Array<number>(16).fill(0),
    ...set(11 + q),
  ]).flat();
  const loads = [0, 1, 2, 3].flatMap((r) => [
    ...rowAddr(ROW_A, r), ...get(K), ...I32_ADD, ...V128_LOAD, ...set(VA(r)),
    ...rowAddr(ROW_B, r), ...get(K), ...I32_ADD, ...V128_LOAD, ...set(VB(r)),
  ]); // prettier-ignore
  const fmas = [0, 1, 2, 3].flatMap((r) => [0, 1, 2, 3].flatMap((c) => [
    ...get(ACC(r, c)), ...get(VA(r)), ...get(VB(c)), ...F32X4_MUL, ...F32X4_ADD, ...set(ACC(r, c)),
  ])); // prettier-ignore
  const stores = [0, 1, 2, 3].flatMap((r) => [0, 1, 2, 3].flatMap((c) => [
    // address pc + ((i + r)·n + j + c)·4
    ...get(PC), ...get(I), ...i32(r), ...I32_ADD, ...get(N), ...I32_MUL, ...get(J), ...I32_ADD,
    ...i32(c), ...I32_ADD, ...i32(4), ...I32_MUL, ...I32_ADD,
    ...get(ACC(r, c)), ...laneOf(0), ...get(ACC(r, c)), ...laneOf(1), ...F32_ADD,
    ...get(ACC(r, c)), ...laneOf(2), ...F32_ADD, ...get(ACC(r, c)), ...laneOf(3), ...F32_ADD,
    ...F32_STORE,
  ])); // prettier-ignore
  const loopK = [
    ...i32(0), ...set(K),
    0x02, 0x40, 0x03, 0x40, // block, loop
    ...get(K), ...get(KB), ...I32_GE_U, 0x0d, 1, // br_if 1 (exit)
    ...loads, ...fmas,
    ...get(K), ...i32(16), ...I32_ADD, ...set(K),
    0x0c, 0, 0x0b, 0x0b, // br 0, end loop, end block
  ]; // prettier-ignore
  const loopJ = [
    ...i32(0), ...set(J),
    0x02, 0x40, 0x03, 0x40,
    ...get(J), ...get(N), ...I32_GE_U, 0x0d, 1,
    ...get(PB), ...get(J), ...get(KB), ...I32_MUL, ...I32_ADD, ...set(ROW_B),
    ...zeroAccs, ...loopK, ...stores,
    ...get(J), ...i32(4), ...I32_ADD, ...set(J),
    0x0c, 0, 0x0b, 0x0b,
  ]; // prettier-ignore
  return [
    ...i32(0), ...set(I),
    0x02, 0x40, 0x03, 0x40,
    ...get(I), ...get(M), ...I32_GE_U, 0x0d, 1,
    ...get(PA), ...get(I), ...get(KB), ...I32_MUL, ...I32_ADD, ...set(ROW_A),
    ...loopJ,
    ...get(I), ...i32(4), ...I32_ADD, ...set(I),
    0x0c, 0, 0x0b, 0x0b,
    0x0b, // end function
  ]; // prettier-ignore
}

const name = (text: string) => [text.length, ...[...text].map((ch) => ch.charCodeAt(0))];

function moduleBytes(): Uint8Array {
  const i32s = [[0x7f], [0x7f], [0x7f], [0x7f], [0x7f], [0x7f]];
  const type = section(1, vec([[0x60, ...vec(i32s), 0]]));
  const imports = section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, 1]]));
  const funcs = section(3, vec([[0]]));
  const exports = section(7, vec([[...name('gemm'), 0x00, 0]]));
  const locals = vec([
    [5, 0x7f],
    [24, 0x7b],
  ]); // 5 × i32, 24 × v128
  const body = [...locals, ...kernelBody()];
  const code = section(10, vec([[...uleb(body.length), ...body]]));
  const header = [0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0];
  return Uint8Array.from([...header, ...type, ...imports, ...funcs, ...exports, ...code]);
}

/** The slice of the WebAssembly API used here (the project's libs do not declare it). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  readonly Memory: new (d: { initial: number }) => WasmMemory;
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
}

/** The instantiated kernel and its memory. */
interface Kernel {
  readonly memory: WasmMemory;
  readonly gemm: (pa: number, pb: number, pc: number, m: number, n: number, kb: number) => void;
}

/** The kernel, or undefined where WebAssembly SIMD is unavailable (the JS kernel then runs). */
function instantiate(): Kernel | undefined {
  const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
  if (!wasm) return undefined;
  try {
    const memory = new wasm.Memory({ initial: 1 });
    const instance = new wasm.Instance(new wasm.Module(moduleBytes()), { env: { memory } });
    return { memory, gemm: instance.exports['gemm'] as Kernel['gemm'] };
  } catch {
    return undefined;
  }
}

// Compiled once per process: a pure function of constant bytes, so sharing it is unobservable.
const KERNEL = instantiate();

const round4 = (v: number) => (v + 3) & ~3;

/** Copies `rows` rows of `k` elements (row stride `stride`) into f32 memory rows of `kPad`. */
function pack(
  dst: Float32Array,
  at: number,
  src: Float32Array,
  view: { offset: number; stride: number },
  rows: number,
  k: number,
  kPad: number,
): void {
  for (let r = 0; r < rows; r++) {
    const from = view.offset + r * view.stride;
    dst.set(src.subarray(from, from + k), at + r * kPad);
    dst.fill(0, at + r * kPad + k, at + (r + 1) * kPad);
  }
}

/** Packed operands above this many bytes stay on the JS kernel (wasm memory is 32-bit). */
const MAX_PACKED_BYTES = 1 << 30;

/**
 * True when gemmNTWasm should run: float32 operands (integer paths need exact double sums), at
 * least 4×4 outputs (thin products are memory-bound; packing would only add traffic).
 */
export function isWasmGemmUsable(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  size: { m: number; n: number; k: number },
): boolean {
  const bytes = 4 * (round4(size.m) + round4(size.n)) * round4(size.k) + 4 * size.m * size.n;
  return (
    KERNEL !== undefined &&
    a instanceof Float32Array &&
    b instanceof Float32Array &&
    size.m >= 4 &&
    size.n >= 4 &&
    bytes <= MAX_PACKED_BYTES
  );
}

/**
 * C = A·Bᵀ (or C += with isAccumulate) on the SIMD kernel: A and B are packed (zero-padded to
 * multiples of 4) into wasm memory, the product lands there and is copied into C's view.
 */
export function gemmNTWasm(
  a: { data: Float32Array; offset: number; stride: number },
  b: { data: Float32Array; offset: number; stride: number },
  c: {
    data: Float32Array | Float64Array | Int32Array | Uint8Array;
    offset: number;
    stride: number;
  },
  size: { m: number; n: number; k: number; isAccumulate?: boolean },
): void {
  const kernel = KERNEL!;
  const [m4, n4, kPad] = [round4(size.m), round4(size.n), round4(Math.max(1, size.k))];
  const floats = m4 * kPad + n4 * kPad + m4 * n4;
  const need = Math.ceil((floats * 4) / 65536);
  const have = kernel.memory.buffer.byteLength / 65536;
  if (need > have) kernel.memory.grow(need - have);
  const mem = new Float32Array(kernel.memory.buffer);
  const [pa, pb, pc] = [0, m4 * kPad, m4 * kPad + n4 * kPad];
  pack(mem, pa, a.data, a, size.m, size.k, kPad);
  mem.fill(0, pa + size.m * kPad, pa + m4 * kPad);
  pack(mem, pb, b.data, b, size.n, size.k, kPad);
  mem.fill(0, pb + size.n * kPad, pb + n4 * kPad);
  kernel.gemm(pa * 4, pb * 4, pc * 4, m4, n4, kPad * 4);
  const C = c.data;
  for (let i = 0; i < size.m; i++) {
    const row = c.offset + i * c.stride;
    const src = pc + i * n4;
    if (size.isAccumulate) for (let j = 0; j < size.n; j++) C[row + j]! += mem[src + j]!;
    else for (let j = 0; j < size.n; j++) C[row + j] = mem[src + j]!;
  }
}
