/**
 * The [MS-CAB] CFDATA checksum: the XOR of the input read as little-endian 32-bit words, the 1 to 3
 * bytes left over folded in high byte first. A block's checksum is this over its data, then seeded
 * into the same over its cbData and cbUncomp fields (the reserved area is left out, as makecab,
 * cabextract and gcab all do).
 */
function cabChecksum(bytes: Uint8Array, seed: number): number {
  let sum = seed;
  const whole = bytes.length & ~3;
  let i = 0;
  for (; i < whole; i += 4) {
    sum ^= bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
  }
  let tail = 0;
  for (; i < bytes.length; i++) tail = (tail << 8) | bytes[i]!;
  return (sum ^ tail) >>> 0;
}

/** The checksum stored in a CFDATA header for `data` compressed from `uncompressedSize` bytes. */
export function dataBlockChecksum(data: Uint8Array, uncompressedSize: number): number {
  const sizes = new Uint8Array(4);
  sizes[0] = data.length & 0xff;
  sizes[1] = data.length >>> 8;
  sizes[2] = uncompressedSize & 0xff;
  sizes[3] = uncompressedSize >>> 8;
  return cabChecksum(sizes, cabChecksum(data, 0));
}
