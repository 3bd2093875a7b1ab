// Every ONNX front-end message, written once. Each is one line naming the file, node or input.
import { SpatialcError } from '../../arch/errors.js';

/** The model file does not exist or cannot be read. */
export const modelFileUnreadable = (file: string, reason: string): SpatialcError =>
  new SpatialcError('E_FILE', `${file}: cannot read ONNX model (${reason})`, { where: file });

/** The bytes are not a decodable ONNX ModelProto (truncated, corrupt, or not ONNX at all). */
export const notValidOnnx = (file: string, reason: string): SpatialcError =>
  new SpatialcError('E_ONNX_DECODE', `${file}: not a valid ONNX model (${reason})`, {
    where: file,
  });

/** A tensor's element data is inconsistent with its type and shape. */
export const badTensorData = (file: string, tensor: string, problem: string): SpatialcError =>
  new SpatialcError('E_ONNX_INVALID', `${file}: tensor "${tensor}": ${problem}`, { where: file });

/** An external-data location resolves outside the model's folder. */
export const externalDataOutside = (
  file: string,
  tensor: string,
  location: string,
): SpatialcError =>
  new SpatialcError(
    'E_ONNX_EXTERNAL_DATA',
    `${file}: tensor "${tensor}" has external data at "${location}", which is outside the model's folder`,
    { where: file, hint: 'external data files must sit in the model folder or below it' },
  );

/** An external-data file is missing, unreadable or too short. */
export const externalDataUnreadable = (
  file: string,
  tensor: string,
  dataPath: string,
  reason: string,
) =>
  new SpatialcError(
    'E_ONNX_EXTERNAL_DATA',
    `${file}: tensor "${tensor}" external data file "${dataPath}" ${reason}`,
    { where: file },
  );

/** External data was referenced but only bytes (no model path) were given. */
export const externalDataNeedsPath = (file: string, tensor: string): SpatialcError =>
  new SpatialcError(
    'E_ONNX_EXTERNAL_DATA',
    `${file}: tensor "${tensor}" uses external data, so the model must be loaded from a path (pass modelPath)`,
    { where: file },
  );

/** The op type is not in the op registry. */
export const unsupportedOp = (node: string, domain: string, op: string, opset: number) =>
  new SpatialcError(
    'E_ONNX_UNSUPPORTED_OP',
    `node "${node}": op ${domain ? `${domain}/` : ''}${op} (opset ${opset}) is not supported`,
    { where: `node "${node}"` },
  );

/** A supported op uses a form (attribute kind, mode, input) the importer cannot handle. */
export const unsupportedUse = (node: string, op: string, what: string): SpatialcError =>
  new SpatialcError('E_ONNX_UNSUPPORTED_OP', `node "${node}": ${op} ${what} is not supported`, {
    where: `node "${node}"`,
  });

/** An input dimension is still symbolic after --batch and --input-shape were applied. */
export const dynamicDim = (
  input: string,
  dim: number,
  param: string | undefined,
  example: string,
) =>
  new SpatialcError(
    'E_ONNX_SHAPE',
    `input "${input}" dim ${dim}${param ? ` ("${param}")` : ''} is dynamic: pass --input-shape ${input}=${example}`,
    { where: `input "${input}"` },
  );

/** An input has no shape at all in the file. */
export const unknownInputRank = (input: string): SpatialcError =>
  new SpatialcError(
    'E_ONNX_SHAPE',
    `input "${input}" has no shape in the model: pass --input-shape ${input}=<dims, e.g. 1x3x224x224>`,
    { where: `input "${input}"` },
  );

/** Shape inference failed for a node (inconsistent shapes or a non-constant shape input). */
export const shapeError = (node: string, op: string, problem: string): SpatialcError =>
  new SpatialcError('E_ONNX_SHAPE', `node "${node}" (${op}): ${problem}`, {
    where: `node "${node}"`,
  });

/** The model graph is structurally broken (dangling names, cycles, missing types). */
export const invalidGraph = (file: string, problem: string): SpatialcError =>
  new SpatialcError('E_ONNX_INVALID', `${file}: ${problem}`, { where: file });

/** An --input-shape / inputShapes entry is unusable. */
export const badInputShapeOption = (problem: string): SpatialcError =>
  new SpatialcError('E_USAGE', problem);
