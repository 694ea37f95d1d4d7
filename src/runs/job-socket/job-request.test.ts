import { describe, expect, it } from 'vitest';
import {
  BadJobRequest,
  encodeJobRequest,
  JOB_PROTOCOL,
  MAX_REQUEST_BYTES,
  parseJobRequest,
  RequestReader,
  type JobRequest,
} from './job-request.js';

const REQUEST: JobRequest = {
  cwd: '/data/P001/20200101',
  env: { COHORT_TOKEN: 'cohj_x', COHORT_PROJECT: 'proj', COHORT_STUDY: 'P001#20200101', COHORT_EMPTY: '' },
  argv: ['add', "out/brain 'mask' $(rm -rf x) é ✓.nii", '', '--tag', 'a=b', 'tab\there', 'new\nline'],
};

/** The body of an encoded request, as the owner reads it after its length. */
function body(request: JobRequest): Buffer {
  return encodeJobRequest(request).subarray(4);
}

describe('the job socket request', () => {
  it('carries the working folder, the COHORT_ variables and every argument byte for byte', () => {
    const encoded = encodeJobRequest(REQUEST);
    expect(encoded.readUInt32BE(0)).toBe(encoded.length - 4);
    expect(parseJobRequest(encoded.subarray(4))).toEqual(REQUEST);
  });

  it('reads the format the C client writes (NUL-terminated fields, an empty one after the variables)', () => {
    const raw = Buffer.from(`${JOB_PROTOCOL}\0/w\0COHORT_A=1=2\0\0select\0\0tag:x\0`, 'utf8');
    expect(parseJobRequest(raw)).toEqual({
      cwd: '/w',
      env: { COHORT_A: '1=2' },
      argv: ['select', '', 'tag:x'],
    });
    // No arguments at all is a request too (the CLI then answers with its usage).
    expect(parseJobRequest(Buffer.from(`${JOB_PROTOCOL}\0/w\0\0`))).toEqual({ cwd: '/w', env: {}, argv: [] });
  });

  it('decodes invalid UTF-8 as Node decodes its own argv (U+FFFD), so both paths see one text', () => {
    const raw = Buffer.concat([Buffer.from(`${JOB_PROTOCOL}\0/w\0\0add\0`), Buffer.from([0xff, 0x41, 0])]);
    expect(parseJobRequest(raw).argv).toEqual(['add', '\uFFFDA']);
  });

  it.each([
    ['no terminating NUL', `${JOB_PROTOCOL}\0/w\0\0add`, 'not NUL-terminated'],
    ['another protocol', 'cohort-job/2\0/w\0\0add\0', "unknown protocol 'cohort-job/2'"],
    ['a relative working folder', `${JOB_PROTOCOL}\0w\0\0add\0`, 'not absolute'],
    ['no end of the variables', `${JOB_PROTOCOL}\0/w\0COHORT_A=1\0`, 'no end of the variables'],
    ['a variable without =', `${JOB_PROTOCOL}\0/w\0COHORT_A\0\0add\0`, "not a variable: 'COHORT_A'"],
    [
      'a variable that is not COHORT_',
      `${JOB_PROTOCOL}\0/w\0PATH=/bin\0\0add\0`,
      "not a COHORT_ variable: 'PATH'",
    ],
    ['nothing', '', 'not NUL-terminated'],
  ])('refuses %s', (_name, raw, message) => {
    expect(() => parseJobRequest(Buffer.from(raw, 'utf8'))).toThrow(BadJobRequest);
    expect(() => parseJobRequest(Buffer.from(raw, 'utf8'))).toThrow(message);
  });

  it('is read whole however the bytes arrive, and never past the announced length', () => {
    const encoded = encodeJobRequest(REQUEST);
    const reader = new RequestReader();
    const got: (Buffer | null)[] = [];
    for (let i = 0; i < encoded.length; i += 3) got.push(reader.push(encoded.subarray(i, i + 3)));
    expect(got.slice(0, -1).every((b) => b === null)).toBe(true);
    expect(got.at(-1)).toEqual(body(REQUEST));
    expect(() => new RequestReader().push(Buffer.concat([encoded, Buffer.from([0])]))).toThrow(
      'bytes after the request',
    );
    const huge = Buffer.alloc(4);
    huge.writeUInt32BE(MAX_REQUEST_BYTES + 1);
    expect(() => new RequestReader().push(huge)).toThrow('too long');
  });
});
