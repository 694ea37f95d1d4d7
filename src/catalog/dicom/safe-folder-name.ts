// Long enough for any real id or series description, far below the 255-byte file name limit even when
// every character takes 2 UTF-8 bytes.
const MAX_NAME_CHARS = 100;

/**
 * Turns a DICOM value or a user-given id into a folder name that is safe on disk and in Cohort's own
 * syntax: letters and digits of any script are kept (NFC), as are `. _ - + = @ , ( ) ~`; every other
 * run of characters (slashes, spaces, quotes, `#` of `SUBJECT#STUDY`, `*?&` of patterns and filters,
 * control characters) becomes one `_`. Leading dots, dashes and underscores are dropped (a leading dot
 * would hide the folder from the catalog, a leading dash reads as an option), as are trailing
 * underscores. Returns '' when nothing usable is left.
 *
 * @example safeFolderName('R3.2.2 Enhanced Dicom Phantom') === 'R3.2.2_Enhanced_Dicom_Phantom'
 * @example safeFolderName('../Müller/ß') === 'Müller_ß'
 */
export function safeFolderName(raw: string): string {
  const cleaned = raw
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}\p{M}._+\-=@,()~]+/gu, '_')
    .replace(/_{2,}/g, '_')
    .replace(/^[._-]+/, '');
  return Array.from(cleaned).slice(0, MAX_NAME_CHARS).join('').replace(/_+$/, '');
}
