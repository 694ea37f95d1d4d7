import { TASK_STATES } from '../runs/task-states.js';
import { PROJECT_ROLES } from '../users/project-roles.js';
import { EXECUTOR_KINDS } from '../executors/executor-kinds.js';
import { inList, type Migration } from './migration.js';

/** The schema as first shipped and grown until run folders per catalog (versions 1 to 9). */
export const MIGRATIONS_V1_V9: readonly Migration[] = [
  {
    version: 1,
    name: 'catalog',
    sql: `
      CREATE TABLE projects (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        root TEXT NOT NULL,
        layout TEXT NOT NULL CHECK (layout IN ('folders', 'bids')),
        analysis_folder TEXT NOT NULL DEFAULT 'analysis',
        created_at INTEGER NOT NULL
      );

      CREATE TABLE subjects (
        id INTEGER PRIMARY KEY,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        pid TEXT NOT NULL,
        folder TEXT NOT NULL,
        present INTEGER NOT NULL DEFAULT 1 CHECK (present IN (0, 1)),
        UNIQUE (project_id, pid)
      );

      -- project_id is repeated here so that per-project study queries need no join.
      CREATE TABLE studies (
        id INTEGER PRIMARY KEY,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        subject_id INTEGER NOT NULL REFERENCES subjects(id) ON DELETE CASCADE,
        sid TEXT NOT NULL,
        folder TEXT NOT NULL,
        sort_key TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        present INTEGER NOT NULL DEFAULT 1 CHECK (present IN (0, 1)),
        UNIQUE (subject_id, sid)
      );
      CREATE INDEX studies_project ON studies (project_id, folder);

      CREATE TABLE analyses (
        id INTEGER PRIMARY KEY,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        folder TEXT NOT NULL,
        present INTEGER NOT NULL DEFAULT 1 CHECK (present IN (0, 1)),
        UNIQUE (project_id, name)
      );

      -- A file belongs to exactly one study or one analysis folder; path is relative to that folder.
      CREATE TABLE files (
        id INTEGER PRIMARY KEY,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        study_id INTEGER REFERENCES studies(id) ON DELETE CASCADE,
        analysis_id INTEGER REFERENCES analyses(id) ON DELETE CASCADE,
        path TEXT NOT NULL,
        size INTEGER NOT NULL,
        mtime_ms INTEGER NOT NULL,
        present INTEGER NOT NULL DEFAULT 1 CHECK (present IN (0, 1)),
        entities TEXT,
        CHECK ((study_id IS NULL) <> (analysis_id IS NULL))
      );
      CREATE UNIQUE INDEX files_study_path ON files (study_id, path) WHERE study_id IS NOT NULL;
      CREATE UNIQUE INDEX files_analysis_path ON files (analysis_id, path) WHERE analysis_id IS NOT NULL;

      CREATE TABLE subject_tags (
        subject_id INTEGER NOT NULL REFERENCES subjects(id) ON DELETE CASCADE,
        tag TEXT NOT NULL,
        PRIMARY KEY (subject_id, tag)
      ) WITHOUT ROWID;
      CREATE INDEX subject_tags_tag ON subject_tags (tag);

      CREATE TABLE study_tags (
        study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
        tag TEXT NOT NULL,
        PRIMARY KEY (study_id, tag)
      ) WITHOUT ROWID;
      CREATE INDEX study_tags_tag ON study_tags (tag);

      CREATE TABLE file_tags (
        file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
        tag TEXT NOT NULL,
        PRIMARY KEY (file_id, tag)
      ) WITHOUT ROWID;
      CREATE INDEX file_tags_tag ON file_tags (tag);

      -- One row per index run; a run without finished_at was interrupted.
      CREATE TABLE index_runs (
        id INTEGER PRIMARY KEY,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        started_at INTEGER NOT NULL,
        finished_at INTEGER,
        summary TEXT
      );
    `,
  },
  {
    version: 2,
    name: 'batches and jobs',
    sql: `
      -- Saved batches: a named, linear series of jobs (JSON), in folders, with favourites.
      CREATE TABLE batches (
        id INTEGER PRIMARY KEY,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        folder TEXT NOT NULL DEFAULT '',
        name TEXT NOT NULL,
        favourite INTEGER NOT NULL DEFAULT 0 CHECK (favourite IN (0, 1)),
        definition TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        UNIQUE (project_id, folder, name)
      );

      -- One row per run of a batch over a selection; the batch definition is copied (provenance).
      CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        batch_name TEXT NOT NULL,
        definition TEXT NOT NULL,
        level TEXT NOT NULL CHECK (level IN ('study', 'subject')),
        selection TEXT NOT NULL,
        run_mode TEXT NOT NULL,
        executor TEXT NOT NULL,
        owner TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );

      -- One row per job and item. \`unit\` groups tasks that share one scheduler job (run modes).
      CREATE TABLE tasks (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        item TEXT NOT NULL,
        subject_id INTEGER REFERENCES subjects(id) ON DELETE SET NULL,
        study_id INTEGER REFERENCES studies(id) ON DELETE SET NULL,
        job_index INTEGER NOT NULL,
        job_name TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN (${inList(TASK_STATES)})),
        unit TEXT NOT NULL,
        executor TEXT NOT NULL,
        executor_id TEXT,
        resolved TEXT NOT NULL,
        log_dir TEXT NOT NULL,
        exit_code INTEGER,
        error TEXT,
        host TEXT,
        queued_at INTEGER,
        started_at INTEGER,
        ended_at INTEGER,
        updated_at INTEGER NOT NULL,
        UNIQUE (run_id, item, job_index)
      );
      CREATE INDEX tasks_state ON tasks (project_id, state);
      CREATE INDEX tasks_study ON tasks (study_id, state);
    `,
  },
  {
    version: 3,
    name: 'users and rights',
    sql: `
      -- Passwords are scrypt hashes with their salt and parameters (src/users/passwords.ts).
      CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        password_hash TEXT NOT NULL,
        is_admin INTEGER NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1)),
        created_at INTEGER NOT NULL
      );

      CREATE TABLE project_roles (
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        role TEXT NOT NULL CHECK (role IN (${inList(PROJECT_ROLES)})),
        PRIMARY KEY (user_id, project_id)
      ) WITHOUT ROWID;

      -- Browser sessions and API tokens store only a SHA-256 of the secret: a leaked database opens nothing.
      CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX sessions_user ON sessions (user_id);

      -- kind 'user': a user's token for the CLI; kind 'job': the credential of a running job, limited to
      -- one project (and run) and to reading, tagging and adding files there.
      CREATE TABLE api_tokens (
        id INTEGER PRIMARY KEY,
        token_hash TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL CHECK (kind IN ('user', 'job')),
        user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
        project_id INTEGER REFERENCES projects(id) ON DELETE CASCADE,
        run_id INTEGER REFERENCES runs(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER,
        last_used_at INTEGER,
        CHECK ((kind = 'user' AND user_id IS NOT NULL) OR (kind = 'job' AND project_id IS NOT NULL))
      );
      CREATE INDEX api_tokens_user ON api_tokens (user_id);

      -- The server's live grid looks for tasks changed by other processes every second.
      CREATE INDEX tasks_updated ON tasks (updated_at);
    `,
  },
  {
    version: 4,
    name: 'queues',
    sql: `
      -- A queue names where jobs run: an engine (local, slurm, sge), its partition or queue, default
      -- resources and extra scheduler words. project_id NULL: a queue every project sees (a project's
      -- own queue of the same name wins).
      CREATE TABLE queues (
        id INTEGER PRIMARY KEY,
        project_id INTEGER REFERENCES projects(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        engine TEXT NOT NULL CHECK (engine IN (${inList(EXECUTOR_KINDS)})),
        target TEXT,
        cpus INTEGER,
        memory_mb INTEGER,
        time_minutes INTEGER,
        gpus INTEGER,
        scheduler_args TEXT NOT NULL DEFAULT '[]',
        created_at INTEGER NOT NULL
      );
      CREATE UNIQUE INDEX queues_name ON queues (coalesce(project_id, 0), name);
      ALTER TABLE projects ADD COLUMN default_queue TEXT;
    `,
  },
  {
    version: 5,
    name: 'indexes for per-subject lookups',
    sql: `
      -- The indexer looks up each subject's known studies by folder (scan-subjects.ts): without this
      -- index every lookup read all subjects of the project, and indexing grew with subjects squared.
      CREATE INDEX subjects_folder ON subjects (project_id, folder);
    `,
  },
  {
    version: 6,
    name: 'catalog id',
    sql: `
      -- Run folders are <home>/runs/<catalog id>/<run>: catalogs sharing one COHORT_HOME (or a catalog
      -- made afresh where another was) must not write into each other's runs/1. A catalog that already
      -- has runs keeps its folders where they are (id '': <home>/runs/<run>).
      CREATE TABLE catalog_info (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
      INSERT INTO catalog_info (key, value)
        SELECT 'id', CASE WHEN EXISTS (SELECT 1 FROM runs) THEN '' ELSE lower(hex(randomblob(8))) END;
    `,
  },
  {
    version: 7,
    name: 'log retention',
    sql: `
      -- Days the folders (logs) of successful tasks are kept after they ended (cohort gc, and the
      -- owner's once-a-day sweep); NULL keeps them.
      ALTER TABLE projects ADD COLUMN log_retention_days INTEGER DEFAULT 30;
    `,
  },
  {
    version: 8,
    name: 'queue python',
    sql: `
      -- The Python interpreter a queue's Python jobs run with (NULL: DEFAULT_PYTHON, /usr/bin/python3).
      ALTER TABLE queues ADD COLUMN python TEXT;
    `,
  },
  {
    version: 9,
    name: 'task ids never reused',
    sql: `
      -- Without AUTOINCREMENT, SQLite hands out max(id) + 1: after \`grid clear\` removed the newest
      -- tasks, new ones got their ids, and a task id in a note or a log named two tasks.
      CREATE TABLE tasks_new (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        item TEXT NOT NULL,
        subject_id INTEGER REFERENCES subjects(id) ON DELETE SET NULL,
        study_id INTEGER REFERENCES studies(id) ON DELETE SET NULL,
        job_index INTEGER NOT NULL,
        job_name TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN (${inList(TASK_STATES)})),
        unit TEXT NOT NULL,
        executor TEXT NOT NULL,
        executor_id TEXT,
        resolved TEXT NOT NULL,
        log_dir TEXT NOT NULL,
        exit_code INTEGER,
        error TEXT,
        host TEXT,
        queued_at INTEGER,
        started_at INTEGER,
        ended_at INTEGER,
        updated_at INTEGER NOT NULL,
        UNIQUE (run_id, item, job_index)
      );
      INSERT INTO tasks_new SELECT id, run_id, project_id, item, subject_id, study_id, job_index, job_name,
        state, unit, executor, executor_id, resolved, log_dir, exit_code, error, host, queued_at,
        started_at, ended_at, updated_at FROM tasks;
      DROP TABLE tasks;
      ALTER TABLE tasks_new RENAME TO tasks;
      CREATE INDEX tasks_state ON tasks (project_id, state);
      CREATE INDEX tasks_study ON tasks (study_id, state);
      CREATE INDEX tasks_updated ON tasks (updated_at);
    `,
  },
];
