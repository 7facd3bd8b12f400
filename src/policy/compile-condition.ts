import { Environment } from '@marcbachmann/cel-js';
import type { CompiledCondition, ConditionInput } from '../domain/policy-model.js';

// Request fields are JSON of any shape, so every variable is dynamic; numbers
// arrive as JS doubles and CEL compares them with int literals numerically.
const env = new Environment({ unlistedVariablesAreDyn: true, homogeneousAggregateLiterals: false, limits: { maxAstNodes: 2000, maxDepth: 50 } });

/** Compiles a `when.if` expression once, at policy load. Throws with the parse error. */
export function compileCondition(source: string, then: CompiledCondition['then']): CompiledCondition {
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
