// Everything one server instance holds: the catalog, open cursors, sessions and the logical clock.
import { ObjectId, Timestamp } from 'bson';
import { Catalog } from './catalog.js';
import { CursorRegistry } from './cursors.js';
import { Sessions } from './sessions.js';

export interface ServerIdentity {
  /** host:port as clients reach it; the replica-set hello names it as the only member and the primary. */
  host: string;
  setName: string;
}

export class ServerState {
  readonly catalog = new Catalog();
  readonly cursors = new CursorRegistry();
  readonly sessions = new Sessions(this.catalog);
  readonly electionId = new ObjectId('7fffffff0000000000000001');
  readonly processId = new ObjectId();
  readonly startedAt = new Date();
  private lastTime = { t: 0, i: 0 };
  private connections = 0;

  constructor(readonly identity: ServerIdentity) {}

  nextConnectionId(): number {
    return ++this.connections;
  }

  /** A cluster time that never goes backwards (seconds + counter), used for operationTime and $clusterTime. */
  tick(): Timestamp {
    const t = Math.floor(Date.now() / 1000);
    this.lastTime = t > this.lastTime.t ? { t, i: 1 } : { t: this.lastTime.t, i: this.lastTime.i + 1 };
    return new Timestamp(this.lastTime);
  }
}
