/**
 * A site's database as the rest of supsync sees it: typed repositories over one SQLite handle
 * that never leaves store/. Open one with `openSiteStore`, write in `transaction(...)`, close it.
 */
import { type AnchorRepository, anchorRepository } from './anchors.js';
import { type CatalogView, catalogView } from './catalog-view.js';
import { type CategoryRepository, categoryRepository } from './categories.js';
import { type MetaRepository, metaRepository } from './meta.js';
import { type RunRepository, runRepository } from './runs.js';
import { type ServedRepository, servedRepository } from './served.js';
import { type SiteFigures, siteFigures } from './site-figures.js';
import { type ConsoleQueries, consoleQueries } from './console-queries.js';
import { type SyncProgressRepository, syncProgressRepository } from './sync-progress.js';
import { type SiteDb, nextChangeSeq, openSiteDb, requireCurrentLayout } from './site-db.js';
import { type Prepare, statementCache } from './statements.js';
import { type SyncStateRepository, syncStateRepository } from './sync-status.js';
import { UpdateStore } from './updates.js';

export class SiteStore {
  readonly #db: SiteDb;
  readonly #prepare: Prepare;
  readonly meta: MetaRepository;
  readonly categories: CategoryRepository;
  readonly anchors: AnchorRepository;
  readonly runs: RunRepository;
  readonly state: SyncStateRepository;
  readonly served: ServedRepository;
  readonly catalogView: CatalogView;
  /** What monitoring shows: the last finished run, updates by state. */
  readonly figures: SiteFigures;
  /** The running sync's live progress (any process can read it). */
  readonly progress: SyncProgressRepository;
  /** What the web console reads: a run's counts with titles, the update search, an update's relations. */
  readonly console: ConsoleQueries;
  #updates: UpdateStore | undefined;

  constructor(db: SiteDb) {
    this.#db = db;
    const prepare = (this.#prepare = statementCache(db));
    this.meta = metaRepository(db, prepare);
    this.categories = categoryRepository(db, prepare);
    this.anchors = anchorRepository(db, prepare);
    this.runs = runRepository(db, prepare);
    this.state = syncStateRepository(db, prepare);
    this.served = servedRepository(db);
    this.catalogView = catalogView(db, prepare);
    this.figures = siteFigures(db, prepare);
    this.progress = syncProgressRepository(db, prepare);
    this.console = consoleQueries(db);
  }

  /** Updates and their relations (prepared on first use: a read-only store may never need them). */
  get updates(): UpdateStore {
    if (!this.#updates) {
      requireCurrentLayout(this.#db);
      this.#updates = new UpdateStore(this.#db, this.#prepare);
    }
    return this.#updates;
  }

  /** Wraps `fn` in a transaction (nested calls become savepoints); the returned function runs it. */
  transaction<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
    return this.#db.transaction(fn) as unknown as (...args: A) => R;
  }

  /**
   * Runs `fn` in one write transaction that may span awaits (a package read from a stream): taken
   * at once (BEGIN IMMEDIATE), committed when `fn` resolves, rolled back when it throws.
   */
  async writeAcross<R>(fn: () => Promise<R>): Promise<R> {
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const result = await fn();
      this.#db.exec('COMMIT');
      return result;
    } catch (error) {
      if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
      throw error;
    }
  }

  /** The next change sequence number: every stored revision gets one, so a served delta is "seq > anchor". */
  nextChangeSeq(): number {
    return nextChangeSeq(this.#prepare);
  }

  close(): void {
    this.#db.close();
  }
}

/** Opens (creating and migrating if needed) a site's database. */
export function openSiteStore(file: string, options: { readonly?: boolean; create?: boolean } = {}): SiteStore {
  return new SiteStore(openSiteDb(file, options));
}

/** Opens a site's database, runs `fn`, closes it. */
export function withSiteStore<R>(file: string, fn: (store: SiteStore) => R, options: { readonly?: boolean; create?: boolean } = {}): R {
  const store = openSiteStore(file, options);
  try {
    return fn(store);
  } finally {
    store.close();
  }
}
