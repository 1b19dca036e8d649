import type { Document } from 'bson';
import type { Collection } from '../collection.js';
import { CommandError, toCommandError } from '../errors.js';
import { isPlainObject } from '../keys.js';
import { project, select } from '../query.js';
import {
  applyUpdate,
  applyUpdateToMany,
  idFirst,
  isOperatorUpdate,
  sameDocument,
  upsertSeed,
  validateUpdate,
  type UpdateSpec,
} from '../update-engine.js';
import { collectionName, optionalDocument, type CommandContext, type CommandHandler } from './context.js';

function statements(ctx: CommandContext, field: string): Document[] {
  const value = ctx.body[field] as unknown;
  if (!Array.isArray(value)) throw new CommandError('TypeMismatch', `Field '${field}' must be an array of documents`);
  return value as Document[];
}

/** Runs each statement; ordered batches stop at the first failure, as the server does. */
function runBatch(ctx: CommandContext, items: Document[], run: (item: Document, index: number) => void): Document[] {
  const ordered = ctx.body.ordered !== false;
  const writeErrors: Document[] = [];
  items.forEach((item, index) => {
    if (ordered && writeErrors.length > 0) return;
    try {
      run(item, index);
    } catch (error) {
      writeErrors.push(toCommandError(error).toWriteError(index));
    }
  });
  // Inside a transaction a failed write aborts the transaction.
  if (writeErrors.length > 0) ctx.state.sessions.abortAfterError(ctx.body);
  return writeErrors;
}

function withErrors(reply: Document, writeErrors: Document[]): Document {
  return writeErrors.length > 0 ? { ...reply, writeErrors, ok: 1 } : { ...reply, ok: 1 };
}

const insert: CommandHandler = (ctx) => {
  const name = collectionName(ctx);
  const documents = statements(ctx, 'documents');
  const collection = ctx.view.forWrite(ctx.db, name) as Collection;
  let n = 0;
  const writeErrors = runBatch(ctx, documents, (doc) => {
    if (!isPlainObject(doc)) throw new CommandError('TypeMismatch', 'each inserted document must be an object');
    collection.insert(idFirst(doc));
    n++;
  });
  return withErrors({ n }, writeErrors);
};

interface UpdateOutcome {
  matched: number;
  modified: number;
  upsertedId?: unknown;
  before?: Document;
  after?: Document;
}

/** One update statement (also the core of findAndModify): `multi` updates every match, else the first by `sort`. */
function updateStatement(
  ctx: CommandContext,
  name: string,
  spec: { q: Document; u: UpdateSpec; upsert: boolean; multi: boolean; sort?: Document; arrayFilters?: Document[] },
): UpdateOutcome {
  validateUpdate(spec.u);
  if (spec.multi && !Array.isArray(spec.u) && !isOperatorUpdate(spec.u)) {
    throw new CommandError('FailedToParse', 'multi update is not supported for replacement-style update');
  }
  const collection = ctx.view.forWrite(ctx.db, name, spec.upsert);
  const matches = select(collection, { filter: spec.q, sort: spec.sort, limit: spec.multi ? undefined : 1 });
  const outcome: UpdateOutcome = { matched: 0, modified: 0 };
  const options = { arrayFilters: spec.arrayFilters, condition: spec.q };
  const batch = applyUpdateToMany(matches, spec.u, options);
  matches.forEach((current, i) => {
    const next = batch ? (batch[i] as Document) : applyUpdate(current, spec.u, options);
    outcome.matched++;
    outcome.before ??= current;
    outcome.after ??= next;
    if (sameDocument(current, next)) return;
    (collection as Collection).replace(current, next);
    outcome.modified++;
  });
  if (matches.length === 0 && spec.upsert && collection) {
    const seed = upsertSeed(spec.q);
    const base =
      Array.isArray(spec.u) || isOperatorUpdate(spec.u) ? seed : seed._id === undefined ? {} : { _id: seed._id };
    const created = idFirst(applyUpdate(base, spec.u, { arrayFilters: spec.arrayFilters, inserting: true }));
    collection.insert(created);
    outcome.upsertedId = created._id;
    outcome.after = created;
  }
  return outcome;
}

const update: CommandHandler = (ctx) => {
  const name = collectionName(ctx);
  let n = 0;
  let nModified = 0;
  const upserted: Document[] = [];
  const writeErrors = runBatch(ctx, statements(ctx, 'updates'), (statement, index) => {
    const q = statement.q as unknown;
    if (!isPlainObject(q)) throw new CommandError('TypeMismatch', "Field 'q' must be a document");
    const outcome = updateStatement(ctx, name, {
      q,
      u: statement.u as UpdateSpec,
      upsert: statement.upsert === true,
      multi: statement.multi === true,
      sort: optionalDocument(statement, 'sort'),
      arrayFilters: statement.arrayFilters as Document[] | undefined,
    });
    if (outcome.upsertedId !== undefined) {
      upserted.push({ index, _id: outcome.upsertedId });
      n++;
    } else {
      n += outcome.matched;
      nModified += outcome.modified;
    }
  });
  return withErrors(upserted.length > 0 ? { n, nModified, upserted } : { n, nModified }, writeErrors);
};

const deleteCommand: CommandHandler = (ctx) => {
  const name = collectionName(ctx);
  let n = 0;
  const writeErrors = runBatch(ctx, statements(ctx, 'deletes'), (statement) => {
    const q = statement.q as unknown;
    if (!isPlainObject(q)) throw new CommandError('TypeMismatch', "Field 'q' must be a document");
    const limit = Number(statement.limit ?? 0);
    if (limit !== 0 && limit !== 1)
      throw new CommandError('FailedToParse', 'The limit field in delete objects must be 0 or 1');
    const collection = ctx.view.forWrite(ctx.db, name, false);
    if (!collection) return;
    for (const doc of select(collection, { filter: q, limit: limit || undefined })) {
      collection.remove(doc);
      n++;
    }
  });
  return withErrors({ n }, writeErrors);
};

const findAndModify: CommandHandler = (ctx) => {
  const name = collectionName(ctx);
  const { body } = ctx;
  const query = optionalDocument(body, 'query') ?? {};
  const sort = optionalDocument(body, 'sort');
  const fields = optionalDocument(body, 'fields');
  if (body.remove === true) {
    if (body.update !== undefined)
      throw new CommandError('FailedToParse', 'Cannot specify both an update and remove=true');
    const collection = ctx.view.forWrite(ctx.db, name, false);
    const target = select(collection, { filter: query, sort, limit: 1 })[0];
    if (target && collection) collection.remove(target);
    return { lastErrorObject: { n: target ? 1 : 0 }, value: target ? project(target, fields) : null, ok: 1 };
  }
  if (body.update === undefined)
    throw new CommandError('FailedToParse', 'Either an update or remove=true must be specified');
  const upsert = body.upsert === true;
  const outcome = updateStatement(ctx, name, {
    q: query,
    u: body.update as UpdateSpec,
    upsert,
    multi: false,
    sort,
    arrayFilters: body.arrayFilters as Document[] | undefined,
  });
  const returnNew = body.new === true;
  const value =
    outcome.upsertedId !== undefined ? (returnNew ? outcome.after : null) : returnNew ? outcome.after : outcome.before;
  const lastErrorObject: Document = {
    n: outcome.upsertedId !== undefined ? 1 : outcome.matched,
    updatedExisting: outcome.matched > 0,
  };
  if (outcome.upsertedId !== undefined) lastErrorObject.upserted = outcome.upsertedId;
  return { lastErrorObject, value: value ? project(value, fields) : null, ok: 1 };
};

export const writeCommands: Record<string, CommandHandler> = { insert, update, delete: deleteCommand, findAndModify };
