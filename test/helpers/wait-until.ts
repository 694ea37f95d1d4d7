/**
 * Waits until `condition` holds, checking every `pollMs`; throws naming `what` after `ms`. Tests wait
 * for the thing itself rather than sleeping a fixed time, so a slow (loaded) machine only makes them
 * slower, never wrong. `state`, when given, is added to the error: what the test saw when it gave up.
 */
export async function waitUntil(
  what: string,
  condition: () => boolean,
  ms = 30_000,
  pollMs = 50,
  state: () => string = () => '',
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) {
      const seen = state();
      throw new Error(`timed out after ${ms} ms waiting for ${what}${seen ? `: ${seen}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
