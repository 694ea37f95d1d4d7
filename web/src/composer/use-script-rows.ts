import { useEffect, useState } from 'react';
import { api, isAbort } from '../api/api-client.js';
import type { ArgumentRow, ScriptLanguage, ScriptVariablesResponse } from '../api/api-types.js';

/** Wait this long after the last keystroke before asking: typing `$f12` must not add f1 first. */
export const SCRIPT_DEBOUNCE_MS = 300;

/**
 * The argument rows a script implies, from the API's script-variable detection (the server's own
 * rules), asked for after typing pauses. Undefined for a library job or until the first answer.
 */
export function useScriptRows(
  language: ScriptLanguage | undefined,
  script: string | undefined,
): readonly ArgumentRow[] | undefined {
  const [rows, setRows] = useState<readonly ArgumentRow[] | undefined>(undefined);
  useEffect(() => {
    if (language === undefined || script === undefined) return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      api<ScriptVariablesResponse>('POST', '/api/script-variables', {
        body: { language, script },
        signal: controller.signal,
      }).then(
        (answer) => setRows(answer.rows),
        (error: unknown) => {
          // A failed detection leaves the rows as they are; the preview will say what is wrong.
          if (!isAbort(error)) console.warn('script-variables:', error);
        },
      );
    }, SCRIPT_DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [language, script]);
  return rows;
}
