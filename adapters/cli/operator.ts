import { userInfo } from 'node:os';
import type { KeyOperator } from '../../src/usecases/agent-keys.js';

/** The OS user running the command: recorded with every change, since a name given with --as is only a claim. */
export const osUser = (): string => userInfo().username;

export const keyOperator = (as: string | undefined): KeyOperator => ({ platform: 'cli', operator: as ?? osUser(), osUser: osUser() });
