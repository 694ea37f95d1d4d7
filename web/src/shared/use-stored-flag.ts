import { useCallback, useState } from 'react';

/** A boolean UI choice remembered in this browser (localStorage), e.g. the grid's "show finished". */
export function useStoredFlag(key: string, initial: boolean): [boolean, (value: boolean) => void] {
  const [value, setValue] = useState<boolean>(() => {
    try {
      const stored = window.localStorage.getItem(key);
      return stored === null ? initial : stored === '1';
    } catch {
      return initial; // storage disabled (private mode, policy): the choice lasts for the page only
    }
  });
  const set = useCallback(
    (next: boolean) => {
      setValue(next);
      try {
        window.localStorage.setItem(key, next ? '1' : '0');
      } catch {
        // see above
      }
    },
    [key],
  );
  return [value, set];
}
