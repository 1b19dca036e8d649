import type { Document } from 'bson';
import type { CatalogView } from '../catalog.js';
import { CommandError } from '../errors.js';
import type { ServerState } from '../state.js';

export interface CommandContext {
  /** The database the command runs in (`$db`). */
  db: string;
  /** The command document, kind-1 document sequences merged in. */
  body: Document;
  name: string;
  state: ServerState;
  view: CatalogView;
  connectionId: number;
}

export type CommandHandler = (ctx: CommandContext) => Document;

/** The collection name a collection-level command names in its first field. */
export function collectionName(ctx: CommandContext): string {
  const value = ctx.body[ctx.name] as unknown;
  if (typeof value !== 'string' || value.length === 0) {
    throw new CommandError(
      'InvalidNamespace',
      `collection name has invalid type ${value === null ? 'null' : typeof value}`,
    );
  }
  return value;
}

export function optionalNumber(body: Document, field: string): number | undefined {
  const value = body[field] as unknown;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number') throw new CommandError('TypeMismatch', `Field '${field}' must be a number`);
  return value;
}

export function optionalDocument(body: Document, field: string): Document | undefined {
  const value = body[field] as unknown;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value))
    throw new CommandError('TypeMismatch', `Field '${field}' must be a document`);
  return value as Document;
}

/** Fields every command may carry that describe the session, not the command (the server strips them too). */
const GENERIC_FIELDS = new Set([
  '$db',
  'lsid',
  'txnNumber',
  'autocommit',
  'startTransaction',
  '$clusterTime',
  'writeConcern',
  'readConcern',
  'comment',
  'apiVersion',
  'apiStrict',
  'apiDeprecationErrors',
  '$readPreference',
  'maxTimeMS',
  'readPreference',
]);

/** The command's own options: everything but its name and the generic fields. */
export function commandOptions(ctx: CommandContext): Document {
  const options: Document = {};
  for (const [field, value] of Object.entries(ctx.body)) {
    if (field !== ctx.name && !GENERIC_FIELDS.has(field)) options[field] = value;
  }
  return options;
}

export function refuseInTransaction(ctx: CommandContext): void {
  if (ctx.view.inTransaction) {
    throw new CommandError(
      'OperationNotSupportedInTransaction',
      `Cannot run '${ctx.name}' in a multi-document transaction.`,
    );
  }
}
