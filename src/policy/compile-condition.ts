import { Environment } from '@marcbachmann/cel-js';
import type { CompiledCondition, ConditionInput } from '../domain/policy-model.js';

/**
 * The CEL environment of `when.if`: exactly the request fields, typed. An
 * unknown variable (`arg.to` for `args.to`) is a compile error, and so is an
 * expression that is not a boolean (`args.amount`): a map field is `dyn`, so
 * compare it (`args.flag == true`). Numbers arrive as JS doubles and CEL
 * compares them with int literals numerically.
 */
const env = new Environment({ unlistedVariablesAreDyn: false, homogeneousAggregateLiterals: false, limits: { maxAstNodes: 2000, maxDepth: 50 } })
  .registerVariable('args', 'map')
  .registerVariable('context', 'map')
  .registerVariable('requester', 'map')
  .registerVariable('workflow', 'string')
  .registerVariable('environment', 'string')
  .registerVariable('agent', 'string')
  .registerVariable('tenant', 'string')
  .registerVariable('tool', 'string');

/** Compiles a `when.if` expression once, at policy load. Throws with the parse or type error. */
export function compileCondition(source: string, then: CompiledCondition['then']): CompiledCondition {
  const checked = env.check(source);
  if (!checked.valid) throw new Error(checked.error?.message ?? 'does not type-check');
  if (checked.type !== 'bool') throw new Error(`must be a boolean condition, but its type is ${checked.type} (compare it, e.g. \`== true\`)`);
  const program = env.parse(source);
  return {
    source,
    then,
    test: (input: ConditionInput) => {
      const result = program(input as unknown as Record<string, unknown>);
      if (typeof result !== 'boolean') throw new Error(`expression returned ${typeof result}, not a boolean`);
      return result;
    },
  };
}
