// Flit-network configurations from BookSim's keys: a k-ary n-cube (mesh or torus, n = 1..3) with
// BookSim's iq router timing (mesh channels 1 cycle, torus channels 2, as kncube.cpp with
// use_noc_latency), one message class over all VCs, and the measurement keys.
import { SpatialcError } from '../../arch/errors.js';
import type { BooksimConfig } from './booksim-config.js';
import { cubeGeometry } from './geometry.js';
import type { FlitNetConfig } from './measure.js';
import type { RouterParams } from './router.js';
import type { RoutingFunction } from './routing.js';
import { parseTraffic } from './traffic.js';

/**
 * BookSim's iq router on a k-ary n-cube: channels of 1 cycle on a mesh and 2 on a torus (kncube.cpp
 * with use_noc_latency) unless `linkLatency` is given, injection 2 and ejection 3 cycles, one
 * message class over all VCs, one-cycle pipeline stages.
 */
export function booksimRouter(vcs: number, vcBufSize: number, wrap: boolean, routing: RoutingFunction, linkLatency?: number): RouterParams {
  return {
    numVcs: vcs, vcBufSize, linkLatency: linkLatency ?? (wrap ? 2 : 1), injectLatency: 2, ejectLatency: 3,
    routing, messageClasses: [[0, vcs - 1]],
  };
}

/** The flit-network setup a BookSim configuration describes; bad values are one-line errors. */
export function configFromBooksim(c: BooksimConfig, where = 'config'): FlitNetConfig {
  const num = (key: string): number => Number(c[key]);
  const k = num('k'), n = num('n');
  if (!Number.isInteger(k) || k < 2) throw new SpatialcError('E_USAGE', `${where}: k must be an integer of at least 2, got ${c['k']}`);
  const wrap = c['topology'] === 'torus';
  const vcs = num('num_vcs'), buf = num('vc_buf_size'), rate = num('injection_rate'), ps = num('packet_size');
  if (!Number.isInteger(vcs) || vcs < 1) throw new SpatialcError('E_USAGE', `${where}: num_vcs must be a positive integer, got ${c['num_vcs']}`);
  if (!(buf >= 1) || !Number.isInteger(buf)) throw new SpatialcError('E_USAGE', `${where}: vc_buf_size: a VC buffer must hold at least one flit, got ${c['vc_buf_size']}`);
  if (!(rate > 0 && rate <= 1)) throw new SpatialcError('E_USAGE', `${where}: injection_rate must be in (0, 1] flits/node/cycle, got ${c['injection_rate']}`);
  if (!Number.isInteger(ps) || ps < 1 || ps > 512) throw new SpatialcError('E_USAGE', `${where}: packet_size must be 1 to 512 flits, got ${c['packet_size']}`);
  const delay = (key: string): number => {
    const d = num(key);
    if (!Number.isInteger(d) || d < 1) throw new SpatialcError('E_USAGE', `${where}: ${key} must be a whole number of cycles of at least 1, got ${c[key]}`);
    return d;
  };
  const routing: RoutingFunction = c['routing_function'] === 'xy_yx' ? 'xy_yx' : 'dor';
  const geometry = cubeGeometry(k, n, wrap);
  return {
    geometry,
    router: {
      ...booksimRouter(vcs, buf, wrap, routing),
      routingDelay: delay('routing_delay'), vcAllocDelay: delay('vc_alloc_delay'),
      swAllocDelay: delay('sw_alloc_delay'), crossbarDelay: delay('st_final_delay'),
    },
    packetSize: ps, injectionRate: rate,
    traffic: parseTraffic(String(c['traffic']), k ** n),
    seed: num('seed'), warmupPeriods: num('warmup_periods'), samplePeriod: num('sample_period'),
    maxSamples: num('max_samples'), latencyThres: num('latency_thres'),
    stoppingThres: num('stopping_thres'), accStoppingThres: num('acc_stopping_thres'),
  };
}
