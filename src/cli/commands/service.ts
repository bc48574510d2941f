/** Handlers of the service commands. */
import type { CommandHandler } from '../context.js';

export const serviceHandlers: Record<string, CommandHandler> = {};
