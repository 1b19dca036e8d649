// The ZEUES "Operaciones" sheet: v2.1 has 65 columns, v3.0 appends three (68). The seed names the sheet,
// TAG_SPOOL, the three v3.0 headers and the counts; the other 64 v2.1 headers are our inference of a pipe-spool
// fabrication tracker (see README "Schema mapping"). Callers whose sheet differs pass `legacyHeaders`.

/** The 65 v2.1 headers, in column order (A..BM). */
export const V21_HEADERS: readonly string[] = Object.freeze([
  'TAG_SPOOL', 'NV', 'Cliente', 'Proyecto', 'Plano', 'Revision', 'Linea', 'Area', 'Sistema', 'Fluido',
  'Material', 'Especificacion', 'Diametro_Pulg', 'Schedule', 'Peso_Kg', 'Largo_m', 'Cantidad_Uniones',
  'Cantidad_Soldaduras', 'Pulgadas_Diametrales', 'Fecha_Materiales', 'Fecha_Despacho_Materiales', 'Armador',
  'Fecha_Armado', 'Soldador', 'Fecha_Soldadura', 'Inspector_Visual', 'Fecha_Inspeccion_Visual',
  'Resultado_Inspeccion_Visual', 'Req_END', 'Tipo_END', 'Fecha_END', 'Resultado_END', 'Informe_END',
  'Req_PWHT', 'Fecha_PWHT', 'Req_Prueba_Hidro', 'Fecha_Prueba_Hidro', 'Resultado_Prueba_Hidro', 'Req_Pintura',
  'Esquema_Pintura', 'Pintor', 'Fecha_Pintura', 'Espesor_Pintura_um', 'Inspector_Pintura', 'Fecha_Liberacion_QC',
  'Estado_QC', 'Ubicacion', 'Patio', 'Guia_Despacho', 'Fecha_Despacho', 'Transportista', 'Fecha_Recepcion_Cliente',
  'Estado', 'Prioridad', 'Semana_Programada', 'Fecha_Compromiso', 'HH_Armado', 'HH_Soldadura', 'HH_Total', 'NCR',
  'Observaciones', 'Creado_Por', 'Fecha_Creacion', 'Modificado_Por', 'Fecha_Modificacion',
]);

/** The columns v3.0 adds, appended after the last v2.1 column (BN, BO, BP for the default schema). */
export const V30_ADDED_HEADERS: readonly string[] = Object.freeze(['Ocupado_Por', 'Fecha_Ocupacion', 'version']);

export const DEFAULT_SHEET_NAME = 'Operaciones';
/** The header whose non-empty cell marks a data row (an existing spool). */
export const DEFAULT_KEY_HEADER = 'TAG_SPOOL';
/** Value `004_initialize_versions` writes into `version` for every existing spool. */
export const INITIAL_VERSION = 0;

export interface SheetSchema {
  legacy: readonly string[];
  added: readonly string[];
  key: string;
}

export function schemaOf(options: { legacyHeaders?: readonly string[]; keyHeader?: string } = {}): SheetSchema {
  const legacy = options.legacyHeaders ?? V21_HEADERS;
  const key = options.keyHeader ?? DEFAULT_KEY_HEADER;
  if (!legacy.includes(key)) throw new Error(`[tidemark] [plugin-sheets] key header "${key}" is not one of the legacy headers`);
  return { legacy, added: V30_ADDED_HEADERS, key };
}
