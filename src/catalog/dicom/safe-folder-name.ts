// Below the 255-byte file name limit with room for a `_2` suffix; far longer than any real id or series
// description.
const MAX_NAME_BYTES = 200;

/**
 * Turns a DICOM value or a user-given id into a folder name that is safe on disk and in Cohort's own
 * syntax: letters and digits of any script are kept (NFC), as are `. _ - +`; every other run of
 * characters (slashes, spaces, quotes, brackets, `#` of `SUBJECT#STUDY`, `*?&` of patterns and filters,
 * control characters) becomes one `_`, so the name also needs no quoting in a shell script. Leading
 * dots, dashes and underscores are dropped (a leading dot would hide the folder from the catalog, a
 * leading dash reads as an option), as are trailing underscores. Names are cut at 200 UTF-8 bytes.
 * Returns '' when nothing is left.
 *
 * @example safeFolderName('R3.2.2 Enhanced Dicom Phantom') === 'R3.2.2_Enhanced_Dicom_Phantom'
 * @example safeFolderName('../Müller/ß') === 'Müller_ß'
 */
export function safeFolderName(raw: string): string {
  const cleaned = raw
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}\p{M}._+-]+/gu, '_')
    .replace(/_{2,}/g, '_')
    .replace(/^[._-]+/, '');
  let name = '';
  let bytes = 0;
  for (const char of cleaned) {
    bytes += Buffer.byteLength(char);
    if (bytes > MAX_NAME_BYTES) break;
    name += char;
  }
  return name.replace(/_+$/, '');
}
