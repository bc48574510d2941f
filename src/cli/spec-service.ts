/** The service commands of the command spec (merged into commandSpec in spec.ts). */
import type { CommandSpec } from './spec-types.js';

export const serviceCommands: CommandSpec[] = [];
