/** `promise`, or a rejection saying it took longer than `ms`: probes and scrapes must answer in time. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what = "no answer"): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, expiry]).finally(() => clearTimeout(timer));
}
