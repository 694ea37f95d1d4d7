/**
 * A key that sorts study ids chronologically/naturally as text: every run of digits is zero-padded, so
 * `ses-2` < `ses-10` and `20190101` < `20200101`. Stored with the study so OLDEST/LATEST are SQL ORDER BYs.
 */
export function studySortKey(sid: string): string {
  return sid.toLowerCase().replace(/\d+/g, (digits) => digits.replace(/^0+(?=\d)/, '').padStart(20, '0'));
}
