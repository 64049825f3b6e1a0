/**
 * `p`, or a rejection with `message()` once `ms` have passed. The timer is cleared either way: a
 * `Promise.race` with a bare `setTimeout` left it running for up to a minute after the test,
 * which kept the Jest worker alive past its suites ("A worker process has failed to exit
 * gracefully").
 */
export async function within<T>(p: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message())), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
