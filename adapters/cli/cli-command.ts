import type { Writable } from 'node:stream';
import type { CliServices } from './cli-services.js';

/** A flag a command takes; its `about` is what its help says, so help and parser are one table. */
export interface Flag {
  type: 'string' | 'boolean';
  /** The value's placeholder in usage (`--tenant T`). */
  value?: string;
  required?: boolean;
  /** Given more than once, every value counts. */
  multiple?: boolean;
  about: string;
}

export type FlagValues = Record<string, string | boolean | string[] | undefined>;

export interface CliIo {
  /** The command's output stream (audit export writes to it directly). */
  stdout: Writable;
  /** Resolves once the line was handed to the OS: the CLI exits right after, and a pipe may be slow. */
  out(line: string): Promise<void>;
  err(line: string): void;
}

export interface CommandInput {
  values: FlagValues;
  /** The arguments after the command's own words. */
  args: string[];
  services: CliServices;
  io: CliIo;
}

/**
 * One CLI command: its words (`review show`), what it takes and what it does.
 * The usage text is generated from this and the parser accepts exactly the
 * flags listed here, so help cannot drift from what a command takes.
 */
export interface CliCommand {
  name: string;
  /** Positional arguments: their usage text and how many are allowed. */
  args?: { text: string; min: number; max: number };
  flags: Record<string, Flag>;
  about: string[];
  run(input: CommandInput): Promise<number>;
}

/** A mistake in how the CLI was called: exit 2, with the usage that applies. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly usage: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

export const TENANT: Flag = { type: 'string', value: 'T', required: true, about: 'the tenant, as the policy names it' };
export const JSON_OUTPUT: Flag = { type: 'boolean', about: 'print one JSON document instead of text' };

/** A string flag's value (parseArgs gives only strings for string flags; `multiple` ones are lists). */
export const stringFlag = (values: FlagValues, name: string): string | undefined => {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
};

export const listFlag = (values: FlagValues, name: string): string[] => {
  const v = values[name];
  return Array.isArray(v) ? v : [];
};
