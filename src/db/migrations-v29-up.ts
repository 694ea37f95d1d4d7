import type { Migration } from './migration.js';

/**
 * Migrations from version 29 on (issue 21, biobank scale): kept apart from migrations-v10-up.ts, where
 * versions 27 and 28 are added in parallel.
 */
export const MIGRATIONS_V29_UP: readonly Migration[] = [
  {
    version: 29,
    name: 'distinct study file paths',
    sql: `
      -- A biobank repeats the same few relative paths (t1_mprage/s000.nii) in every study: 2,000,000
      -- files, 10 distinct paths. A selector's file pattern is tested once per distinct path here, and
      -- files are then found by (study_id, path_id), instead of 2,000,000 LIKE tests (selection/).
      -- Study files only: analysis files are never selected by pattern. Rows are never deleted; a path
      -- without files left costs one index probe per study in a selection, no wrong answer.
      CREATE TABLE file_paths (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE
      );
      ALTER TABLE files ADD COLUMN path_id INTEGER;
      INSERT OR IGNORE INTO file_paths (path) SELECT path FROM files WHERE study_id IS NOT NULL ORDER BY path;
      UPDATE files SET path_id = (SELECT p.id FROM file_paths p WHERE p.path = files.path)
        WHERE study_id IS NOT NULL;
      -- Covering what a selection reads of a file (its rowid is the id, file_paths has the path): 200,000
      -- probes then read no file row (a third of the statement's time over a biobank). Not unique, though
      -- (study_id, path) is: a writer's wrong id (see below) must reach the trigger that corrects it,
      -- not fail on another file of the study that holds that id.
      CREATE INDEX files_study_path_id ON files (study_id, path_id, present, size, mtime_ms)
        WHERE study_id IS NOT NULL;
      -- The indexer (CatalogWriter) passes path_id itself; these keep it right for any other writer, and
      -- for a writer whose remembered id is wrong (an id taken in a transaction that was rolled back).
      -- One probe of file_paths per insert when the id is right.
      CREATE TRIGGER files_path_id_insert AFTER INSERT ON files
        WHEN NEW.study_id IS NOT NULL
          AND (NEW.path_id IS NULL OR NEW.path_id IS NOT (SELECT id FROM file_paths WHERE path = NEW.path))
      BEGIN
        INSERT OR IGNORE INTO file_paths (path) VALUES (NEW.path);
        UPDATE files SET path_id = (SELECT id FROM file_paths WHERE path = NEW.path) WHERE id = NEW.id;
      END;
      CREATE TRIGGER files_path_id_update AFTER UPDATE OF path, path_id, study_id ON files
        WHEN NEW.study_id IS NOT NULL
          AND (NEW.path_id IS NULL OR NEW.path_id IS NOT (SELECT id FROM file_paths WHERE path = NEW.path))
      BEGIN
        INSERT OR IGNORE INTO file_paths (path) VALUES (NEW.path);
        UPDATE files SET path_id = (SELECT id FROM file_paths WHERE path = NEW.path) WHERE id = NEW.id;
      END;
    `,
  },
  {
    version: 31,
    name: 'grid pages in task order',
    sql: `
      -- The grid API pages a project's tasks by id, the finished ones left out: walked from here, a page
      -- reads its rows in order and tests the state in the index, where through tasks_state SQLite
      -- sorted all 200,000 tasks of a biobank run for each page (and OFFSET 99,900 looked each up).
      CREATE INDEX tasks_grid ON tasks (project_id, id, state);
    `,
  },
  {
    version: 32,
    name: 'grid pages by item and searched',
    sql: `
      -- Sorted by item, a grid page sorted all of a project's tasks (200,000 in a biobank run: 160 ms
      -- of CPU a page); searched, it read every task's row to test four text columns. In here a page
      -- by item walks the index in order, and a search tests every task without reading its row.
      -- item, job_index and job_name never change; state, host and error change a few times a task.
      CREATE INDEX tasks_grid_item ON tasks (project_id, item, job_index, id, state, job_name, host, error);
    `,
  },
];
