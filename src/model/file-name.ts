/** Local file names for names an upstream gives (catalog downloads, the content store served downstream). */
import { InvalidDataError } from '../errors.js';

/** Longest file name produced, in UTF-8 bytes: under every common file system's 255, with room for a suffix. */
export const maxFileNameBytes = 200;

/** Names Windows reserves for devices, whatever the extension (`NUL.cab` is NUL). */
const reservedDeviceNames = /^(con|prn|aux|nul|clock\$|conin\$|conout\$|com[0-9¹²³]|lpt[0-9¹²³])$/i;

/** Cuts a string to at most `bytes` UTF-8 bytes without splitting a character. */
function truncateUtf8(text: string, bytes: number): string {
  let result = '';
  let used = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char);
    if (used + size > bytes) break;
    result += char;
    used += size;
  }
  return result;
}

/**
 * A safe local file name for a name given by upstream: the last path segment only, with
 * control, bidirectional-override and Windows-reserved characters replaced by `_`, no `..`, no
 * leading dot, no trailing dot or space, not a device name, at most `maxFileNameBytes` bytes
 * (the extension kept). Throws InvalidDataError `UnsafeFileName` when nothing usable remains.
 */
export function safeFileName(name: string): string {
  const lastSegment = name.normalize('NFC').split(/[/\\]/).pop() ?? '';
  let safe = lastSegment
    // Bidirectional controls can make "exe.cab" display as "bac.exe".
    .replace(/[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(/[\u0000-\u001f\u007f-\u009f<>:"|?*]/g, '_')
    .replace(/\.{2,}/g, '.')
    .replace(/^[\s.]+|[\s.]+$/g, '');
  const stem = safe.split('.')[0] ?? '';
  if (reservedDeviceNames.test(stem.trim())) safe = `_${safe}`;

  if (Buffer.byteLength(safe) > maxFileNameBytes) {
    const dot = safe.lastIndexOf('.');
    const extension = dot > 0 && safe.length - dot <= 16 ? safe.slice(dot) : '';
    const stemBytes = maxFileNameBytes - Buffer.byteLength(extension);
    safe = truncateUtf8(safe.slice(0, safe.length - extension.length), stemBytes).replace(/[\s.]+$/, '') + extension;
  }
  if (!/[^_.\s]/.test(safe)) {
    throw new InvalidDataError('UnsafeFileName', `The file name ${JSON.stringify(name)} has nothing usable as a local file name`, { target: name });
  }
  return safe;
}
