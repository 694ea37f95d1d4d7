/**
 * Quotes one word for POSIX sh: everything inside single quotes is literal, and a single quote is
 * written as '\''. Used only for the scripts executors generate (grouped units, cluster wrappers),
 * where every value is one quoted word; a task's command never passes through a shell as text.
 */
export function shellQuote(word: string): string {
  if (word.includes('\0')) throw new Error('NUL cannot be part of a command word');
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
