export { Airlock } from './client.js';
export type { AirlockOptions, GateOptions, RequestOptions, SubmitOptions, WaitOptions } from './options.js';
export { AirlockClientError, type AirlockErrorDetail, type AirlockErrorKind } from './errors.js';
export { gateOutcome, type GateOutcome } from './gate-outcome.js';
export type { RetryPolicy } from './http.js';
export { argsToExecute, REDACTED } from './merge-args.js';
export { verifyCallback, type VerifyCallbackOptions } from './verify-callback.js';
export { ActionNotExecutedError, wrapTool, type Gatekeeper, type GatedTool, type WrapToolOptions } from './wrap-tool.js';
export * from './types.js';
