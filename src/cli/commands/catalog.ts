/** Handlers of the catalog commands. */
import type { CommandHandler } from '../context.js';

export const catalogHandlers: Record<string, CommandHandler> = {};
