import { crc32, deflateSync } from 'node:zlib';

/**
 * The app package's two icons, drawn in code so the repository holds no
 * binaries: a 192×192 colour icon (white padlock on the accent colour) and a
 * 32×32 outline icon (white on transparent), as Teams requires.
 */
export function colorIcon(): Buffer {
  return png(192, (x, y) => (padlock(x / 192, y / 192) ? [255, 255, 255, 255] : [0x1f, 0x4e, 0x79, 255]));
}

export function outlineIcon(): Buffer {
  return png(32, (x, y) => (padlock((x + 0.5) / 32, (y + 0.5) / 32) ? [255, 255, 255, 255] : [0, 0, 0, 0]));
}

/** A padlock in the unit square: a body and a shackle ring. */
function padlock(u: number, v: number): boolean {
  const body = u >= 0.25 && u <= 0.75 && v >= 0.45 && v <= 0.82;
  const keyhole = Math.hypot(u - 0.5, v - 0.6) < 0.05 || (Math.abs(u - 0.5) < 0.02 && v >= 0.6 && v <= 0.72);
  const r = Math.hypot(u - 0.5, v - 0.45);
  const shackle = v <= 0.45 && r >= 0.12 && r <= 0.19;
  return (body && !keyhole) || shackle;
}

function png(size: number, pixel: (x: number, y: number) => [number, number, number, number]): Buffer {
  const raw = Buffer.alloc(size * (1 + size * 4));
  for (let y = 0; y < size; y++) {
    const row = y * (1 + size * 4);
    raw[row] = 0; // filter: none
    for (let x = 0; x < size; x++) Buffer.from(pixel(x, y)).copy(raw, row + 1 + x * 4);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, no interlace
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
