// The ZEUES "Operaciones" sheet: v2.1 has 65 columns, v3.0 appends three (68). The seed names the sheet,
// TAG_SPOOL, the three v3.0 headers and the counts; the app finds columns by (normalised) header name and
// engineering adds columns over time. So a v2.1 sheet is recognised by those facts (its key header, at least
// the seed's 65 columns, none of the v3.0 columns), and its header list is taken from the sheet itself.
// `legacyHeaders` (or `--legacy-headers <file>`) adds a check of the names in order, for who knows them.
import { createError } from '@tidemark/core';

/** The seed's v2.1 column count: fewer columns mean some were lost. */
export const V21_COLUMN_COUNT = 65;

/**
 * v2.1 headers known by name from the app's source (domain facts); reported as evidence, never required but the key.
 */
export const KNOWN_V21_HEADERS: readonly string[] = Object.freeze([
  'SPLIT',
  'TAG_SPOOL',
  'OT',
  'NV',
  'Fecha_Materiales',
  'Fecha_Armado',
  'Armador',
  'Fecha_Soldadura',
  'Soldador',
  'Fecha_QC_Metrologia',
]);

/**
 * The app's header normalisation: lower case, no spaces or underscores, accents dropped (`TAG_SPOOL` -> `tagspool`).
 */
export function normalizeHeader(h: string): string {
  return h
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[\s_]+/g, '');
}

/** An example of 65 v2.1 headers (A..BM): the test data's layout. A real sheet's own headers are used instead. */
export const V21_HEADERS: readonly string[] = Object.freeze([
  'TAG_SPOOL',
  'NV',
  'Cliente',
  'Proyecto',
  'Plano',
  'Revision',
  'Linea',
  'Area',
  'Sistema',
  'Fluido',
  'Material',
  'Especificacion',
  'Diametro_Pulg',
  'Schedule',
  'Peso_Kg',
  'Largo_m',
  'Cantidad_Uniones',
  'Cantidad_Soldaduras',
  'Pulgadas_Diametrales',
  'Fecha_Materiales',
  'Fecha_Despacho_Materiales',
  'Armador',
  'Fecha_Armado',
  'Soldador',
  'Fecha_Soldadura',
  'Inspector_Visual',
  'Fecha_Inspeccion_Visual',
  'Resultado_Inspeccion_Visual',
  'Req_END',
  'Tipo_END',
  'Fecha_END',
  'Resultado_END',
  'Informe_END',
  'Req_PWHT',
  'Fecha_PWHT',
  'Req_Prueba_Hidro',
  'Fecha_Prueba_Hidro',
  'Resultado_Prueba_Hidro',
  'Req_Pintura',
  'Esquema_Pintura',
  'Pintor',
  'Fecha_Pintura',
  'Espesor_Pintura_um',
  'Inspector_Pintura',
  'Fecha_Liberacion_QC',
  'Estado_QC',
  'Ubicacion',
  'Patio',
  'Guia_Despacho',
  'Fecha_Despacho',
  'Transportista',
  'Fecha_Recepcion_Cliente',
  'Estado',
  'Prioridad',
  'Semana_Programada',
  'Fecha_Compromiso',
  'HH_Armado',
  'HH_Soldadura',
  'HH_Total',
  'NCR',
  'Observaciones',
  'Creado_Por',
  'Fecha_Creacion',
  'Modificado_Por',
  'Fecha_Modificacion',
]);

/** The columns v3.0 adds, appended after the last v2.1 column (BN, BO, BP for the default schema). */
export const V30_ADDED_HEADERS: readonly string[] = Object.freeze(['Ocupado_Por', 'Fecha_Ocupacion', 'version']);

export const DEFAULT_SHEET_NAME = 'Operaciones';
/** The header whose non-empty cell marks a data row (an existing spool). */
export const DEFAULT_KEY_HEADER = 'TAG_SPOOL';
/** Value `004_initialize_versions` writes into `version` for every existing spool. */
export const INITIAL_VERSION = 0;

export interface SheetSchema {
  /** The v2.1 headers in order when the caller knows them (checked by name); null: taken from the sheet. */
  legacy: readonly string[] | null;
  /** At least this many columns before the v3.0 ones (the seed's 65; more are carried). */
  minColumns: number;
  added: readonly string[];
  key: string;
}

export function schemaOf(options: { legacyHeaders?: readonly string[]; keyHeader?: string } = {}): SheetSchema {
  const legacy = options.legacyHeaders ?? null;
  const key = options.keyHeader ?? DEFAULT_KEY_HEADER;
  if (legacy && !legacy.includes(key))
    throw createError('plugin-sheets', `key header "${key}" is not one of the legacy headers`);
  return { legacy, minColumns: legacy ? legacy.length : V21_COLUMN_COUNT, added: V30_ADDED_HEADERS, key };
}
