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
  /** What monitoring shows: the last finished run, updates by state. */
  readonly figures: SiteFigures;
  /** The running sync's live progress (any process can read it). */
  readonly progress: SyncProgressRepository;
  #updates: UpdateStore | undefined;
  #served: ServedRepository | undefined;
  #catalogView: CatalogView | undefined;
  #console: ConsoleQueries | undefined;

  constructor(db: SiteDb) {
    this.#db = db;
    const prepare = (this.#prepare = statementCache(db));
    this.meta = metaRepository(db, prepare);
    this.categories = categoryRepository(db, prepare);
    this.anchors = anchorRepository(db, prepare);
    this.runs = runRepository(db, prepare);
    this.state = syncStateRepository(db, prepare);
    this.figures = siteFigures(db, prepare);
    this.progress = syncProgressRepository(db, prepare);
  }

  // What reads updates with their relations and documents, whose layout migrations 6 and 7 changed:
  // made on first use, and refused by a read-only store of a site still in an older layout
  // (`requireCurrentLayout`), which the state, history and figures above are not.

  /** Updates and their relations. */
  get updates(): UpdateStore {
    return (this.#updates ??= this.#inCurrentLayout(() => new UpdateStore(this.#db, this.#prepare)));
  }

  /** What a SUP endpoint serves: revision lists and stored revisions. */
  get served(): ServedRepository {
    return (this.#served ??= this.#inCurrentLayout(() => servedRepository(this.#db)));
  }

  /** What the catalog stand-in shows of stored updates. */
  get catalogView(): CatalogView {
    return (this.#catalogView ??= this.#inCurrentLayout(() => catalogView(this.#db, this.#prepare)));
  }

  /** What the web console reads: a run's counts with titles, the update search, an update's relations. */
  get console(): ConsoleQueries {
    return (this.#console ??= this.#inCurrentLayout(() => consoleQueries(this.#db)));
  }

  #inCurrentLayout<T>(make: () => T): T {
    requireCurrentLayout(this.#db);
    return make();
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
