import type { Document } from 'bson';
import { Aggregator, ProcessingMode } from 'mingo';
import { CommandError, toCommandError } from '../errors.js';
import { keyString, valuesAtPath } from '../keys.js';
import { matcher, select } from '../query.js';
import {
  collectionName,
  optionalDocument,
  optionalNumber,
  type CommandContext,
  type CommandHandler,
} from './context.js';
import { writeStageOutput } from './aggregate-output.js';
import { cloneDocument } from '../update-engine.js';

/**
 * Stages that never write into their input documents; any other stage makes mingo work on copies (it edits in place).
 */
const READ_ONLY_STAGES = new Set(['$match', '$count', '$group', '$sort', '$skip', '$limit', '$sortByCount']);

const find: CommandHandler = (ctx) => {
  const name = collectionName(ctx);
  const { body } = ctx;
  const limit = optionalNumber(body, 'limit');
  const docs = select(ctx.view.collection(ctx.db, name), {
    filter: optionalDocument(body, 'filter'),
    sort: optionalDocument(body, 'sort'),
    projection: optionalDocument(body, 'projection'),
    skip: optionalNumber(body, 'skip'),
    limit,
  });
  const singleBatch = body.singleBatch === true || (limit !== undefined && limit < 0);
  const batchSize = optionalNumber(body, 'batchSize');
  return { cursor: ctx.state.cursors.open(`${ctx.db}.${name}`, docs, batchSize, singleBatch), ok: 1 };
};

const getMore: CommandHandler = (ctx) => {
  const collection = ctx.body.collection as unknown;
  if (typeof collection !== 'string')
    throw new CommandError('TypeMismatch', "Field 'collection' must be of type string");
  return {
    cursor: ctx.state.cursors.getMore(ctx.body.getMore, collection, ctx.db, optionalNumber(ctx.body, 'batchSize')),
    ok: 1,
  };
};

const killCursors: CommandHandler = (ctx) => {
  const ids = ctx.body.cursors as unknown;
  if (!Array.isArray(ids)) throw new CommandError('TypeMismatch', "Field 'cursors' must be an array");
  return { ...ctx.state.cursors.kill(ids), ok: 1 };
};

const aggregate: CommandHandler = (ctx) => {
  const { body } = ctx;
  const target = body.aggregate as unknown;
  if (typeof target !== 'string' && target !== 1)
    throw new CommandError('FailedToParse', "'aggregate' must be a collection name or 1");
  const pipeline = body.pipeline as unknown;
  if (!Array.isArray(pipeline))
    throw new CommandError('TypeMismatch', "'pipeline' option must be specified as an array");
  if (body.explain) throw new CommandError('IllegalOperation', 'explain is not modeled by the test server');
  const cursorOptions = optionalDocument(body, 'cursor');
  if (!cursorOptions)
    throw new CommandError(
      'FailedToParse',
      "The 'cursor' option is required, except for aggregate with the explain argument",
    );

  const stages = pipeline as Document[];
  const last = stages[stages.length - 1];
  const output = last && ('$out' in last || '$merge' in last) ? last : undefined;
  const computing = output ? stages.slice(0, -1) : stages;
  const source = typeof target === 'string' ? (ctx.view.collection(ctx.db, target)?.all() ?? []) : [];
  let results: Document[];
  try {
    const readOnly = computing.every((stage) => Object.keys(stage).every((op) => READ_ONLY_STAGES.has(op)));
    const aggregator = new Aggregator(computing, {
      processingMode: readOnly ? ProcessingMode.CLONE_OFF : ProcessingMode.CLONE_INPUT,
      collectionResolver: (name: string) => (ctx.view.collection(ctx.db, name)?.all() ?? []).map(cloneDocument),
    });
    results = aggregator.run(source) as Document[];
  } catch (error) {
    throw toCommandError(error);
  }
  if (output) {
    writeStageOutput(ctx, output, results);
    results = [];
  }
  const ns = typeof target === 'string' ? `${ctx.db}.${target}` : `${ctx.db}.$cmd.aggregate`;
  return { cursor: ctx.state.cursors.open(ns, results, optionalNumber(cursorOptions, 'batchSize')), ok: 1 };
};

const count: CommandHandler = (ctx) => {
  const name = collectionName(ctx);
  const collection = ctx.view.collection(ctx.db, name);
  const query = optionalDocument(ctx.body, 'query');
  const skip = optionalNumber(ctx.body, 'skip') ?? 0;
  const limit = optionalNumber(ctx.body, 'limit') ?? 0;
  let n = !collection
    ? 0
    : query && Object.keys(query).length > 0
      ? select(collection, { filter: query }).length
      : collection.docs.size;
  n = Math.max(0, n - skip);
  if (limit) n = Math.min(n, Math.abs(limit));
  return { n, ok: 1 };
};

const distinct: CommandHandler = (ctx) => {
  const name = collectionName(ctx);
  const key = ctx.body.key as unknown;
  if (typeof key !== 'string') throw new CommandError('TypeMismatch', "Field 'key' must be of type string");
  const collection = ctx.view.collection(ctx.db, name);
  const query = matcher(optionalDocument(ctx.body, 'query'));
  const seen = new Map<string, unknown>();
  for (const doc of collection?.all() ?? []) {
    if (!query.test(doc)) continue;
    for (const value of valuesAtPath(doc, key)) {
      if (value === undefined) continue;
      const k = keyString(value);
      if (!seen.has(k)) seen.set(k, value);
    }
  }
  return { values: [...seen.values()], ok: 1 };
};

export const readCommands: Record<string, CommandHandler> = { find, getMore, killCursors, aggregate, count, distinct };
export type { CommandContext };
