/**
 * The alert step of a `supsync sync` that has finished: evaluate the home's alerts (its failure or
 * success raises or cancels one) and make one attempt at what is due, after the sync's records
 * are out. Retries are the service's (or the next sync's). It never fails the sync: a problem is a note.
 */
import type { Home } from '../store/home.js';
import { evaluateAlerts } from './alerts.js';
import { deliverDueAlerts } from './delivery.js';

export async function settleAlertsAfterSync(home: Home, onNote: (message: string) => void): Promise<void> {
  try {
    evaluateAlerts(home);
    // Short attempts: the command's caller waits for its exit; a slow receiver is retried later.
    await deliverDueAlerts(home, { onNote, timeoutMs: 5000 });
  } catch (error) {
    onNote(`Alerts could not be evaluated or delivered: ${(error as Error).message}`);
  }
}
