// The emulator's state and the documented semantics of the Sheets v4 / Drive v3 operations we use, kept
// separate from HTTP so each rule reads like the reference page it follows. Errors carry the API's
// status + canonical name; the HTTP layer turns them into `{error:{code,message,status}}` bodies.
import { columnLetter, formatA1, parseA1, quoteSheet } from '../a1.js';

/** A stored cell: what the user entered (numbers, booleans, strings; formulas as `=...` text). */
export type CellValue = string | number | boolean;
type Cell = CellValue | null;

export interface DeveloperMetadata {
  metadataId: number;
  metadataKey: string;
  metadataValue?: string;
  location: { locationType: 'SPREADSHEET'; spreadsheet: true } | { locationType: 'SHEET'; sheetId: number };
  visibility: 'DOCUMENT' | 'PROJECT';
}

export interface SheetModel {
  sheetId: number;
  title: string;
  index: number;
  hidden: boolean;
  rowCount: number;
  columnCount: number;
  /** Dense grid rowCount x columnCount. */
  cells: Cell[][];
}

export interface SpreadsheetModel {
  spreadsheetId: string;
  title: string;
  sheets: SheetModel[];
  metadata: DeveloperMetadata[];
  nextMetadataId: number;
}

export interface DriveFile {
  id: string;
  name: string;
  mimeType: string;
  createdTime: string;
  modifiedTime: string;
  appProperties: Record<string, string>;
  parents: string[];
  trashed: boolean;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly status: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const invalid = (message: string) => new ApiError(400, 'INVALID_ARGUMENT', message);
const notFound = () => new ApiError(404, 'NOT_FOUND', 'Requested entity was not found.');

export type ValueRenderOption = 'FORMATTED_VALUE' | 'UNFORMATTED_VALUE' | 'FORMULA';
export type ValueInputOption = 'RAW' | 'USER_ENTERED';

interface Region {
  sheet: SheetModel;
  startRow: number;
  endRow: number;
  startCol: number;
  endCol: number;
}

function emptyGrid(rows: number, cols: number): Cell[][] {
  return Array.from({ length: rows }, () => new Array<Cell>(cols).fill(null));
}

export interface SheetSeed {
  title: string;
  values?: CellValue[][];
  rowCount?: number;
  columnCount?: number;
  hidden?: boolean;
}

let idCounter = 0;
function newFileId(): string {
  idCounter += 1;
  return `1${Math.random().toString(36).slice(2, 12)}${idCounter.toString(36)}EmU`;
}

export class GoogleModel {
  readonly spreadsheets = new Map<string, SpreadsheetModel>();
  readonly files = new Map<string, DriveFile>();
  private clock: () => number;

  constructor(clock: () => number = Date.now) {
    this.clock = clock;
  }

  setClock(clock: () => number): void {
    this.clock = clock;
  }

  now(): string {
    return new Date(this.clock()).toISOString();
  }

  createSpreadsheet(title: string, sheets: SheetSeed[]): string {
    const id = newFileId();
    const model: SpreadsheetModel = { spreadsheetId: id, title, sheets: [], metadata: [], nextMetadataId: 1000 };
    sheets.forEach((s, index) => {
      const values = s.values ?? [];
      const rowCount = Math.max(s.rowCount ?? 1000, values.length);
      const columnCount = Math.max(s.columnCount ?? 26, ...values.map((r) => r.length));
      const cells = emptyGrid(rowCount, columnCount);
      values.forEach((row, r) => row.forEach((v, c) => (cells[r]![c] = v === '' ? null : v)));
      model.sheets.push({
        sheetId: index === 0 ? 0 : 1000 + index,
        title: s.title,
        index,
        hidden: s.hidden ?? false,
        rowCount,
        columnCount,
        cells,
      });
    });
    this.spreadsheets.set(id, model);
    const t = this.now();
    this.files.set(id, {
      id,
      name: title,
      mimeType: 'application/vnd.google-apps.spreadsheet',
      createdTime: t,
      modifiedTime: t,
      appProperties: {},
      parents: ['root'],
      trashed: false,
    });
    return id;
  }

  spreadsheet(id: string): SpreadsheetModel {
    const s = this.spreadsheets.get(id);
    if (!s || this.files.get(id)?.trashed) throw notFound();
    return s;
  }

  // ---- spreadsheets.get -------------------------------------------------------------------------------

  describe(s: SpreadsheetModel, withGrid: { ranges?: string[] } | null = null): Record<string, unknown> {
    const grid = new Map<number, Record<string, unknown>[]>();
    for (const range of withGrid?.ranges ?? []) {
      const region = this.region(s, range);
      const rowData = [];
      for (let r = region.startRow; r < region.endRow; r++) {
        const values = [];
        for (let c = region.startCol; c < region.endCol; c++) values.push(cellData(region.sheet.cells[r]![c] ?? null));
        rowData.push({ values });
      }
      grid.set(region.sheet.sheetId, [
        ...(grid.get(region.sheet.sheetId) ?? []),
        { startRow: region.startRow, startColumn: region.startCol, rowData },
      ]);
    }
    const spreadsheetMeta = s.metadata.filter((m) => m.location.locationType === 'SPREADSHEET');
    return {
      spreadsheetId: s.spreadsheetId,
      properties: { title: s.title, locale: 'es_CL', autoRecalc: 'ON_CHANGE', timeZone: 'America/Santiago' },
      sheets: s.sheets.map((sh) => {
        const meta = s.metadata.filter((m) => m.location.locationType === 'SHEET' && m.location.sheetId === sh.sheetId);
        return {
          properties: {
            sheetId: sh.sheetId,
            title: sh.title,
            index: sh.index,
            sheetType: 'GRID',
            gridProperties: { rowCount: sh.rowCount, columnCount: sh.columnCount },
            ...(sh.hidden ? { hidden: true } : {}),
          },
          ...(grid.has(sh.sheetId) ? { data: grid.get(sh.sheetId) } : {}),
          ...(meta.length ? { developerMetadata: meta.map(clone) } : {}),
        };
      }),
      ...(spreadsheetMeta.length ? { developerMetadata: spreadsheetMeta.map(clone) } : {}),
      spreadsheetUrl: `https://docs.google.com/spreadsheets/d/${s.spreadsheetId}/edit`,
    };
  }

  // ---- A1 ranges --------------------------------------------------------------------------------------

  sheetByTitle(s: SpreadsheetModel, title: string | undefined): SheetModel {
    const sheet = title === undefined ? s.sheets[0] : s.sheets.find((sh) => sh.title === title);
    if (!sheet) throw invalid(`Unable to parse range: ${title === undefined ? '' : quoteSheet(title)}`);
    return sheet;
  }

  /** Resolves an A1 range and clamps open ends to the grid; a start beyond the grid is an error. */
  region(s: SpreadsheetModel, range: string): Region {
    let parsed;
    try {
      parsed = parseA1(range);
    } catch {
      throw invalid(`Unable to parse range: ${range}`);
    }
    const sheet = this.sheetByTitle(s, parsed.sheet);
    const b = parsed.bounds;
    const startRow = b.startRow ?? 0;
    const startCol = b.startCol ?? 0;
    const endRow = Math.min(b.endRow ?? sheet.rowCount, sheet.rowCount);
    const endCol = Math.min(b.endCol ?? sheet.columnCount, sheet.columnCount);
    if (startRow >= sheet.rowCount || startCol >= sheet.columnCount) {
      throw invalid(
        `Range (${quoteSheet(sheet.title)}!${columnLetter(startCol)}${startRow + 1}) exceeds grid limits. Max rows: ${sheet.rowCount}, max columns: ${sheet.columnCount}`,
      );
    }
    return { sheet, startRow, endRow, startCol, endCol };
  }

  // ---- values -----------------------------------------------------------------------------------------

  getValues(
    s: SpreadsheetModel,
    range: string,
    render: ValueRenderOption = 'FORMATTED_VALUE',
  ): Record<string, unknown> {
    const g = this.region(s, range);
    const values: unknown[][] = [];
    for (let r = g.startRow; r < g.endRow; r++) {
      const row: unknown[] = [];
      for (let c = g.startCol; c < g.endCol; c++) row.push(renderCell(g.sheet.cells[r]![c] ?? null, render));
      while (row.length > 0 && row[row.length - 1] === '') row.pop();
      values.push(row);
    }
    while (values.length > 0 && values[values.length - 1]!.length === 0) values.pop();
    return {
      range: formatA1(g.sheet.title, g.startRow, g.startCol, g.endRow, g.endCol),
      majorDimension: 'ROWS',
      ...(values.length > 0 ? { values } : {}),
    };
  }

  /** Validates a write without applying it; returns the apply step so batch writes are all-or-nothing. */
  prepareWrite(
    s: SpreadsheetModel,
    range: string,
    values: unknown[][],
    input: ValueInputOption,
  ): { apply: () => void; result: Record<string, unknown> } {
    if (!Array.isArray(values)) throw invalid("Invalid value at 'data.values'");
    const parsed = (() => {
      try {
        return parseA1(range);
      } catch {
        throw invalid(`Unable to parse range: ${range}`);
      }
    })();
    const sheet = this.sheetByTitle(s, parsed.sheet);
    const startRow = parsed.bounds.startRow ?? 0;
    const startCol = parsed.bounds.startCol ?? 0;
    const width = Math.max(0, ...values.map((r) => r.length));
    const height = values.length;
    const endRow = startRow + height;
    const endCol = startCol + width;
    const limitRow = parsed.bounds.endRow ?? Infinity;
    const limitCol = parsed.bounds.endCol ?? Infinity;
    if (endRow > limitRow || endCol > limitCol) {
      throw invalid(
        `Requested writing within range [${range}], but tried writing to ${endCol > limitCol ? `column [${columnLetter(endCol - 1)}]` : `row [${endRow}]`}`,
      );
    }
    if (height > 0 && (endRow > sheet.rowCount || endCol > sheet.columnCount)) {
      throw invalid(
        `Range (${quoteSheet(sheet.title)}!${columnLetter(Math.max(endCol, 1) - 1)}${endRow}) exceeds grid limits. Max rows: ${sheet.rowCount}, max columns: ${sheet.columnCount}`,
      );
    }
    let cells = 0;
    for (const row of values) for (const v of row) if (v !== null && v !== undefined) cells++;
    return {
      apply: () => {
        values.forEach((row, r) =>
          row.forEach((v, c) => {
            if (v === null || v === undefined) return; // null = leave unchanged (documented)
            sheet.cells[startRow + r]![startCol + c] = parseInput(v as CellValue, input);
          }),
        );
      },
      result: {
        spreadsheetId: s.spreadsheetId,
        updatedRange: height
          ? formatA1(sheet.title, startRow, startCol, endRow, endCol)
          : `${quoteSheet(sheet.title)}!${columnLetter(startCol)}${startRow + 1}`,
        updatedRows: height,
        updatedColumns: width,
        updatedCells: cells,
      },
    };
  }

  clearValues(s: SpreadsheetModel, range: string): Record<string, unknown> {
    const g = this.region(s, range);
    for (let r = g.startRow; r < g.endRow; r++) for (let c = g.startCol; c < g.endCol; c++) g.sheet.cells[r]![c] = null;
    return {
      spreadsheetId: s.spreadsheetId,
      clearedRange: formatA1(g.sheet.title, g.startRow, g.startCol, g.endRow, g.endCol),
    };
  }

  /** values.append with INSERT_ROWS / OVERWRITE: finds the table's last row inside the range, writes below it. */
  append(
    s: SpreadsheetModel,
    range: string,
    values: unknown[][],
    input: ValueInputOption,
    insert: 'INSERT_ROWS' | 'OVERWRITE',
  ): Record<string, unknown> {
    const g = this.region(s, range);
    let last = -1;
    for (let r = 0; r < g.sheet.rowCount; r++) {
      for (let c = g.startCol; c < g.endCol; c++) if (g.sheet.cells[r]![c] !== null) last = r;
    }
    const tableStart = last < 0 ? g.startRow : g.startRow;
    const at = last + 1;
    const needed = at + values.length;
    if (insert === 'INSERT_ROWS') {
      g.sheet.cells.splice(at, 0, ...emptyGrid(values.length, g.sheet.columnCount));
      g.sheet.rowCount += values.length;
    } else if (needed > g.sheet.rowCount) {
      g.sheet.cells.push(...emptyGrid(needed - g.sheet.rowCount, g.sheet.columnCount));
      g.sheet.rowCount = needed;
    }
    const width = Math.max(0, ...values.map((r) => r.length));
    if (g.startCol + width > g.sheet.columnCount) {
      throw invalid(
        `Range (${quoteSheet(g.sheet.title)}!${columnLetter(g.startCol + width - 1)}${at + 1}) exceeds grid limits. Max rows: ${g.sheet.rowCount}, max columns: ${g.sheet.columnCount}`,
      );
    }
    const write = this.prepareWrite(
      s,
      formatA1(g.sheet.title, at, g.startCol, at + Math.max(1, values.length), g.startCol + Math.max(1, width)),
      values,
      input,
    );
    write.apply();
    return {
      spreadsheetId: s.spreadsheetId,
      tableRange: last < 0 ? undefined : formatA1(g.sheet.title, tableStart, g.startCol, last + 1, g.endCol),
      updates: write.result,
    };
  }

  // ---- spreadsheets.batchUpdate ------------------------------------------------------------------------

  /** All requests apply or none: they run on a copy that replaces the original only when every one succeeded. */
  batchUpdate(id: string, requests: Record<string, any>[]): Record<string, unknown>[] {
    if (!Array.isArray(requests) || requests.length === 0) throw invalid('Must specify at least one request.');
    const original = this.spreadsheet(id);
    const draft = structuredClone(original);
    const replies = requests.map((request, i) => {
      const kinds = Object.keys(request);
      if (kinds.length !== 1) throw invalid(`Invalid requests[${i}]: exactly one request kind must be set`);
      const kind = kinds[0]!;
      try {
        return this.apply(draft, kind, request[kind]);
      } catch (error) {
        if (error instanceof ApiError)
          throw new ApiError(error.code, error.status, `Invalid requests[${i}].${kind}: ${error.message}`);
        throw error;
      }
    });
    this.spreadsheets.set(id, draft);
    const file = this.files.get(id);
    if (file) file.modifiedTime = this.now();
    return replies;
  }

  private sheetById(s: SpreadsheetModel, sheetId: unknown): SheetModel {
    const sheet = s.sheets.find((sh) => sh.sheetId === (sheetId ?? 0));
    if (!sheet) throw invalid(`No grid with id: ${String(sheetId)}`);
    return sheet;
  }

  private apply(s: SpreadsheetModel, kind: string, body: any): Record<string, unknown> {
    switch (kind) {
      case 'insertDimension': {
        const { range, inheritFromBefore } = body;
        const sheet = this.sheetById(s, range?.sheetId);
        const start = range.startIndex ?? 0;
        const end = range.endIndex;
        const count = range.dimension === 'COLUMNS' ? sheet.columnCount : sheet.rowCount;
        if (typeof end !== 'number' || end <= start) throw invalid('range must have endIndex greater than startIndex');
        if (start > count)
          throw invalid(
            `Cannot insert ${range.dimension === 'COLUMNS' ? 'columns' : 'rows'} at index ${start}: the sheet only has ${count}.`,
          );
        if (inheritFromBefore && start === 0) throw invalid('Cannot inherit from before when inserting at index 0.');
        const n = end - start;
        if (range.dimension === 'COLUMNS') {
          for (const row of sheet.cells) row.splice(start, 0, ...new Array<Cell>(n).fill(null));
          sheet.columnCount += n;
        } else if (range.dimension === 'ROWS') {
          sheet.cells.splice(start, 0, ...emptyGrid(n, sheet.columnCount));
          sheet.rowCount += n;
        } else throw invalid(`Invalid dimension: ${String(range.dimension)}`);
        return {};
      }
      case 'appendDimension': {
        const sheet = this.sheetById(s, body.sheetId);
        const n = body.length;
        if (!(n > 0)) throw invalid('length must be positive');
        if (body.dimension === 'COLUMNS') {
          for (const row of sheet.cells) row.push(...new Array<Cell>(n).fill(null));
          sheet.columnCount += n;
        } else {
          sheet.cells.push(...emptyGrid(n, sheet.columnCount));
          sheet.rowCount += n;
        }
        return {};
      }
      case 'deleteDimension': {
        const { range } = body;
        const sheet = this.sheetById(s, range?.sheetId);
        const columns = range.dimension === 'COLUMNS';
        const count = columns ? sheet.columnCount : sheet.rowCount;
        const start = range.startIndex ?? 0;
        const end = range.endIndex ?? count;
        if (end > count)
          throw invalid(
            `Cannot delete a ${columns ? 'column' : 'row'} that doesn't exist. Tried to delete ${columns ? 'column' : 'row'} index ${end - 1} but there are only ${count} ${columns ? 'columns' : 'rows'}.`,
          );
        if (end - start >= count)
          throw invalid(`You can't delete all the ${columns ? 'columns' : 'rows'} on the sheet.`);
        if (columns) {
          for (const row of sheet.cells) row.splice(start, end - start);
          sheet.columnCount -= end - start;
        } else {
          sheet.cells.splice(start, end - start);
          sheet.rowCount -= end - start;
        }
        return {};
      }
      case 'updateCells': {
        const fields = String(body.fields ?? '');
        if (
          !fields
            .split(',')
            .map((f) => f.trim())
            .some((f) => f === 'userEnteredValue' || f === '*')
        ) {
          throw invalid('fields must include userEnteredValue (the emulator models values only)');
        }
        const rows: any[] = body.rows ?? [];
        let sheet: SheetModel;
        let startRow: number;
        let startCol: number;
        let clearTo: { endRow: number; endCol: number } | null = null;
        if (body.range) {
          sheet = this.sheetById(s, body.range.sheetId);
          startRow = body.range.startRowIndex ?? 0;
          startCol = body.range.startColumnIndex ?? 0;
          clearTo = {
            endRow: body.range.endRowIndex ?? sheet.rowCount,
            endCol: body.range.endColumnIndex ?? sheet.columnCount,
          };
        } else {
          sheet = this.sheetById(s, body.start?.sheetId);
          startRow = body.start?.rowIndex ?? 0;
          startCol = body.start?.columnIndex ?? 0;
        }
        const width = Math.max(0, ...rows.map((r) => (r.values ?? []).length));
        if (startRow + rows.length > sheet.rowCount || startCol + width > sheet.columnCount) {
          throw invalid(`Range exceeds grid limits. Max rows: ${sheet.rowCount}, max columns: ${sheet.columnCount}`);
        }
        if (clearTo) {
          // Documented: cells of `range` that `rows` does not cover are cleared for the fields given.
          for (let r = startRow; r < Math.min(clearTo.endRow, sheet.rowCount); r++) {
            for (let c = startCol; c < Math.min(clearTo.endCol, sheet.columnCount); c++) sheet.cells[r]![c] = null;
          }
        }
        rows.forEach((row, r) =>
          (row.values ?? []).forEach((cell: any, c: number) => {
            sheet.cells[startRow + r]![startCol + c] = fromExtendedValue(cell?.userEnteredValue);
          }),
        );
        return {};
      }
      case 'addSheet': {
        const p = body.properties ?? {};
        const title = p.title ?? `Sheet${s.sheets.length + 1}`;
        if (s.sheets.some((sh) => sh.title === title))
          throw invalid(`A sheet with the name "${title}" already exists. Please enter another name.`);
        const sheetId = p.sheetId ?? Math.max(0, ...s.sheets.map((sh) => sh.sheetId)) + 1;
        if (s.sheets.some((sh) => sh.sheetId === sheetId)) throw invalid(`Sheet ID ${sheetId} is already in use.`);
        const rowCount = p.gridProperties?.rowCount ?? 1000;
        const columnCount = p.gridProperties?.columnCount ?? 26;
        const sheet: SheetModel = {
          sheetId,
          title,
          index: s.sheets.length,
          hidden: !!p.hidden,
          rowCount,
          columnCount,
          cells: emptyGrid(rowCount, columnCount),
        };
        s.sheets.push(sheet);
        return {
          addSheet: {
            properties: {
              sheetId,
              title,
              index: sheet.index,
              sheetType: 'GRID',
              gridProperties: { rowCount, columnCount },
              ...(sheet.hidden ? { hidden: true } : {}),
            },
          },
        };
      }
      case 'deleteSheet': {
        const sheet = this.sheetById(s, body.sheetId);
        if (s.sheets.length === 1) throw invalid("You can't remove all the sheets in a document.");
        s.sheets = s.sheets.filter((sh) => sh !== sheet);
        s.sheets.forEach((sh, i) => (sh.index = i));
        s.metadata = s.metadata.filter(
          (m) => !(m.location.locationType === 'SHEET' && m.location.sheetId === sheet.sheetId),
        );
        return {};
      }
      case 'updateSheetProperties': {
        const p = body.properties ?? {};
        const sheet = this.sheetById(s, p.sheetId);
        const fields = String(body.fields ?? '')
          .split(',')
          .map((f) => f.trim())
          .filter(Boolean);
        if (fields.length === 0) throw invalid('At least one field must be updated, but none were specified.');
        for (const f of fields) {
          if (f === 'hidden' || f === '*') sheet.hidden = !!p.hidden;
          if (f === 'title' || f === '*') sheet.title = p.title ?? sheet.title;
          if (f === 'gridProperties.rowCount' || f === 'gridProperties' || f === '*')
            resize(sheet, p.gridProperties?.rowCount ?? sheet.rowCount, sheet.columnCount);
          if (f === 'gridProperties.columnCount' || f === 'gridProperties' || f === '*')
            resize(sheet, sheet.rowCount, p.gridProperties?.columnCount ?? sheet.columnCount);
        }
        if (s.sheets.every((sh) => sh.hidden)) throw invalid("You can't hide all the sheets in a document.");
        return {};
      }
      case 'createDeveloperMetadata': {
        const m = body.developerMetadata ?? {};
        if (!m.metadataKey) throw invalid('Developer metadata key must be specified.');
        if (m.visibility !== 'DOCUMENT' && m.visibility !== 'PROJECT')
          throw invalid('Developer metadata visibility must be specified.');
        if (typeof m.metadataValue === 'string' && m.metadataValue.length > 30_000)
          throw invalid('Developer metadata value exceeds the 30000 character limit.');
        let location: DeveloperMetadata['location'];
        if (m.location?.spreadsheet) location = { locationType: 'SPREADSHEET', spreadsheet: true };
        else if (typeof m.location?.sheetId === 'number') {
          this.sheetById(s, m.location.sheetId);
          location = { locationType: 'SHEET', sheetId: m.location.sheetId };
        } else throw invalid('Developer metadata location must be a spreadsheet or a sheet in this emulator.');
        let metadataId: number;
        if (m.metadataId !== undefined) {
          metadataId = Number(m.metadataId);
          if (!(metadataId > 0)) throw invalid('Developer metadata ID must be positive.');
          if (s.metadata.some((x) => x.metadataId === metadataId))
            throw invalid(`Developer metadata with ID ${metadataId} already exists.`);
        } else {
          do metadataId = s.nextMetadataId++;
          while (s.metadata.some((x) => x.metadataId === metadataId));
        }
        const created: DeveloperMetadata = {
          metadataId,
          metadataKey: m.metadataKey,
          ...(m.metadataValue === undefined ? {} : { metadataValue: String(m.metadataValue) }),
          location,
          visibility: m.visibility,
        };
        s.metadata.push(created);
        return { createDeveloperMetadata: { developerMetadata: clone(created) } };
      }
      case 'updateDeveloperMetadata': {
        const matches = (body.dataFilters ?? []).flatMap((f: any) => this.matchMetadata(s, f));
        const fields = String(body.fields ?? '')
          .split(',')
          .map((f) => f.trim());
        for (const m of matches) {
          if (fields.includes('metadataValue') || fields.includes('*'))
            m.metadataValue = body.developerMetadata?.metadataValue;
          if (fields.includes('metadataKey') || fields.includes('*'))
            m.metadataKey = body.developerMetadata?.metadataKey ?? m.metadataKey;
        }
        return { updateDeveloperMetadata: { developerMetadata: matches.map(clone) } };
      }
      case 'deleteDeveloperMetadata': {
        const matches = this.matchMetadata(s, body.dataFilter ?? {});
        s.metadata = s.metadata.filter((m) => !matches.includes(m));
        return { deleteDeveloperMetadata: { deletedDeveloperMetadata: matches.map(clone) } };
      }
      default:
        throw invalid(`Unknown or unsupported request kind "${kind}"`);
    }
  }

  /** A DataFilter with a developerMetadataLookup: every field given must match. */
  matchMetadata(s: SpreadsheetModel, filter: any): DeveloperMetadata[] {
    const lookup = filter?.developerMetadataLookup;
    if (!lookup) throw invalid('Only developerMetadataLookup data filters are supported by the emulator.');
    return s.metadata.filter(
      (m) =>
        (lookup.metadataId === undefined || m.metadataId === Number(lookup.metadataId)) &&
        (lookup.metadataKey === undefined || m.metadataKey === lookup.metadataKey) &&
        (lookup.metadataValue === undefined || m.metadataValue === lookup.metadataValue) &&
        (lookup.visibility === undefined || m.visibility === lookup.visibility) &&
        (lookup.locationType === undefined || m.location.locationType === lookup.locationType),
    );
  }

  // ---- Drive ------------------------------------------------------------------------------------------

  file(id: string): DriveFile {
    const f = this.files.get(id);
    if (!f) throw new ApiError(404, 'NOT_FOUND', `File not found: ${id}.`);
    return f;
  }

  copyFile(id: string, body: { name?: string; parents?: string[]; appProperties?: Record<string, string> }): DriveFile {
    const source = this.file(id);
    const sheet = this.spreadsheets.get(id);
    const copyId = newFileId();
    const t = this.now();
    const copy: DriveFile = {
      id: copyId,
      name: body.name ?? `Copy of ${source.name}`,
      mimeType: source.mimeType,
      createdTime: t,
      modifiedTime: t,
      appProperties: { ...(body.appProperties ?? {}) },
      parents: body.parents ?? [...source.parents],
      trashed: false,
    };
    this.files.set(copyId, copy);
    if (sheet) this.spreadsheets.set(copyId, { ...structuredClone(sheet), spreadsheetId: copyId, title: copy.name });
    return copy;
  }

  deleteFile(id: string): void {
    this.file(id);
    this.files.delete(id);
    this.spreadsheets.delete(id);
  }
}

function resize(sheet: SheetModel, rows: number, cols: number): void {
  if (rows < 1 || cols < 1) throw invalid('gridProperties must keep at least one row and one column');
  sheet.cells = sheet.cells
    .slice(0, rows)
    .map((row) =>
      row.length >= cols ? row.slice(0, cols) : [...row, ...new Array<Cell>(cols - row.length).fill(null)],
    );
  while (sheet.cells.length < rows) sheet.cells.push(new Array<Cell>(cols).fill(null));
  sheet.rowCount = rows;
  sheet.columnCount = cols;
}

function clone<T>(x: T): T {
  return structuredClone(x);
}

/** USER_ENTERED parses like typing into the UI (numbers, booleans, formulas); RAW stores strings as given. */
function parseInput(v: CellValue, input: ValueInputOption): Cell {
  if (v === '') return null;
  if (typeof v !== 'string' || input === 'RAW') return v;
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v.trim())) return Number(v);
  if (/^(true|false)$/i.test(v)) return v.toUpperCase() === 'TRUE';
  return v;
}

export function renderCell(cell: Cell, render: ValueRenderOption): unknown {
  if (cell === null) return '';
  if (render === 'FORMATTED_VALUE') return typeof cell === 'boolean' ? (cell ? 'TRUE' : 'FALSE') : String(cell);
  return cell; // UNFORMATTED_VALUE and FORMULA: formulas are not evaluated by the emulator, so both show the text
}

function cellData(cell: Cell): Record<string, unknown> {
  if (cell === null) return {};
  const ev =
    typeof cell === 'number'
      ? { numberValue: cell }
      : typeof cell === 'boolean'
        ? { boolValue: cell }
        : typeof cell === 'string' && cell.startsWith('=')
          ? { formulaValue: cell }
          : { stringValue: cell };
  return { userEnteredValue: ev, formattedValue: renderCell(cell, 'FORMATTED_VALUE') };
}

function fromExtendedValue(v: any): Cell {
  if (!v) return null;
  if ('numberValue' in v) return Number(v.numberValue);
  if ('boolValue' in v) return !!v.boolValue;
  if ('formulaValue' in v) return String(v.formulaValue);
  if ('stringValue' in v) return v.stringValue === '' ? null : String(v.stringValue);
  return null;
}
