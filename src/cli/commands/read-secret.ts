import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';

/**
 * Reads a secret line from standard input: with a prompt and without echo on a terminal, else the first
 * line of piped input (`echo "$PW" | cohort user add ana`), so it never appears in the process list.
 */
export async function readSecret(prompt: string): Promise<string> {
  const tty = process.stdin.isTTY === true;
  if (tty) process.stderr.write(prompt);
  // On a terminal the typed characters must not be echoed: readline writes them to this muted stream.
  const muted = new Writable({ write: (_chunk, _encoding, done) => done() });
  const rl = createInterface({ input: process.stdin, output: tty ? muted : undefined, terminal: tty });
  try {
    const line = await new Promise<string>((resolve) => {
      rl.once('line', resolve);
      rl.once('close', () => resolve(''));
    });
    if (tty) process.stderr.write('\n');
    return line;
  } finally {
    rl.close();
  }
}
