/**
 * The embedded database cannot be used here. The message is one line that
 * says what to do; the entry points print it as it is, without a stack trace.
 */
export class EmbeddedPostgresError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'EmbeddedPostgresError';
  }
}
