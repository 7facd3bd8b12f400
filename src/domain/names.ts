/**
 * Names of tenants, tools, agents and reviewer groups. They are written in the
 * policy file and arrive again from outside (request bodies, chat commands,
 * CLI flags), so they are kept to a plain alphabet and may never be a name
 * JavaScript objects already carry (`constructor`, `__proto__`, `toString`…).
 */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

export const RESERVED_NAMES: ReadonlySet<string> = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

export const isSafeName = (name: string): boolean => NAME_PATTERN.test(name) && !RESERVED_NAMES.has(name);

export const unsafeNameReason = (name: string): string | undefined =>
  RESERVED_NAMES.has(name)
    ? `"${name.slice(0, 40)}" is reserved`
    : NAME_PATTERN.test(name)
      ? undefined
      : 'must start with a letter or digit and use only letters, digits, _ . : - (at most 128 characters)';
