// Logical sessions as far as transactions need them: lsid + txnNumber select a TransactionView.
import type { Binary, Document } from 'bson';
import { TransactionView, type Catalog, type CatalogView } from './catalog.js';
import { CommandError } from './errors.js';

interface SessionTransaction {
  txnNumber: number;
  state: 'active' | 'committed' | 'aborted';
  view: TransactionView;
}

function sessionKey(lsid: unknown): string {
  const id = (lsid as { id?: Binary } | undefined)?.id;
  if (!id || typeof id !== 'object' || !('buffer' in id))
    throw new CommandError('BadValue', 'transaction commands need an lsid with an id');
  return Buffer.from(id.buffer).toString('hex');
}

function noSuchTransaction(txnNumber: number): CommandError {
  return new CommandError('NoSuchTransaction', `Transaction with { txnNumber: ${txnNumber} } has been aborted.`, {}, [
    'TransientTransactionError',
  ]);
}

export class Sessions {
  private readonly transactions = new Map<string, SessionTransaction>();

  constructor(private readonly catalog: Catalog) {}

  get activeTransactions(): number {
    return [...this.transactions.values()].filter((t) => t.state === 'active').length;
  }

  /** The view a command runs against: the global catalog, or its session's transaction. */
  viewFor(body: Document): CatalogView {
    if (body.autocommit !== false) return this.catalog;
    const key = sessionKey(body.lsid);
    const txnNumber = Number(body.txnNumber);
    const current = this.transactions.get(key);
    if (body.startTransaction === true) {
      if (current && txnNumber < current.txnNumber) {
        throw new CommandError(
          'TransactionTooOld',
          `Cannot start transaction ${txnNumber} on session because a newer transaction ${current.txnNumber} has already started.`,
        );
      }
      const started: SessionTransaction = { txnNumber, state: 'active', view: new TransactionView(this.catalog) };
      this.transactions.set(key, started);
      return started.view;
    }
    if (!current || current.txnNumber !== txnNumber || current.state !== 'active') throw noSuchTransaction(txnNumber);
    return current.view;
  }

  commit(body: Document): void {
    const key = sessionKey(body.lsid);
    const txnNumber = Number(body.txnNumber);
    const current = this.transactions.get(key);
    if (!current || current.txnNumber !== txnNumber) throw noSuchTransaction(txnNumber);
    if (current.state === 'committed') return; // a retried commit succeeds again
    if (current.state === 'aborted') throw noSuchTransaction(txnNumber);
    try {
      current.view.commit();
      current.state = 'committed';
    } catch (error) {
      current.state = 'aborted';
      throw error;
    }
  }

  abort(body: Document): void {
    const key = sessionKey(body.lsid);
    const txnNumber = Number(body.txnNumber);
    const current = this.transactions.get(key);
    if (!current || current.txnNumber !== txnNumber || current.state === 'committed')
      throw noSuchTransaction(txnNumber);
    current.state = 'aborted';
  }

  /** A failed statement aborts its transaction, as on the server. */
  abortAfterError(body: Document): void {
    if (body.autocommit !== false) return;
    const current = this.transactions.get(sessionKey(body.lsid));
    if (current && current.txnNumber === Number(body.txnNumber) && current.state === 'active')
      current.state = 'aborted';
  }

  end(lsids: unknown[]): void {
    for (const lsid of lsids) {
      try {
        this.transactions.delete(sessionKey(lsid));
      } catch {
        // endSessions ignores malformed ids, as the server does
      }
    }
  }

  clear(): void {
    this.transactions.clear();
  }
}
