// Deterministic v2.1 spool rows for tests and the bench: realistic values in all 65 columns.
import { V21_HEADERS } from '../schema.js';
import type { CellValue } from './emulator/model.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

export function spoolRow(i: number, seed = 1): CellValue[] {
  const r = rng(seed * 100_003 + i);
  const date = (d: number) => `2025-${String(1 + (d % 12)).padStart(2, '0')}-${String(1 + (d % 28)).padStart(2, '0')}`;
  const byHeader: Record<string, CellValue> = {
    TAG_SPOOL: `MK-${1300 + (i % 97)}-CW-${25000 + i}-${String(1 + (i % 40)).padStart(3, '0')}`,
    NV: `NV-${2000 + (i % 50)}`,
    Cliente: pick(r, ['Codelco', 'BHP', 'Anglo American', 'Antofagasta Minerals']),
    Proyecto: pick(r, ['Rajo Inca', 'Spence SGO', 'Los Bronces', 'Centinela']),
    Plano: `PL-${(i * 7) % 900}`,
    Revision: pick(r, ['A', 'B', 'C', '0', '1']),
    Diametro_Pulg: pick(r, [2, 3, 4, 6, 8, 10, 12]),
    Peso_Kg: Math.round(r() * 50000) / 100,
    Largo_m: Math.round(r() * 1200) / 100,
    Cantidad_Soldaduras: Math.floor(r() * 12),
    Fecha_Armado: date(i),
    Estado: pick(r, ['PENDIENTE', 'ARMADO', 'SOLDADO', 'PINTADO', 'DESPACHADO']),
    Observaciones: r() < 0.2 ? 'Revisar, "urgente", cliente pide cambio' : '',
  };
  return V21_HEADERS.map((h, c) => byHeader[h] ?? (r() < 0.15 ? '' : `${h.slice(0, 3).toUpperCase()}-${(i * 31 + c) % 1000}`));
}

export function v21Values(rows: number, seed = 1): CellValue[][] {
  return [[...V21_HEADERS], ...Array.from({ length: rows }, (_, i) => spoolRow(i, seed))];
}
