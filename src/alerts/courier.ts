/**
 * The service's background alert step: on each poke (the service's ticks, after its syncs) it
 * evaluates the home's alerts and sends what is due, one round at a time, off the sync's path; a
 * timer brings it back when the next retry of a delivery falls due.
 */
import { openAlertDb, nextDeliveryTime } from '../store/alert-db.js';
import type { Home } from '../store/home.js';
import { evaluateAlerts } from './alerts.js';
import { deliverDueAlerts } from './delivery.js';

export class AlertCourier {
  readonly #home: Home;
  readonly #onNote: (message: string) => void;
  #round: Promise<void> | undefined;
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #lastProblem: string | undefined;

  constructor(home: Home, onNote: (message: string) => void) {
    this.#home = home;
    this.#onNote = onNote;
  }

  /** Starts a round now, or right after the one under way. */
  poke(): void {
    if (this.#stopped) return;
    if (this.#round) {
      this.#again = true;
      return;
    }
    this.#round = this.#run().finally(() => {
      this.#round = undefined;
      if (this.#again) {
        this.#again = false;
        this.poke();
      }
    });
  }

  /** Waits for the round under way (a delivery attempt ends within its timeout). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#round;
  }

  async #run(): Promise<void> {
    try {
      evaluateAlerts(this.#home);
      await deliverDueAlerts(this.#home, { onNote: this.#onNote });
      this.#arm();
      this.#lastProblem = undefined;
    } catch (error) {
      const message = `Alerts: ${(error as Error).message}`;
      if (message !== this.#lastProblem) this.#onNote(message);
      this.#lastProblem = message;
    }
  }

  #arm(): void {
    clearTimeout(this.#timer);
    if (this.#stopped) return;
    const db = openAlertDb(this.#home);
    let next: Date | undefined;
    try {
      next = nextDeliveryTime(db);
    } finally {
      db.close();
    }
    if (!next) return;
    this.#timer = setTimeout(() => this.poke(), Math.max(0, next.getTime() - Date.now()) + 10);
    this.#timer.unref();
  }
}
