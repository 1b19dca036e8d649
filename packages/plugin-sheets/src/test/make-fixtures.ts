// Writes the golden `before/` folders (run once with tsx; `after/` comes from TIDEMARK_UPDATE_GOLDEN=1 and review).
import { join } from 'node:path';
import { V21_HEADERS } from '../schema.js';
import { realLayoutValues, spoolRow } from './sample.js';
import { writeFixture, type SheetState } from './sheets-harness.js';

const root = join(import.meta.dirname, '../../../../fixtures/plugin-sheets');
const str = (r: (string | number | boolean)[]) => r.map(String);

const basic: SheetState = {
  title: 'ZEUES Produccion',
  sheets: [
    {
      title: 'Operaciones',
      rowCount: 12,
      columnCount: 65,
      hidden: false,
      values: [[...V21_HEADERS], ...Array.from({ length: 8 }, (_, i) => str(spoolRow(i, 7)))],
    },
  ],
};

const rows = Array.from({ length: 10 }, (_, i) => str(spoolRow(i, 11)));
rows[3] = rows[3]!.map((v, c) => (c === 0 ? '' : v)); // a note row without TAG_SPOOL: gets no version
rows[6] = []; // an empty row between spools
rows[8]![60] = '=SUM(O2:O5)'; // Observaciones holding a formula
const blank: SheetState = {
  title: 'ZEUES Produccion',
  sheets: [
    { title: 'Operaciones', rowCount: 30, columnCount: 70, hidden: false, values: [[...V21_HEADERS], ...rows] },
    {
      title: 'Metadata',
      rowCount: 5,
      columnCount: 2,
      hidden: false,
      values: [
        ['clave', 'valor'],
        ['planta', 'Quilicura'],
      ],
    },
    { title: 'Config', rowCount: 3, columnCount: 2, hidden: true, values: [['schema', 'v2.1']] },
  ],
};

const headerOnly: SheetState = {
  title: 'ZEUES Produccion',
  sheets: [{ title: 'Operaciones', rowCount: 1, columnCount: 65, hidden: false, values: [[...V21_HEADERS]] }],
};

// The real sheet's facts: 65 columns of names this plugin does not know (TAG_SPOOL at G), then two columns
// engineering added since; both are carried, the v3.0 columns go after them.
const realLayout: SheetState = {
  title: 'ZEUES Produccion',
  sheets: [
    {
      title: 'Operaciones',
      rowCount: 10,
      columnCount: 67,
      hidden: false,
      values: realLayoutValues(6, ['Notas_Extra', 'Campo_Nuevo']).map(str),
    },
  ],
};

for (const [name, state] of [
  ['basic', basic],
  ['blank-rows-spare-grid-other-tabs', blank],
  ['header-only', headerOnly],
  ['real-layout-extra-columns', realLayout],
] as const) {
  await writeFixture(state, join(root, name, 'before'));
}
