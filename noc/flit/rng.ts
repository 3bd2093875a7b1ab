// Seeded PRNG for the flit-level network (splitmix32 seeding an xorshift128). Passed explicitly; no
// Math.random anywhere in noc/flit.
export interface Rng {
  /** Uniform float in [0, 1). */
  float(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
}

export function makeRng(seed: number): Rng {
  let s = (seed >>> 0) ^ 0x9e3779b9;
  const split = (): number => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = split() | 1, b = split(), c = split(), d = split();
  const next = (): number => {
    const t = a ^ (a << 11);
    a = b; b = c; c = d;
    d = (d ^ (d >>> 19) ^ (t ^ (t >>> 8))) >>> 0;
    return d;
  };
  return {
    float: () => next() / 4294967296,
    int: (n: number) => Math.floor((next() / 4294967296) * n),
  };
}
