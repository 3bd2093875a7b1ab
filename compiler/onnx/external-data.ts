// Reads tensor bytes stored outside the .onnx file (TensorProto.data_location = EXTERNAL).
// Locations are resolved against the model's folder and must stay inside it, so a model file
// cannot make spatialc read arbitrary files (e.g. "../../etc/passwd").
import * as fs from 'node:fs';
import * as path from 'node:path';
import { externalDataNeedsPath, externalDataOutside, externalDataUnreadable } from './errors.js';

/** Where one tensor's bytes live, as listed in TensorProto.external_data. */
export interface ExternalRef {
  readonly tensor: string;
  readonly location: string;
  readonly offsetBytes: number;
  /** undefined = to the end of the file. */
  readonly lengthBytes?: number;
}

/** Returns the bytes of one external tensor (a view into the cached file contents). */
export type ExternalReader = (ref: ExternalRef) => Uint8Array;

/** Makes a reader for a model at `modelPath` (undefined when the model came as bytes). */
export function makeExternalReader(file: string, modelPath: string | undefined): ExternalReader {
  const cache = new Map<string, Buffer>(); // per model load: each data file is read once
  return (ref) => {
    if (modelPath === undefined) throw externalDataNeedsPath(file, ref.tensor);
    const dataPath = resolveInside(file, path.dirname(path.resolve(modelPath)), ref);
    let bytes = cache.get(dataPath);
    if (!bytes) {
      bytes = readDataFile(file, ref.tensor, dataPath);
      cache.set(dataPath, bytes);
    }
    const end = ref.lengthBytes === undefined ? bytes.length : ref.offsetBytes + ref.lengthBytes;
    if (ref.offsetBytes < 0 || end > bytes.length) {
      const reason = `has ${bytes.length} bytes but offset ${ref.offsetBytes} + length ${end - ref.offsetBytes} runs past its end`;
      throw externalDataUnreadable(file, ref.tensor, ref.location, reason);
    }
    return bytes.subarray(ref.offsetBytes, end);
  };
}

function resolveInside(file: string, modelDir: string, ref: ExternalRef): string {
  const resolved = path.resolve(modelDir, ref.location);
  if (!isInside(modelDir, resolved)) throw externalDataOutside(file, ref.tensor, ref.location);
  // Also follow symlinks, when the file exists, so a link cannot point outside either.
  if (fs.existsSync(resolved)) {
    const real = fs.realpathSync(resolved);
    if (!isInside(fs.realpathSync(modelDir), real)) {
      throw externalDataOutside(file, ref.tensor, ref.location);
    }
  }
  return resolved;
}

function isInside(dir: string, candidate: string): boolean {
  const rel = path.relative(dir, candidate);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

function readDataFile(file: string, tensor: string, dataPath: string): Buffer {
  try {
    return fs.readFileSync(dataPath);
  } catch (err) {
    const reason =
      (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be read';
    throw externalDataUnreadable(file, tensor, dataPath, reason);
  }
}
