// Reads a table of Tenstorrent GEMM measurements (tt-metal's tech_reports/GEMM_FLOPS tables) for
// `npm run validate:gemm`. The tables come in two spellings, and both are accepted:
// - CSV as in ../shared/reference/tenstorrent-gemm/n150_manual.csv: grid_x and grid_y columns,
//   dtype BFLOAT16, math_fidelity HiFi2;
// - the report's own columns: one grid_size column "(13, 10)" (quoted in CSV, since it holds a
//   comma), dtype DataType.BFLOAT16, math_fidelity MathFidelity.HiFi2; also as the report's
//   markdown table (rows between '|').
// Headers are matched by name, case and spacing aside, in any order; a missing column or a value
// that is not what the column holds is an error naming the file, the line and the column.

import type { ArchSpec, DeviceDtype, MathFidelity } from '../arch/spec.js';
import { SpatialcError } from '../arch/errors.js';

/** One measured GEMM. */
export interface GemmRow {
  /** 1-based line of the row in its file. */
  readonly line: number;
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly gridX: number;
  readonly gridY: number;
  readonly dtype: DeviceDtype;
  readonly fidelity: MathFidelity;
  /** Device-based utilization in percent: ideal cycles on the row's grid over measured device cycles. */
  readonly deviceUtilization: number;
  /** Where in0 and the output live ('L1' or 'DRAM'). */
  readonly in0Storage: string;
  readonly outStorage: string;
}

const DTYPES: Record<string, DeviceDtype> = { BFLOAT16: 'bf16', BFLOAT8_B: 'bfp8', BFLOAT4_B: 'bfp4', FLOAT32: 'fp32' };
const FIDELITIES: readonly MathFidelity[] = ['LoFi', 'HiFi2', 'HiFi3', 'HiFi4'];

/** Splits one CSV line into fields (double quotes group commas; "" is a quote). */
function csvFields(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') { field += '"'; i++; }
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { out.push(field); field = ''; }
    else field += ch;
  }
  out.push(field);
  return out.map((f) => f.trim());
}

/** Splits one markdown table row ("| a | b |") into fields. */
function markdownFields(line: string): string[] {
  const body = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  return body.split('|').map((f) => f.trim());
}

/** A header as a key: lower case, spaces and underscores dropped ("Grid Size" -> "gridsize"). */
function key(h: string): string {
  return h.toLowerCase().replace(/[\s_]+/g, '');
}

/** A row left out, and why. */
export interface SkippedRow {
  readonly line: number;
  readonly reason: string;
}

/**
 * The GEMM rows of a table's text (`file` names it in errors). Rows in a number format spatialc
 * does not model are returned as skipped, not as errors.
 */
export function parseGemmTable(text: string, file: string): { rows: GemmRow[]; skipped: SkippedRow[] } {
  const lines = text.split(/\r?\n/).map((l, i) => ({ text: l, line: i + 1 })).filter((l) => l.text.trim() !== '');
  const markdown = lines.length > 0 && lines[0]!.text.trim().startsWith('|');
  const split = markdown ? markdownFields : csvFields;
  // Markdown tables have a separator row (| --- | --- |) under the header.
  const body = lines.filter((l) => !(markdown && /^\|?[\s:|-]+\|?$/.test(l.text.trim())));
  if (body.length === 0) throw new SpatialcError('E_FILE', `${file}: no table (expected a header line and rows of GEMM measurements)`);
  const head = split(body[0]!.text).map(key);
  const column = (names: readonly string[], what: string, required = true): number => {
    for (const name of names) {
      const i = head.indexOf(key(name));
      if (i >= 0) return i;
    }
    // A longer header that names the column ("Device based utilization[%]"); not for one-letter names.
    for (const name of names) {
      if (key(name).length < 4) continue;
      const i = head.findIndex((h) => h.startsWith(key(name)));
      if (i >= 0) return i;
    }
    if (required) throw new SpatialcError('E_FILE', `${file}: no ${what} column (expected a header named ${names.map((n) => `"${n}"`).join(' or ')})`);
    return -1;
  };
  const cm = column(['m'], 'M');
  const ck = column(['k'], 'K');
  const cn = column(['n'], 'N');
  const cgx = column(['grid_x'], 'grid x', false);
  const cgy = column(['grid_y'], 'grid y', false);
  const cgrid = cgx >= 0 && cgy >= 0 ? -1 : column(['grid_size'], 'grid (grid_x and grid_y, or grid_size)');
  const cdtype = column(['dtype', 'data_type'], 'dtype');
  const cfid = column(['math_fidelity', 'fidelity'], 'math fidelity');
  const cutil = column(['device_based_utilization', 'device_utilization'], 'device-based utilization');
  const cin0 = column(['in0_storage_type'], 'in0 storage type');
  const cout = column(['out_storage_type'], 'output storage type');
  const rows: GemmRow[] = [];
  const skipped: SkippedRow[] = [];
  for (const { text, line } of body.slice(1)) {
    const f = split(text);
    const at = (c: number, what: string): string => {
      const v = f[c];
      if (v === undefined || v === '') throw new SpatialcError('E_FILE', `${file}:${line}: no ${what} (the row has ${f.length} fields, the header ${head.length})`);
      return v;
    };
    const int = (c: number, what: string): number => {
      const v = Number(at(c, what));
      if (!Number.isInteger(v) || v <= 0) throw new SpatialcError('E_FILE', `${file}:${line}: ${what} "${f[c]}" is not a positive integer`);
      return v;
    };
    let gridX: number;
    let gridY: number;
    if (cgrid >= 0) {
      const g = /^\(?\s*(\d+)\s*[,x×]\s*(\d+)\s*\)?$/.exec(at(cgrid, 'grid size'));
      if (g === null) throw new SpatialcError('E_FILE', `${file}:${line}: grid size "${f[cgrid]}" is not "(x, y)"`);
      gridX = Number(g[1]);
      gridY = Number(g[2]);
    } else {
      gridX = int(cgx, 'grid_x');
      gridY = int(cgy, 'grid_y');
    }
    const dname = at(cdtype, 'dtype').replace(/^DataType\./i, '').toUpperCase();
    const dtype = DTYPES[dname];
    if (dtype === undefined) {
      skipped.push({ line, reason: `dtype "${f[cdtype]}" is not one spatialc models (${Object.keys(DTYPES).join(', ')})` });
      continue;
    }
    const fname = at(cfid, 'math fidelity').replace(/^MathFidelity\./i, '');
    const fidelity = FIDELITIES.find((x) => x.toLowerCase() === fname.toLowerCase());
    if (fidelity === undefined) throw new SpatialcError('E_FILE', `${file}:${line}: math fidelity "${f[cfid]}" is not one of ${FIDELITIES.join(', ')}`);
    const util = Number(at(cutil, 'device-based utilization').replace(/%$/, ''));
    if (!Number.isFinite(util)) throw new SpatialcError('E_FILE', `${file}:${line}: device-based utilization "${f[cutil]}" is not a number`);
    rows.push({
      line, m: int(cm, 'M'), k: int(ck, 'K'), n: int(cn, 'N'), gridX, gridY, dtype, fidelity, deviceUtilization: util,
      in0Storage: at(cin0, 'in0 storage type').toUpperCase(), outStorage: at(cout, 'output storage type').toUpperCase(),
    });
  }
  return { rows, skipped };
}

/**
 * The arch with a `cols` x `rows` compute grid for a measured row: the arch's compute grid first,
 * then its other usable Tensix rows and columns (a benchmark may use cores software usually leaves
 * to dispatch: tt-metal's GEMM report runs n300 with dispatch on the Ethernet cores, freeing an 8x8
 * grid). Undefined when the arch has no such rectangle of usable Tensix.
 */
export function gridFor(arch: ArchSpec, cols: number, rows: number): ArchSpec | undefined {
  const usable = new Set(arch.tensix.map((t) => `${t.x},${t.y}`));
  const extend = (first: readonly number[], all: readonly number[]) => [...first, ...[...new Set(all)].filter((v) => !first.includes(v)).sort((a, b) => a - b)];
  const columns = extend(arch.computeGrid.columns, arch.tensix.map((t) => t.x)).slice(0, cols);
  const ys = extend(arch.computeGrid.rows, arch.tensix.map((t) => t.y)).slice(0, rows);
  if (columns.length < cols || ys.length < rows) return undefined;
  if (!columns.every((x) => ys.every((y) => usable.has(`${x},${y}`)))) return undefined;
  return { ...arch, computeGrid: { columns, rows: ys } };
}
