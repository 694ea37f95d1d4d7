/**
 * The study id of a subject's own container: the files of a BIDS subject with sessions that lie beside
 * the sessions (`sub-01/sub-01_sessions.tsv`, `sub-01_scans.tsv`), and their derivatives. BIDS labels
 * are alphanumeric, so this id, with its dash, can never be a session's. Address it as
 * `01#subject-level` in selectors, or with the `subject` study reference in jobs.
 */
export const SUBJECT_LEVEL_SID = 'subject-level';
