// ArchSpec: the machine description every later stage reads. Plain, immutable, JSON-serialisable.
// Units are part of every field name. Presets live in arch/presets/*.json and are validated by
// arch/schema.json; each numeric constant in a preset has an entry in `sources` (its public source,
// or text starting with "assumption").

/** Number formats the device computes in (Tenstorrent names in comments). */
export const DEVICE_DTYPES = ['fp32', 'bf16', 'bfp8', 'bfp4', 'fp8', 'int8'] as const;
export type DeviceDtype = (typeof DEVICE_DTYPES)[number]; // bfp8 = BFLOAT8_B, bfp4 = BFLOAT4_B

export const MATH_FIDELITIES = ['LoFi', 'HiFi2', 'HiFi3', 'HiFi4'] as const;
export type MathFidelity = (typeof MATH_FIDELITIES)[number];

/** A NoC grid coordinate (physical, NoC0 numbering). */
export interface Coord {
  readonly x: number;
  readonly y: number;
}

export interface DtypeSpec {
  /** Bytes of one 32x32 tile in this format, shared exponents included. */
  readonly tileBytes: number;
  /** Binary element-wise op on the matrix unit, cycles per 32x32 tile (unpack/pack bound). */
  readonly eltwiseCyclesPerTile: number;
}

export interface CoreSpec {
  readonly sramBytes: number;
  /** Bytes of SRAM the runtime keeps for itself (firmware, kernels, CB metadata). */
  readonly sramReservedBytes: number;
  /** Tile edge in elements (32 on Tensix). */
  readonly tileSize: number;
  /** MACs per cycle per fidelity phase of the matrix unit. */
  readonly matmulMacsPerCyclePerPhase: number;
  /** Minimum rows of a matmul pass (an input with fewer rows still costs a full pass). */
  readonly matmulMinRows: number;
  /**
   * Operand bytes the unpackers feed the matrix unit per cycle: a tile product takes at least
   * tileBytes / unpackBytesPerCycle cycles, whatever the fidelity (optional; no bound when absent).
   */
  readonly unpackBytesPerCycle?: number;
  /** Fidelity phases per math fidelity setting. */
  readonly fidelityPhases: Readonly<Record<MathFidelity, number>>;
  /** Number formats the core supports, with their tile sizes and element-wise costs. */
  readonly dtypes: Readonly<Partial<Record<DeviceDtype, DtypeSpec>>>;
  /** Vector unit (SFPU) cycles per 32x32 tile by function (exp, gelu, sigmoid, tanh, ...). */
  readonly sfpuCyclesPerTile: Readonly<Record<string, number>>;
  /** NoC port bandwidth between one NoC and L1, each direction. */
  readonly nocPortBytesPerCycle: number;
  /** Fixed cost of issuing one compute block (kernel loop, CB handshakes). */
  readonly blockOverheadCycles: number;
}

export interface NocInstance {
  readonly name: string;
  /**
   * +1 or -1: on a torus, the only direction packets travel along x (and y) on this NoC; on a mesh
   * (links both ways) the direction of the NoC's own x (y) link slot, the other being its reverse.
   */
  readonly xDirection: 1 | -1;
  readonly yDirection: 1 | -1;
  /** Dimension traversed first by dimension-order routing. */
  readonly firstAxis: 'x' | 'y';
}

export interface NocSpec {
  /** 'torus' links wrap around at the edges and run one way per NoC; 'mesh' links do not wrap and run both ways. */
  readonly topology: 'torus' | 'mesh';
  readonly nocs: readonly NocInstance[];
  readonly flitBytes: number;
  readonly linkBytesPerCycle: number;
  readonly hopLatencyCycles: number;
  /** Latency between a core's network interface and its router, each way. */
  readonly niuLatencyCycles: number;
  readonly maxPacketPayloadBytes: number;
  readonly headerFlits: number;
  readonly virtualChannels: number;
  readonly routerBufferBytes: number;
  readonly hasMulticast: boolean;
  /** Flit-level model: buffer per VC at a router input, in flits. */
  readonly vcBufferFlits?: number;
  /** Flit-level model: VCs for requests and writes; the rest carry read responses. */
  readonly requestVcs?: number;
}

/** A BookSim-style network for synthetic traffic (`spatialc noc --arch`): a k-ary n-cube. */
export interface NetworkSpec {
  readonly topology: 'mesh' | 'torus';
  readonly k: number;
  readonly n: number;
  readonly vcs: number;
  readonly vcBufferFlits: number;
  /** Router-to-router channel cycles (BookSim: mesh 1, torus 2). */
  readonly linkLatencyCycles?: number;
  readonly routing?: 'dor' | 'xy_yx';
  /** Dimension-order routing order, e.g. [1, 0] for Y first (default 0, 1, 2). */
  readonly axisOrder?: readonly number[];
}

export interface DramChannel {
  readonly id: number;
  readonly controller: number;
  /** NoC endpoints that reach this channel; the first is the preferred one for workers. */
  readonly endpoints: readonly Coord[];
  readonly bytesPerSecond: number;
  readonly capacityBytes: number;
}

export interface DramSpec {
  readonly channels: readonly DramChannel[];
  /** Fraction of the channel's theoretical bandwidth reachable (refresh, turnarounds). */
  readonly efficiency: number;
  /** Access latency from request arrival to first data, in core clock cycles. */
  readonly latencyCycles: number;
  /** Interleaving page size for tensors spread over all channels. */
  readonly interleaveBytes: number;
}

export interface ComputeGridSpec {
  /** Physical columns and rows (NoC0 numbering) of the compute grid; logical (i,j) -> (columns[i], rows[j]). */
  readonly columns: readonly number[];
  readonly rows: readonly number[];
}

export interface EnergySpec {
  /** Energy per multiply-accumulate per fidelity phase, by number format (a HiFi2 MAC costs 2x). */
  readonly macPj: Readonly<Partial<Record<DeviceDtype, number>>>;
  /** Energy per element-wise / vector operation on one element. */
  readonly vectorOpPj: number;
  readonly sramReadPjPerByte: number;
  readonly sramWritePjPerByte: number;
  /** Energy per byte per router-to-router hop (link wire + router). */
  readonly nocPjPerByteHop: number;
  readonly dramPjPerByte: number;
  /** Static (leakage + clock tree + always-on) power of the whole chip. */
  readonly staticWatts: number;
}

export interface FloorplanSpec {
  /** Centre-to-centre distance of neighbouring tiles. */
  readonly tilePitchMmX: number;
  readonly tilePitchMmY: number;
  /** Mean distance an operand travels inside a core between SRAM and the compute units. */
  readonly sramToComputeMm: number;
}

export interface ArchSpec {
  readonly name: string;
  readonly description: string;
  readonly clockHz: number;
  /** Size of the NoC grid (all tile kinds). */
  readonly grid: { readonly cols: number; readonly rows: number };
  /** Usable compute (Tensix) tiles after harvesting. */
  readonly tensix: readonly Coord[];
  readonly harvestedRows: readonly number[];
  /** The rectangle of tensix tiles that programs use, as software presents it. */
  readonly computeGrid: ComputeGridSpec;
  readonly ethernet: readonly Coord[];
  readonly pcie: readonly Coord[];
  readonly core: CoreSpec;
  readonly noc: NocSpec;
  /** Optional BookSim-style network description for synthetic-traffic studies. */
  readonly network?: NetworkSpec;
  readonly dram: DramSpec;
  readonly energy: EnergySpec;
  readonly floorplan: FloorplanSpec;
  readonly boardWatts: number;
  /** Default number format and fidelity, as the vendor stack uses them. */
  readonly defaults: { readonly dtype: DeviceDtype; readonly fidelity: MathFidelity };
  /** JSON path of a constant -> its source, or a text starting with "assumption". */
  readonly sources: Readonly<Record<string, string>>;
}
