// The bench's result table: per size, the plugin, the hand-written limit and the seed's ORM loop side by side,
// with both ratios against their goals (plugin / limit ≤ 1.15x, ORM / plugin ≥ 50x), wall time and CPU time.
import { median, type SizeResult } from './measure.js';

export const LIMIT_GOAL = 1.15;
export const ORM_GOAL = 50;

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const spread = (xs: number[]) => (xs.length > 1 ? ` (${s(Math.min(...xs))}–${s(Math.max(...xs))})` : '');

/** Markdown lines, and whether every approach wrote the same rows. */
export function benchTable(rows: readonly SizeResult[]): { lines: string[]; sameRows: boolean } {
  const lines = [
    '',
    `| runs | plugin (median; min–max) | then 004 | limit (median; min–max) | plugin / limit (goal ≤ ${LIMIT_GOAL}x) | CPU plugin / limit | seed ORM loop | ORM / plugin (goal ≥ ${ORM_GOAL}x) | CPU ORM / plugin | same rows |`,
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|:--|',
  ];
  let sameRows = true;
  for (const r of rows) {
    const plugin = median(r.pluginMs);
    const limit = median(r.limitMs);
    const ratio = plugin / limit;
    const orm = r.orm;
    const ormRatio = orm ? orm.extrapolatedMs / plugin : undefined;
    const cpu =
      r.pluginCpuMs.length > 0 && r.limitCpuMs.length > 0
        ? { plugin: median(r.pluginCpuMs), limit: median(r.limitCpuMs) }
        : undefined;
    const cpuRatio = cpu ? `${s(cpu.plugin)} / ${s(cpu.limit)} = ${(cpu.plugin / cpu.limit).toFixed(2)}x` : '—';
    const ormCpu =
      cpu && orm?.extrapolatedCpuMs !== undefined ? `${(orm.extrapolatedCpuMs / cpu.plugin).toFixed(1)}x` : '—';
    const same = r.limitSame && r.pluginStable && (orm?.same ?? true);
    sameRows &&= same;
    const ormCell = orm
      ? `${orm.sampled < orm.total ? '~' : ''}${s(orm.extrapolatedMs)}${orm.sampled < orm.total ? ` (${orm.sampled} runs: ${s(orm.ms)})` : ''}`
      : '—';
    const ormRatioCell =
      ormRatio === undefined ? '—' : `${ormRatio.toFixed(1)}x ${ormRatio >= ORM_GOAL ? 'met' : 'NOT met'}`;
    lines.push(
      `| ${r.runs} | ${s(plugin)}${spread(r.pluginMs)} | ${s(median(r.foreignKeysMs))} | ${s(limit)}${spread(r.limitMs)} | ${ratio.toFixed(2)}x ${ratio <= LIMIT_GOAL ? 'met' : 'NOT met'} | ${cpuRatio} | ${ormCell} | ${ormRatioCell} | ${ormCpu} | ${same ? 'yes' : 'NO'} |`,
    );
  }
  return { lines, sameRows };
}
