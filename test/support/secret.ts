/** AIRLOCK_SECRET for every server, worker and CLI a test starts (tests set it explicitly). */
export const TEST_SECRET = 'test-airlock-secret-0123456789abcdef0123456789abcdef';
