import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CohortError } from '../errors/cohort-error.js';
import { decodeNiftiFirstVolume, readImageFile } from '../imaging/nifti-volume.js';
import { encodePng } from './encode-png.js';
import { renderThumbnail } from './render-thumbnail.js';
import type { ThumbnailOptions } from './thumbnail-options.js';

/**
 * Bumped whenever the drawing changes (sampling, window, colours), so thumbnails cached by an older
 * version are not shown again.
 */
const RENDERER_VERSION = 1;

/** One thumbnail to draw: absolute image path, an optional overlay (a mask, labels) and how. */
export interface ThumbnailRequest {
  readonly image: string;
  readonly overlay?: string | undefined;
  readonly options: ThumbnailOptions;
}

/** A drawn (or cached) thumbnail. */
export interface Thumbnail {
  readonly png: Buffer;
  /** Whether it came from the cache. */
  readonly cached: boolean;
  /** The cache key: changes with the files' content, the options and the renderer. */
  readonly key: string;
}

/** A file's content hash with the stat it was computed for. */
export interface ContentHash {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
  readonly hash: string;
}

/**
 * PNG thumbnails cached on disk by content: the key hashes the bytes of the image (and overlay) with
 * the options, so a file rewritten in place gets a new thumbnail and a copied or renamed one reuses
 * its old one. Hashing reads the file; to spare that on every page view the hash is remembered per
 * path for as long as the file's size, mtime and inode stay the same (within this process).
 * Files are written whole then renamed, so concurrent servers and CLIs sharing the folder never see a
 * half-written PNG. Nothing is evicted: `rm -r` the folder to reclaim its space.
 */
export class ThumbnailCache {
  readonly #dir: string;
  readonly #hashes = new Map<string, ContentHash>();
  /** Subfolders known to exist: spares a mkdir per thumbnail. */
  readonly #folders = new Set<string>();

  /** @param dir the cache folder, e.g. `$COHORT_HOME/cache/thumbnails` (made on first write). */
  constructor(dir: string) {
    this.#dir = dir;
  }

  /**
   * The thumbnail of a request, drawn when not cached yet.
   * @throws CohortError INVALID_INPUT or FILESYSTEM naming the file that cannot be read.
   */
  thumbnail(request: ThumbnailRequest): Thumbnail {
    // A file hashed for the key is kept for the drawing: a cold thumbnail reads each file once.
    const read = new Map<string, Uint8Array>();
    const key = createHash('sha256')
      .update(
        JSON.stringify([
          RENDERER_VERSION,
          this.contentHash(request.image, read),
          request.overlay === undefined ? null : this.contentHash(request.overlay, read),
          request.options,
        ]),
      )
      .digest('hex');
    const path = join(this.#dir, key.slice(0, 2), `${key}.png`);
    try {
      return { png: readFileSync(path), cached: true, key };
    } catch {
      // not cached yet
    }
    const image = (file: string) => decodeNiftiFirstVolume(read.get(file) ?? readImageFile(file), file);
    const volume = image(request.image);
    const overlay = request.overlay === undefined ? undefined : image(request.overlay);
    const drawn = renderThumbnail(volume, request.options, overlay);
    const png = encodePng(drawn.width, drawn.height, drawn.channels, drawn.pixels);
    this.#store(path, png);
    return { png, cached: false, key };
  }

  /** The content hashes this cache remembers, to hand to another cache (a worker's). */
  knownHashes(): Map<string, ContentHash> {
    return this.#hashes;
  }

  /** Takes content hashes another cache remembered (checked against the file's stat before use). */
  remember(file: string, known: ContentHash): void {
    this.#hashes.set(file, known);
  }

  /**
   * SHA-256 of a file's bytes, remembered while its size, mtime and inode stay the same; the bytes
   * read are left in `read` when given.
   */
  contentHash(file: string, read?: Map<string, Uint8Array>): string {
    let stat;
    try {
      stat = statSync(file);
    } catch (error) {
      throw new CohortError('FILESYSTEM', `Cannot read image ${file}: ${(error as Error).message}`, {
        hint: 'Rescan the project (`cohort rescan`) if the file was moved or deleted.',
        cause: error,
      });
    }
    const known = this.#hashes.get(file);
    if (
      known !== undefined &&
      known.size === stat.size &&
      known.mtimeMs === stat.mtimeMs &&
      known.ino === stat.ino
    ) {
      return known.hash;
    }
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(file);
    } catch (error) {
      throw new CohortError('FILESYSTEM', `Cannot read image ${file}: ${(error as Error).message}`, {
        hint: 'Check its permissions.',
        cause: error,
      });
    }
    read?.set(file, bytes);
    const hash = createHash('sha256').update(bytes).digest('hex');
    this.#hashes.set(file, { size: stat.size, mtimeMs: stat.mtimeMs, ino: stat.ino, hash });
    return hash;
  }

  #store(path: string, png: Buffer): void {
    try {
      const folder = join(path, '..');
      if (!this.#folders.has(folder)) {
        // Non-recursive after the first: a recursive mkdir checks every parent, each time.
        try {
          mkdirSync(folder, { mode: 0o700 });
        } catch {
          mkdirSync(folder, { recursive: true, mode: 0o700 });
        }
        this.#folders.add(folder);
      }
      const temporary = `${path}.${process.pid}.tmp`;
      writeFileSync(temporary, png, { mode: 0o600 });
      renameSync(temporary, path);
    } catch {
      // A full or read-only cache folder costs speed, not the thumbnail: it is drawn again next time.
    }
  }
}
