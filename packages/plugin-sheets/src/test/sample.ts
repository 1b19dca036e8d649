// Deterministic v2.1 spool rows for tests and the bench: realistic values in all 65 columns.
import { V21_HEADERS } from '../schema.js';
import type { CellValue } from '../emulator/model.js';

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
  return V21_HEADERS.map(
    (h, c) => byHeader[h] ?? (r() < 0.15 ? '' : `${h.slice(0, 3).toUpperCase()}-${(i * 31 + c) % 1000}`),
  );
}

export function v21Values(rows: number, seed = 1): CellValue[][] {
  return [[...V21_HEADERS], ...Array.from({ length: rows }, (_, i) => spoolRow(i, seed))];
}

/**
 * A sheet with the real layout's facts only: 65 v2.1 columns, TAG_SPOOL at G (0-based 6), Armador at AI (34),
 * Fecha_Materiales / Fecha_Armado at BA / BB; every other header a name this plugin has never seen. `extra`
 * headers are appended after them (columns engineering added since), with values.
 */
export function realLayoutValues(rows: number, extra: string[] = []): CellValue[][] {
  const headers = Array.from({ length: 65 }, (_, c) => `Campo_Planta_${c + 1}`);
  headers[6] = 'TAG_SPOOL';
  headers[34] = 'Armador';
  headers[52] = 'Fecha_Materiales';
  headers[53] = 'Fecha_Armado';
  headers[0] = 'SPLIT';
  headers[1] = 'OT';
  const body = Array.from({ length: rows }, (_, i) => [
    ...headers.map((h, c): CellValue =>
      h === 'TAG_SPOOL'
        ? `MK-${1400 + i}-CW-${30000 + i}`
        : h === 'Armador'
          ? `MR(${90 + (i % 9)})`
          : c % 5 === 0
            ? i * 10 + c
            : `v${i}.${c}`,
    ),
    ...extra.map((h, k): CellValue => `${h}-${i}-${k}`),
  ]);
  return [[...headers, ...extra], ...body];
}

/** A sheet already at v3.0 that the app has used: some spools taken (occupation filled), versions bumped. */
export function v30InUseValues(rows: number): CellValue[][] {
  const [headers, ...body] = realLayoutValues(rows);
  return [
    [...headers!, 'Ocupado_Por', 'Fecha_Ocupacion', 'version'],
    ...body.map((r, i): CellValue[] => [
      ...r,
      i % 3 === 0 ? `MR(${93 + i})` : '',
      i % 3 === 0 ? '21-01-2026 14:30:00' : '',
      i % 4,
    ]),
  ];
}
