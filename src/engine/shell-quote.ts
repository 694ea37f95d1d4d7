/**
 * Quotes one word for POSIX sh: everything inside single quotes is literal, and a single quote is
 * written as '\''. Used only for generated unit scripts that run several tasks in one scheduler job;
 * single tasks never pass through a shell as text.
 */
export function shellQuote(word: string): string {
  if (word.includes('\0')) throw new Error('NUL cannot be part of a command word');
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
