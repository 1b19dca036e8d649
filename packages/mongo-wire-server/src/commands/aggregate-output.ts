// $out and $merge write into the catalog (mingo's own versions write into plain arrays).
import type { Document } from 'bson';
import { Collection } from '../collection.js';
import { CommandError, toCommandError } from '../errors.js';
import { keyString, valuesAtPath } from '../keys.js';
import { applyUpdate, idFirst } from '../update-engine.js';
import type { CommandContext } from './context.js';

export function writeStageOutput(ctx: CommandContext, stage: Document, results: Document[]): void {
  if ('$out' in stage) {
    const spec = stage.$out as unknown;
    const db = typeof spec === 'object' && spec !== null ? String((spec as Document).db ?? ctx.db) : ctx.db;
    const name = typeof spec === 'object' && spec !== null ? String((spec as Document).coll) : String(spec);
    // $out replaces the documents but keeps the target's indexes; a unique violation leaves the target untouched.
    const target = ctx.view.forWrite(db, name) as Collection;
    const replacement = new Collection(db, name, target.options, target.uuid);
    for (const index of target.indexes.slice(1)) replacement.addIndex(index);
    for (const doc of results) replacement.insert(idFirst(doc));
    target.adopt(replacement);
    return;
  }
  const spec = stage.$merge as unknown;
  const options: Document = typeof spec === 'string' ? { into: spec } : (spec as Document);
  const into = options.into as unknown;
  const db = typeof into === 'object' && into !== null ? String((into as Document).db ?? ctx.db) : ctx.db;
  const name = typeof into === 'object' && into !== null ? String((into as Document).coll) : String(into);
  const on =
    options.on === undefined ? ['_id'] : Array.isArray(options.on) ? (options.on as string[]) : [String(options.on)];
  const whenMatched = (options.whenMatched ?? 'merge') as string | Document[];
  const whenNotMatched = (options.whenNotMatched ?? 'insert') as string;
  const target = ctx.view.forWrite(db, name) as Collection;
  const identify = (doc: Document) => keyString(on.map((field) => valuesAtPath(doc, field)[0] ?? null));
  const existing = new Map<string, Document>();
  for (const doc of target.all()) existing.set(identify(doc), doc);
  try {
    for (const result of results) {
      const match = existing.get(identify(result));
      if (!match) {
        if (whenNotMatched === 'discard') continue;
        if (whenNotMatched === 'fail')
          throw new CommandError(
            'Location40414',
            '$merge could not find a matching document in the target collection for at least one document in the source collection',
          );
        target.insert(idFirst(result));
        continue;
      }
      if (whenMatched === 'keepExisting') continue;
      if (whenMatched === 'fail')
        throw new CommandError('DuplicateKey', `E11000 duplicate key error collection: ${db}.${name}`);
      let next: Document;
      if (whenMatched === 'replace') next = { ...result, _id: match._id };
      else if (Array.isArray(whenMatched)) next = applyUpdate(match, whenMatched);
      else next = { ...match, ...result, _id: match._id };
      target.replace(match, idFirst(next));
    }
  } catch (error) {
    throw toCommandError(error);
  }
}
