// A deterministic tar writer for image layers and the image archive: POSIX ustar headers, with a
// PAX extended header only for a path or link target ustar cannot hold (node_modules has paths
// over 100 bytes). Every entry has owner 0:0, no user/group names and the same mtime, so the
// bytes depend only on the paths, modes and contents given — the same input gives the same digest.
import { readFileSync } from 'node:fs';

export type TarEntry =
  | { type: 'dir'; path: string; mode: number }
  | { type: 'symlink'; path: string; target: string }
  // The content is read only when the entry is written (a layer holds 125 MB of node binary).
  | { type: 'file'; path: string; mode: number; content: Buffer | { fromFile: string } };

/** mtime of every entry: the epoch, as reproducible builds do (SOURCE_DATE_EPOCH=0). */
export const TAR_MTIME = 0;

const BLOCK = 512;

/** Octal, zero-padded to width-1 digits and NUL-terminated, as ustar numeric fields are. */
function octal(value: number, width: number): string {
  const digits = value.toString(8);
  if (digits.length > width - 1) throw new Error(`tar: ${value} does not fit a ${width}-byte field`);
  return digits.padStart(width - 1, '0') + '\0';
}

/** ustar's name/prefix split of a path: name ≤ 100 bytes, prefix ≤ 155, split at a '/'; or null. */
function splitUstarPath(path: string): { name: string; prefix: string } | null {
  if (!/^[\x20-\x7e]*$/.test(path)) return null; // PAX carries anything but printable ASCII
  if (path.length <= 100) return { name: path, prefix: '' };
  for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (prefix.length <= 155 && name.length <= 100 && name.length > 0) return { name, prefix };
  }
  return null;
}

function header(fields: { name: string; prefix: string; mode: number; size: number; type: string; linkname: string }): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(fields.name, 0, 100, 'utf8');
  h.write(octal(fields.mode, 8), 100, 8, 'ascii');
  h.write(octal(0, 8), 108, 8, 'ascii'); // uid
  h.write(octal(0, 8), 116, 8, 'ascii'); // gid
  h.write(octal(fields.size, 12), 124, 12, 'ascii');
  h.write(octal(TAR_MTIME, 12), 136, 12, 'ascii');
  h.write(' '.repeat(8), 148, 8, 'ascii'); // checksum field counts as spaces while summing
  h.write(fields.type, 156, 1, 'ascii');
  h.write(fields.linkname, 157, 100, 'utf8');
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  h.write(octal(0, 8), 329, 8, 'ascii'); // devmajor
  h.write(octal(0, 8), 337, 8, 'ascii'); // devminor
  h.write(fields.prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(octal(sum, 7) + ' ', 148, 8, 'ascii');
  return h;
}

function padding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}

/** A PAX record `"<len> <key>=<value>\n"`, where <len> counts the whole record, itself included. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body);
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
  return `${len}${body}`;
}

function* entryBlocks(entry: TarEntry): Generator<Buffer> {
  const path = entry.type === 'dir' ? `${entry.path.replace(/\/$/, '')}/` : entry.path;
  const linkname = entry.type === 'symlink' ? entry.target : '';
  const split = splitUstarPath(path);
  const linkFits = linkname.length <= 100 && /^[\x20-\x7e]*$/.test(linkname);
  if (!split || !linkFits) {
    const records = (split ? '' : paxRecord('path', path)) + (linkFits ? '' : paxRecord('linkpath', linkname));
    const data = Buffer.from(records, 'utf8');
    yield header({ name: 'PaxHeader', prefix: '', mode: 0o644, size: data.length, type: 'x', linkname: '' });
    yield data;
    yield padding(data.length);
  }
  // With a PAX path the ustar name is only a fallback for old readers: its last 100 bytes.
  const name = split ?? { name: path.slice(-100), prefix: '' };
  const link = linkFits ? linkname : linkname.slice(0, 100);
  switch (entry.type) {
    case 'dir':
      yield header({ ...name, mode: entry.mode, size: 0, type: '5', linkname: '' });
      return;
    case 'symlink':
      yield header({ ...name, mode: 0o777, size: 0, type: '2', linkname: link });
      return;
    case 'file': {
      const content = Buffer.isBuffer(entry.content) ? entry.content : readFileSync(entry.content.fromFile);
      yield header({ ...name, mode: entry.mode, size: content.length, type: '0', linkname: '' });
      yield content;
      yield padding(content.length);
    }
  }
}

/**
 * The tar stream of the entries, in the order given (callers sort them), ended by two zero blocks
 * like Go's archive/tar, which containerd reads layers with.
 */
export function* tarStream(entries: Iterable<TarEntry>): Generator<Buffer> {
  for (const entry of entries) yield* entryBlocks(entry);
  yield Buffer.alloc(2 * BLOCK);
}
