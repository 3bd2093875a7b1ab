// Resolves the graph inputs' dynamic dims to static sizes. Precedence: an explicit inputShapes
// entry replaces the whole shape; otherwise `batch` fills a dynamic FIRST dim; a dynamic first dim
// with no batch given defaults to 1; any other dynamic dim is an error telling the user what to pass.
import type { OnnxDim, OnnxValueInfo } from './onnx-model.js';
import { badInputShapeOption, dynamicDim, unknownInputRank } from './errors.js';

/** How the user pins dynamic dims (CLI: --batch N, --input-shape name=1x3x224x224). */
export interface InputShapeOptions {
  /** Size for a dynamic first dim of every input; default 1. */
  readonly batch?: number;
  /** Whole shapes by input name; override the file. */
  readonly inputShapes?: Readonly<Record<string, readonly number[]>>;
}

/** DEFAULT batch used when an input's first dim is dynamic and no batch is given. */
export const DEFAULT_BATCH = 1;

/** Static shapes for the given (non-constant) graph inputs. */
export function resolveInputShapes(
  inputs: readonly OnnxValueInfo[],
  options: InputShapeOptions,
): Map<string, number[]> {
  const explicit = options.inputShapes ?? {};
  const names = new Set(inputs.map((i) => i.name));
  for (const name of Object.keys(explicit)) {
    if (!names.has(name))
      throw badInputShapeOption(
        `--input-shape names "${name}", but the model's inputs are: ${[...names].join(', ')}`,
      );
  }
  if (options.batch !== undefined && !(Number.isInteger(options.batch) && options.batch > 0)) {
    throw badInputShapeOption(`--batch must be a positive integer, got ${options.batch}`);
  }
  const shapes = new Map<string, number[]>();
  for (const input of inputs)
    shapes.set(input.name, resolveOne(input, explicit[input.name], options.batch));
  // A batch no input can take (every first dim fixed, and not to it) would be silently ignored.
  const batch = options.batch;
  const free = inputs.filter((i) => explicit[i.name] === undefined);
  if (batch !== undefined && free.length > 0 && free.every((i) => i.dims !== undefined && isStatic(i.dims[0]!)) && free.some((i) => i.dims![0] !== batch)) {
    const fixed = free.find((i) => i.dims![0] !== batch)!;
    throw badInputShapeOption(
      `--batch ${batch} has no effect: no model input has a dynamic first dim (input "${fixed.name}" is fixed at [${fixed.dims!.join(', ')}]); ` +
        `export the model with a dynamic batch axis, or give whole shapes with --input-shape ${fixed.name}=${[batch, ...fixed.dims!.slice(1)].join('x')}`,
    );
  }
  return shapes;
}

function isStatic(d: OnnxDim): d is number {
  return typeof d === 'number' && d > 0;
}

function resolveOne(
  input: OnnxValueInfo,
  explicit: readonly number[] | undefined,
  batch: number | undefined,
): number[] {
  if (explicit) {
    if (explicit.some((d) => !Number.isInteger(d) || d <= 0))
      throw badInputShapeOption(
        `--input-shape ${input.name}=${explicit.join('x')} has a non-positive dim`,
      );
    if (input.dims && input.dims.length !== explicit.length) {
      throw badInputShapeOption(
        `--input-shape ${input.name}=${explicit.join('x')} has rank ${explicit.length} but the model's input has rank ${input.dims.length}`,
      );
    }
    return [...explicit];
  }
  if (!input.dims) throw unknownInputRank(input.name);
  const dims = input.dims.map((d, i) => (i === 0 && !isStatic(d) ? (batch ?? DEFAULT_BATCH) : d));
  const bad = dims.findIndex((d) => !isStatic(d));
  if (bad >= 0) {
    const example = dims.map((d) => (isStatic(d) ? d : 128)).join('x');
    throw dynamicDim(
      input.name,
      bad,
      typeof dims[bad] === 'string' ? dims[bad] : undefined,
      example,
    );
  }
  return dims as number[];
}
