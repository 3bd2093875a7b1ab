// Program: the compiled, placed, routed and scheduled work for one model on one arch. It is the
// contract between compiler and simulator (sim/ imports only these types). Plain JSON.
//
// Execution model (tt-metal style): every core runs three in-order engines, `reader`, `compute`
// and `writer`. A task starts when its engine has finished the previous task of its stream and
// every task in `deps` has completed. DRAM reads and writes hold their engine until their last
// byte has arrived (issue + barrier), but a posted read (a prefetch) only until its requests are
// issued; a send holds it only until its last packet has left the core
// (posted NoC writes, as tt-metal's noc_async_write): it completes when every byte has landed. SRAM buffers are allocated when a task that lists them in
// `alloc` starts and released when a task that lists them in `free` completes.

import type { Coord, DeviceDtype, MathFidelity } from '../arch/spec.js';

export type TaskId = number & { readonly brand: 'TaskId' };
export type BufferId = number & { readonly brand: 'BufferId' };
export type Engine = 'reader' | 'compute' | 'writer';

/** Work for the core's math engines; cycles come from arch/core-timing.ts. */
export type WorkItem =
  /** 32x32x32 tile products on the matrix unit; `rows` (1..32) are the useful rows per tile. */
  | { readonly unit: 'matmul'; readonly tiles: number; readonly rows: number }
  /** Tiles through the unpack -> FPU -> pack element-wise path (binary ops, copies, pooling). */
  | { readonly unit: 'eltwise'; readonly tiles: number }
  /** Tiles through the vector unit running function `fn` (exp, gelu, reciprocal, ...). */
  | { readonly unit: 'sfpu'; readonly fn: string; readonly tiles: number };

/** A rectangle of output tiles of a program tensor (tile units, half-open). */
export interface TileRegion {
  readonly tensor: number;
  readonly row0: number;
  readonly rows: number;
  readonly col0: number;
  readonly cols: number;
}

interface TaskBase {
  readonly id: TaskId;
  /** Index into Program.cores. */
  readonly core: number;
  readonly engine: Engine;
  readonly deps: readonly TaskId[];
  /** Index into Program.ops: the operation this task belongs to. */
  readonly op: number;
  readonly alloc?: readonly BufferId[];
  readonly free?: readonly BufferId[];
  /** The compiler's estimate of the start cycle (with the link and channel load it predicts). */
  readonly predictedStartCycle: number;
  readonly predictedCycles: number;
}

export interface ComputeTask extends TaskBase {
  readonly kind: 'compute';
  readonly work: readonly WorkItem[];
  readonly macs: number;
  /** Operand bytes read from and result bytes written to this core's SRAM. */
  readonly sramReadBytes: number;
  readonly sramWriteBytes: number;
  /** Final output tiles this task completes (absent for partial results). */
  readonly produces?: TileRegion;
  /** Output tiles this task computes or accumulates into (every compute task with work). */
  readonly region?: TileRegion;
  /** Matmul K-steps: the in0 column tiles [k0, k1) this task accumulates over. */
  readonly kTiles?: readonly [number, number];
}

export interface DramReadTask extends TaskBase {
  readonly kind: 'dram-read';
  readonly noc: number;
  /**
   * A prefetch: the engine goes on once the read's requests are issued (tt-metal's
   * noc_async_read, waited on by transaction id), not when its data has landed; tasks that use
   * the data depend on it.
   */
  readonly posted?: boolean;
  /** Per channel, which of its endpoint tiles (index into the arch's list) serves it; absent: the first. */
  readonly endpoints?: readonly number[];
  /** The tiles it reads (absent for constants such as biases). */
  readonly reads?: readonly TileRegion[];
  /** Bytes read from each DRAM channel (index = channel id); interleaved tensors touch many. */
  readonly channelBytes: readonly number[];
}

export interface DramWriteTask extends TaskBase {
  readonly kind: 'dram-write';
  readonly noc: number;
  /** The output tiles it writes back. */
  readonly writes?: TileRegion;
  readonly channelBytes: readonly number[];
  /** As for reads: per channel, the index of the endpoint tile it uses. */
  readonly endpoints?: readonly number[];
}

export interface SendTask extends TaskBase {
  readonly kind: 'send';
  readonly noc: number;
  /** Destination cores (indices into Program.cores). */
  readonly dsts: readonly number[];
  /** One packet stream replicated at branch routers, or one unicast per destination. */
  readonly multicast: boolean;
  readonly bytes: number;
  /** The tiles it moves (read from the sender's SRAM). */
  readonly reads?: readonly TileRegion[];
  /**
   * A K-split matmul's partial sums: the sender's accumulated products for this output region,
   * packed in the program's number format, which the destination (the region's owner) adds to its own.
   */
  readonly partial?: TileRegion;
}

export type Task = ComputeTask | DramReadTask | DramWriteTask | SendTask;

export interface ProgramCore extends Coord {
  readonly reader: readonly TaskId[];
  readonly compute: readonly TaskId[];
  readonly writer: readonly TaskId[];
}

export interface ProgramBuffer {
  readonly id: BufferId;
  readonly core: number;
  readonly bytes: number;
  readonly name: string;
}

export interface ProgramTensor {
  readonly id: number;
  readonly name: string;
  /** The tensor viewed as a 2D matrix [rows, cols] in elements, then in 32x32 tiles. */
  readonly rows: number;
  readonly cols: number;
  readonly tileRows: number;
  readonly tileCols: number;
  /** Where the whole tensor lives between ops. */
  readonly home: 'sram' | 'dram';
  /** The graph tensor's shape and how its elements map onto the matrix (see compiler/lower/views.ts). */
  readonly shape: readonly number[];
  readonly layout: TensorLayout;
  /**
   * Graph inputs and outputs kept in SRAM (compiled with `residentIo`): the tiles each core holds
   * when the program starts (inputs) or ends (outputs), block-sharded as an earlier or later op
   * on the device would leave or want them.
   */
  readonly shards?: readonly TileShard[];
  /**
   * A tensor no op computes: whole tiles of another under new tile coordinates (a head split's
   * Slice/Reshape/Transpose). Transfers move the source's tiles; readers use them as this tensor's.
   */
  readonly alias?: TensorAlias;
}

/** How an alias tensor's tiles are its source's. */
export interface TensorAlias {
  /** The source (index into Program.tensors). */
  readonly tensor: number;
  /** Per tile of the alias (row-major over tileRows x tileCols): the source tile, row * source tileCols + col. */
  readonly tiles: readonly number[];
  /** Each tile is its source tile transposed (read by a matmul's unpacker as its second operand). */
  readonly transposed: boolean;
}

/** Tiles [row0, row0+rows) x [col0, col0+cols) of a tensor held by one core. */
export interface TileShard {
  readonly core: number;
  readonly row0: number;
  readonly rows: number;
  readonly col0: number;
  readonly cols: number;
}

/**
 * How a tensor's elements (row-major ONNX order) map onto its matrix:
 * - 'rows': columns = last dim, rows = the rest;
 * - 'feature-map': NCHW stored channels-last, rows = N*H*W, columns = C;
 * - 'weight-kn': a [K, N] weight as is; 'weight-nk': a [N, K] weight (Gemm transB) transposed;
 * - 'weight-conv': conv weight [Cout, Cin, kh, kw] as rows (cinTile * taps + tap) * 32 + cin % 32, columns Cout.
 */
export type TensorLayout = 'rows' | 'feature-map' | 'weight-kn' | 'weight-nk' | 'weight-conv';

export interface ProgramOp {
  readonly index: number;
  /** Display name: the ONNX node name of the anchor op. */
  readonly name: string;
  readonly op: string;
  /** ONNX names of every node fused into this op (anchor first). */
  readonly fused: readonly string[];
  readonly macs: number;
  readonly strategy: string;
  /** How the op was lowered: 2D matmul/conv K-steps, or row-distributed blocks. */
  readonly lowering: 'matmul2d' | 'map';
  readonly coresUsed: number;
  /** Output tensor (index into Program.tensors), if the op produces a tiled tensor. */
  readonly output?: number;
  /** Which output of the anchor node the op computes (ops with several outputs are split). */
  readonly outputIndex: number;
}

export interface Program {
  readonly format: 'spatialc-program/1';
  readonly archName: string;
  readonly archFingerprint: string;
  readonly model: string;
  readonly dtype: DeviceDtype;
  readonly fidelity: MathFidelity;
  readonly batch: number;
  readonly strategy: string;
  readonly cores: readonly ProgramCore[];
  readonly tasks: readonly Task[];
  readonly buffers: readonly ProgramBuffer[];
  readonly tensors: readonly ProgramTensor[];
  readonly ops: readonly ProgramOp[];
  /** Total MACs of the model (all ops, as counted by `inspect`). */
  readonly macs: number;
  readonly predictedCycles: number;
  /**
   * Present when the compiler owns the timing (`--deterministic`): every task starts exactly at its
   * predictedStartCycle, each transfer is timed alone (noc/transfer.ts) and holds its links and DRAM
   * channels over spans no other task overlaps (busy intervals closer than `mergeGap` cycles form one span).
   */
  readonly deterministic?: { readonly mergeGap: number };
}
