import { AUTO_TRIGGERS } from '../auto/auto-triggers.js';
import { inList, type Migration } from './migration.js';

/**
 * Migrations from version 10 on, in the order they were merged: versions were handed out to work done
 * in parallel, so they are applied by the set of versions missing, not by a running number.
 */
export const MIGRATIONS_V10_UP: readonly Migration[] = [
  {
    version: 16,
    name: 'queue isolation',
    sql: `
      -- The sandbox or container a queue's jobs run in (JSON of jobs/isolation.ts; NULL: none).
      ALTER TABLE queues ADD COLUMN isolation TEXT;
    `,
  },
  {
    version: 17,
    name: 'autoexec rules',
    sql: `
      -- Rules that start a saved batch on new or changed studies by themselves (src/auto/).
      CREATE TABLE auto_rules (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        trigger TEXT NOT NULL CHECK (trigger IN (${inList(AUTO_TRIGGERS)})),
        trigger_tag TEXT,
        quiet_minutes INTEGER,
        filter TEXT NOT NULL DEFAULT '',
        batch TEXT NOT NULL,
        queue TEXT,
        chunk INTEGER NOT NULL DEFAULT 0,
        position INTEGER NOT NULL DEFAULT 0,
        skip_existing_outputs INTEGER NOT NULL DEFAULT 0,
        -- Trigger 'new': studies with a larger id than this were added after the rule.
        since_study INTEGER NOT NULL DEFAULT 0,
        owner TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        UNIQUE (project_id, name)
      );
      -- One row per item a rule started, keyed by its provenance hash (job versions + inputs): the same
      -- computation is never started twice, whichever rule or process asks.
      CREATE TABLE auto_items (
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        hash TEXT NOT NULL,
        rule_id INTEGER REFERENCES auto_rules(id) ON DELETE SET NULL,
        item TEXT NOT NULL,
        run_id INTEGER,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (project_id, hash)
      ) WITHOUT ROWID;
      CREATE TABLE auto_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        rule_id INTEGER REFERENCES auto_rules(id) ON DELETE SET NULL,
        rule_name TEXT NOT NULL,
        at INTEGER NOT NULL,
        source TEXT NOT NULL,
        run_id INTEGER,
        items INTEGER NOT NULL DEFAULT 0,
        skipped INTEGER NOT NULL DEFAULT 0,
        message TEXT NOT NULL DEFAULT ''
      );
      CREATE INDEX auto_log_project ON auto_log (project_id, at);
    `,
  },
  {
    version: 10,
    name: 'measures',
    sql: `
      -- Numbers jobs record (\`cohort record KEY VALUE\`) per study, or per subject (study_id NULL).
      -- Recording a key again replaces its value; task_id/task keep which task wrote it.
      CREATE TABLE measures (
        id INTEGER PRIMARY KEY,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        subject_id INTEGER NOT NULL REFERENCES subjects(id) ON DELETE CASCADE,
        study_id INTEGER REFERENCES studies(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        value REAL NOT NULL,
        task_id INTEGER REFERENCES tasks(id) ON DELETE SET NULL,
        task TEXT,
        recorded_at INTEGER NOT NULL
      );
      CREATE UNIQUE INDEX measures_item_key ON measures (subject_id, IFNULL(study_id, 0), key);
      CREATE INDEX measures_project ON measures (project_id, key);
    `,
  },
  {
    version: 12,
    name: 'bids analysis folders are derivatives',
    sql: `
      -- A BIDS project's results belong in derivatives/<pipeline>/ (BIDS), which the indexer now reads;
      -- its analysis folder was 'analysis', whose outputs could not be registered.
      UPDATE projects SET analysis_folder = 'derivatives' WHERE layout = 'bids';
    `,
  },
  {
    version: 13,
    name: 'subject-level containers',
    sql: `
      -- A BIDS subject with sessions also has files of its own (sub-01_sessions.tsv, scans.tsv): they are
      -- kept in one container per subject, a study row with subject_level = 1 (sid 'subject-level')
      -- that OLDEST/LATEST, study-level batches and the studies table leave out.
      ALTER TABLE studies ADD COLUMN subject_level INTEGER NOT NULL DEFAULT 0 CHECK (subject_level IN (0, 1));
    `,
  },
  {
    version: 23,
    name: 'tasks by subject',
    sql: `
      -- The job indicators of a subjects page and JOB:x on subject-level tasks look tasks up by subject
      -- and take the latest run per subject and study: without this index each of the page's tasks
      -- scanned every task (5 s a page with 200,000 subject-level tasks).
      CREATE INDEX tasks_subject ON tasks (subject_id, study_id, run_id);
    `,
  },
  {
    version: 26,
    name: 'studies in selection order',
    sql: `
      -- Selectors, the filter and the studies table list studies by subject id, then chronologically
      -- (sort_key, sid). Walked from the subjects' (project_id, pid) index, this index yields them in
      -- that order without sorting: the studies table's first page no longer sorts 200,000 studies,
      -- and a selection's files come out in their final order. Unique as (subject_id, sid) is: SQLite
      -- then knows each study comes once, and orders a study's files by the files index, not a sort.
      CREATE UNIQUE INDEX studies_subject_order ON studies (subject_id, sort_key, sid);
    `,
  },
  {
    version: 27,
    name: 'runs created in chunks',
    sql: `
      -- \`cohort run\` creates a large run's tasks in chunks, each committed and started at once, so its
      -- first tasks run while the rest are created. Set while that goes on: how many tasks the run will
      -- have; NULL once all exist (and for every run created in one transaction). A run whose runner died
      -- before the last chunk keeps it, and \`cohort resume\` tells that only some of its tasks exist.
      ALTER TABLE runs ADD COLUMN planned_tasks INTEGER;
    `,
  },
  {
    version: 28,
    name: 'tasks by run and state',
    sql: `
      -- The runner asks after every poll whether a run still has a task that has not ended: with this
      -- index the answer is one seek, not a walk over every task of the run.
      CREATE INDEX tasks_run_state ON tasks (run_id, state);
    `,
  },
];
